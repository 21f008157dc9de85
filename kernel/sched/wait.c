/* Wait queues and sleeping (sched/wait.h, sched_sleep_until in
 * sched/sched.h), built on the scheduler's blocking: a thread marks
 * itself blocked, registers, checks its condition and only then gives up
 * the CPU, so no wakeup is lost between the check and the switch. A wait
 * queue's lock is taken before the run-queue lock (wait_queue_wake_all ->
 * thread_wake), never the other way round. */
#include "sched/wait.h"

#include "lib/errors.h"
#include "sched/sched.h"

/* Why a wait should end now, checked after the thread is registered: 0
 * to block, else its result. */
static int wait_over(struct thread *t, uint64_t deadline)
{
	if (t->killed)
		return -ECANCELED;
	if (deadline == 0 || arch_clock_ns() >= deadline)
		return -ETIMEDOUT;
	return 0;
}

int sched_sleep_until(uint64_t deadline)
{
	struct thread *t = current_thread();

	for (;;) {
		irq_state_t irq = arch_irq_save();
		sched_block_prepare(deadline);
		int rc = wait_over(t, deadline);
		if (rc) {
			sched_block_cancel();
			arch_irq_restore(irq);
			return rc == -ETIMEDOUT ? 0 : rc;
		}
		arch_irq_restore(irq);
		sched_block();
	}
}

void wait_queue_init(struct wait_queue *wq)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT("wait_queue");
	list_init(&wq->waiters);
}

void wait_queue_add(struct wait_queue *wq, struct waiter *w)
{
	guard(spinlock)(&wq->lock);

	if (!list_linked(&w->link))
		list_add_tail(&wq->waiters, &w->link);
}

void wait_queue_remove(struct wait_queue *wq, struct waiter *w)
{
	guard(spinlock)(&wq->lock);

	if (list_linked(&w->link))
		list_del(&w->link);
}

int wait_event(struct wait_queue *wq, bool (*ready)(void *), void *arg, uint64_t deadline)
{
	struct thread *t = current_thread();
	struct waiter w = { .thread = t };

	list_init(&w.link);
	for (;;) {
		/* Blocked first, registered second, checked last: a wakeup
		 * that comes after the check finds the thread on the queue,
		 * and one that comes before schedule() just cancels it. */
		irq_state_t irq = arch_irq_save();
		sched_block_prepare(deadline);
		wait_queue_add(wq, &w);
		int rc = ready(arg) ? 1 : wait_over(t, deadline);
		if (rc) {
			sched_block_cancel();
			wait_queue_remove(wq, &w);
			arch_irq_restore(irq);
			return rc > 0 ? 0 : rc;
		}
		arch_irq_restore(irq);
		sched_block();
	}
}

void wait_queue_wake_all(struct wait_queue *wq, int result)
{
	/* Waiters join the queue before they check their condition, and the
	 * caller changed the condition before calling: so a queue that is
	 * empty after a full barrier has no waiter that could miss the
	 * change, and most wakeups (nobody waiting) skip the lock. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&wq->waiters.next, __ATOMIC_RELAXED) == &wq->waiters)
		return;
	guard(spinlock)(&wq->lock);

	while (!list_empty(&wq->waiters)) {
		struct waiter *w = list_entry(wq->waiters.next, struct waiter, link);
		list_del(&w->link);
		thread_wake(w->thread, result);
	}
}
