/* Per-process-tree quotas (docs/memory.md, "Quotas"). Every process has a
 * quota node; a node's usage is what its process and all its descendants
 * hold, and its limits bound that sum. A charge to a node is a charge to
 * it and to every ancestor: it succeeds only if each of them stays within
 * its limit, and otherwise changes nothing (-EDQUOT).
 *
 * The contract for whoever charges: the object that holds a resource
 * records the node it charged (and holds a reference to it when it can
 * outlive the process), and its release path uncharges exactly that
 * amount on exactly that node. So a message queued by a process that has
 * exited stays charged to that process's tree until the message goes,
 * and usage falls back to zero once everything the tree held is gone.
 *
 * No lock: every counter is updated atomically, a charge by a short walk
 * up a few parents (adding, then checking the limit, and taking back what
 * it added when a level refuses), so charging costs a few instructions
 * per level and can be done under any lock, in any context. */
#ifndef MM_QUOTA_H
#define MM_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"

enum quota_kind {
	QUOTA_PROCESSES,	/* live processes (a kernel stack each, for now) */
	QUOTA_THREADS,		/* threads that exist (a kernel-stack slot each) */
	QUOTA_HANDLES,		/* in tables, in queued and parked messages, in replies */
	QUOTA_MAPPINGS,		/* address-space regions */
	QUOTA_KMEM,		/* bytes: messages, regions, page tables */
	QUOTA_UMEM,		/* user pages with a frame */
	QUOTA_KINDS
};

/* One process alone may hold no more handles than its table has slots,
 * whether they sit in the table, in replies parked for it or in messages
 * it sent that nobody has received: past that, -EMFILE. */
#define QUOTA_OWN_HANDLES_MAX	4096u

struct quota {
	struct quota *parent;		/* a reference; NULL for the root (init) */
	uint32_t pid;			/* the process the node belongs to */
	uint64_t limit[QUOTA_KINDS];	/* fixed at creation */
	/* Atomic: */
	uint32_t refs;
	uint64_t used[QUOTA_KINDS];	/* the node's process and its descendants */
	uint64_t own[QUOTA_KINDS];	/* charged to this node directly */
	uint64_t refused[QUOTA_KINDS];	/* charges that failed at this node's limit */
};

/* What a report needs of one node: a copy (each counter read atomically). */
struct quota_info {
	uint32_t pid;
	uint64_t limit[QUOTA_KINDS], used[QUOTA_KINDS], own[QUOTA_KINDS];
	uint64_t refused[QUOTA_KINDS];
};

/* Sets the root's limits from the machine: every kernel-stack slot, every
 * frame. Before the first quota_create. */
void quota_init(uint64_t frames);

/* A node for a new child of parent (NULL: the root, for init), with one
 * reference for the caller. Its limits are the parent's share (docs/
 * memory.md: the parent keeps an eighth of each for itself), narrowed
 * further by `ask` (0 fields: no narrowing; a field above the share gets
 * the share: never more). NULL without memory. */
struct quota *quota_create(struct quota *parent, uint32_t pid, const struct panda_limits *ask);
static inline struct quota *quota_get(struct quota *q)
{
	__atomic_fetch_add(&q->refs, 1, __ATOMIC_RELAXED);
	return q;
}
void quota_free(struct quota *q);
static inline void quota_put(struct quota *q)	/* NULL is fine */
{
	if (q && __atomic_sub_fetch(&q->refs, 1, __ATOMIC_ACQ_REL) == 0)
		quota_free(q);
}

/* Charges n of kind to q and its ancestors: 0, or -EDQUOT (nothing
 * charged) when that would take any of them past its limit (-EMFILE past
 * QUOTA_OWN_HANDLES_MAX). A NULL q is the kernel's own: never limited,
 * nothing recorded. */
int quota_charge_walk(struct quota *q, enum quota_kind kind, uint64_t n);
static inline int quota_charge(struct quota *q, enum quota_kind kind, uint64_t n)
{
	return q && n ? quota_charge_walk(q, kind, n) : 0;
}
/* Puts back a charge just given up to try something that failed, limits
 * or not: the state is as it was before the attempt. */
void quota_charge_back(struct quota *q, enum quota_kind kind, uint64_t n);
/* Gives back what a quota_charge(q, kind, n) took. */
void quota_uncharge_walk(struct quota *q, enum quota_kind kind, uint64_t n);
static inline void quota_uncharge(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (q && n)
		quota_uncharge_walk(q, kind, n);
}

void quota_read(struct quota *q, struct quota_info *out);
/* For the out-of-memory killer: how near q's tree (or, when `own`, q
 * alone) is to q's memory limits, in permille of the nearer one; *pages
 * gets the usage, user pages plus kernel bytes in pages. */
uint64_t quota_memory_share(struct quota *q, bool own, uint64_t *pages);
/* Live nodes, for leak tests. */
uint64_t quota_count(void);

#endif
