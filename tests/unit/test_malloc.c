/* libpanda's allocator (user/lib/malloc.c) on host memory: alignment and
 * disjointness of many live blocks through random frees and reallocs,
 * realloc and calloc semantics, memory given back (100,000 random cycles
 * end within the documented cache, large blocks unmapped at once), map
 * failures that leave everything as it was, and bad frees reported and
 * ignored. The page source is mmap with a count of mapped bytes and a way
 * to make maps fail. Every case ends with nothing allocated and, after
 * panda_malloc_trim, nothing mapped. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "user/lib/malloc.h"
#include "unit.h"

/* --- the host page source --- */

static size_t mapped, peak_mapped, maps, unmaps;
static bool fail_all;		/* every map fails */
static long fail_nth = -1;	/* the map after this many more fails; -1: none */
static size_t reports;
static const void *last_report;

static void *host_map(size_t len)
{
	if (len == 0 || len % MALLOC_PAGE_SIZE)
		abort();
	if (fail_all)
		return NULL;
	if (fail_nth == 0) {
		fail_nth = -1;
		return NULL;
	}
	if (fail_nth > 0)
		fail_nth--;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	mapped += len;
	if (mapped > peak_mapped)
		peak_mapped = mapped;
	maps++;
	return p;
}

static void host_unmap(void *p, size_t len)
{
	if ((uintptr_t)p % MALLOC_PAGE_SIZE || len == 0 || len % MALLOC_PAGE_SIZE ||
	    len > mapped || munmap(p, len) != 0)
		abort();
	mapped -= len;
	unmaps++;
}

static void host_report(const char *message, const void *p)
{
	if (strcmp(message, "malloc: free of a pointer it did not return") != 0 &&
	    strcmp(message, "malloc: realloc of a pointer it did not return") != 0)
		abort();
	reports++;
	last_report = p;
}

static const struct malloc_env host_env = { host_map, host_unmap, host_report };

__attribute__((constructor)) static void use_host_env(void)
{
	panda_malloc_set_env(&host_env);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random size: mostly small, some medium, a few large. */
static size_t random_size(void)
{
	uint64_t r = rnd() % 1000;

	if (r < 700)
		return rnd() % 257;
	if (r < 950)
		return 257 + rnd() % (8192 - 257);
	if (r < 995)
		return 8192 + rnd() % (MALLOC_SMALL_MAX - 8192 + 1);
	return MALLOC_SMALL_MAX + 1 + rnd() % (300 * 1024);
}

static uint8_t pattern(size_t slot, size_t i)
{
	return (uint8_t)(slot * 131 + i * 7 + 1);
}

static void fill(uint8_t *p, size_t n, size_t slot)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(slot, i);
}

static bool intact(const uint8_t *p, size_t n, size_t slot)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(slot, i))
			return false;
	return true;
}

