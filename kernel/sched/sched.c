/* The scheduling mechanism around the EEVDF policy (eevdf.c).
 *
 * Locking: one run-queue lock per CPU guards every thread's scheduling
 * fields (state, se, wake_at, timer_link). It is never held across a
 * switch: schedule() drops it with interrupts still off, switches, and the
 * thread switched to re-enables them on its own way out. No lock is handed
 * across a switch, so this CPU's held-spinlock count must be zero at
 * schedule() (checked on entry) and at arch_switch (asserted). Wait
 * queues and sleeping, built on the blocking below, are in wait.c. */
#include "sched/sched.h"

#include "core/backtrace.h"
#include "core/kcov.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "mm/quota.h"

struct run_queue {
	struct spinlock lock;
	struct sched_queue queue;	/* every runnable thread, the running one too */
	struct list_node timers;	/* blocked threads with a deadline, by wake_at */
	struct thread *idle;
	struct thread *switched_from;	/* for finish_switch on the other side */
	uint64_t armed_at;		/* when the one-shot timer fires (MAX: off) */
	uint64_t fs_base;		/* the user FS base this CPU has loaded */
};

static struct run_queue run_queues[1];	/* per-CPU, each with its lock */
static struct thread idle_thread;	/* per-CPU: the boot context */
static struct kcache *thread_cache;	/* set once at boot */
static uint32_t threads_alive;		/* atomic: allocated, not yet freed */

/* The reaper frees dead threads: a thread cannot free the stack it runs on. */
static struct wait_queue reaper_wq;	/* its own lock */
static struct list_node reap_list = LIST_INIT(reap_list);	/* guarded by reap_lock */
static struct spinlock reap_lock = SPINLOCK_INIT("reaper");

static struct run_queue *this_rq(void)
{
	return &run_queues[arch_cpu_id()];
}

static struct thread *thread_of(struct sched_entity *se)
{
	return se ? list_entry(se, struct thread, se) : NULL;
}

/* --- time ------------------------------------------------------------- */

/* Caller holds the rq lock. */
static void charge(struct run_queue *rq, struct thread *t, uint64_t now)
{
	spin_assert_held(&rq->lock);
	if (t == rq->idle || now <= t->charged_at)
		return;
	sched_charge(&rq->queue, &t->se, now - t->charged_at);
	t->charged_at = now;
}

/* Arms the one-shot timer for the earlier of the running thread's slice
 * end and the first sleeper's deadline. Caller holds the rq lock. */
static void arm_timer(struct run_queue *rq, struct thread *running, uint64_t now)
{
	uint64_t at = UINT64_MAX;

	spin_assert_held(&rq->lock);
	if (running != rq->idle && rq->queue.count > 1)
		at = now + sched_runtime_left(&rq->queue, &running->se);
	if (!list_empty(&rq->timers)) {
		struct thread *first = list_entry(rq->timers.next, struct thread, timer_link);
		if (first->wake_at < at)
			at = first->wake_at;
	}
	/* Reprogramming the timer is a device access, slow in a VM: leave it
	 * when it already fires no later than needed. An early tick costs
	 * one look at the queue, which re-arms. */
	if (at >= rq->armed_at && rq->armed_at > now)
		return;
	rq->armed_at = at;
	arch_timer_oneshot(at == UINT64_MAX ? 0 : at > now ? at - now : 1);
}

static void timer_add(struct run_queue *rq, struct thread *t)
{
	struct list_node *pos = rq->timers.next;

	while (pos != &rq->timers && list_entry(pos, struct thread, timer_link)->wake_at <= t->wake_at)
		pos = pos->next;
	list_insert_before(pos, &t->timer_link);
}

/* --- waking ----------------------------------------------------------- */

/* Caller holds the rq lock. */
static void wake_locked(struct run_queue *rq, struct thread *t, int result)
{
	spin_assert_held(&rq->lock);
	if (t->state != THREAD_BLOCKED)
		return;
	t->wake_result = result;
	t->wake_at = UINT64_MAX;
	if (list_linked(&t->timer_link))
		list_del(&t->timer_link);
	if (t == current_thread()) {
		/* Woken before it got as far as switching away. */
		t->state = THREAD_RUNNING;
		return;
	}
	t->state = THREAD_READY;
	if (!t->se.queued)
		sched_enqueue(&rq->queue, &t->se);
	struct thread *cur = current_thread();
	if (cur == rq->idle) {
		arch_set_need_resched(true);
		return;
	}
	uint64_t now = arch_clock_ns();
	charge(rq, cur, now);
	if (thread_of(sched_pick(&rq->queue)) != cur)
		arch_set_need_resched(true);
	else
		arm_timer(rq, cur, now);	/* cur may have been alone, untimed */
}

