/* Self-test of copy-on-write clones (as_clone): both sides read what the
 * source held, a write on either side copies only that side's page, the
 * kernel's own writes (copy_to_user, user_prefault_write, as_write) never
 * land in a shared frame, every charge is exact, and a clone that fails
 * at any point takes nothing and leaves the source working. */
#include "arch/arch.h"
#include "core/cleanup.h"
#include "core/selftest.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/frame.h"
#include "mm/quota.h"
#include "mm/snapshot.h"
#include "mm/usercopy.h"
#include "mm/vm.h"

#define BASE	0x400000ul
#define PAGES	8			/* the writable region */
#define TOUCHED	4			/* of them, written before the clone */
#define GUARD	(BASE + 8 * PAGE_SIZE)	/* one guard page */
#define RODATA	(BASE + 16 * PAGE_SIZE)	/* two read-only pages */
#define MAX_N	200			/* more allocations than a clone here makes */

static uint8_t page_buf[PAGE_SIZE];	/* the self-test's */

static uintptr_t page_va(unsigned i)
{
	return BASE + i * PAGE_SIZE;
}

static uint64_t frame_at(const struct address_space *as, uintptr_t va)
{
	unsigned missing;

	return arch_pt_probe(as->root, va, &missing);
}

/* Writes a page of `byte` at va through the user gate, as the CPU sees
 * the active space `as`: a write fault on a shared page unshares it. */
static bool write_page(struct address_space *as, uintptr_t va, uint8_t byte)
{
	as_activate(as);
	memset(page_buf, byte, PAGE_SIZE);
	return copy_to_user(user_ptr(va), page_buf, PAGE_SIZE) == 0;
}

/* True when the page at va reads as `byte` in as, every byte of it. */
static bool page_reads(struct address_space *as, uintptr_t va, uint8_t byte)
{
	as_activate(as);
	if (copy_from_user(page_buf, user_ptr(va), PAGE_SIZE) < 0)
		return false;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (page_buf[i] != byte)
			return false;
	return true;
}

static uint8_t pattern(unsigned i)
{
	return (uint8_t)(0x10 + i);
}

/* The source: writable pages 0..TOUCHED-1 written with pattern(i) through
 * the gate, a guard page, and read-only data written the loader's way,
 * its second page only read (a zero page, resident). */
static struct address_space *make_source(struct quota *quota)
{
	struct address_space *as __free(as_put) = NULL;
	static const char data[] = "read-only data";

	if (as_create(quota, &as) < 0 || as_map_anon(as, BASE, PAGES * PAGE_SIZE, MAP_WRITE) < 0 ||
	    as_map_guard(as, GUARD, PAGE_SIZE) < 0 ||
	    as_map_anon(as, RODATA, 2 * PAGE_SIZE, MAP_READ) < 0 ||
	    as_write(as, RODATA, data, sizeof(data)) < 0)
		return NULL;
	bool ok = page_reads(as, RODATA + PAGE_SIZE, 0);
	for (unsigned i = 0; ok && i < TOUCHED; i++)
		ok = write_page(as, page_va(i), pattern(i));
	as_activate(NULL);	/* never destroy the active space */
	return ok ? take_ptr(as) : NULL;
}

/* Every resident page of as is mapped by as alone. */
static bool frames_unshared(const struct address_space *as)
{
	for (uintptr_t va = BASE; va < RODATA + 2 * PAGE_SIZE; va += PAGE_SIZE) {
		uint64_t pa = frame_at(as, va);
		if (pa && frame_refcount(pa) != 1)
			return false;
	}
	return true;
}

static bool quota_unused(struct quota *q)
{
	struct quota_info qi;

	quota_read(q, &qi);
	for (unsigned k = 0; k < QUOTA_KINDS; k++)
		if (qi.used[k])
			return false;
	return true;
}

static bool rodata_intact(struct address_space *as)
{
	char text[16];

	as_activate(as);
	bool ok = copy_from_user(text, user_ptr(RODATA), sizeof(text)) == 0 &&
		  strcmp(text, "read-only data") == 0;
	as_activate(NULL);
	return ok;
}