/* Nothing mapped once the cache is trimmed; call with nothing allocated. */
static bool all_returned(void)
{
	struct malloc_stats st;

	panda_malloc_trim();
	panda_malloc_stats(&st);
	return mapped == 0 && st.mapped_bytes == 0 && st.spans == 0 &&
	       st.large_blocks == 0 && st.spare_bytes == 0;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

#define SLOTS 1500

static uint8_t *ptrs[SLOTS];
static size_t sizes[SLOTS];

TEST(test_random_blocks_are_aligned_disjoint_and_keep_their_contents)
{
	static uintptr_t ranges[SLOTS][2];

	for (int op = 0; op < 40000; op++) {
		size_t k = rnd() % SLOTS;
		uint64_t what = rnd() % 3;

		if (ptrs[k] && !intact(ptrs[k], sizes[k], k))
			UNIT_FAIL("op %d: block %zu (%zu bytes) was overwritten", op, k, sizes[k]);
		if (!ptrs[k] || what == 0) {
			size_t n = random_size();
			uint8_t *p = ptrs[k] ? panda_realloc(ptrs[k], n) : panda_malloc(n);

			if (!p && n == 0 && ptrs[k]) {	/* realloc(p, 0) freed it */
				ptrs[k] = NULL;
				continue;
			}
			CHECK(p != NULL);
			CHECK_EQ((uintptr_t)p % MALLOC_ALIGN, 0);
			CHECK(panda_malloc_usable_size(p) >= n);
			if (ptrs[k] && !intact(p, n < sizes[k] ? n : sizes[k], k))
				UNIT_FAIL("op %d: realloc lost contents", op);
			ptrs[k] = p;
			sizes[k] = n;
			fill(p, n, k);
		} else {
			panda_free(ptrs[k]);
			ptrs[k] = NULL;
		}
	}
	size_t live = 0;
	for (size_t k = 0; k < SLOTS; k++) {
		if (!ptrs[k])
			continue;
		if (!intact(ptrs[k], sizes[k], k))
			UNIT_FAIL("block %zu was overwritten", k);
		ranges[live][0] = (uintptr_t)ptrs[k];
		ranges[live][1] = (uintptr_t)ptrs[k] + (sizes[k] ? sizes[k] : 1);
		live++;
	}
	qsort(ranges, live, sizeof(ranges[0]), by_address);
	for (size_t i = 1; i < live; i++)
		if (ranges[i - 1][1] > ranges[i][0])
			UNIT_FAIL("blocks at %#lx and %#lx overlap", (unsigned long)ranges[i - 1][0],
				  (unsigned long)ranges[i][0]);
	for (size_t k = 0; k < SLOTS; k++) {
		panda_free(ptrs[k]);
		ptrs[k] = NULL;
	}
	CHECK_EQ(reports, 0);
	CHECK(all_returned());
}

TEST(test_every_size_is_aligned_and_usable)
{
	static void *blocks[(MALLOC_SMALL_MAX + 5000) / 61 + 1];
	size_t count = 0;

	for (size_t n = 0; n <= MALLOC_SMALL_MAX + 5000; n += 61) {
		uint8_t *p = panda_malloc(n);

		CHECK(p != NULL);
		CHECK_EQ((uintptr_t)p % MALLOC_ALIGN, 0);
		CHECK(panda_malloc_usable_size(p) >= n);
		if (n) {
			p[0] = 1;
			p[n - 1] = 2;
		}
		blocks[count++] = p;
	}
	for (size_t i = 0; i < count; i++)
		panda_free(blocks[i]);
	CHECK(all_returned());
}

TEST(test_malloc_zero_gives_unique_pointers_and_free_null_does_nothing)
{
	void *a = panda_malloc(0), *b = panda_malloc(0);

	CHECK(a && b && a != b);
	CHECK_EQ(panda_malloc_usable_size(a), 16);
	panda_free(NULL);
	panda_free(a);
	panda_free(b);
	CHECK_EQ(reports, 0);
	CHECK(all_returned());
}

TEST(test_realloc_grows_and_shrinks_keeping_contents)
{
	uint8_t *p = panda_realloc(NULL, 40);	/* realloc(NULL, n) is malloc */

	CHECK(p != NULL);
	fill(p, 40, 1);
	/* Within the block and more than half of it: same place. */
	CHECK(panda_realloc(p, 33) == p);
	CHECK(intact(p, 33, 1));
	fill(p, 33, 1);
	size_t n = 33;
	/* Small to small to large to larger, and back down. */
	static const size_t steps[] = { 100, 1000, 20000, 65536, 65537, 200000,
					1000000, 300000, 70000, 5000, 17, 1 };
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t m = steps[i];
		uint8_t *q = panda_realloc(p, m);

		CHECK(q != NULL);
		CHECK_EQ((uintptr_t)q % MALLOC_ALIGN, 0);
		CHECK(intact(q, m < n ? m : n, 1));
		fill(q, m, 1);
		p = q;
		n = m;
	}
	/* A large block shrinks in place and gives its tail back. */
	uint8_t *big = panda_malloc(1 << 20);
	CHECK(big != NULL);
	fill(big, 1 << 20, 2);
	size_t before = mapped;
	CHECK(panda_realloc(big, 256 * 1024) == big);
	CHECK(intact(big, 256 * 1024, 2));
	CHECK(mapped <= before - 768 * 1024);
	panda_free(big);
	/* realloc(p, 0) frees p and returns NULL. */
	CHECK(panda_realloc(p, 0) == NULL);
	CHECK_EQ(reports, 0);
	CHECK(all_returned());
}

