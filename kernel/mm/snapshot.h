/* Allocator statistics at a moment, for tests that prove a workload gives
 * back exactly what it took. */
#ifndef MM_SNAPSHOT_H
#define MM_SNAPSHOT_H

#include <stdbool.h>

#include "mm/frame.h"
#include "mm/kmalloc.h"

struct mm_snapshot {
	struct frame_stats frames;
	struct kmalloc_stats heap;
};

/* Empties the caches first (the reclaim hooks, then empty slabs): what
 * is kept for reuse is not a leak. */
void mm_snapshot_take(struct mm_snapshot *s);
/* True when every figure matches `before`; logs the ones that differ. */
bool mm_snapshot_same(const struct mm_snapshot *before);

#endif
