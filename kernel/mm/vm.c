#include "mm/vm.h"

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/quota.h"

static struct kcache *as_cache, *region_cache;	/* set once at boot */
/* The address space whose user half the CPU sees: the running thread's
 * own, which is its process's (NULL for a kernel thread, for one that is
 * exiting, or one a self-test activated and holds a reference to). Only
 * the running thread changes it, for itself; switch_to keeps it per
 * thread (active_as). Code acting on another process (spawn building or
 * discarding one, a kill) never touches it, and an address space is never
 * destroyed while it is active. Per CPU once there are more. */
static struct address_space *current_as;	/* per-CPU in effect (one CPU): the active space */

#define REGION_BYTES	sizeof(struct vm_region)

static void as_release_page(uint64_t pa)
{
	frame_put(pa);
}

/* A region more (or, with n negative, fewer) on as's charges. */
static int charge_regions(struct address_space *as, int n)
{
	if (n < 0) {
		quota_uncharge(as->quota, QUOTA_MAPPINGS, (uint64_t)-n);
		quota_uncharge(as->quota, QUOTA_KMEM, (uint64_t)-n * REGION_BYTES);
		as->region_count -= (uint64_t)-n;
		return 0;
	}
	int rc = quota_charge(as->quota, QUOTA_MAPPINGS, (uint64_t)n);
	if (rc == 0) {
		rc = quota_charge(as->quota, QUOTA_KMEM, (uint64_t)n * REGION_BYTES);
		if (rc < 0)
			quota_uncharge(as->quota, QUOTA_MAPPINGS, (uint64_t)n);
	}
	if (rc == 0)
		as->region_count += (uint64_t)n;
	return rc;
}

static void as_destroy(struct kobj *obj)
{
	struct address_space *as = kobj_of(obj, struct address_space, obj);

	KASSERT(current_as != as);	/* its last user left it first */
	arch_pt_destroy(as->root, as_release_page);
	for (struct vm_region *r = as->regions, *next; r; r = next) {
		next = r->next;
		kcache_free(region_cache, r);
	}
	charge_regions(as, -(int)as->region_count);
	quota_uncharge(as->quota, QUOTA_UMEM, as->resident);
	quota_uncharge(as->quota, QUOTA_KMEM, (as->tables + 1) * PAGE_SIZE);
	quota_put(as->quota);
	kcache_free(as_cache, as);
}

static const struct kobj_type as_type = { .name = "address_space", .destroy = as_destroy };

/* The CPU's page-fault handler, for an address in the user half. */
static int user_half_fault(uintptr_t addr, bool write, bool fetch)
{
	struct address_space *as = as_current();

	return as ? as_fault(as, addr, write, fetch) : -EFAULT;
}

void vm_init(void)
{
	as_cache = kcache_create("address_space", sizeof(struct address_space));
	region_cache = kcache_create("vm_region", sizeof(struct vm_region));
	KASSERT(as_cache && region_cache);
	if (arch_kernel_area_init(KSTACK_BASE, kstack_area_used()) < 0)
		panic("vm: no memory for the kernel stack area's page tables");
	arch_set_page_fault_handler(user_half_fault);
	arch_set_stack_guard_check(kstack_is_guard);
}

int as_create(struct quota *quota, struct address_space **out)
{
	int rc = quota_charge(quota, QUOTA_KMEM, PAGE_SIZE);	/* the root table */

	if (rc < 0)
		return rc;
	struct address_space *as = kcache_alloc(as_cache);
	if (as) {
		as->root = arch_pt_create();
		if (!as->root) {
			kcache_free(as_cache, as);
			as = NULL;
		}
	}
	if (!as) {
		quota_uncharge(quota, QUOTA_KMEM, PAGE_SIZE);
		return -ENOMEM;
	}
	kobj_init(&as->obj, &as_type);
	as->lock = (struct spinlock)SPINLOCK_INIT("address_space");
	as->quota = quota ? quota_get(quota) : NULL;
	*out = as;
	return 0;
}

static bool range_ok(uintptr_t start, size_t len)
{
	return len && !(start & (PAGE_SIZE - 1)) && !(len & (PAGE_SIZE - 1)) &&
	       start >= PAGE_SIZE && start < USER_TOP && len <= USER_TOP - start;
}

