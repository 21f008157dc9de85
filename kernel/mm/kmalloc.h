/* The kernel heap: named caches for fixed-size kernel objects, and kmalloc
 * for everything else (size classes of 16 bytes to 2 KiB on slab caches,
 * larger requests as whole buddy blocks). Allocation never panics: it
 * returns NULL and the caller returns -ENOMEM. */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"

struct kcache;

void kmalloc_init(void);

void *kmalloc(size_t size);		/* zeroed */
/* Not zeroed, for a buffer filled before anything reads it (a message's
 * document): small sizes hold a constant poison pattern, large ones
 * whatever their frames held, so never hand one out unfilled. */
void *kmalloc_uninit(size_t size);
void kfree(void *ptr);			/* NULL is fine; bad frees are reported */
/* The bytes a kmalloc of size really takes (its size class or buddy
 * block), for charging it to a quota. */
size_t kmalloc_size(size_t size);

struct kcache *kcache_create(const char *name, size_t size);
void *kcache_alloc(struct kcache *cache);	/* zeroed */
void kcache_free(struct kcache *cache, void *obj);

struct kmalloc_stats {
	uint64_t objects;		/* live slab objects, all caches */
	uint64_t slab_pages;
	uint64_t large_pages;		/* pages in large kmalloc blocks */
	uint64_t bad_frees;
};
void kmalloc_get_stats(struct kmalloc_stats *stats);
/* Checks every slab object: free ones for writes after free and, in the
 * sanitized kernel, allocated ones' redzones (mm/redzone.h). Reports each
 * bad one and returns how many there were. */
unsigned kmalloc_check(void);
/* Leak diagnosis: reports every cache whose slab count disagrees with its
 * lists, and every frame owned by the caches (OWNER_CACHE) that no
 * cache's list holds, with its first words; returns how many. */
unsigned kmalloc_report_strays(void);
/* Returns empty slabs of every cache to the frame allocator. */
uint64_t kmalloc_shrink(void);

DEFINE_FREE(kfree, void *, kfree(_T))

#endif
