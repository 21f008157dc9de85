/* Scheduler policy: EEVDF, Earliest Eligible Virtual Deadline First
 * (I. Stoica, H. Abdel-Wahab, "Earliest Eligible Virtual Deadline First: A
 * Flexible and Accurate Mechanism for Proportional Share Resource
 * Allocation", TR-95-22, Old Dominion University, 1995).
 *
 * Plain C with no hardware in it: the kernel embeds a sched_entity in each
 * thread and calls in from its timer interrupt and its block/wake paths with
 * its run-queue lock held; host unit tests drive the same code.
 *
 * Each entity has a weight w (from its nice level) and a virtual runtime v
 * that advances by ns * 1024 / w while it runs. The queue's virtual time V
 * is the weight-averaged v of the runnable entities, so the lag V - v says
 * how far an entity is behind (> 0) or ahead (< 0) of its fair share. An
 * entity is eligible when its lag is >= 0. Each entity asks for a slice of
 * CPU at a time; the request's virtual deadline is where v will be when the
 * slice is used up. The pick is the eligible entity with the earliest
 * deadline, so short requests and entities that are owed time go first while
 * no one can run ahead of its share by more than about one slice. */
#ifndef SCHED_EEVDF_H
#define SCHED_EEVDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"

#define SCHED_SLICE_NS		3000000ull	/* real ns one request asks for */
#define SCHED_MIN_RUN_NS	100000ull	/* floor of sched_runtime_left() */
#define SCHED_NICE_MIN		(-20)
#define SCHED_NICE_MAX		19
#define SCHED_WEIGHT_NICE0	1024u

#if __STDC_HOSTED__
/* Host unit tests link with the C library, whose sched_yield(void) the
 * sanitizer runtime calls: ours takes another symbol there. */
#define sched_yield eevdf_sched_yield
#endif

struct sched_entity {
	struct list_node link;			/* on its queue (private) */
	uint64_t vruntime, deadline;		/* virtual ns */
	int64_t lag;				/* saved while not queued */
	uint32_t weight;
	int nice;
	bool queued;
	uint64_t runtime_ns;			/* total real CPU time charged */
	/* private */
	uint32_t vrem;		/* ns * 1024 not yet in vruntime, < weight */
	bool slept;		/* has left a queue: lag and vleft are valid */
	uint64_t vleft;		/* the queue's V just after this entity left */
};

struct sched_queue {
	struct list_node entities;	/* in the order they were queued */
	uint32_t count;
	/* private: V = vbase + avg_frac / weight_sum exactly, where avg_frac
	 * = sum of w_i * (v_i - vbase) is kept in [0, weight_sum), so vbase is
	 * V rounded down (see eevdf.c) */
	uint64_t vbase;
	uint64_t avg_frac;
	uint64_t weight_sum;		/* sum of w_i */
};

void sched_queue_init(struct sched_queue *q);
/* Clamps nice to [SCHED_NICE_MIN, SCHED_NICE_MAX]. */
void sched_entity_init(struct sched_entity *se, int nice);
/* Works queued or not; keeps the entity's lag in real-time terms. */
void sched_set_nice(struct sched_queue *q, struct sched_entity *se, int nice);
/* Makes se runnable: a new entity starts at V; one that blocked earlier
 * returns with its lag plus what it would have earned waiting in the queue,
 * clamped to one slice either way. No-op if already queued. */
void sched_enqueue(struct sched_queue *q, struct sched_entity *se);
/* Removes a runnable entity (it blocks or exits); its lag is kept for its
 * next enqueue. Charge a running entity before dequeuing it. No-op if not
 * queued. */
void sched_dequeue(struct sched_queue *q, struct sched_entity *se);
/* Charges ns of real CPU time to se, normally the running, queued entity,
 * and starts its next request when it reaches its deadline. For an entity
 * that is no longer queued, the time is taken from its saved lag instead. */
void sched_charge(struct sched_queue *q, struct sched_entity *se, uint64_t ns);
/* se gives up the rest of its request; it keeps running only if it is still
 * the pick. */
void sched_yield(struct sched_queue *q, struct sched_entity *se);
/* The entity that should run now, or NULL when the queue is empty. */
struct sched_entity *sched_pick(struct sched_queue *q);
/* Real ns the running entity curr may run before its current request ends
 * (when the kernel should look again: it arms a one-shot timer with it), at
 * least SCHED_MIN_RUN_NS so the timer cannot storm. */
uint64_t sched_runtime_left(const struct sched_queue *q,
			    const struct sched_entity *curr);
/* V, for tests and debugging. */
uint64_t sched_virtual_time(const struct sched_queue *q);
/* The weight of a nice level (clamped), for tests and statistics. */
uint32_t sched_nice_to_weight(int nice);

#endif
