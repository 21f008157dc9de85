#include "proc/process.h"

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "dev/console.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"
#include "mm/vm.h"
#include "object/message.h"
#include "proc/personality.h"

static struct kcache *process_cache;	/* set once at boot */
/* Every process from process_create until its destroy, in pid order: the
 * list holds a reference while the process lives; an exited one stays on
 * it, unreferenced, until destroy takes it off (under list_lock, so a
 * finder holding the lock sees it either with references or not at all:
 * process_find). Lock order: list_lock, then a process's lock. */
static struct spinlock list_lock = SPINLOCK_INIT("process_list");
/* Guarded by list_lock, as are the two below. */
static struct list_node all_processes = LIST_INIT(all_processes);
static uint32_t next_pid = 1;
static uint32_t exited_but_held;	/* on the list, exited */

/* Caller holds list_lock; p is leaving the list. Its children (later in
 * the list: pids only grow) now belong to p's own parent, which is still
 * listed or 0, so every `parent` names a listed process or the kernel. */
static void adopt_children(struct process *p)
{
	spin_assert_held(&list_lock);
	for (struct list_node *pos = p->all_link.next; pos != &all_processes; pos = pos->next) {
		struct process *child = list_entry(pos, struct process, all_link);
		if (child->parent == p->pid)
			child->parent = p->parent;
	}
}

static void process_destroy(struct kobj *obj)
{
	struct process *p = kobj_of(obj, struct process, obj);

	KASSERT(p->state == PROCESS_EXITED && !p->as);
	{
		guard(spinlock)(&list_lock);
		adopt_children(p);
		list_del(&p->all_link);
		exited_but_held--;
	}
	quota_put(p->quota);	/* after its threads, which were charged to it */
	kcache_free(process_cache, p);
}

static uint32_t process_signals(struct kobj *obj)
{
	struct process *p = kobj_of(obj, struct process, obj);
	guard(spinlock)(&p->lock);

	return p->state == PROCESS_EXITED ? SIGNAL_EXITED : 0;
}

static struct wait_queue *process_signal_queue(struct kobj *obj)
{
	return &kobj_of(obj, struct process, obj)->exit_wq;
}

const struct kobj_type process_type = {
	.name = "process",
	.destroy = process_destroy,
	.signals = process_signals,
	.signal_queue = process_signal_queue,
};

void process_put(struct process *p)
{
	kobj_put(&p->obj);
}

/* p's quota node, charged for p itself, and its address space. */
static int process_charge(struct process *p, struct quota *parent_quota,
			  const struct panda_limits *ask)
{
	p->quota = quota_create(parent_quota, 0, ask);
	if (!p->quota)
		return -ENOMEM;
	int rc = quota_charge(p->quota, QUOTA_PROCESSES, 1);
	if (rc == 0) {
		rc = as_create(p->quota, &p->as);
		if (rc < 0)
			quota_uncharge(p->quota, QUOTA_PROCESSES, 1);
	}
	if (rc < 0)
		quota_put(p->quota);
	return rc;
}

int process_create(const char *name, uint32_t ppid, struct quota *parent_quota,
		   const struct panda_limits *ask, struct process **out)
{
	struct process *p = kcache_alloc(process_cache);

	if (!p)
		return -ENOMEM;
	int rc = process_charge(p, parent_quota, ask);
	if (rc < 0) {
		kcache_free(process_cache, p);
		return rc;
	}
	kobj_init(&p->obj, &process_type);
	strlcpy(p->name, name, sizeof(p->name));
	p->ppid = ppid;
	p->parent = ppid;	/* the spawner is running, so it is listed */
	p->lock = (struct spinlock)SPINLOCK_INIT("process");
	handle_table_init(&p->handles, p->quota);
	wait_queue_init(&p->exit_wq);
	list_init(&p->threads);
	list_init(&p->parked);
	p->started_at = arch_clock_ns();
	p->log_refilled_at = p->started_at;
	p->log_tokens = PROCESS_LOG_BURST;

	guard(spinlock)(&list_lock);
	p->pid = next_pid++;
	p->quota->pid = p->pid;		/* nobody reads the new node yet */
	kobj_get(&p->obj);		/* the list's reference, until exit */
	list_add_tail(&all_processes, &p->all_link);
	*out = p;
	return 0;
}

