/* The buddy allocator under long random sequences: blocks never overlap,
 * are aligned, the statistics stay exact, and freeing everything coalesces
 * back to the initial state. */
#include <stdint.h>

#include "mm/buddy.h"
#include "unit.h"

#define NFRAMES 5000	/* not a power of two, on purpose */

static struct frame frames[NFRAMES];
static struct buddy b;

static void setup(void)
{
	buddy_init(&b, frames, NFRAMES);
	/* Two ranges with a reserved hole, like a real memory map. */
	buddy_add_range(&b, 1, 1800);
	buddy_add_range(&b, 2048, NFRAMES);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t next_random(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return (uint32_t)rng;
}

TEST(test_initial_state_is_consistent)
{
	setup();
	CHECK(buddy_check(&b) == NULL);
	CHECK_EQ(b.managed, 1799 + NFRAMES - 2048);
	CHECK_EQ(b.free, b.managed);
	CHECK_EQ(frames[0].state, FRAME_RESERVED);
	CHECK_EQ(frames[1900].state, FRAME_RESERVED);
}

TEST(test_alloc_is_aligned_and_counted)
{
	setup();
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uint32_t pfn = buddy_alloc(&b, order, OWNER_USER);
		CHECK(pfn != BUDDY_NONE);
		CHECK_EQ(pfn & ((1u << order) - 1), 0);
		CHECK_EQ(frames[pfn].refcount, 1);
		CHECK_EQ(b.owned[OWNER_USER], (2u << order) - 1);
		CHECK(pfn < 1800 || pfn >= 2048);
	}
	CHECK(buddy_check(&b) == NULL);
}

TEST(test_bad_and_double_frees_are_refused)
{
	setup();
	uint32_t pfn = buddy_alloc(&b, 2, OWNER_KERNEL);
	uint64_t free_before = b.free;

	CHECK_EQ(buddy_free(&b, pfn, 1), -1);		/* wrong order */
	CHECK_EQ(buddy_free(&b, pfn + 1, 0), -1);	/* inside the block */
	CHECK_EQ(buddy_free(&b, 0, 0), -1);		/* reserved */
	CHECK_EQ(buddy_free(&b, NFRAMES + 5, 0), -1);	/* out of range */
	CHECK_EQ(b.free, free_before);
	CHECK_EQ(buddy_free(&b, pfn, 2), 0);
	CHECK_EQ(buddy_free(&b, pfn, 2), -1);		/* double free */
	CHECK(buddy_check(&b) == NULL);
}

TEST(test_exhaustion_fails_cleanly_and_recovers)
{
	static uint32_t got[NFRAMES];
	uint32_t n = 0, pfn;

	setup();
	while ((pfn = buddy_alloc(&b, 0, OWNER_USER)) != BUDDY_NONE)
		got[n++] = pfn;
	CHECK_EQ(n, b.managed);
	CHECK_EQ(b.free, 0);
	CHECK_EQ(buddy_alloc(&b, 3, OWNER_USER), BUDDY_NONE);
	CHECK(buddy_check(&b) == NULL);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ(buddy_free(&b, got[i], 0), 0);
	CHECK(buddy_check(&b) == NULL);
	CHECK_EQ(b.free, b.managed);
}

TEST(test_random_sequences_keep_invariants_and_coalesce_fully)
{
	static struct { uint32_t pfn; unsigned order; } live[4096];
	static uint8_t owner_of[NFRAMES];
	unsigned nlive = 0;
	uint64_t initial_blocks[BUDDY_ORDERS];

	setup();
	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		initial_blocks[o] = b.free_blocks[o];

	for (int step = 0; step < 200000; step++) {
		uint32_t r = next_random();
		if (nlive < 4096 && (r & 1)) {
			unsigned order = (r >> 1) % 16 < 12 ? 0 : (r >> 5) % (BUDDY_MAX_ORDER + 1);
			uint32_t pfn = buddy_alloc(&b, order, OWNER_CACHE);
			if (pfn == BUDDY_NONE)
				continue;
			for (uint32_t i = 0; i < (1u << order); i++) {
				CHECK_EQ(owner_of[pfn + i], 0);		/* no overlap */
				owner_of[pfn + i] = 1;
			}
			live[nlive].pfn = pfn;
			live[nlive++].order = order;
		} else if (nlive) {
			unsigned i = (r >> 1) % nlive;
			for (uint32_t k = 0; k < (1u << live[i].order); k++)
				owner_of[live[i].pfn + k] = 0;
			CHECK_EQ(buddy_free(&b, live[i].pfn, live[i].order), 0);
			live[i] = live[--nlive];
		}
		if (step % 5000 == 0) {
			const char *why = buddy_check(&b);
			if (why)
				UNIT_FAIL("step %d: %s", step, why);
		}
	}
	while (nlive) {
		nlive--;
		CHECK_EQ(buddy_free(&b, live[nlive].pfn, live[nlive].order), 0);
	}
	CHECK(buddy_check(&b) == NULL);
	CHECK_EQ(b.free, b.managed);
	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		CHECK_EQ(b.free_blocks[o], initial_blocks[o]);
}
