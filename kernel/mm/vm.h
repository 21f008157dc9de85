/* Address spaces: a page-table root whose kernel half is shared, plus a
 * sorted list of user regions. Regions are demand-zero: a page gets a frame
 * on its first touch. Guard regions reserve addresses that always fault. */
#ifndef MM_VM_H
#define MM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kobj.h"
#include "core/spinlock.h"

struct vm_region {
	uintptr_t start, end;		/* page aligned, end exclusive */
	unsigned prot;			/* MAP_WRITE | MAP_EXEC (MAP_USER implied) */
	bool guard;			/* never mapped: touching it is a fault */
	struct vm_region *next;
};

struct quota;

/* Charged to `quota` (proc/quota.h), exactly, from creation to destroy:
 * QUOTA_UMEM per resident page, QUOTA_MAPPINGS per region, QUOTA_KMEM for
 * each region and each page-table page (the root too). A frame shared
 * with a clone (as_clone) is a resident page of each space that maps it,
 * charged to each, and read-only in all of them. */
struct address_space {
	struct kobj obj;
	uint64_t root;			/* page-table root (physical) */
	struct quota *quota;		/* a reference; NULL: not charged */
	struct spinlock lock;		/* guards regions, resident, the tables */
	struct vm_region *regions;	/* sorted, non-overlapping */
	uint64_t resident;		/* user pages with a frame */
	uint64_t region_count;
	uint64_t tables;		/* page-table pages below the root */
};

void vm_init(void);

/* A new, empty address space charged to quota (or NULL) in *out, with
 * one reference: 0, -ENOMEM or -EDQUOT. */
int as_create(struct quota *quota, struct address_space **out);
static inline void as_put(struct address_space *as)
{
	if (as)
		kobj_put(&as->obj);
}
DEFINE_FREE(as_put, struct address_space *, as_put(_T))

/* A copy-on-write clone of src in *out, charged to quota (or NULL), with
 * one reference: the same regions (guards too) and every resident page of
 * src mapped in both, the same frame with a reference more. Pages of
 * writable regions become read-only in both spaces (src's TLB entries are
 * flushed), and the first write on either side gives that side a copy.
 * The clone is charged as if every page were its own (src's charges do
 * not change), so a write never needs a charge, only a frame. 0, -ENOMEM
 * or -EDQUOT; on failure nothing was taken and src reads as before (some
 * of its pages may be read-only, and their next write makes them
 * writable again). */
int as_clone(struct address_space *src, struct quota *quota, struct address_space **out);

/* All return 0 or a negative error: -EINVAL for unaligned, empty, kernel
 * or overlapping ranges, -ENOMEM when memory for the bookkeeping ran out,
 * -EDQUOT when a region more is past the tree's limits. */
int as_map_anon(struct address_space *as, uintptr_t start, size_t len, unsigned prot);
int as_map_guard(struct address_space *as, uintptr_t start, size_t len);
int as_unmap(struct address_space *as, uintptr_t start, size_t len);
int as_protect(struct address_space *as, uintptr_t start, size_t len, unsigned prot);
/* Gives back the frames of [start, start+len) and keeps its regions: the
 * pages read as zeros again on their next touch (Linux's MADV_DONTNEED).
 * Holes in the range are fine. 0 or -EINVAL. */
int as_discard(struct address_space *as, uintptr_t start, size_t len);
/* The protection of the region holding addr: 0, or -EFAULT when none
 * (or a guard) does. */
int as_region_prot(struct address_space *as, uintptr_t addr, unsigned *prot);

/* Resolves a fault at addr: 0 when a page was mapped, or a write to a
 * shared page got a copy (retry the access), -EFAULT when no region
 * allows the access, -ENOMEM without memory, -EDQUOT when the page is
 * past the tree's memory limits. */
int as_fault(struct address_space *as, uintptr_t addr, bool write, bool exec);

/* Fills [va, va+len) from src (or with zeros when src is NULL), whatever
 * the regions' protections: how the loader writes a new program. The range
 * must lie in mapped regions. 0, -EFAULT, -ENOMEM or -EDQUOT. */
int as_write(struct address_space *as, uintptr_t va, const void *src, size_t len);
/* Gives every page of [start, start+len) a writable frame of its own now,
 * as writes would (user_prefault_write in mm/usercopy.h): a shared page
 * gets its copy here, not in the later copy_to_user. 0, -EFAULT when a
 * page is in no writable region, -ENOMEM, or -EDQUOT past the tree's
 * limits. */
int as_prefault(struct address_space *as, uintptr_t start, size_t len);
/* The lowest free range of len bytes within [lo, hi), or 0 when none. */
uintptr_t as_find_free(struct address_space *as, size_t len, uintptr_t lo, uintptr_t hi);
/* True when addr lies in a guard region. */
bool as_is_guard(struct address_space *as, uintptr_t addr);

/* The address space whose user half the CPU sees (NULL: none). */
void as_activate(struct address_space *as);
struct address_space *as_current(void);

#endif