void thread_wake(struct thread *t, int result)
{
	struct run_queue *rq = this_rq();

	guard(spinlock)(&rq->lock);
	wake_locked(rq, t, result);
}

/* The timer interrupt: wake expired sleepers, end slices. */

static void timer_tick(void)
{
	struct run_queue *rq = this_rq();
	guard(spinlock)(&rq->lock);
	uint64_t now = arch_clock_ns();
	struct thread *cur = current_thread();

	rq->armed_at = UINT64_MAX;
	while (!list_empty(&rq->timers)) {
		struct thread *t = list_entry(rq->timers.next, struct thread, timer_link);
		if (t->wake_at > now)
			break;
		wake_locked(rq, t, -ETIMEDOUT);
	}
	charge(rq, cur, now);
	if (thread_of(sched_pick(&rq->queue)) != (cur == rq->idle ? NULL : cur))
		arch_set_need_resched(true);
	else
		arm_timer(rq, cur, now);
}

/* --- switching -------------------------------------------------------- */

/* Runs first thing in the thread switched to, on its own stack. */
static void finish_switch(void)
{
	struct run_queue *rq = this_rq();
	struct thread *prev = rq->switched_from;

	rq->switched_from = NULL;
	if (!prev || prev->state != THREAD_DEAD)
		return;
	{
		guard(spinlock)(&reap_lock);
		list_add_tail(&reap_list, &prev->reap_link);
	}
	wait_queue_wake_all(&reaper_wq, 0);
}

static void switch_to(struct run_queue *rq, struct thread *prev, struct thread *next)
{
	arch_fpu_save(prev->fpu);
	arch_fpu_restore(next->fpu);
	arch_set_kernel_stack(next->stack.top);
	/* The kernel never addresses through FS: only a user thread whose
	 * base differs from the loaded one pays for the MSR write. */
	if (next->proc && next->fs_base != rq->fs_base) {
		arch_set_user_fs_base(next->fs_base);
		rq->fs_base = next->fs_base;
	}
	/* Each thread keeps the address space it had active: its process's,
	 * or for a kernel thread none (or one it borrowed and holds). */
	prev->active_as = as_current();
	as_activate(next->active_as);
	arch_set_current_thread(next);
	rq->switched_from = prev;
	KASSERT(spin_held_count() == 0);	/* rq->lock was given back */
	arch_switch(&prev->saved_sp, next->saved_sp);
	finish_switch();
}

void sched_set_fs_base(uint64_t base)
{
	irq_state_t irq = arch_irq_save();
	struct run_queue *rq = &run_queues[arch_cpu_id()];

	current_thread()->fs_base = base;
	arch_set_user_fs_base(base);
	rq->fs_base = base;
	arch_irq_restore(irq);
}

/* Picks the next thread and switches to it. The running thread's state
 * says what happens to it: RUNNING stays runnable, BLOCKED and DEAD leave
 * the queue. */
static void schedule(void)
{
	if (__builtin_expect(spin_held_count() != 0, 0)) {
		/* Sleeping with a spinlock: a panic, or a report in a
		 * self-test that expects it (ksan_selftest.c): then do not
		 * switch, so the test can carry on holding its lock. */
		spin_held_at_switch("schedule()");
		return;
	}
	irq_state_t irq = arch_irq_save();
	struct run_queue *rq = this_rq();
	struct thread *prev = current_thread(), *next;
	uint64_t now = arch_clock_ns();

	spin_lock(&rq->lock);
	charge(rq, prev, now);
	if (prev != rq->idle) {
		if (prev->state == THREAD_BLOCKED || prev->state == THREAD_DEAD) {
			if (prev->se.queued)
				sched_dequeue(&rq->queue, &prev->se);
		}
		else
			prev->state = THREAD_READY;
	}
	next = thread_of(sched_pick(&rq->queue));
	if (!next)
		next = rq->idle;
	next->state = THREAD_RUNNING;
	next->charged_at = now;
	arch_set_need_resched(false);
	arm_timer(rq, next, now);
	spin_unlock(&rq->lock, 0);		/* interrupts stay off */
	if (next != prev)
		switch_to(rq, prev, next);
	arch_irq_restore(irq);
}