/* The source reads as make_source left it. */
static bool source_intact(struct address_space *src)
{
	for (unsigned i = 0; i < TOUCHED; i++)
		if (!page_reads(src, page_va(i), pattern(i)))
			return false;
	return rodata_intact(src);
}

/* Checks that look at the tables only: the source stays the active space. */
static void check_shared(struct address_space *src, struct address_space *dst,
			 struct quota *quota, const struct quota_info *src_before)
{
	struct quota_info qi;

	selftest_case("a clone maps the source's frames, read-only where writable");
	SELFTEST_CHECK(dst->resident == src->resident && dst->resident == TOUCHED + 2);
	SELFTEST_CHECK(dst->region_count == src->region_count && dst->region_count == 3);
	SELFTEST_CHECK(as_is_guard(dst, GUARD));
	for (uintptr_t va = BASE; va < RODATA + 2 * PAGE_SIZE; va += PAGE_SIZE) {
		uint64_t pa = frame_at(src, va);
		SELFTEST_CHECK(frame_at(dst, va) == pa);
		SELFTEST_CHECK(!pa || frame_refcount(pa) == 2);
		SELFTEST_CHECK(!arch_pt_user_writable(src->root, va));
		SELFTEST_CHECK(!arch_pt_user_writable(dst->root, va));
	}

	selftest_case("the clone is charged its own pages, regions and tables");
	quota_read(quota, &qi);
	SELFTEST_CHECK(qi.used[QUOTA_UMEM] == dst->resident);
	SELFTEST_CHECK(qi.used[QUOTA_MAPPINGS] == dst->region_count);
	SELFTEST_CHECK(qi.used[QUOTA_KMEM] == dst->region_count * sizeof(struct vm_region) +
						      (dst->tables + 1) * PAGE_SIZE);
	quota_read(src->quota, &qi);
	SELFTEST_CHECK(memcmp(qi.used, src_before->used, sizeof(qi.used)) == 0);
}

static void check_copies(struct address_space *src, struct address_space *dst,
			 struct quota *quota)
{
	struct quota_info qi;

	/* The source is still the active space, and the TLB held page 1
	 * writable before the clone: unless the clone flushed it, this
	 * write would go into the shared frame without a fault. */
	selftest_case("a write in the running source copies; the clone keeps its bytes");
	SELFTEST_CHECK(as_current() == src);
	uint64_t old = frame_at(dst, page_va(1));
	SELFTEST_CHECK(write_page(src, page_va(1), 0x5c));
	SELFTEST_CHECK(frame_at(src, page_va(1)) != old && frame_at(dst, page_va(1)) == old);
	SELFTEST_CHECK(page_reads(dst, page_va(1), pattern(1)));
	SELFTEST_CHECK(page_reads(src, page_va(1), 0x5c));

	selftest_case("both sides read what the source held");
	for (unsigned i = 0; i < TOUCHED; i++) {
		SELFTEST_CHECK(page_reads(dst, page_va(i), pattern(i)));
		SELFTEST_CHECK(i == 1 || page_reads(src, page_va(i), pattern(i)));
	}
	SELFTEST_CHECK(rodata_intact(src) && rodata_intact(dst));
	SELFTEST_CHECK(page_reads(dst, page_va(TOUCHED), 0));	/* untouched: demand-zero */
	SELFTEST_CHECK(dst->resident == TOUCHED + 3 && src->resident == TOUCHED + 2);

	selftest_case("a write in the clone copies; the source keeps its bytes");
	old = frame_at(src, page_va(0));
	SELFTEST_CHECK(write_page(dst, page_va(0), 0xc0));
	SELFTEST_CHECK(frame_at(dst, page_va(0)) != old && frame_at(src, page_va(0)) == old);
	SELFTEST_CHECK(frame_refcount(old) == 1);
	SELFTEST_CHECK(arch_pt_user_writable(dst->root, page_va(0)));
	SELFTEST_CHECK(page_reads(dst, page_va(0), 0xc0));
	SELFTEST_CHECK(page_reads(src, page_va(0), pattern(0)));
	quota_read(quota, &qi);
	SELFTEST_CHECK(qi.used[QUOTA_UMEM] == dst->resident);	/* still one page */