static int add_region(struct address_space *as, uintptr_t start, size_t len,
		      unsigned prot, bool guard)
{
	struct vm_region **link = &as->regions;

	if (!range_ok(start, len))
		return -EINVAL;
	struct vm_region *r = kcache_alloc(region_cache);
	if (!r)
		return -ENOMEM;
	guard(spinlock)(&as->lock);
	while (*link && (*link)->end <= start)
		link = &(*link)->next;
	int rc = *link && (*link)->start < start + len ? -EINVAL	/* overlaps */
							 : charge_regions(as, 1);
	if (rc < 0) {
		kcache_free(region_cache, r);
		return rc;
	}
	*r = (struct vm_region){ start, start + len, prot & (MAP_WRITE | MAP_EXEC), guard, *link };
	*link = r;
	return 0;
}

int as_map_anon(struct address_space *as, uintptr_t start, size_t len, unsigned prot)
{
	return add_region(as, start, len, prot, false);
}

int as_map_guard(struct address_space *as, uintptr_t start, size_t len)
{
	return add_region(as, start, len, 0, true);
}

/* The region nodes the two splits of an operation on [start, end) may
 * need, taken before anything changes: a failure leaves the list as it
 * was, and what the splits did not use goes back. */
struct spares {
	struct vm_region *node[2];
};

static void spares_put(struct spares *s)
{
	for (unsigned i = 0; i < 2; i++)
		if (s->node[i])
			kcache_free(region_cache, s->node[i]);
}
DEFINE_FREE(spares_put, struct spares, spares_put(&_T))

static int spares_get(struct spares *s)
{
	s->node[0] = kcache_alloc(region_cache);
	s->node[1] = s->node[0] ? kcache_alloc(region_cache) : NULL;
	return s->node[1] ? 0 : -ENOMEM;
}

/* Splits regions so that `at` is a boundary, with a spare node. Caller
 * holds the lock. */
static void split_at(struct address_space *as, uintptr_t at, struct spares *s)
{
	spin_assert_held(&as->lock);
	for (struct vm_region *r = as->regions; r; r = r->next) {
		if (r->start < at && at < r->end) {
			unsigned i = s->node[0] ? 0 : 1;
			struct vm_region *tail = s->node[i];
			s->node[i] = NULL;
			*tail = *r;
			tail->start = at;
			r->end = at;
			r->next = tail;
			return;
		}
	}
}

/* Charges the region nodes that splitting at start and at end will add
 * (one per boundary inside a region), before anything changes. Caller
 * holds the lock. */
static int charge_splits(struct address_space *as, uintptr_t start, uintptr_t end)
{
	int n = 0;

	spin_assert_held(&as->lock);
	for (const struct vm_region *r = as->regions; r; r = r->next)
		n += (r->start < start && start < r->end) + (r->start < end && end < r->end);
	return charge_regions(as, n);
}

/* Both loops below go by the page tables, not by the range: a region can
 * span terabytes that were never touched (before, unmapping a 64 TiB
 * mem_map walked 2^34 pages with the lock held and interrupts off, and
 * froze the machine; found by /test/kfuzz). */
static void unmap_pages(struct address_space *as, uintptr_t start, uintptr_t end)
{
	for (uintptr_t va = start; (va = arch_pt_next_table(as->root, va, end)) < end;
	     va += PAGE_SIZE) {
		uint64_t pa = arch_pt_unmap(as->root, va);
		if (pa) {
			frame_put(pa);
			as->resident--;
			quota_uncharge(as->quota, QUOTA_UMEM, 1);
		}
	}
}

int as_unmap(struct address_space *as, uintptr_t start, size_t len)
{
	if (!range_ok(start, len))
		return -EINVAL;
	struct spares spares __free(spares_put) = { 0 };
	if (spares_get(&spares) < 0)
		return -ENOMEM;
	guard(spinlock)(&as->lock);
	uintptr_t end = start + len;
	int rc = charge_splits(as, start, end);
	if (rc < 0)
		return rc;
	split_at(as, start, &spares);
	split_at(as, end, &spares);
	for (struct vm_region **link = &as->regions; *link;) {
		struct vm_region *r = *link;
		if (r->start >= start && r->end <= end) {
			unmap_pages(as, r->start, r->end);
			*link = r->next;
			kcache_free(region_cache, r);
			charge_regions(as, -1);
		} else {
			link = &r->next;
		}
	}
	return 0;
}

