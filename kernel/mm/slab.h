/* Slab caches: fixed-size objects carved from pages. Plain C: the pages come
 * from a page source and locking is the caller's (kmalloc.c holds a lock per
 * cache), so host unit tests drive the same code.
 *
 * A slab is a naturally aligned block of 2^order pages with its header at
 * the start, so an object finds its slab by masking its address. Each slab
 * keeps a bitmap of live objects: a double free or a pointer that is not an
 * object start is caught exactly, never corrupts a free list. Freed objects
 * are poisoned and the poison is checked when they are handed out again, so
 * a write after free is reported. */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"

#define SLAB_PAGE_SIZE 4096
#define SLAB_MAX_OBJECTS 512
#define SLAB_POISON 0x6b

struct slab_page_source {
	void *(*alloc)(unsigned order);		/* aligned to its size; NULL if none */
	void (*free)(void *page, unsigned order);
};

struct slab;

struct kmem_cache {
	const char *name;
	size_t size;			/* what callers asked for */
	size_t stride;			/* object spacing */
	unsigned order;			/* slab = 2^order pages */
	unsigned per_slab;
	size_t first_offset;		/* of object 0 from the slab start */
	/* Slabs by how full they are, the one used last first. */
	struct list_node partial, full, empty;
	uint64_t slabs, objects_in_use;
	const struct slab_page_source *source;
	/* Bytes at the end of each object that poisoning leaves alone, for
	 * the sanitized build's record of who allocated and freed it (set
	 * after kmem_cache_init; mm/redzone.h). KSAN builds only. */
	size_t kept;
	/* Called for a bad free or a corrupted free object. */
	void (*report)(const struct kmem_cache *cache, const char *what, const void *ptr);
};

struct slab {
	struct list_node link;		/* on its cache's list for s->list */
	struct kmem_cache *cache;
	void *freelist;			/* first free object; link in its first word */
	uint16_t inuse, list;
	uint64_t magic;
	uint64_t live[SLAB_MAX_OBJECTS / 64];
};

void kmem_cache_init(struct kmem_cache *c, const char *name, size_t size,
		     const struct slab_page_source *source,
		     void (*report)(const struct kmem_cache *, const char *, const void *));
void *kmem_cache_alloc(struct kmem_cache *c);
/* Without the zeroing: the object holds the poison pattern (never what it
 * held before), for a buffer its caller fills at once. */
void *kmem_cache_alloc_uninit(struct kmem_cache *c);
/* Returns 0, or -1 after reporting a bad free (nothing changes). */
int kmem_cache_free(struct kmem_cache *c, void *obj);
/* Gives every empty slab back to the page source; returns pages freed. */
uint64_t kmem_cache_shrink(struct kmem_cache *c);
/* The slab `ptr` would belong to if it came from a cache with slabs of
 * this order, or NULL when the header there is not a slab's. */
struct slab *slab_of(const void *ptr, unsigned order);
/* The index of `obj` in its slab, or -1 when it is not an object start of
 * this cache; *live receives whether it is allocated. */
int kmem_cache_index(const struct kmem_cache *c, const void *obj, bool *live);
/* Calls `check` for every allocated object, and reports (c->report) every
 * free one whose poison was written; returns how many objects were bad
 * (free ones written, and allocated ones `check` said true of). */
unsigned kmem_cache_check(struct kmem_cache *c, bool (*check)(struct kmem_cache *c, void *obj));
/* For leak diagnosis: whether `page` is one of c's slabs, and how many
 * slabs c's lists hold (c->slabs should say the same). */
bool kmem_cache_holds(const struct kmem_cache *c, const void *page);
uint64_t kmem_cache_listed(const struct kmem_cache *c);

#endif
