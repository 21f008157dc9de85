/* Heap redzones, in the sanitized kernel only (KSAN=1; docs/memory.md).
 *
 * Every kmalloc and kcache object gets bytes past its requested size filled
 * with a known pattern (at least REDZONE_MIN of them), and a record at its
 * end of who allocated and who freed it. The redzone is checked when the
 * object is freed and by kmalloc_check; the slab's poison (mm/slab.h) stays
 * checked when a free object is handed out again, and the record, kept out
 * of the poison, names the allocation and free of the object a report is
 * about. An object of the slab is laid out as
 *
 *	[ caller's size | redzone (REDZONE_BYTE) | struct redzone_record ]
 *
 * In the normal kernel these calls are empty and objects have no redzone. */
#ifndef MM_REDZONE_H
#define MM_REDZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmem_cache;

#if KSAN
#define REDZONE_MIN 16
#define REDZONE_BYTE 0xbb

/* What the slab must hold for an object of `size` bytes. */
size_t redzone_object_size(size_t size);
/* Sets up `c` (initialised for redzone_object_size) to keep the records. */
void redzone_cache_init(struct kmem_cache *c);
/* A just-allocated object of `size` bytes: fills its redzone and records
 * `site` as where it was allocated. */
void redzone_arm(struct kmem_cache *c, void *obj, size_t size, uintptr_t site);
/* Before `obj` is freed from `site`: checks its redzone (a report when
 * written) and records the free. A pointer the slab will refuse is left
 * to the slab's report. */
void redzone_release(struct kmem_cache *c, void *obj, uintptr_t site);
/* Reports heap misuse the slab found in `c`, or kfree (`c` NULL: a
 * pointer kmalloc did not return), as a sanitizer report with the record's
 * sites; returns true. */
bool redzone_report(const struct kmem_cache *c, const char *what, const void *ptr);
/* Checks the redzone of one allocated object (kmem_cache_check's
 * callback); true when it was written. */
bool redzone_check(struct kmem_cache *c, void *obj);

/* Large kmalloc blocks (whole buddy blocks) are laid out the same way
 * within the block, and checked when they are freed: the block must hold
 * REDZONE_LARGE_EXTRA bytes more than was asked for. */
#define REDZONE_LARGE_EXTRA 48	/* REDZONE_MIN + the 32-byte record */
static inline size_t redzone_large_size(size_t size) { return size + REDZONE_LARGE_EXTRA; }
void redzone_large_arm(void *block, size_t block_bytes, size_t size, uintptr_t site);
void redzone_large_release(void *block, size_t block_bytes, uintptr_t site);
#else
#define REDZONE_LARGE_EXTRA 0
static inline size_t redzone_large_size(size_t size) { return size; }
static inline void redzone_large_arm(void *block, size_t block_bytes, size_t size,
				     uintptr_t site)
{
	(void)block, (void)block_bytes, (void)size, (void)site;
}
static inline void redzone_large_release(void *block, size_t block_bytes, uintptr_t site)
{
	(void)block, (void)block_bytes, (void)site;
}
static inline size_t redzone_object_size(size_t size) { return size; }
static inline void redzone_cache_init(struct kmem_cache *c) { (void)c; }
static inline void redzone_arm(struct kmem_cache *c, void *obj, size_t size, uintptr_t site)
{
	(void)c, (void)obj, (void)size, (void)site;
}
static inline void redzone_release(struct kmem_cache *c, void *obj, uintptr_t site)
{
	(void)c, (void)obj, (void)site;
}
/* The normal kernel logs these itself. */
static inline bool redzone_report(const struct kmem_cache *c, const char *what, const void *ptr)
{
	(void)c, (void)what, (void)ptr;
	return false;
}
static inline bool redzone_check(struct kmem_cache *c, void *obj)
{
	(void)c, (void)obj;
	return false;
}
#endif

#endif