int as_region_prot(struct address_space *as, uintptr_t addr, unsigned *prot)
{
	guard(spinlock)(&as->lock);
	for (struct vm_region *r = as->regions; r && r->start <= addr; r = r->next)
		if (addr < r->end && !r->guard) {
			*prot = r->prot;
			return 0;
		}
	return -EFAULT;
}

int as_discard(struct address_space *as, uintptr_t start, size_t len)
{
	if (!range_ok(start, len))
		return -EINVAL;
	guard(spinlock)(&as->lock);
	uintptr_t end = start + len;
	for (struct vm_region *r = as->regions; r && r->start < end; r = r->next) {
		uintptr_t from = r->start > start ? r->start : start;
		uintptr_t to = r->end < end ? r->end : end;
		if (from < to && !r->guard)
			unmap_pages(as, from, to);
	}
	return 0;
}

int as_protect(struct address_space *as, uintptr_t start, size_t len, unsigned prot)
{
	if (!range_ok(start, len))
		return -EINVAL;
	struct spares spares __free(spares_put) = { 0 };
	if (spares_get(&spares) < 0)
		return -ENOMEM;
	guard(spinlock)(&as->lock);
	uintptr_t end = start + len, covered = start;

	/* The whole range must be mapped, and not by a guard. */
	for (struct vm_region *r = as->regions; r && covered < end; r = r->next) {
		if (r->end <= covered)
			continue;
		if (r->start > covered || r->guard)
			return -EINVAL;
		covered = r->end;
	}
	if (covered < end)
		return -EINVAL;
	int rc = charge_splits(as, start, end);
	if (rc < 0)
		return rc;
	split_at(as, start, &spares);
	split_at(as, end, &spares);
	prot &= MAP_WRITE | MAP_EXEC;
	for (struct vm_region *r = as->regions; r; r = r->next) {
		if (r->start < start || r->end > end)
			continue;
		r->prot = prot;
		for (uintptr_t va = r->start;
		     (va = arch_pt_next_table(as->root, va, r->end)) < r->end; va += PAGE_SIZE) {
			unsigned missing;
			uint64_t pa = arch_pt_probe(as->root, va, &missing);
			if (!pa)
				continue;
			/* A frame another space shares stays read-only: the
			 * first write copies it (unshare). */
			unsigned p = frame_refcount(pa) > 1 ? prot & ~MAP_WRITE : prot;
			arch_pt_protect(as->root, va, p | MAP_USER);
		}
	}
	return 0;
}

/* The region holding addr, or NULL. Caller holds the lock. */
static const struct vm_region *find_region(const struct address_space *as, uintptr_t addr)
{
	const struct vm_region *r = as->regions;

	spin_assert_held(&as->lock);
	while (r && r->end <= addr)
		r = r->next;
	return r && r->start <= addr ? r : NULL;
}

/* Charges a new user page and the tables its mapping needs. */
static int charge_page(struct address_space *as, unsigned tables)
{
	int rc = quota_charge(as->quota, QUOTA_UMEM, 1);
	if (rc == 0) {
		rc = quota_charge(as->quota, QUOTA_KMEM, tables * PAGE_SIZE);
		if (rc < 0)
			quota_uncharge(as->quota, QUOTA_UMEM, 1);
	}
	return rc;
}

/* Takes back charge_page's charge after the mapping at va failed. The
 * tables a failed map made stay until destroy, and stay charged; the
 * rest of the charge goes back. Caller holds the lock. */
static void uncharge_failed_map(struct address_space *as, uintptr_t va, unsigned tables)
{
	unsigned left;

	arch_pt_probe(as->root, va, &left);
	as->tables += tables - left;
	quota_uncharge(as->quota, QUOTA_KMEM, left * PAGE_SIZE);
	quota_uncharge(as->quota, QUOTA_UMEM, 1);
}

/* Before a write to the present page at va: gives it a frame of its own.
 * A frame another space still maps (as_clone) is copied into a new one;
 * one nobody else maps any more is only made writable again where the
 * region allows. Either way the page stays one resident page of this
 * space, so nothing is charged. 0 or -ENOMEM. Caller holds the lock. */