TEST(test_calloc_zeroes_and_refuses_overflow)
{
	for (size_t n = 1; n <= 100000; n = n * 3 + 1) {
		uint8_t *p = panda_malloc(n);

		CHECK(p != NULL);
		memset(p, 0xa5, n);
		panda_free(p);
		uint8_t *z = panda_calloc(n, 1);	/* often the same block again */
		CHECK(z != NULL);
		for (size_t i = 0; i < n; i++)
			if (z[i])
				UNIT_FAIL("calloc(%zu, 1)[%zu] = %#x", n, i, z[i]);
		panda_free(z);
	}
	uint8_t *q = panda_calloc(1000, 40);
	CHECK(q != NULL);
	for (size_t i = 0; i < 40000; i++)
		CHECK_EQ(q[i], 0);
	panda_free(q);
	/* Through a volatile, so the compiler does not refuse the calls. */
	static volatile size_t huge = SIZE_MAX;
	size_t maps_before = maps;
	CHECK(panda_calloc(huge / 2, 3) == NULL);
	CHECK(panda_calloc(huge / ((size_t)1 << 31), (size_t)1 << 33) == NULL);
	CHECK(panda_calloc(huge, huge) == NULL);
	CHECK(panda_malloc(huge) == NULL);
	CHECK(panda_malloc(huge - 8) == NULL);
	CHECK_EQ(maps, maps_before);	/* refused before asking for memory */
	void *e = panda_calloc(0, 100);
	CHECK(e != NULL);
	panda_free(e);
	CHECK(all_returned());
}

/* 100,000 random mallocs and as many frees, in waves: the live set grows
 * to thousands of blocks and drains to nothing, again and again. Whenever it
 * is empty the allocator maps only its cache of empty spans (at most
 * MALLOC_SPARE_MAX bytes, at most one span per class), and the most it
 * ever maps does not grow from wave to wave. */
TEST(test_random_cycles_return_memory_to_baseline)
{
	enum { WAVES = 10, CYCLES = 100000, MAX_LIVE = 3000 };
	static uint8_t *live[MAX_LIVE];
	static size_t live_size[MAX_LIVE];
	size_t count = 0, first_wave_peak = 0, allocs = 0;

	for (int wave = 0; wave < WAVES || allocs < CYCLES; wave++) {
		peak_mapped = mapped;
		for (int i = 0; i < CYCLES / WAVES; i++) {
			/* Mostly allocate in the first half of a wave. */
			bool alloc = count == 0 || (count < MAX_LIVE && rnd() % 3 != 0);

			if (alloc) {
				size_t n = random_size();

				live[count] = panda_malloc(n);
				CHECK(live[count] != NULL);
				live_size[count] = n;
				fill(live[count], n < 64 ? n : 64, count);
				count++;
				allocs++;
			} else {
				size_t k = rnd() % count;

				CHECK(intact(live[k], live_size[k] < 64 ? live_size[k] : 64, k));
				panda_free(live[k]);
				count--;
				live[k] = live[count];
				live_size[k] = live_size[count];
				if (k < count)
					fill(live[k], live_size[k] < 64 ? live_size[k] : 64, k);
			}
		}
		for (int i = 0; i < CYCLES / WAVES; i++) {
			/* Then mostly free. */
			if (count && (rnd() % 4 != 0 || count == MAX_LIVE)) {
				size_t k = rnd() % count;

				panda_free(live[k]);
				live[k] = live[--count];
				live_size[k] = live_size[count];
			} else {
				size_t n = rnd() % 2000;

				live[count] = panda_malloc(n);
				CHECK(live[count] != NULL);
				live_size[count++] = n;
				allocs++;
			}
		}
		while (count)
			panda_free(live[--count]);

		struct malloc_stats st;
		panda_malloc_stats(&st);
		CHECK_EQ(st.large_blocks, 0);
		CHECK(st.spare_bytes <= MALLOC_SPARE_MAX);
		CHECK_EQ(mapped, st.spare_bytes);	/* no table, no large block, no full span */
		CHECK_EQ(st.mapped_bytes, mapped);
		CHECK(st.spans <= 48);		/* one per class at most */
		if (wave == 0)
			first_wave_peak = peak_mapped;
		else
			CHECK(peak_mapped <= first_wave_peak * 2);
	}
	CHECK_EQ(reports, 0);
	CHECK(all_returned());
}

