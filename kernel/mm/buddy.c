#include "mm/buddy.h"

#include <stddef.h>

static void list_push(struct buddy *b, uint32_t pfn, unsigned order)
{
	struct frame *f = &b->frames[pfn];

	f->state = FRAME_FREE;
	f->order = (uint8_t)order;
	f->prev = BUDDY_NONE;
	f->next = b->free_head[order];
	if (f->next != BUDDY_NONE)
		b->frames[f->next].prev = pfn;
	b->free_head[order] = pfn;
	b->free_blocks[order]++;
}

static void list_remove(struct buddy *b, uint32_t pfn, unsigned order)
{
	struct frame *f = &b->frames[pfn];

	if (f->prev != BUDDY_NONE)
		b->frames[f->prev].next = f->next;
	else
		b->free_head[order] = f->next;
	if (f->next != BUDDY_NONE)
		b->frames[f->next].prev = f->prev;
	b->free_blocks[order]--;
}

void buddy_init(struct buddy *b, struct frame *frames, uint32_t nframes)
{
	b->frames = frames;
	b->nframes = nframes;
	for (uint32_t i = 0; i < nframes; i++)
		frames[i] = (struct frame){ BUDDY_NONE, BUDDY_NONE, 0, 0, FRAME_RESERVED, 0, 0 };
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		b->free_head[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	b->managed = b->free = 0;
	for (unsigned i = 0; i < OWNER_COUNT; i++)
		b->owned[i] = 0;
}

/* Puts a block on the free lists, merging it with its buddy as long as the
 * buddy is a free block of the same order. */
static void free_block(struct buddy *b, uint32_t pfn, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint32_t buddy = pfn ^ (1u << order);

		if (buddy >= b->nframes || b->frames[buddy].state != FRAME_FREE ||
		    b->frames[buddy].order != order)
			break;
		list_remove(b, buddy, order);
		b->frames[pfn > buddy ? pfn : buddy].state = FRAME_TAIL;
		pfn = pfn < buddy ? pfn : buddy;
		order++;
	}
	list_push(b, pfn, order);
}

void buddy_add_range(struct buddy *b, uint32_t start, uint32_t end)
{
	if (end > b->nframes)
		end = b->nframes;
	while (start < end) {
		unsigned order = 0;

		/* The largest aligned block that starts here and fits. */
		while (order < BUDDY_MAX_ORDER && !(start & ((2u << order) - 1)) &&
		       start + (2u << order) <= end)
			order++;
		for (uint32_t i = 1; i < (1u << order); i++)
			b->frames[start + i].state = FRAME_TAIL;
		b->managed += 1u << order;
		b->free += 1u << order;
		free_block(b, start, order);
		start += 1u << order;
	}
}

uint32_t buddy_alloc(struct buddy *b, unsigned order, enum frame_owner owner)
{
	unsigned o = order;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_NONE;
	while (o <= BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return BUDDY_NONE;

	uint32_t pfn = b->free_head[o];
	list_remove(b, pfn, o);
	/* Split: keep the lower half, free the upper half, until it fits. */
	while (o > order) {
		o--;
		list_push(b, pfn + (1u << o), o);
	}
	struct frame *f = &b->frames[pfn];
	f->state = FRAME_USED;
	f->order = (uint8_t)order;
	f->owner = (uint8_t)owner;
	f->refcount = 1;
	f->flags = 0;
	b->free -= 1u << order;
	b->owned[owner] += 1u << order;
	return pfn;
}

int buddy_free(struct buddy *b, uint32_t pfn, unsigned order)
{
	if (pfn >= b->nframes || order > BUDDY_MAX_ORDER)
		return -1;
	struct frame *f = &b->frames[pfn];
	if (f->state != FRAME_USED || f->order != order)
		return -1;
	b->owned[f->owner] -= 1u << order;
	b->free += 1u << order;
	f->refcount = 0;
	free_block(b, pfn, order);
	return 0;
}

const char *buddy_check(const struct buddy *b)
{
	uint64_t free_frames = 0, used_frames = 0, owned = 0;

	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		uint64_t n = 0;
		uint32_t prev = BUDDY_NONE;

		for (uint32_t p = b->free_head[o]; p != BUDDY_NONE; p = b->frames[p].next) {
			const struct frame *f = &b->frames[p];
			if (p >= b->nframes)
				return "free list link out of range";
			if (f->state != FRAME_FREE || f->order != o)
				return "free list holds a block of the wrong state or order";
			if (f->prev != prev)
				return "free list back link is wrong";
			if (p & ((1u << o) - 1))
				return "free block is misaligned";
			uint32_t buddy = p ^ (1u << o);
			if (o < BUDDY_MAX_ORDER && buddy < b->nframes &&
			    b->frames[buddy].state == FRAME_FREE && b->frames[buddy].order == o)
				return "two free buddies were not merged";
			prev = p;
			if (++n > b->nframes)
				return "free list has a cycle";
		}
		if (n != b->free_blocks[o])
			return "free block count is wrong";
	}
	/* Walk all blocks in address order: heads then their tails. */
	for (uint32_t p = 0; p < b->nframes;) {
		const struct frame *f = &b->frames[p];
		if (f->state == FRAME_RESERVED) {
			p++;
			continue;
		}
		if (f->state == FRAME_TAIL)
			return "a tail frame outside any block";
		uint32_t size = 1u << f->order;
		if (p & (size - 1) || p + size > b->nframes)
			return "block misaligned or past the end";
		for (uint32_t i = 1; i < size; i++)
			if (b->frames[p + i].state != FRAME_TAIL)
				return "block interior is not all tails";
		if (f->state == FRAME_FREE)
			free_frames += size;
		else
			used_frames += size;
		p += size;
	}
	for (unsigned i = 0; i < OWNER_COUNT; i++)
		owned += b->owned[i];
	if (free_frames != b->free)
		return "free frame count is wrong";
	if (used_frames != owned || free_frames + used_frames != b->managed)
		return "used frame counts are wrong";
	return NULL;
}