void sched_preempt_point(void)
{
	if (arch_need_resched())
		schedule();
}

void thread_yield(void)
{
	struct run_queue *rq = this_rq();
	struct thread *cur = current_thread();

	{
		guard(spinlock)(&rq->lock);
		if (cur != rq->idle) {
			charge(rq, cur, arch_clock_ns());
			sched_yield(&rq->queue, &cur->se);
		}
	}
	schedule();
}

/* --- blocking --------------------------------------------------------- */

void sched_block_prepare(uint64_t deadline)
{
	struct run_queue *rq = this_rq();
	struct thread *t = current_thread();

	guard(spinlock)(&rq->lock);
	t->state = THREAD_BLOCKED;
	t->wake_result = 0;
	t->wake_at = deadline;
	if (deadline != UINT64_MAX)
		timer_add(rq, t);
}

void sched_block_cancel(void)
{
	struct run_queue *rq = this_rq();
	struct thread *t = current_thread();

	guard(spinlock)(&rq->lock);
	if (t->state != THREAD_BLOCKED)
		return;			/* already woken */
	t->state = THREAD_RUNNING;
	t->wake_at = UINT64_MAX;
	if (list_linked(&t->timer_link))
		list_del(&t->timer_link);
}

void sched_block(void)
{
	schedule();
}

/* --- thread lifetime -------------------------------------------------- */

/* The process layer's part in its threads (proc sits above sched). */
static const struct thread_owner_ops *owner_ops;

void sched_set_owner_ops(const struct thread_owner_ops *ops)
{
	owner_ops = ops;
}

static void thread_destroy(struct kobj *obj)
{
	struct thread *t = kobj_of(obj, struct thread, obj);

	kstack_free(&t->stack);
	kcov_thread_free(t);
	if (t->proc)
		owner_ops->release(t);
	kcache_free(thread_cache, t);
	__atomic_fetch_sub(&threads_alive, 1, __ATOMIC_RELAXED);
}

static const struct kobj_type thread_type = { .name = "thread", .destroy = thread_destroy };

void thread_put(struct thread *t)
{
	if (t)
		kobj_put(&t->obj);
}

/* A thread's FPU state lives in the tail of its thread_cache object,
 * sized at boot for what the CPU saves (arch_fpu_state_size): it comes and
 * goes with the thread and has no failure of its own. An area of
 * fpu_area_bytes() has room to round its start up to the alignment XSAVE
 * needs. */
static size_t fpu_area_bytes(void)
{
	return arch_fpu_state_size() + ARCH_FPU_STATE_ALIGN - 1;
}

static size_t thread_object_size(void)
{
	return sizeof(struct thread) + fpu_area_bytes();
}

static void thread_fpu_init(struct thread *t, void *area)
{
	uintptr_t start = (uintptr_t)area;

	start = (start + ARCH_FPU_STATE_ALIGN - 1) & ~(uintptr_t)(ARCH_FPU_STATE_ALIGN - 1);
	t->fpu = (void *)start;
	arch_fpu_init_state(t->fpu);
}

static struct thread *thread_alloc(const char *name)
{
	struct thread *t = kcache_alloc(thread_cache);

	if (!t)
		return NULL;
	if (kstack_alloc(&t->stack) < 0) {
		kcache_free(thread_cache, t);
		return NULL;
	}
	__atomic_fetch_add(&threads_alive, 1, __ATOMIC_RELAXED);
	kobj_init(&t->obj, &thread_type);
	strlcpy(t->name, name, sizeof(t->name));
	sched_entity_init(&t->se, 0);
	t->state = THREAD_BLOCKED;	/* until thread_start */
	t->wake_at = UINT64_MAX;
	list_init(&t->timer_link);
	list_init(&t->proc_link);
	list_init(&t->reap_link);
	thread_fpu_init(t, t + 1);
	return t;
}

static void kernel_thread_start(void *arg)
{
	struct thread *t = arg;

	finish_switch();
	arch_irq_enable();
	t->fn(t->arg);
	thread_exit();
}

struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_alloc(name);

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->saved_sp = arch_thread_stack_init(t->stack.top, kernel_thread_start, t);
	return t;
}

static void user_thread_start(void *arg)
{
	(void)arg;
	finish_switch();
	owner_ops->enter_user();
}

