/* Wait queues: what blocking code (channels, devices, processes) needs of
 * the scheduler, without the rest of it. Implemented in sched/wait.c, on
 * the blocking of sched/sched.h (sched_block_prepare and friends). */
#ifndef SCHED_WAIT_H
#define SCHED_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/spinlock.h"

struct thread;

/* A wait queue: threads blocked until someone wakes them. A thread waits
 * through a waiter of its own (on its stack), so it can wait on several
 * queues at once. */
struct wait_queue {
	struct spinlock lock;
	struct list_node waiters;
};

struct waiter {
	struct list_node link;		/* guarded by the queue's lock */
	struct thread *thread;
};

void wait_queue_init(struct wait_queue *wq);
void wait_queue_add(struct wait_queue *wq, struct waiter *w);	/* if not on it */
void wait_queue_remove(struct wait_queue *wq, struct waiter *w);
/* Wakes every waiter (taking them off the queue) with result. */
void wait_queue_wake_all(struct wait_queue *wq, int result);

/* Blocks until ready(arg) is true, the deadline passes (-ETIMEDOUT), or the
 * thread is killed (-ECANCELED). ready() runs with interrupts off; a waker
 * makes it true, then calls wait_queue_wake_all(wq). */
int wait_event(struct wait_queue *wq, bool (*ready)(void *arg), void *arg, uint64_t deadline);

#endif
