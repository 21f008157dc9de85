/* Per-process handle tables. A handle value is index + generation with the
 * top bit always set (so 0 is never a handle): a closed, stale or forged
 * value fails the generation or bounds check and gives -EBADHANDLE, never
 * another object. A value is never given twice in a table's life: a slot
 * whose generations are used up is retired, not wrapped (docs/syscalls.md,
 * "Handles and rights"). Each entry holds one kobj handle (and so a
 * reference) and the rights that came with it. */
#ifndef OBJECT_HANDLE_H
#define OBJECT_HANDLE_H

#include <stdint.h>

#include "core/kobj.h"
#include "core/spinlock.h"
#include "lib/abi.h"

#define HANDLE_INDEX_BITS	12
#define HANDLE_TABLE_MAX	(1u << HANDLE_INDEX_BITS)	/* per process */
/* What the value has left beside the index and the tag bit. */
#define HANDLE_GEN_BITS		(31 - HANDLE_INDEX_BITS)
#define HANDLE_GEN_LAST		((1u << HANDLE_GEN_BITS) - 1)

struct handle_entry {
	struct kobj *obj;		/* NULL: free or retired slot */
	uint32_t rights;
	/* Bumped on every close; past HANDLE_GEN_LAST the slot is retired. */
	uint32_t generation;
};

struct quota;

struct handle_table {
	/* Every live handle is charged to it (QUOTA_HANDLES); the owner keeps
	 * it alive longer than the table. NULL: not charged (self-tests). */
	struct quota *quota;
	struct spinlock lock;		/* guards everything below */
	struct handle_entry *entries;
	uint32_t capacity;		/* grows by doubling up to the max */
	uint32_t count;			/* live handles */
	uint32_t retired;		/* slots never to be used again */
	uint32_t reserved;		/* free slots promised (handle_reserve) */
};

void handle_table_init(struct handle_table *t, struct quota *quota);
/* Closes every handle and frees the table. */
void handle_table_destroy(struct handle_table *t);

/* Opens a handle to obj with rights; returns the value, -ENOMEM, -EDQUOT
 * past the tree's handle limit, or -EMFILE when every slot is live or
 * retired. (handle_insert_taken: the same errors.) */
long handle_insert(struct handle_table *t, struct kobj *obj, uint32_t rights);
/* Resolves h to its object with one reference for the caller (kobj_put it).
 * -EBADHANDLE: not a live handle; -EINVAL: an object of another type
 * (type NULL accepts any); -EACCES: a right in `need` is missing. */
int handle_get(struct handle_table *t, panda_handle_t h, const struct kobj_type *type,
	       uint32_t need, struct kobj **obj, uint32_t *rights);
int handle_close(struct handle_table *t, panda_handle_t h);

/* Moving handles between tables (messages, DESIGN "Contracts"): a handle
 * in transit is still a handle, so taking one out of a table keeps the
 * object's handle count, and inserting it elsewhere adds none. */
int handle_take(struct handle_table *t, panda_handle_t h, struct kobj **obj, uint32_t *rights);
long handle_insert_taken(struct handle_table *t, struct kobj *obj, uint32_t rights);
/* A free slot kept for one later handle_insert_reserved, which then
 * cannot fail: what a call does before an object acts, so that the
 * handle in its reply always reaches the caller. 0, -ENOMEM, or -EMFILE
 * when every slot is live, retired or promised. handle_insert_reserved
 * takes a handle in transit whose charge is already on the table's node
 * (a kernel object's reply to this process: kobj_reply_attach charged
 * it), so it neither grows the table nor charges. */
int handle_reserve(struct handle_table *t);
panda_handle_t handle_insert_reserved(struct handle_table *t, struct kobj *obj, uint32_t rights);
void handle_unreserve(struct handle_table *t);

/* A second handle to the same object with rights a subset of h's
 * (RIGHTS_SAME keeps them): needs RIGHT_DUP; -EINVAL for more rights. */
long handle_dup(struct handle_table *t, panda_handle_t h, uint32_t rights);

#endif
