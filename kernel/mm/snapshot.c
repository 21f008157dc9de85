#include "mm/snapshot.h"

#include "core/log.h"
#include "lib/format.h"

void mm_snapshot_take(struct mm_snapshot *s)
{
	/* Caches kept above the heap go first, then the slabs they emptied. */
	frame_reclaim();
	kmalloc_shrink();
	frame_get_stats(&s->frames);
	kmalloc_get_stats(&s->heap);
}

static const char *const owner_names[OWNER_COUNT] = {
	[OWNER_KERNEL] = "kernel frames", [OWNER_USER] = "user frames",
	[OWNER_PAGE_TABLE] = "page-table frames", [OWNER_CACHE] = "slab-cache frames",
};

static bool same(const char *what, uint64_t before, uint64_t now)
{
	if (before != now)
		kprintf("mm: %s %lu before, %lu now\n", what, before, now);
	return before == now;
}

bool mm_snapshot_same(const struct mm_snapshot *before)
{
	struct mm_snapshot now;
	bool ok = true;

	mm_snapshot_take(&now);
	ok &= same("free frames", before->frames.free, now.frames.free);
	ok &= same("heap objects", before->heap.objects, now.heap.objects);
	ok &= same("slab pages", before->heap.slab_pages, now.heap.slab_pages);
	ok &= same("large kmalloc pages", before->heap.large_pages, now.heap.large_pages);
	for (unsigned o = 0; o < BUDDY_ORDERS; o++) {
		char what[32];
		fmt_snprintf(what, sizeof(what), "free blocks of order %u", o);
		ok &= same(what, before->frames.free_blocks[o], now.frames.free_blocks[o]);
	}
	for (unsigned i = 0; i < OWNER_COUNT; i++)
		ok &= same(owner_names[i], before->frames.owned[i], now.frames.owned[i]);
	/* Every frame the caches own is one of their slabs: when not, say
	 * which frame strayed. */
	if (!same("frames of the caches against slab pages", now.frames.owned[OWNER_CACHE],
		  now.heap.slab_pages)) {
		kmalloc_report_strays();
		ok = false;
	}
	return ok;
}
