/* Slab caches on host memory: objects never overlap, bad and double frees
 * are caught without damage, writes after free are noticed, and freeing
 * everything gives every page back. */
#include <stdint.h>
#include <stdlib.h>

#include "mm/slab.h"
#include "unit.h"

static long pages_out;
static int reports;
static char last_report[128];

static void *page_alloc(unsigned order)
{
	size_t size = (size_t)SLAB_PAGE_SIZE << order;
	void *p = aligned_alloc(size, size);
	if (p)
		pages_out += 1l << order;
	return p;
}

static void page_free(void *p, unsigned order)
{
	pages_out -= 1l << order;
	free(p);
}

static const struct slab_page_source source = { page_alloc, page_free };

static void report(const struct kmem_cache *c, const char *what, const void *ptr)
{
	(void)ptr;
	reports++;
	snprintf(last_report, sizeof(last_report), "%s %s", what, c->name);
}

static struct kmem_cache cache;

static void setup(size_t size)
{
	reports = 0;
	pages_out = 0;
	kmem_cache_init(&cache, "test", size, &source, report);
}

TEST(test_geometry)
{
	setup(64);
	CHECK_EQ(cache.stride, 64);
	CHECK_EQ(cache.order, 0);
	CHECK(cache.per_slab >= 50);
	setup(1000);
	CHECK(cache.per_slab >= 8);
	CHECK_EQ(cache.stride % 16, 0);
	setup(1);
	CHECK_EQ(cache.stride, 16);
}

TEST(test_objects_are_zeroed_distinct_and_inside_their_slab)
{
	void *objs[300];

	setup(48);
	for (int i = 0; i < 300; i++) {
		objs[i] = kmem_cache_alloc(&cache);
		CHECK(objs[i] != NULL);
		for (size_t k = 0; k < 48; k++)
			CHECK_EQ(((uint8_t *)objs[i])[k], 0);
		memset(objs[i], i & 0xff, 48);
		CHECK(slab_of(objs[i], cache.order) != NULL);
	}
	for (int i = 0; i < 300; i++)
		for (size_t k = 0; k < 48; k++)
			CHECK_EQ(((uint8_t *)objs[i])[k], i & 0xff);	/* no overlap */
	CHECK_EQ(cache.objects_in_use, 300);
	for (int i = 0; i < 300; i++)
		CHECK_EQ(kmem_cache_free(&cache, objs[i]), 0);
	CHECK_EQ(cache.objects_in_use, 0);
	CHECK_EQ(reports, 0);
	kmem_cache_shrink(&cache);
	CHECK_EQ(pages_out, 0);
	CHECK_EQ(cache.slabs, 0);
}

TEST(test_double_free_is_reported_and_harmless)
{
	setup(32);
	void *a = kmem_cache_alloc(&cache);
	void *b = kmem_cache_alloc(&cache);

	CHECK_EQ(kmem_cache_free(&cache, a), 0);
	CHECK_EQ(kmem_cache_free(&cache, a), -1);
	CHECK_STR(last_report, "double free in test");
	/* The free list is intact: two allocations give two distinct objects. */
	void *c = kmem_cache_alloc(&cache);
	void *d = kmem_cache_alloc(&cache);
	CHECK(c != d && c != b && d != b);
	CHECK_EQ(reports, 1);
	kmem_cache_free(&cache, b);
	kmem_cache_free(&cache, c);
	kmem_cache_free(&cache, d);
	kmem_cache_shrink(&cache);
	CHECK_EQ(pages_out, 0);
}

TEST(test_interior_pointer_free_is_reported)
{
	setup(64);
	char *a = kmem_cache_alloc(&cache);

	CHECK_EQ(kmem_cache_free(&cache, a + 8), -1);
	CHECK_STR(last_report, "free of a pointer that is not an object of test");
	CHECK_EQ(kmem_cache_free(&cache, NULL), -1);
	CHECK_EQ(kmem_cache_free(&cache, a), 0);
	kmem_cache_shrink(&cache);
}

