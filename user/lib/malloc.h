/* Memory allocation for user programs (docs/memory.md, "User-space
 * allocation"). Blocks come from size-class spans of anonymous memory;
 * blocks over MALLOC_SMALL_MAX bytes are mapped on their own. Memory goes
 * back to the kernel: a span is unmapped when its last block is freed,
 * except for at most one empty span per size class and MALLOC_SPARE_MAX
 * bytes of them in all; a large block is unmapped by its free.
 *
 * Semantics, for the prefixed and the standard names alike:
 * - every block is aligned to 16 bytes (MALLOC_ALIGN);
 * - malloc(0) returns a unique pointer (a 16-byte block), never NULL unless
 *   memory runs out; free it like any other;
 * - NULL means out of memory (ENOMEM; libpanda has no errno): the page
 *   source refused, or the size is too big to represent; the allocator's
 *   state is unchanged;
 * - free(NULL) does nothing;
 * - realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL;
 *   when realloc fails it returns NULL and p stays valid and unchanged;
 * - calloc(n, size) returns NULL when n * size overflows, else zeroed memory;
 * - a free (or realloc) of a pointer the allocator did not return, or one
 *   already freed, is reported (`malloc: free of a pointer it did not
 *   return`) and ignored. Checked: pointers outside the allocator's memory
 *   (without touching them), pointers into a block or a span's header, and
 *   a second free of a small block. A second free of a large block is
 *   caught unless its address has been handed out again since.
 *
 * Not thread-safe: a Panda process has one thread. */
#ifndef USER_LIB_MALLOC_H
#define USER_LIB_MALLOC_H

#include <stddef.h>
#include <stdint.h>

#define MALLOC_ALIGN		16
/* Largest request served from a size class; larger ones are mapped. */
#define MALLOC_SMALL_MAX	(64u * 1024)
/* The most that empty spans kept for reuse may map, in bytes. */
#define MALLOC_SPARE_MAX	(1024u * 1024)

void *malloc(size_t size) __attribute__((malloc, alloc_size(1)));
void free(void *p);
void *realloc(void *p, size_t size) __attribute__((alloc_size(2)));
void *calloc(size_t n, size_t size) __attribute__((malloc, alloc_size(1, 2)));

/* The same functions under their own names (malloc_names.c maps the
 * standard ones to these; host tests call these beside the C library's). */
void *panda_malloc(size_t size) __attribute__((malloc, alloc_size(1)));
void panda_free(void *p);
void *panda_realloc(void *p, size_t size) __attribute__((alloc_size(2)));
void *panda_calloc(size_t n, size_t size) __attribute__((malloc, alloc_size(1, 2)));

/* Bytes usable in the block at p (at least what was asked for), or 0 when
 * the allocator did not return p. */
size_t panda_malloc_usable_size(const void *p);

/* Unmaps every empty span kept for reuse and shrinks the span table; with
 * nothing allocated, the allocator then maps nothing at all. */
void panda_malloc_trim(void);

struct malloc_stats {
	size_t mapped_bytes;	/* all the allocator maps: spans, large blocks, table */
	size_t spare_bytes;	/* empty spans kept for reuse (<= MALLOC_SPARE_MAX) */
	size_t spans;		/* spans mapped, empty ones included */
	size_t large_blocks;	/* blocks mapped on their own */
	size_t bad_frees;	/* frees and reallocs reported and ignored */
};
void panda_malloc_stats(struct malloc_stats *st);

/* Where the allocator gets memory, and how it reports misuse. map returns
 * len bytes (a multiple of MALLOC_PAGE_SIZE) of zeroed, readable, writable
 * memory aligned to MALLOC_PAGE_SIZE, or NULL; unmap must accept any
 * page-aligned piece of what map returned. report prints one line: the
 * message and the pointer. In user space these are panda_mem_map,
 * panda_mem_unmap and printf; host tests install their own with
 * panda_malloc_set_env while nothing is allocated. */
#define MALLOC_PAGE_SIZE	4096u
struct malloc_env {
	void *(*map)(size_t len);
	void (*unmap)(void *addr, size_t len);
	void (*report)(const char *message, const void *p);
};
void panda_malloc_set_env(const struct malloc_env *env);

#endif