int process_add_thread(struct process *p, struct thread *t)
{
	guard(spinlock)(&p->lock);

	if (p->dying)
		return -ECANCELED;
	list_add_tail(&p->threads, &t->proc_link);
	p->live_threads++;
	return 0;
}

const char *process_name(const struct process *p)
{
	return p->name;
}

void process_set_name(struct process *p, const char *name)
{
	guard(spinlock)(&p->lock);
	/* Readers that take no lock (the log) still see a terminated
	 * string: the last byte is never written. */
	strlcpy(p->name, name, sizeof(p->name));
}

struct address_space *process_address_space(struct process *p)
{
	return p->as;
}

struct process *current_process(void)
{
	return current_thread()->proc;
}

/* Caller holds p->lock. True when this call decided the status. */
static bool decide(struct process *p, int code, uint32_t how)
{
	spin_assert_held(&p->lock);
	if (p->dying)
		return false;
	p->dying = true;
	p->status = (struct panda_exit_status){ .code = code, .how = how };
	return true;
}

void process_kill(struct process *p, uint32_t how)
{
	process_kill_code(p, how, -1);
}

void process_kill_code(struct process *p, uint32_t how, int code)
{
	guard(spinlock)(&p->lock);

	if (!decide(p, code, how))
		return;
	list_for_each(pos, &p->threads)
		thread_kill(list_entry(pos, struct thread, proc_link));
}

unsigned process_print_stacks(struct process *p)
{
	unsigned n = 0;

	guard(spinlock)(&p->lock);
	kprintf("process %u (%s), kernel stacks:\n", p->pid, p->name);
	list_for_each(pos, &p->threads) {
		thread_print_stack(list_entry(pos, struct thread, proc_link));
		n++;
	}
	return n;
}

#define TREE_MAX	64	/* processes one process_kill_tree ends */

void process_kill_tree(struct process *root, uint32_t how)
{
	process_kill_tree_code(root, how, -1, true);
}

