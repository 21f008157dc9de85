/* Physical page frames: the buddy allocator over the boot memory map, with
 * per-frame metadata, watermarks and statistics. Frames are named by their
 * physical address; the kernel reaches them through the direct map. */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/cleanup.h"
#include "mm/buddy.h"


enum frame_alloc_flags {
	FRAME_ZERO = 1 << 0,		/* fill with zeros */
	/* A request on behalf of user space: fails (ENOMEM) rather than dip
	 * below the min watermark, which is kept for the kernel. */
	FRAME_USER_REQUEST = 1 << 1,
	/* Do not run the reclaim hooks: the caller holds a lock a hook may
	 * take (a slab cache's, which the message caches free into), and
	 * reclaims itself once it has let go of it. */
	FRAME_NO_RECLAIM = 1 << 2,
};

struct frame_stats {
	uint64_t total;				/* managed frames */
	uint64_t free;
	uint64_t free_blocks[BUDDY_ORDERS];
	uint64_t owned[OWNER_COUNT];
	uint64_t min_watermark, low_watermark;	/* in frames */
	uint64_t failed_allocations;
	uint64_t bad_frees;
};

void frame_init(void);

/* 2^order contiguous frames, or 0 when none are left. */
uint64_t frame_alloc(unsigned order, enum frame_owner owner, unsigned flags);
/* Frees a block from frame_alloc. A bad or double free is reported with a
 * backtrace and ignored. */
void frame_free(uint64_t phys, unsigned order);

/* Shared order-0 frames: one more reference, or one less (freed at zero). */
void frame_get(uint64_t phys);
void frame_put(uint64_t phys);
int frame_refcount(uint64_t phys);
/* The order of the used block headed by phys (0 when it is not one). */
unsigned frame_order(uint64_t phys);

void frame_get_stats(struct frame_stats *stats);
/* For leak diagnosis: the first used block of `owner` at or after frame
 * number *pfn (its address and order), with *pfn moved past it; 0 when
 * there is none. */
uint64_t frame_next_owned(enum frame_owner owner, uint64_t *pfn, unsigned *order);

/* A tag on every frame of a used block, for allocators layered on top
 * (kmalloc marks its slabs and large blocks). 0 means untagged. */
void frame_set_tag(uint64_t phys, unsigned order, uint8_t tag);
uint8_t frame_tag(uint64_t phys);

/* Memory pressure: called, in registration order, when free frames fall
 * below the low watermark; each returns how many frames it gave back. */
typedef uint64_t (*reclaim_fn)(void);
void frame_register_reclaim(reclaim_fn fn);
/* Runs every hook now, as memory pressure would (leak checks empty the
 * caches this way before they count). */
void frame_reclaim(void);

static inline void *phys_to_virt(uint64_t phys)
{
	return arch_phys_to_virt(phys);
}

static inline uint64_t virt_to_phys(const void *virt)
{
	return arch_virt_to_phys(virt);
}

/* A page owned by a scope: `uint64_t pt __free(frame) = frame_alloc(...)`. */
DEFINE_FREE(frame, uint64_t, if (_T) frame_free(_T, 0))

#endif