TEST(test_empty_spans_are_unmapped_but_one_per_class_is_kept)
{
	static void *blocks[20000];

	for (int i = 0; i < 20000; i++)
		CHECK((blocks[i] = panda_malloc(64)) != NULL);
	struct malloc_stats st;
	panda_malloc_stats(&st);
	CHECK(st.spans >= 20);		/* 64-byte blocks, 1022 to a 64 KiB span */
	for (int i = 0; i < 20000; i++)
		panda_free(blocks[i]);
	panda_malloc_stats(&st);
	CHECK_EQ(st.spans, 1);
	CHECK_EQ(st.spare_bytes, 64 * 1024);
	CHECK_EQ(mapped, 64 * 1024);
	/* The kept span serves the next block without a map. */
	size_t maps_before = maps;
	void *p = panda_malloc(60);
	CHECK(p != NULL);
	CHECK_EQ(maps, maps_before);
	panda_free(p);
	CHECK(all_returned());
}

TEST(test_large_blocks_are_unmapped_on_free)
{
	size_t before = mapped, unmaps_before = unmaps;
	uint8_t *p = panda_malloc(MALLOC_SMALL_MAX + 1);

	CHECK(p != NULL);
	CHECK(mapped >= before + MALLOC_SMALL_MAX + 1);
	memset(p, 1, MALLOC_SMALL_MAX + 1);
	panda_free(p);
	CHECK_EQ(mapped, before);
	CHECK_EQ(unmaps, unmaps_before + 1);
	uint8_t *q = panda_malloc(5 << 20);
	CHECK(q != NULL);
	q[(5 << 20) - 1] = 1;
	panda_free(q);
	CHECK_EQ(mapped, before);
	CHECK(all_returned());
}

/* Everything the allocator has mapped, by its own count and the source's. */
static bool books_agree(void)
{
	struct malloc_stats st;

	panda_malloc_stats(&st);
	return st.mapped_bytes == mapped;
}

/* A request in the map-failure round: mostly small, some in 128 KiB
 * spans, some large, every eleventh a realloc of the newest block. */
static size_t round_size(size_t i)
{
	return i % 50 == 49 ? 70000 + i : i % 7 == 6 ? 9000 + i : i % 300;
}

/* Allocates 4000 blocks with the k-th map failing (k < 0: none); checks
 * that a failed request changed nothing and every block kept its bytes,
 * then frees them all. The number of maps, or -1 after a failed check. */
static long failure_round(long k)
{
	static uint8_t *blocks[4000];
	static size_t block_size[4000];
	size_t count = 0, failures = 0, maps_before = maps;
	bool good = true;

	fail_nth = k;
	for (size_t i = 0; i < 4000 && good; i++) {
		size_t n = round_size(i) + (i % 11 == 10), mapped_before = mapped;
		bool re = i % 11 == 10 && count;	/* never realloc(p, 0) */
		uint8_t *p = re ? panda_realloc(blocks[count - 1], n) : panda_malloc(n);

		if (!p) {
			failures++;
			good = mapped == mapped_before && books_agree();
			continue;
		}
		if (re)
			count--;
		blocks[count] = p;
		block_size[count] = n;
		fill(p, n < 256 ? n : 256, count);
		count++;
	}
	fail_nth = -1;
	for (size_t i = 0; i < count; i++) {
		good &= intact(blocks[i], block_size[i] < 256 ? block_size[i] : 256, i);
		panda_free(blocks[i]);
	}
	good &= failures <= 1 && (k >= 0 || failures == 0) && books_agree() && all_returned();
	return good ? (long)(maps - maps_before) : -1;
}

