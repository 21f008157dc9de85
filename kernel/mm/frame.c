#include "mm/frame.h"

#include "arch/arch.h"
#include "core/backtrace.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "lib/string.h"
#include "mm/failinject.h"

#define MAX_RECLAIMERS 8
#define LOW_MEMORY_END 0x100000		/* below 1 MiB: firmware and real mode */

static struct buddy buddy;		/* guarded by frame_lock */
static struct spinlock frame_lock = SPINLOCK_INIT("frame");
static uint64_t min_watermark, low_watermark;	/* set once at boot */
static uint64_t failed_allocations, bad_frees;	/* atomic */
static reclaim_fn reclaimers[MAX_RECLAIMERS];	/* registered at boot */
static unsigned reclaimer_count;	/* registered at boot */

struct range {
	uint64_t start, end;
};

/* What must never be handed out, besides non-usable map entries. */
static struct range reserved[4 + BOOT_MAX_MODULES];	/* boot only, as is reserved_count */
static unsigned reserved_count;

static void reserve(uint64_t start, uint64_t end)
{
	reserved[reserved_count++] = (struct range){
		start & ~(PAGE_SIZE - 1), (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
	};
}

/* Adds [start, end) minus every reserved range to the buddy allocator. */
static void add_usable(uint64_t start, uint64_t end, unsigned from)
{
	for (unsigned i = from; i < reserved_count && start < end; i++) {
		const struct range *r = &reserved[i];
		if (r->end <= start || r->start >= end)
			continue;
		if (r->start > start)
			add_usable(start, r->start, i + 1);
		start = r->end;
	}
	if (start < end)
		buddy_add_range(&buddy, (uint32_t)(start >> PAGE_SHIFT), (uint32_t)(end >> PAGE_SHIFT));
}

/* Finds `size` bytes of usable memory, below `limit`, that overlap nothing
 * reserved. Used once, for the frame metadata, before the allocator runs. */
static uint64_t find_boot_memory(uint64_t size, uint64_t limit)
{
	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *m = &boot_info.mem[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t start = (m->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = m->base + m->length;
		if (end > limit)
			end = limit;
		for (unsigned j = 0; j < reserved_count && start + size <= end; j++) {
			const struct range *r = &reserved[j];
			if (r->start < start + size && r->end > start) {
				start = r->end;
				j = (unsigned)-1;	/* recheck all from the new start */
			}
		}
		if (start + size <= end)
			return start;
	}
	return 0;
}

/* Page-table pages for the CPU's paging code (arch sits below mm). */
static uint64_t page_table_alloc(void)
{
	return frame_alloc(0, OWNER_PAGE_TABLE, FRAME_ZERO);
}

static void page_table_free(uint64_t phys)
{
	frame_free(phys, 0);
}

void frame_init(void)
{
	uint64_t max_phys = 0;

	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *m = &boot_info.mem[i];
		if (m->type == BOOT_MEM_USABLE && m->base + m->length > max_phys)
			max_phys = m->base + m->length;
	}
	if (max_phys > DIRECT_MAP_MAX_PHYS) {
		log_warn("mm: memory above %lu GiB is not used\n", DIRECT_MAP_MAX_PHYS >> 30);
		max_phys = DIRECT_MAP_MAX_PHYS;
	}
	uint32_t nframes = (uint32_t)(max_phys >> PAGE_SHIFT);

	reserve(0, LOW_MEMORY_END);
	reserve(boot_info.kernel_phys_start, boot_info.kernel_phys_end);
	reserve(boot_info.info_phys_start, boot_info.info_phys_end);
	for (unsigned i = 0; i < boot_info.module_count; i++)
		reserve(boot_info.modules[i].phys_start, boot_info.modules[i].phys_end);

	/* The metadata, and the page directories that extend the direct map
	 * past 4 GiB, come from one block below 4 GiB (mapped since boot). */
	uint64_t meta_bytes = ((uint64_t)nframes * sizeof(struct frame) + PAGE_SIZE - 1) &
			      ~(PAGE_SIZE - 1);
	uint64_t table_pages = arch_direct_map_tables_needed(max_phys);
	uint64_t block = find_boot_memory(meta_bytes + table_pages * PAGE_SIZE, BOOT_MAPPED_PHYS);
	if (!block)
		panic("mm: no room for %lu KiB of frame metadata", meta_bytes >> 10);
	reserve(block, block + meta_bytes + table_pages * PAGE_SIZE);
	arch_direct_map_extend(max_phys, block + meta_bytes);

	buddy_init(&buddy, phys_to_virt(block), nframes);
	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *m = &boot_info.mem[i];
		if (m->type != BOOT_MEM_USABLE || m->base >= max_phys)
			continue;
		uint64_t start = (m->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = (m->base + m->length) & ~(PAGE_SIZE - 1);
		if (end > max_phys)
			end = max_phys;
		add_usable(start, end, 0);
	}

	/* Keep 1/128 of memory (at least 64 frames) for the kernel when user
	 * space runs out; start reclaiming caches at twice that. */
	min_watermark = buddy.managed / 128 > 64 ? buddy.managed / 128 : 64;
	low_watermark = 2 * min_watermark;
	log_info("mm: %lu MiB in %lu frames managed, %lu KiB of metadata\n",
		 buddy.managed >> 8, buddy.managed, meta_bytes >> 10);
	arch_set_page_table_pages(page_table_alloc, page_table_free);
}

void frame_register_reclaim(reclaim_fn fn)
{
	KASSERT(reclaimer_count < MAX_RECLAIMERS);
	reclaimers[reclaimer_count++] = fn;
}

/* Runs the reclaim hooks without frame_lock held (they free frames). */
void frame_reclaim(void)
{
	for (unsigned i = 0; i < reclaimer_count; i++)
		reclaimers[i]();
}

static uint64_t try_alloc(unsigned order, enum frame_owner owner, unsigned flags)
{
	guard(spinlock)(&frame_lock);
	uint64_t want = 1ull << order;

	if (flags & FRAME_USER_REQUEST && buddy.free < min_watermark + want)
		return 0;
	uint32_t pfn = buddy_alloc(&buddy, order, owner);
	return pfn == BUDDY_NONE ? 0 : (uint64_t)pfn << PAGE_SHIFT;
}

uint64_t frame_alloc(unsigned order, enum frame_owner owner, unsigned flags)
{
	uint64_t phys;

	if (failinject_should_fail(FAILINJECT_FRAME))
		return 0;
	bool reclaim = !(flags & FRAME_NO_RECLAIM);
	if (reclaim && buddy.free < low_watermark)
		frame_reclaim();
	phys = try_alloc(order, owner, flags);
	if (!phys && reclaim) {
		frame_reclaim();
		phys = try_alloc(order, owner, flags);
	}
	if (!phys) {
		__atomic_fetch_add(&failed_allocations, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (flags & FRAME_ZERO)
		memset(phys_to_virt(phys), 0, PAGE_SIZE << order);
	return phys;
}

static void report_bad_free(const char *what, uint64_t phys, unsigned order)
{
	__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
	log_error("mm: %s of frame %#lx (order %u) ignored\n", what, phys, order);
	backtrace_print_here();
}

void frame_free(uint64_t phys, unsigned order)
{
	int rc;

	if (phys & (PAGE_SIZE - 1) || (phys >> PAGE_SHIFT) >= buddy.nframes) {
		report_bad_free("free of a non-frame address", phys, order);
		return;
	}
	{
		guard(spinlock)(&frame_lock);
		rc = buddy_free(&buddy, (uint32_t)(phys >> PAGE_SHIFT), order);
	}
	if (rc)
		report_bad_free("double or mismatched free", phys, order);
}

static struct frame *used_head(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	if (pfn >= buddy.nframes || buddy.frames[pfn].state != FRAME_USED)
		return NULL;
	return &buddy.frames[pfn];
}

void frame_get(uint64_t phys)
{
	struct frame *f = used_head(phys);

	KASSERT(f && f->refcount > 0);
	__atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);
}

void frame_put(uint64_t phys)
{
	struct frame *f = used_head(phys);

	if (!f) {
		report_bad_free("put", phys, 0);
		return;
	}
	if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		frame_free(phys, f->order);
	}
}

int frame_refcount(uint64_t phys)
{
	struct frame *f = used_head(phys);

	return f ? f->refcount : 0;
}

unsigned frame_order(uint64_t phys)
{
	struct frame *f = used_head(phys);

	return f ? f->order : 0;
}

void frame_get_stats(struct frame_stats *s)
{
	guard(spinlock)(&frame_lock);

	s->total = buddy.managed;
	s->free = buddy.free;
	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		s->free_blocks[o] = buddy.free_blocks[o];
	for (unsigned i = 0; i < OWNER_COUNT; i++)
		s->owned[i] = buddy.owned[i];
	s->min_watermark = min_watermark;
	s->low_watermark = low_watermark;
	s->failed_allocations = failed_allocations;
	s->bad_frees = bad_frees;
}

uint64_t frame_next_owned(enum frame_owner owner, uint64_t *pfn, unsigned *order)
{
	guard(spinlock)(&frame_lock);

	for (; *pfn < buddy.nframes; (*pfn)++) {
		const struct frame *f = &buddy.frames[*pfn];
		if (f->state == FRAME_USED && f->owner == owner) {
			*order = f->order;
			return (*pfn)++ << PAGE_SHIFT;
		}
	}
	return 0;
}

void frame_set_tag(uint64_t phys, unsigned order, uint8_t tag)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	for (uint64_t i = 0; i < (1ull << order) && pfn + i < buddy.nframes; i++)
		buddy.frames[pfn + i].flags = tag;
}

uint8_t frame_tag(uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;
	const struct frame *f;

	if (pfn >= buddy.nframes)
		return 0;
	f = &buddy.frames[pfn];
	return f->state == FRAME_USED || f->state == FRAME_TAIL ? f->flags : 0;
}
