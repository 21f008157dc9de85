/* Heap redzones and allocation records; see redzone.h. */
#if KSAN
#include "mm/redzone.h"

#include <stdbool.h>

#include "core/ksan.h"
#include "core/ksyms.h"
#include "core/log.h"
#include "lib/string.h"
#include "mm/slab.h"

enum { RECORD_LIVE = 0xa110c8ed, RECORD_FREED = 0xf5eed0ff };

/* At the end of every object, outside the slab's poison (kmem_cache.kept). */
struct redzone_record {
	uint32_t state;		/* RECORD_LIVE or RECORD_FREED */
	uint32_t size;		/* what the caller asked for */
	uintptr_t alloc_site, free_site;
	uint64_t unused;	/* keeps the record 16 bytes aligned */
};

_Static_assert(sizeof(struct redzone_record) % 16 == 0, "objects stay 16-byte aligned");

size_t redzone_object_size(size_t size)
{
	return ((size + 15) & ~(size_t)15) + REDZONE_MIN + sizeof(struct redzone_record);
}

void redzone_cache_init(struct kmem_cache *c)
{
	c->kept = sizeof(struct redzone_record);
}

static struct redzone_record *record_of(const struct kmem_cache *c, const void *obj)
{
	return (struct redzone_record *)((char *)obj + c->stride - c->kept);
}

static size_t redzone_end(const struct kmem_cache *c)
{
	return c->stride - c->kept;
}

void redzone_arm(struct kmem_cache *c, void *obj, size_t size, uintptr_t site)
{
	struct redzone_record *r = record_of(c, obj);

	memset((char *)obj + size, REDZONE_BYTE, redzone_end(c) - size);
	*r = (struct redzone_record){ .state = RECORD_LIVE, .size = (uint32_t)size,
				      .alloc_site = site };
}

static void print_site(const char *what, uintptr_t site)
{
	uintptr_t offset = 0;
	const char *name = site ? ksyms_lookup(site, &offset) : NULL;

	if (name)
		kprintf("    %s at %s+0x%lx\n", what, name, (unsigned long)offset);
	else if (site)
		kprintf("    %s at %p\n", what, (void *)site);
}

static void describe(const struct kmem_cache *c, const void *obj)
{
	bool live = false;

	if (!c || kmem_cache_index(c, obj, &live) < 0)
		return;
	const struct redzone_record *r = record_of(c, obj);
	if (r->state != RECORD_LIVE && r->state != RECORD_FREED) {
		kprintf("    its allocation record is overwritten\n");
		return;
	}
	kprintf("    object of %u bytes in %s\n", r->size, c->name);
	print_site("allocated", r->alloc_site);
	if (r->state == RECORD_FREED)
		print_site("freed", r->free_site);
}

/* The first written byte of the redzone, or -1 when it is intact. */
static long first_bad_byte(const struct kmem_cache *c, const void *obj, size_t size)
{
	const unsigned char *p = obj;

	for (size_t i = size; i < redzone_end(c); i++)
		if (p[i] != REDZONE_BYTE)
			return (long)i;
	return -1;
}

static void report_redzone(const struct kmem_cache *c, const void *obj, long at,
			   uintptr_t site)
{
	const struct redzone_record *r = record_of(c, obj);

	if (!ksan_report_begin("KSAN:"))
		return;
	kprintf("heap buffer overflow: redzone of %s object %p written at offset %ld "
		"(size %u)\n", c->name, obj, at, r->size);
	print_site("allocated", r->alloc_site);
	print_site("found on free", site);
	ksan_report_end();
}

bool redzone_check(struct kmem_cache *c, void *obj)
{
	const struct redzone_record *r = record_of(c, obj);

	if (r->state != RECORD_LIVE || r->size > redzone_end(c)) {
		if (ksan_report_begin("KSAN:")) {
			kprintf("heap buffer overflow: record of %s object %p overwritten\n",
				c->name, obj);
			ksan_report_end();
		}
		return true;
	}
	long at = first_bad_byte(c, obj, r->size);
	if (at >= 0)
		report_redzone(c, obj, at, 0);
	return at >= 0;
}

bool redzone_report(const struct kmem_cache *c, const char *what, const void *ptr)
{
	if (!ksan_report_begin("KSAN:"))
		return true;
	/* The normal kernel's words (kmalloc.c), so one test reads both. */
	if (c)
		kprintf("kmalloc: %s cache %s at %p\n", what, c->name, ptr);
	else
		kprintf("kmalloc: %s %p, which kmalloc did not return, ignored\n", what, ptr);
	describe(c, ptr);
	ksan_report_end();
	return true;
}

_Static_assert(REDZONE_LARGE_EXTRA == REDZONE_MIN + sizeof(struct redzone_record),
	       "a large block's redzone and record");

static struct redzone_record *large_record(void *block, size_t block_bytes)
{
	return (struct redzone_record *)((char *)block + block_bytes) - 1;
}

void redzone_large_arm(void *block, size_t block_bytes, size_t size, uintptr_t site)
{
	struct redzone_record *r = large_record(block, block_bytes);

	memset((char *)block + size, REDZONE_BYTE, (size_t)((char *)r - (char *)block) - size);
	*r = (struct redzone_record){ .state = RECORD_LIVE, .size = (uint32_t)size,
				      .alloc_site = site };
}

void redzone_large_release(void *block, size_t block_bytes, uintptr_t site)
{
	struct redzone_record *r = large_record(block, block_bytes);
	size_t end = (size_t)((char *)r - (char *)block);
	long at = -1;

	if (r->state == RECORD_LIVE && r->size <= end) {
		const unsigned char *p = block;
		for (size_t i = r->size; i < end && at < 0; i++)
			if (p[i] != REDZONE_BYTE)
				at = (long)i;
	}
	if ((r->state != RECORD_LIVE || r->size > end || at >= 0) && ksan_report_begin("KSAN:")) {
		if (at >= 0)
			kprintf("heap buffer overflow: redzone of large block %p (%zu bytes) "
				"written at offset %ld (size %u)\n", block, block_bytes, at, r->size);
		else
			kprintf("heap buffer overflow: record of large block %p overwritten\n",
				block);
		print_site("allocated", r->state == RECORD_LIVE ? r->alloc_site : 0);
		print_site("found on free", site);
		ksan_report_end();
	}
	r->state = RECORD_FREED;
	r->free_site = site;
}

void redzone_release(struct kmem_cache *c, void *obj, uintptr_t site)
{
	bool live = false;

	if (kmem_cache_index(c, obj, &live) < 0)
		return;		/* the slab reports it */
	struct redzone_record *r = record_of(c, obj);
	if (!live)
		return;		/* a double free: the slab reports it */
	if (r->state == RECORD_LIVE && r->size <= redzone_end(c)) {
		long at = first_bad_byte(c, obj, r->size);
		if (at >= 0)
			report_redzone(c, obj, at, site);
	} else {
		redzone_check(c, obj);
	}
	r->state = RECORD_FREED;
	r->free_site = site;
}
#endif