	selftest_case("a page nobody else maps any more is made writable, not copied");
	old = frame_at(src, page_va(0));	/* the clone has its copy */
	SELFTEST_CHECK(write_page(src, page_va(0), 0x77));
	SELFTEST_CHECK(frame_at(src, page_va(0)) == old && frame_refcount(old) == 1);
	SELFTEST_CHECK(arch_pt_user_writable(src->root, page_va(0)));
	SELFTEST_CHECK(page_reads(dst, page_va(0), 0xc0));
}

static void check_kernel_writes(struct address_space *src, struct address_space *dst)
{
	selftest_case("prefaulting for a kernel write gives the clone its copy first");
	uint64_t old = frame_at(src, page_va(2));
	as_activate(dst);
	SELFTEST_CHECK(user_prefault_write(user_ptr(page_va(2) + 100), 8) == 0);
	as_activate(NULL);
	SELFTEST_CHECK(frame_at(dst, page_va(2)) != old && frame_refcount(old) == 1);
	SELFTEST_CHECK(arch_pt_user_writable(dst->root, page_va(2)));
	SELFTEST_CHECK(page_reads(dst, page_va(2), pattern(2)));

	selftest_case("as_write and as_protect never write into a shared read-only page");
	old = frame_at(src, RODATA);
	SELFTEST_CHECK(as_write(dst, RODATA, "clone", 6) == 0);
	SELFTEST_CHECK(frame_at(dst, RODATA) != old && frame_refcount(old) == 1);
	SELFTEST_CHECK(rodata_intact(src) && !rodata_intact(dst));
	old = frame_at(src, RODATA + PAGE_SIZE);
	SELFTEST_CHECK(as_protect(src, RODATA, 2 * PAGE_SIZE, MAP_WRITE) == 0);
	SELFTEST_CHECK(arch_pt_user_writable(src->root, RODATA));	/* its own frame */
	SELFTEST_CHECK(!arch_pt_user_writable(src->root, RODATA + PAGE_SIZE));
	SELFTEST_CHECK(write_page(src, RODATA + PAGE_SIZE, 0xee));
	SELFTEST_CHECK(frame_at(src, RODATA + PAGE_SIZE) != old);
	SELFTEST_CHECK(page_reads(dst, RODATA + PAGE_SIZE, 0));
}

static void check_release(struct address_space *src, struct address_space *dst,
			  struct quota *quota)
{
	struct quota_info qi;

	selftest_case("discard and unmap in the clone drop its references");
	uint64_t old = frame_at(src, page_va(3));
	SELFTEST_CHECK(frame_refcount(old) == 2);
	uint64_t resident = dst->resident;
	SELFTEST_CHECK(as_discard(dst, page_va(3), PAGE_SIZE) == 0);
	SELFTEST_CHECK(frame_refcount(old) == 1 && dst->resident == resident - 1);
	SELFTEST_CHECK(page_reads(dst, page_va(3), 0));
	SELFTEST_CHECK(page_reads(src, page_va(3), pattern(3)));
	SELFTEST_CHECK(as_unmap(dst, BASE, PAGES * PAGE_SIZE) == 0);
	quota_read(quota, &qi);
	SELFTEST_CHECK(qi.used[QUOTA_UMEM] == dst->resident && dst->resident == 2);
	SELFTEST_CHECK(frames_unshared(src));
}

