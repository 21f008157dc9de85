/* A binary buddy allocator over page frame numbers. Plain C with no
 * hardware or locking: the kernel wraps it (frame.c) and host unit tests
 * drive it directly.
 *
 * Blocks are 2^order frames, naturally aligned. Every managed frame is in
 * exactly one block, free or used; a block's first frame (its head) records
 * the block's order and state, every other frame is a TAIL. That invariant
 * is what lets free() reject a pointer into the middle of a block or a
 * second free of the same block. */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#define BUDDY_MAX_ORDER 10		/* 2^10 frames = 4 MiB blocks */
#define BUDDY_ORDERS (BUDDY_MAX_ORDER + 1)
#define BUDDY_NONE UINT32_MAX

enum frame_state {
	FRAME_RESERVED = 0,	/* not managed: firmware, kernel image, holes */
	FRAME_FREE,		/* head of a free block */
	FRAME_USED,		/* head of an allocated block */
	FRAME_TAIL,		/* inside a block */
};

/* Who holds a used block, for statistics. */
enum frame_owner {
	OWNER_KERNEL,		/* kernel data: stacks, large kmalloc */
	OWNER_USER,		/* user memory */
	OWNER_PAGE_TABLE,
	OWNER_CACHE,		/* slab caches */
	OWNER_COUNT,
};

struct frame {
	uint32_t next, prev;	/* free list links (frame numbers) */
	int32_t refcount;	/* on a used head: references to the block */
	uint8_t order;		/* on a head */
	uint8_t state;		/* enum frame_state */
	uint8_t owner;		/* on a used head: enum frame_owner */
	uint8_t flags;		/* on a used head: the user's */
};

struct buddy {
	struct frame *frames;	/* one per frame number, 0..nframes-1 */
	uint32_t nframes;
	uint32_t free_head[BUDDY_ORDERS];
	uint64_t free_blocks[BUDDY_ORDERS];
	uint64_t managed;	/* frames ever added */
	uint64_t free;		/* frames in free blocks */
	uint64_t owned[OWNER_COUNT];
};

/* Starts with every frame reserved. `frames` must hold nframes entries. */
void buddy_init(struct buddy *b, struct frame *frames, uint32_t nframes);

/* Hands [start, end) to the allocator. The frames must be reserved. */
void buddy_add_range(struct buddy *b, uint32_t start, uint32_t end);

/* Allocates 2^order frames; returns the first frame number or BUDDY_NONE.
 * The head gets refcount 1. */
uint32_t buddy_alloc(struct buddy *b, unsigned order, enum frame_owner owner);

/* Frees the block headed by `pfn`, which must have this order. Returns 0,
 * or -1 when pfn is not the head of a used block of that order (a double or
 * bad free), in which case nothing changes. */
int buddy_free(struct buddy *b, uint32_t pfn, unsigned order);

/* Checks every invariant (list links, states, counts); returns NULL when
 * consistent, otherwise what is wrong. O(frames): for tests. */
const char *buddy_check(const struct buddy *b);

#endif