TEST(test_free_into_the_wrong_cache_is_reported)
{
	struct kmem_cache other;

	setup(64);
	kmem_cache_init(&other, "other", 64, &source, report);
	void *a = kmem_cache_alloc(&cache);
	CHECK_EQ(kmem_cache_free(&other, a), -1);
	CHECK_STR(last_report, "free of a pointer that is not an object of other");
	CHECK_EQ(kmem_cache_free(&cache, a), 0);
	kmem_cache_shrink(&cache);
}

TEST(test_write_after_free_is_detected)
{
	setup(64);
	uint8_t *a = kmem_cache_alloc(&cache);

	kmem_cache_free(&cache, a);
	a[20] = 1;				/* a bug: the object is free */
	void *again = kmem_cache_alloc(&cache);	/* LIFO: the same object */
	CHECK(again == a);
	CHECK_EQ(reports, 1);
	CHECK_STR(last_report, "write after free detected in test");
	kmem_cache_free(&cache, again);
	kmem_cache_shrink(&cache);
}

static int checked;

static bool count_live(struct kmem_cache *c, void *obj)
{
	(void)c;
	checked++;
	return ((uint8_t *)obj)[0] == 0xee;	/* "bad" when marked so */
}

TEST(test_check_visits_live_objects_and_finds_written_free_ones)
{
	setup(64);
	uint8_t *a = kmem_cache_alloc(&cache);
	uint8_t *b = kmem_cache_alloc(&cache);
	uint8_t *c = kmem_cache_alloc(&cache);

	kmem_cache_free(&cache, b);
	checked = 0;
	CHECK_EQ(kmem_cache_check(&cache, count_live), 0);
	CHECK_EQ(checked, 2);
	a[0] = 0xee;
	b[30] = 1;				/* a write after free */
	CHECK_EQ(kmem_cache_check(&cache, count_live), 2);
	CHECK_STR(last_report, "write after free detected in test");
	b[30] = SLAB_POISON;
	kmem_cache_free(&cache, a);
	kmem_cache_free(&cache, c);
	kmem_cache_shrink(&cache);
}

TEST(test_kept_tail_is_not_poisoned)
{
	setup(64);
	cache.kept = 16;			/* as mm/redzone.c sets it */
	uint8_t *a = kmem_cache_alloc(&cache);

	kmem_cache_free(&cache, a);
	a[50] = 0x12;				/* in the kept tail: not a write after free */
	CHECK_EQ(a[40], SLAB_POISON);
	void *again = kmem_cache_alloc(&cache);
	CHECK(again == a);
	CHECK_EQ(reports, 0);
	bool live = false;
	CHECK_EQ(kmem_cache_index(&cache, a, &live), 0);
	CHECK(live);
	CHECK_EQ(kmem_cache_index(&cache, a + 1, &live), -1);
	kmem_cache_free(&cache, again);
	kmem_cache_shrink(&cache);
}

TEST(test_random_churn_returns_every_page)
{
	static void *live[5000];
	int n = 0;
	uint64_t r = 7;

	setup(200);
	for (int step = 0; step < 200000; step++) {
		r = r * 6364136223846793005ull + 1;
		if (n < 5000 && (r >> 40) % 3) {
			live[n] = kmem_cache_alloc(&cache);
			CHECK(live[n] != NULL);
			*(int *)live[n] = n;
			n++;
		} else if (n) {
			int i = (int)((r >> 20) % (uint64_t)n);
			CHECK_EQ(kmem_cache_free(&cache, live[i]), 0);
			live[i] = live[--n];
		}
	}
	while (n)
		CHECK_EQ(kmem_cache_free(&cache, live[--n]), 0);
	CHECK_EQ(cache.objects_in_use, 0);
	CHECK(cache.slabs <= 1);		/* one empty slab kept */
	kmem_cache_shrink(&cache);
	CHECK_EQ(pages_out, 0);
	CHECK_EQ(reports, 0);
}