static void test_clone_shares_and_copies(void)
{
	struct mm_snapshot start;
	uint64_t nodes = quota_count();

	mm_snapshot_take(&start);
	struct quota *src_quota = quota_create(NULL, 0, NULL);
	struct quota *quota = quota_create(NULL, 0, NULL);
	struct address_space *src = src_quota ? make_source(src_quota) : NULL;
	struct address_space *dst = NULL;
	SELFTEST_CHECK(quota && src);
	if (quota && src) {
		struct quota_info src_before;
		quota_read(src_quota, &src_before);
		/* As in fork: the source is the running space, and its TLB
		 * holds page 1 writable. */
		SELFTEST_CHECK(write_page(src, page_va(1), pattern(1)));
		SELFTEST_CHECK(as_clone(src, quota, &dst) == 0);
		if (dst) {
			check_shared(src, dst, quota, &src_before);
			check_copies(src, dst, quota);
			check_kernel_writes(src, dst);
			check_release(src, dst, quota);
		}
	}

	selftest_case("destroying both gives back every frame and charge");
	as_activate(NULL);
	as_put(dst);
	SELFTEST_CHECK(!src || frames_unshared(src));
	SELFTEST_CHECK(!quota || quota_unused(quota));
	as_put(src);
	SELFTEST_CHECK(!src_quota || quota_unused(src_quota));
	quota_put(quota);
	quota_put(src_quota);
	SELFTEST_CHECK(quota_count() == nodes);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}

/* A clone that fails leaves nothing taken and a source that works: its
 * pages read as before and take writes again. */
static bool failed_cleanly(struct address_space *src, struct quota *quota,
			   const struct mm_snapshot *before)
{
	bool ok = quota_unused(quota) && frames_unshared(src) && source_intact(src) &&
		  mm_snapshot_same(before);
	for (unsigned i = 0; ok && i < TOUCHED; i++)
		ok = write_page(src, page_va(i), pattern(i)) &&
		     arch_pt_user_writable(src->root, page_va(i));
	as_activate(NULL);
	return ok;
}

/* Clones src with the nth allocation under as_clone failing, until one
 * makes no allocation fail: how many were tried (MAX_N + 1 when even
 * that many failed), with the clone that succeeded in *out. */
static unsigned sweep_allocations(struct address_space *src, struct quota *quota,
				  struct address_space **out)
{
	for (unsigned n = 1; n <= MAX_N; n++) {
		struct failinject_plan plan = { .kinds = FAILINJECT_ANY, .nth = n, .times = 1 };
		struct failinject_counts counts;
		struct mm_snapshot before;

		strlcpy(plan.site, "as_clone", sizeof(plan.site));
		mm_snapshot_take(&before);
		failinject_arm(&plan);
		as_activate(src);
		int rc = as_clone(src, quota, out);
		as_activate(NULL);
		failinject_disarm(&counts);
		if (!counts.injected) {
			SELFTEST_CHECK(rc == 0);
			return n;
		}
		SELFTEST_CHECK(rc == -ENOMEM);
		SELFTEST_CHECK(failed_cleanly(src, quota, &before));
	}
	return MAX_N + 1;
}

static void test_clone_failures(void)
{
	struct mm_snapshot start, before;
	uint64_t nodes = quota_count();
	struct address_space *dst = NULL;

	mm_snapshot_take(&start);
	/* Room for two of the clone's pages, not for all of them. */
	const struct panda_limits small = { .user_memory = 2 * PAGE_SIZE };
	struct quota *tight = quota_create(NULL, 0, &small);
	struct quota *quota = quota_create(NULL, 0, NULL);
	struct address_space *src = make_source(NULL);
	SELFTEST_CHECK(tight && quota && src);
	if (tight && quota && src) {
		selftest_case("a clone past its tree's limit fails midway and takes nothing");
		mm_snapshot_take(&before);
		as_activate(src);
		SELFTEST_CHECK(as_clone(src, tight, &dst) == -EDQUOT && !dst);
		as_activate(NULL);
		SELFTEST_CHECK(failed_cleanly(src, tight, &before));

		selftest_case("a clone that fails at any allocation takes nothing");
		unsigned tried = sweep_allocations(src, quota, &dst);
		/* Each failed once: the space, its root, three regions, the
		 * three tables the pages need (and slab pages, if any). */
		SELFTEST_CHECK(tried > 8 && tried <= MAX_N);
		SELFTEST_CHECK(dst && source_intact(dst));
	}
	as_put(dst);
	as_put(src);
	SELFTEST_CHECK(!quota || quota_unused(quota));
	quota_put(quota);
	quota_put(tight);
	SELFTEST_CHECK(quota_count() == nodes);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}

static void test_cow(void)
{
	test_clone_shares_and_copies();
	test_clone_failures();
}
SELFTEST(cow, test_cow);