static int unshare(struct address_space *as, const struct vm_region *r, uintptr_t va,
		   uint64_t *pa)
{
	unsigned prot = r->prot | MAP_USER;

	spin_assert_held(&as->lock);
	/* A count of 1: only this space maps the frame, and only a clone of
	 * this space (which takes the lock we hold) could add a reference. */
	if (frame_refcount(*pa) == 1) {
		if ((prot & MAP_WRITE) && !arch_pt_user_writable(as->root, va))
			arch_pt_protect(as->root, va, prot);
		return 0;
	}
	uint64_t copy = frame_alloc(0, OWNER_USER, FRAME_USER_REQUEST);
	if (!copy)
		return -ENOMEM;
	memcpy(phys_to_virt(copy), phys_to_virt(*pa), PAGE_SIZE);
	arch_pt_unmap(as->root, va);	/* flushes the old entry if active */
	int rc = arch_pt_map(as->root, va, copy, prot);
	KASSERT(rc == 0);		/* its tables are there: nothing to allocate */
	frame_put(*pa);
	*pa = copy;
	return 0;
}

/* The frame behind the page at va in *pa, allocated (zeroed) if need be,
 * and this space's own (unshare) when `write`: 0, -EFAULT when va is in
 * no mappable region, -ENOMEM when memory ran out, -EDQUOT past the
 * tree's limits. Caller holds the lock. */
static int populate(struct address_space *as, uintptr_t va, bool write, uint64_t *pa)
{
	const struct vm_region *r = find_region(as, va);
	unsigned tables;

	spin_assert_held(&as->lock);
	if (!r || r->guard)
		return -EFAULT;
	*pa = arch_pt_probe(as->root, va, &tables);
	if (*pa)
		return write ? unshare(as, r, va, pa) : 0;
	int rc = charge_page(as, tables);
	if (rc < 0)
		return rc;
	*pa = frame_alloc(0, OWNER_USER, FRAME_ZERO | FRAME_USER_REQUEST);
	rc = *pa ? arch_pt_map(as->root, va, *pa, r->prot | MAP_USER) : -ENOMEM;
	if (rc < 0) {
		uncharge_failed_map(as, va, tables);
		if (*pa)
			frame_free(*pa, 0);
		return -ENOMEM;
	}
	as->tables += tables;
	as->resident++;
	return 0;
}

int as_fault(struct address_space *as, uintptr_t addr, bool write, bool exec)
{
	guard(spinlock)(&as->lock);
	const struct vm_region *r = find_region(as, addr);

	if (!r || r->guard)
		return -EFAULT;
	if ((write && !(r->prot & MAP_WRITE)) || (exec && !(r->prot & MAP_EXEC)))
		return -EFAULT;
	uint64_t pa;
	return populate(as, addr & ~(PAGE_SIZE - 1), write, &pa);
}