TEST(test_map_failure_returns_null_and_changes_nothing)
{
	/* Fail each map of a round in turn: spans (first try and aligned
	 * retry), large blocks, the span table's growth. */
	long round_maps = failure_round(-1);

	CHECK(round_maps > 100);
	for (long k = 0; k <= round_maps; k++)
		if (failure_round(k) < 0)
			UNIT_FAIL("a round with map %ld failing went wrong", k);

	/* With no memory at all, every kind of request fails cleanly... */
	uint8_t *keep = panda_malloc(100);
	CHECK(keep != NULL);
	fill(keep, 100, 9);
	panda_malloc_trim();
	size_t base = mapped;
	fail_all = true;
	CHECK(panda_malloc(2000) == NULL);		/* a class with no span */
	CHECK(panda_malloc(1 << 20) == NULL);		/* large */
	CHECK(panda_calloc(1000, 1000) == NULL);
	CHECK(panda_realloc(keep, 1 << 20) == NULL);	/* and keep is still there */
	CHECK(panda_realloc(keep, 5000) == NULL);
	CHECK(intact(keep, 100, 9));
	/* ...but a class that has a span with room still works. */
	void *more = panda_malloc(100);
	fail_all = false;
	CHECK(more != NULL);
	CHECK_EQ(mapped, base);
	CHECK(books_agree());
	panda_free(more);
	panda_free(keep);
	CHECK_EQ(reports, 0);
	CHECK(all_returned());
}

TEST(test_bad_frees_are_reported_and_ignored)
{
	static char static_thing[64];
	char stack_thing[64];
	uint8_t *small = panda_malloc(64), *other = panda_malloc(64);
	uint8_t *medium = panda_malloc(3000);
	uint8_t *large = panda_malloc(200000);
	void *libc = malloc(32);
	size_t bad = reports;

	CHECK(small && other && medium && large && libc);
	fill(small, 64, 1);
	fill(other, 64, 2);
	fill(medium, 3000, 3);
	fill(large, 200000, 4);
	const void *wrong[] = {
		static_thing, stack_thing, libc, (void *)(uintptr_t)0x1000,
		small + 16, small + 1, other + 8, medium + 64, medium + 1500,
		large + 16, large - 16, large + 65536,
		(void *)((uintptr_t)small & ~(uintptr_t)0xffff),	/* the span header */
		(void *)((uintptr_t)small + 64 * 600),	/* a block of small's span never handed out */
		(void *)(((uintptr_t)small | 0xffff) - 15),	/* past its last block */
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		panda_free((void *)wrong[i]);
		CHECK_EQ(reports, bad + i + 1);
		CHECK(last_report == wrong[i]);
		CHECK_EQ(panda_malloc_usable_size(wrong[i]), 0);
	}
	bad = reports;
	CHECK(panda_realloc(small + 16, 100) == NULL);
	CHECK_EQ(reports, bad + 1);
	CHECK(intact(small, 64, 1) && intact(other, 64, 2));
	CHECK(intact(medium, 3000, 3) && intact(large, 200000, 4));

	/* Double frees: a small block, found on its span's free list, and a
	 * large one, which the first free unmapped. */
	struct malloc_stats st;
	panda_free(small);
	panda_malloc_stats(&st);
	size_t spans = st.spans;
	panda_free(small);
	CHECK_EQ(reports, bad + 2);
	panda_free(large);
	panda_free(large);
	CHECK_EQ(reports, bad + 3);
	panda_malloc_stats(&st);
	CHECK_EQ(st.bad_frees, reports);
	CHECK_EQ(st.spans, spans);
	/* The free list survived: two new blocks are distinct and usable. */
	uint8_t *a = panda_malloc(64), *b = panda_malloc(64);
	CHECK(a && b && a != b && a != other && b != other);
	fill(a, 64, 5);
	fill(b, 64, 6);
	CHECK(intact(other, 64, 2) && intact(a, 64, 5));
	/* Live data that happens to look like a free block's tag is no double free. */
	uint64_t tag;
	panda_free(a);
	memcpy(&tag, a + 8, sizeof(tag));
	a = panda_malloc(64);
	memcpy(a + 8, &tag, sizeof(tag));
	panda_free(a);
	CHECK_EQ(reports, bad + 3);
	panda_free(b);
	panda_free(other);
	panda_free(medium);
	free(libc);
	CHECK_EQ(reports, bad + 3);
	CHECK(all_returned());
}