void process_kill_tree_code(struct process *root, uint32_t how, int code, bool with_root)
{
	struct process *tree[TREE_MAX];
	unsigned n = 0;

	tree[n++] = process_get(root);
	{
		guard(spinlock)(&list_lock);
		/* Pids only grow, and the list is in pid order, so a process
		 * comes after its parent: one pass finds every descendant. */
		list_for_each(pos, &all_processes) {
			struct process *p = list_entry(pos, struct process, all_link);
			bool child = false;
			for (unsigned i = 0; i < n && !child; i++)
				child = p->parent == tree[i]->pid && p->pid > tree[i]->pid;
			if (child && n < TREE_MAX && kobj_get_unless_zero(&p->obj))
				tree[n++] = p;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (i > 0 || with_root)
			process_kill_code(tree[i], how, code);
		process_put(tree[i]);
	}
}

bool process_in_subtree(const struct process *root, struct process *p)
{
	if (!root || root == p)
		return true;
	guard(spinlock)(&list_lock);
	uint32_t want = p->parent;

	/* Ancestors come before p in the list (pids only grow), and every
	 * `parent` is listed: one walk back from p meets each in turn. */
	for (struct list_node *pos = p->all_link.prev;
	     pos != &all_processes && want > root->pid; pos = pos->prev) {
		struct process *q = list_entry(pos, struct process, all_link);
		if (q->pid == want)
			want = q->parent;
	}
	return want == root->pid;
}

int process_park_reply(struct process *p, struct kobj *obj, struct message *m)
{
	int rc = message_charge(m, p->quota);

	if (rc < 0) {
		message_free(m);
		return rc;
	}
	/* The reference keeps obj's address from being reused by another
	 * object while its reply waits here. */
	m->parked_for = kobj_get(obj);
	guard(spinlock)(&p->lock);
	list_add_tail(&p->parked, &m->link);
	return 0;
}

struct message *process_take_parked(struct process *p, struct kobj *obj, uint32_t txid)
{
	guard(spinlock)(&p->lock);

	list_for_each(pos, &p->parked) {
		struct message *m = list_entry(pos, struct message, link);
		if (m->txid == txid && m->parked_for == obj) {
			list_del(&m->link);
			kobj_put(m->parked_for);	/* the caller holds obj too */
			m->parked_for = NULL;
			return m;
		}
	}
	return NULL;
}

static void free_parked(struct process *p)
{
	struct list_node parked;

	{
		guard(spinlock)(&p->lock);
		list_init(&parked);
		list_insert_before(&p->parked, &parked);
		list_del(&p->parked);
	}
	while (!list_empty(&parked)) {
		struct message *m = list_entry(parked.next, struct message, link);
		list_del(&m->link);
		kobj_put(m->parked_for);
		message_free(m);
	}
}

/* Releases what a process holds once its last thread is done: its memory
 * and handles go now, not when the last handle to it is closed. The
 * running thread is not on p's page tables (vm.c, current_as): it is
 * either p's last thread, which left them in process_exit_current, or the
 * spawner discarding a process that never ran, whose own tables stay
 * active, so that a failed spawn leaves its caller as it was. */
static void release(struct process *p)
{
	struct address_space *as;

	{
		guard(spinlock)(&p->lock);
		as = p->as;
		p->as = NULL;
	}
	if (p->personality)
		p->personality->release(p);
	handle_table_destroy(&p->handles);
	free_parked(p);
	as_put(as);
	quota_uncharge(p->quota, QUOTA_PROCESSES, 1);
	{
		guard(spinlock)(&p->lock);
		p->state = PROCESS_EXITED;
	}
	wait_queue_wake_all(&p->exit_wq, 0);
	{
		guard(spinlock)(&list_lock);
		exited_but_held++;	/* it stays listed until destroyed */
	}
	process_put(p);			/* the list's reference */
}

void process_discard(struct process *p)
{
	{
		guard(spinlock)(&p->lock);
		KASSERT(p->live_threads == 0);
		decide(p, -1, EXIT_KILLED);
	}
	release(p);
}

void process_exit_current(int code, uint32_t how)
{
	struct thread *t = current_thread();
	struct process *p = t->proc;
	bool last;

	KASSERT(p);
	/* This thread never returns to user mode: it leaves the process's
	 * tables before it stops counting as live, so that neither release
	 * (if it is the last) nor a switch away (active_as) keeps a pointer
	 * to an address space that the last thread frees. */
	as_activate(NULL);
	{
		guard(spinlock)(&p->lock);
		decide(p, code, how);
		list_for_each(pos, &p->threads) {
			struct thread *other = list_entry(pos, struct thread, proc_link);
			if (other != t)
				thread_kill(other);
		}
		list_del(&t->proc_link);
		p->cpu_ns += thread_cpu_ns(t);
		last = --p->live_threads == 0;
	}
	if (last)
		release(p);
	thread_exit();
}

static bool has_exited(void *arg)
{
	struct process *p = arg;

	guard(spinlock)(&p->lock);
	return p->state == PROCESS_EXITED;
}

bool process_exit_status(struct process *p, struct panda_exit_status *status)
{
	guard(spinlock)(&p->lock);
	if (p->state != PROCESS_EXITED)
		return false;
	*status = p->status;
	return true;
}

int process_wait(struct process *p, uint64_t deadline, struct panda_exit_status *status)
{
	int rc = wait_event(&p->exit_wq, has_exited, p, deadline);

	if (rc == 0) {
		guard(spinlock)(&p->lock);
		*status = p->status;
	}
	return rc;
}

void process_before_user_mode(void)
{
	if (__builtin_expect(spin_held_count() != 0, 0))
		spin_held_at_switch("return to user mode");
	sched_preempt_point();
	if (current_thread()->killed)
		process_exit_current(-1, EXIT_KILLED);
}

void process_get_counts(struct process_counts *counts)
{
	guard(spinlock)(&list_lock);
	uint32_t listed = 0;

	list_for_each(pos, &all_processes)
		listed++;
	counts->live = listed - exited_but_held;
	counts->exited = exited_but_held;
}

/* Caller holds p->lock. A thread's state belongs to the run-queue lock;
 * a report needs only a recent value, so it is read once, unlocked. */
static enum process_activity activity(const struct process *p)
{
	bool ready = false;

	spin_assert_held(&p->lock);
	if (p->state == PROCESS_EXITED)
		return PROCESS_GONE;
	if (p->dying)
		return PROCESS_EXITING;
	if (list_empty(&p->threads))
		return PROCESS_STARTING;
	list_for_each(pos, &p->threads) {
		const struct thread *t = list_entry(pos, struct thread, proc_link);
		enum thread_state st = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
		if (st == THREAD_RUNNING)
			return PROCESS_RUNNING;
		ready |= st == THREAD_READY;
	}
	return ready ? PROCESS_READY : PROCESS_BLOCKED;
}

/* Caller holds list_lock (so p is not freed) and takes p->lock here. */
static void describe(struct process *p, struct process_info *info)
{
	spin_assert_held(&list_lock);
	guard(spinlock)(&p->lock);

	info->pid = p->pid;
	info->ppid = p->ppid;
	strlcpy(info->name, p->name, sizeof(info->name));
	info->activity = activity(p);
	info->threads = p->live_threads;
	/* The address space's own lock guards the count; p->lock keeps the
	 * address space alive, and a snapshot is all a report needs. */
	info->resident = p->as ? __atomic_load_n(&p->as->resident, __ATOMIC_RELAXED) : 0;
	info->cpu_ns = p->cpu_ns;
	list_for_each(pos, &p->threads)
		info->cpu_ns += thread_cpu_ns(list_entry(pos, struct thread, proc_link));
	info->started_at = p->started_at;
}

unsigned process_list(uint32_t after, struct process_info *info, unsigned max, bool *more)
{
	guard(spinlock)(&list_lock);
	unsigned n = 0;

	*more = false;
	list_for_each(pos, &all_processes) {
		struct process *p = list_entry(pos, struct process, all_link);
		if (p->pid <= after)
			continue;
		if (n == max) {
			*more = true;
			break;
		}
		describe(p, &info[n++]);
	}
	return n;
}

struct process *process_find(uint32_t pid)
{
	guard(spinlock)(&list_lock);

	list_for_each(pos, &all_processes) {
		struct process *p = list_entry(pos, struct process, all_link);
		if (p->pid > pid)
			break;		/* the list is in pid order */
		/* An exited process whose last reference is gone is still
		 * listed until its destroy gets the lock: not found. */
		if (p->pid == pid)
			return kobj_get_unless_zero(&p->obj) ? p : NULL;
	}
	return NULL;
}

/* Caller holds list_lock. Whether a live process other than self is
 * dying: its memory is on the way back (it may already have dropped its
 * address space). */
static bool another_dying(const struct process *self)
{
	spin_assert_held(&list_lock);
	list_for_each(pos, &all_processes) {
		struct process *p = list_entry(pos, struct process, all_link);
		if (p != self && p->dying &&
		    __atomic_load_n(&p->state, __ATOMIC_RELAXED) != PROCESS_EXITED)
			return true;
	}
	return false;
}

struct oom_choice {
	struct process *p;
	uint64_t share;			/* permille of its limits */
	uint64_t pages;
};

/* Caller holds list_lock. The child of `parent` (a pid, 0: the kernel)
 * whose tree holds the largest share of its limits. */
static struct oom_choice heaviest_child(uint32_t parent)
{
	struct oom_choice best = { 0 };

	spin_assert_held(&list_lock);
	list_for_each(pos, &all_processes) {
		struct process *p = list_entry(pos, struct process, all_link);
		if (p->parent != parent || p->dying || p->state == PROCESS_EXITED)
			continue;
		uint64_t pages;
		uint64_t share = quota_memory_share(p->quota, false, &pages);
		if (!best.p || share > best.share)
			best = (struct oom_choice){ p, share, pages };
	}
	return best;
}

/* Caller holds list_lock. Down from the kernel, into the tree that is
 * most over its share at each level, until the process itself holds more
 * of its limits than any of its children's trees: that one dies. Init is
 * never the victim (oom_exempt), only a way down. */
static struct oom_choice oom_pick(void)
{
	struct oom_choice cur = heaviest_child(0);

	spin_assert_held(&list_lock);
	while (cur.p) {
		struct oom_choice own = { cur.p, 0, 0 };
		if (!cur.p->oom_exempt)
			own.share = quota_memory_share(cur.p->quota, true, &own.pages);
		struct oom_choice child = heaviest_child(cur.p->pid);
		if (!child.p || (!cur.p->oom_exempt && own.share >= child.share)) {
			if (cur.p->oom_exempt)
				own.p = NULL;	/* nothing below init to take */
			return own;
		}
		cur = child;
	}
	return cur;
}

/* The last resort when a user page fault finds no free frame (DESIGN
 * "Memory", docs/memory.md "Quotas"): memory is charged to process trees,
 * user pages and kernel memory alike, and the victim is the one most over
 * its share, never init. Returns true when the faulting thread should
 * wait and retry: another process is dying and will give memory back. */
static bool oom_reclaim(struct process *self)
{
	struct oom_choice victim;

	{
		guard(spinlock)(&list_lock);
		if (another_dying(self))
			return true;
		victim = oom_pick();
		if (!victim.p || victim.p == self)
			return false;
		process_get(victim.p);
	}
	log_warn("oom: no memory for pid %u (%s); killed pid %u (%s), the most over its share: "
		 "%lu pages charged, %lu permille of its limits\n", self->pid, self->name,
		 victim.p->pid, victim.p->name, victim.pages, victim.share);
	process_kill(victim.p, EXIT_KILLED);
	process_put(victim.p);
	return true;
}

static bool dying_elsewhere(struct process *self)
{
	guard(spinlock)(&list_lock);
	return another_dying(self);
}

/* A user-mode exception: the process dies, the kernel carries on. */
static void user_fault(struct trap_frame *frame, enum user_fault_reason reason,
		       const char *what, uintptr_t addr)
{
	struct process *p = current_process();

	if (!p)
		panic_with_frame(frame, "user-mode exception in a kernel thread");
	if (reason == USER_FAULT_NOMEM && oom_reclaim(p)) {
		/* Wait for the victim to free its memory, then fault again. */
		sched_sleep_until(arch_clock_ns() + 1000000);
		return;
	}
	if (reason == USER_FAULT_QUOTA && dying_elsewhere(p)) {
		/* A killed process's pages are still charged until it is
		 * gone: wait for them, then fault again. */
		sched_sleep_until(arch_clock_ns() + 1000000);
		return;
	}
	bool has_addr = reason != USER_FAULT_TRAP;
	if (has_addr && p->as && as_is_guard(p->as, addr))
		what = "stack overflow";
	if (has_addr)
		log_info("pid %u (%s) killed: %s at 0x%lx, ip 0x%lx\n", p->pid, p->name, what,
			 addr, frame->rip);
	else
		log_info("pid %u (%s) killed: %s, ip 0x%lx\n", p->pid, p->name, what, frame->rip);
	process_exit_current(-1, EXIT_FAULT);
}

static void trap_exit(struct trap_frame *frame)
{
	if (arch_frame_is_user(frame))
		process_before_user_mode();
	else
		sched_preempt_point();
}

int thread_create_user(struct process *proc, uintptr_t ip, uintptr_t sp, uint64_t arg0,
		       struct thread **out)
{
	int rc = quota_charge(proc->quota, QUOTA_THREADS, 1);

	if (rc < 0)
		return rc;
	struct thread *t = thread_alloc_user(process_name(proc), process_address_space(proc),
					     ip, sp, arg0);
	if (!t) {
		quota_uncharge(proc->quota, QUOTA_THREADS, 1);
		return -ENOMEM;
	}
	t->proc = process_get(proc);
	*out = t;
	return 0;
}

/* A freed thread of a process gives back its slot and its reference. */
static void thread_release(struct thread *t)
{
	quota_uncharge(t->proc->quota, QUOTA_THREADS, 1);
	process_put(t->proc);
}

static uint32_t current_pid(void)
{
	struct process *p = current_process();

	return p ? p->pid : 0;
}

/* Ctrl-C on the console. */
static void interrupt_job(struct kobj *job)
{
	process_kill_tree(kobj_of(job, struct process, obj), EXIT_INTERRUPTED);
}

static const struct console_job_ops console_jobs = {
	.type = &process_type,
	.interrupt = interrupt_job,
};

static const struct thread_owner_ops process_thread_ops = {
	.enter_user = process_before_user_mode,
	.release = thread_release,
};

void process_init(void)
{
	struct frame_stats st;

	frame_get_stats(&st);
	quota_init(st.total);
	process_cache = kcache_create("process", sizeof(struct process));
	KASSERT(process_cache);
	arch_set_user_fault_handler(user_fault);
	arch_set_trap_exit_hook(trap_exit);
	sched_set_owner_ops(&process_thread_ops);
	failinject_set_pid_source(current_pid);
	console_set_job_ops(&console_jobs);
}