int as_prefault(struct address_space *as, uintptr_t start, size_t len)
{
	if (start >= USER_TOP || len > USER_TOP - start)
		return -EFAULT;
	uintptr_t page = start & ~(PAGE_SIZE - 1);
	/* Pages writable already (a shared one never is) need no lock: the
	 * tables live as long as the address space, and one that another
	 * thread unmaps meanwhile only makes the later copy fail as it would
	 * anyway. */
	while (page < start + len && arch_pt_user_writable(as->root, page))
		page += PAGE_SIZE;
	if (page >= start + len)
		return 0;
	guard(spinlock)(&as->lock);
	for (; page < start + len; page += PAGE_SIZE) {
		const struct vm_region *r = find_region(as, page);
		if (!r || !(r->prot & MAP_WRITE))
			return -EFAULT;
		uint64_t pa;
		int rc = populate(as, page, true, &pa);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int as_write(struct address_space *as, uintptr_t va, const void *src, size_t len)
{
	guard(spinlock)(&as->lock);

	if (va >= USER_TOP || len > USER_TOP - va)
		return -EFAULT;
	while (len) {
		uintptr_t page = va & ~(PAGE_SIZE - 1);
		size_t chunk = PAGE_SIZE - (va - page);
		if (chunk > len)
			chunk = len;
		const struct vm_region *r = find_region(as, page);
		if (!r || r->guard)
			return -EFAULT;
		uint64_t pa;
		int rc = populate(as, page, true, &pa);	/* never into a shared frame */
		if (rc < 0)
			return rc;
		char *dst = (char *)phys_to_virt(pa) + (va - page);
		if (src) {
			memcpy(dst, src, chunk);
			src = (const char *)src + chunk;
		} else {
			memset(dst, 0, chunk);
		}
		va += chunk;
		len -= chunk;
	}
	return 0;
}

/* Copies src's region list into the empty dst, charging dst a region
 * each. Caller holds both locks. */
static int clone_regions(struct address_space *dst, const struct address_space *src)
{
	struct vm_region **tail = &dst->regions;

	spin_assert_held(&src->lock);
	spin_assert_held(&dst->lock);
	for (const struct vm_region *r = src->regions; r; r = r->next) {
		struct vm_region *copy = kcache_alloc(region_cache);
		if (!copy)
			return -ENOMEM;
		int rc = charge_regions(dst, 1);
		if (rc < 0) {
			kcache_free(region_cache, copy);
			return rc;
		}
		*copy = *r;
		copy->next = NULL;
		*tail = copy;
		tail = &copy->next;
	}
	return 0;
}

/* Maps the frame pa, which another space maps, at va in dst with prot:
 * one reference more, and dst charged a resident page and its tables as
 * for a page of its own. Caller holds dst's lock. */
static int map_shared(struct address_space *dst, uintptr_t va, uint64_t pa, unsigned prot)
{
	unsigned tables;

	spin_assert_held(&dst->lock);
	arch_pt_probe(dst->root, va, &tables);
	int rc = charge_page(dst, tables);
	if (rc < 0)
		return rc;
	if (arch_pt_map(dst->root, va, pa, prot) < 0) {
		uncharge_failed_map(dst, va, tables);
		return -ENOMEM;
	}
	frame_get(pa);
	dst->tables += tables;
	dst->resident++;
	return 0;
}

/* Shares src's resident pages of the region r (dst's copy of it) with dst.
 * In a writable region both sides get the page read-only, src's after
 * dst's map succeeded (so a failure leaves this page of src as it was):
 * the first write on either side faults and unshares it. Caller holds
 * both locks. */
static int share_region(struct address_space *dst, struct address_space *src,
			const struct vm_region *r)
{
	unsigned prot = (r->prot & ~MAP_WRITE) | MAP_USER;

	spin_assert_held(&src->lock);
	for (uintptr_t va = r->start; (va = arch_pt_next_table(src->root, va, r->end)) < r->end;
	     va += PAGE_SIZE) {
		unsigned missing;
		uint64_t pa = arch_pt_probe(src->root, va, &missing);
		if (!pa)
			continue;
		int rc = map_shared(dst, va, pa, prot);
		if (rc < 0)
			return rc;
		/* Flushes src's writable TLB entry when src is the active
		 * space, as it is when a process forks itself. */
		if (r->prot & MAP_WRITE)
			arch_pt_protect(src->root, va, prot);
	}
	return 0;
}

int as_clone(struct address_space *src, struct quota *quota, struct address_space **out)
{
	struct address_space *dst __free(as_put) = NULL;
	int rc = as_create(quota, &dst);

	if (rc < 0)
		return rc;
	{
		guard(spinlock)(&src->lock);
		/* Nobody else knows dst yet; its lock is for the helpers'
		 * assertions (same class as src's, so no order to keep). */
		guard(spinlock)(&dst->lock);
		rc = clone_regions(dst, src);
		for (const struct vm_region *r = dst->regions; rc == 0 && r; r = r->next)
			if (!r->guard)
				rc = share_region(dst, src, r);
	}
	if (rc < 0)
		return rc;	/* dst's destroy gives back all it took */
	*out = take_ptr(dst);
	return 0;
}

uintptr_t as_find_free(struct address_space *as, size_t len, uintptr_t lo, uintptr_t hi)
{
	guard(spinlock)(&as->lock);
	uintptr_t at = lo;

	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (const struct vm_region *r = as->regions; r; r = r->next) {
		if (r->end <= at)
			continue;
		if (r->start >= at && r->start - at >= len)
			break;
		at = r->end;
	}
	return at < hi && len && len <= hi - at ? at : 0;
}

bool as_is_guard(struct address_space *as, uintptr_t addr)
{
	guard(spinlock)(&as->lock);

	const struct vm_region *r = find_region(as, addr);

	return r && r->guard;
}

void as_activate(struct address_space *as)
{
	current_as = as;
	arch_pt_activate(as ? as->root : arch_kernel_root());
}

struct address_space *as_current(void)
{
	return current_as;
}