struct thread *thread_alloc_user(const char *name, struct address_space *as, uintptr_t ip,
				 uintptr_t sp, uint64_t arg0)
{
	struct thread *t = thread_alloc(name);

	if (!t)
		return NULL;
	t->active_as = as;
	t->saved_sp = arch_user_stack_init(t->stack.top, user_thread_start, t, ip, sp, arg0);
	return t;
}

void thread_start(struct thread *t)
{
	struct run_queue *rq = this_rq();

	guard(spinlock)(&rq->lock);
	KASSERT(t->state == THREAD_BLOCKED && !t->se.queued);
	wake_locked(rq, t, 0);
}

void thread_kill(struct thread *t)
{
	struct run_queue *rq = this_rq();

	guard(spinlock)(&rq->lock);
	t->killed = true;
	wake_locked(rq, t, -ECANCELED);
}

void thread_exit(void)
{
	struct run_queue *rq = this_rq();
	struct thread *t = current_thread();

	arch_irq_save();
	spin_lock(&rq->lock);
	t->state = THREAD_DEAD;
	spin_unlock(&rq->lock, 0);
	schedule();
	panic("thread %s ran after its exit", t->name);
}

uint32_t thread_count(void)
{
	return __atomic_load_n(&threads_alive, __ATOMIC_RELAXED);
}

uint64_t thread_cpu_ns(const struct thread *t)
{
	return t->se.runtime_ns;
}

static bool reap_list_nonempty(void *arg)
{
	(void)arg;
	guard(spinlock)(&reap_lock);
	return !list_empty(&reap_list);
}

static void reaper(void *arg)
{
	(void)arg;
	for (;;) {
		struct thread *dead = NULL;

		wait_event(&reaper_wq, reap_list_nonempty, NULL, UINT64_MAX);
		{
			guard(spinlock)(&reap_lock);
			if (!list_empty(&reap_list)) {
				dead = list_entry(reap_list.next, struct thread, reap_link);
				list_del(&dead->reap_link);
			}
		}
		thread_put(dead);
	}
}

/* --- start-up --------------------------------------------------------- */

void sched_init(void)
{
	struct run_queue *rq = this_rq();

	arch_init_threads();		/* first: it sizes the FPU state */
	thread_cache = kcache_create("thread", thread_object_size());
	KASSERT(thread_cache);
	rq->lock = (struct spinlock)SPINLOCK_INIT("run_queue");
	sched_queue_init(&rq->queue);
	list_init(&rq->timers);
	rq->armed_at = UINT64_MAX;

	/* The boot context becomes the idle thread: never queued, it runs
	 * when nothing else can. Its FPU area is allocated once it is the
	 * current thread (allocators may ask whose the allocation is) and,
	 * like the idle thread, never freed. */
	kobj_init(&idle_thread.obj, &thread_type);
	strlcpy(idle_thread.name, "idle", sizeof(idle_thread.name));
	idle_thread.state = THREAD_RUNNING;
	rq->idle = &idle_thread;
	arch_set_current_thread(&idle_thread);
	void *idle_fpu = kmalloc(fpu_area_bytes());
	if (!idle_fpu)
		panic("sched: no memory for the idle thread's FPU state");
	thread_fpu_init(&idle_thread, idle_fpu);

	arch_clock_init();
	arch_timer_init(timer_tick);

	wait_queue_init(&reaper_wq);
	struct thread *r = thread_create_kernel("reaper", reaper, NULL);
	if (!r)
		panic("sched: no memory for the reaper thread");
	thread_start(r);
}

void sched_idle_loop(void)
{
	arch_irq_save();
	for (;;) {
		if (arch_need_resched())
			schedule();
		else
			arch_idle();
	}
}

/* arch_switch leaves r15, r14, r13, r12, rbx, rbp and the return address
 * on a switched-out thread's stack, from saved_sp up. */
#define SWITCH_RBP	5
#define SWITCH_RIP	6

void thread_print_stack(struct thread *t)
{
	irq_state_t irq = arch_irq_save();
	bool out = t != current_thread() && t->state != THREAD_DEAD && t->saved_sp;

	kprintf("thread %s (%s):\n", t->name,
		t == current_thread() ? "running" : t->state == THREAD_BLOCKED ? "blocked" : "ready");
	if (out) {
		const uint64_t *sp = (const uint64_t *)t->saved_sp;
		struct trap_frame frame = { .rip = sp[SWITCH_RIP], .rbp = sp[SWITCH_RBP] };
		backtrace_print(&frame);
	}
	arch_irq_restore(irq);
}
