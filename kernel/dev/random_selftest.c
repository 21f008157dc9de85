/* Self-tests of the random generator (`test=random`): the CPU's random
 * instructions when it has them, sanity of the output (not a proof of
 * randomness: a broken generator fails these, a good one passes), and fast
 * key erasure checked on the live state. It prints one sample, which
 * tests/system/test_random.py compares across boots. */
#include "arch/arch.h"
#include "core/log.h"
#include "core/selftest.h"
#include "dev/random.h"
#include "dev/random_private.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

#define SAMPLE_BYTES (64 * 1024)

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The kernel is built for the baseline x86-64, without POPCNT, and links
 * no libgcc for __builtin_popcount. */
static unsigned bits_set(uint8_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void test_hardware(void)
{
	unsigned cpu = arch_rng_features();
	uint64_t a, b;

	kprintf("random: cpu has%s%s%s\n", cpu & ARCH_RNG_RDRAND ? " rdrand" : "",
		cpu & ARCH_RNG_RDSEED ? " rdseed" : "", cpu ? "" : " no random instruction");
	selftest_case("the seed used the CPU's random instruction when it has one");
	if (cpu & ARCH_RNG_RDSEED)
		SELFTEST_CHECK(random_sources() & (RANDOM_SRC_RDSEED | RANDOM_SRC_RDRAND));
	if (cpu & ARCH_RNG_RDRAND)
		SELFTEST_CHECK(random_sources() & (RANDOM_SRC_RDSEED | RANDOM_SRC_RDRAND));

	selftest_case("RDRAND gives two different values, or is absent and fails");
	if (cpu & ARCH_RNG_RDRAND) {
		SELFTEST_CHECK(arch_rdrand(&a) && arch_rdrand(&b));
		SELFTEST_CHECK(a != b);
	} else {
		SELFTEST_CHECK(!arch_rdrand(&a) && a == 0);
	}

	selftest_case("RDSEED gives two different values, or is absent and fails");
	if (cpu & ARCH_RNG_RDSEED) {
		SELFTEST_CHECK(arch_rdseed(&a) && arch_rdseed(&b));
		SELFTEST_CHECK(a != b);
	} else {
		SELFTEST_CHECK(!arch_rdseed(&a) && a == 0);
	}
}

static void test_outputs(void)
{
	uint8_t a[64], b[64];

	selftest_case("two 64-byte outputs differ, and neither is all zero");
	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	SELFTEST_CHECK(memcmp(a, b, sizeof(a)) != 0);
	SELFTEST_CHECK(!all_zero(a, sizeof(a)) && !all_zero(b, sizeof(b)));

	selftest_case("random_u64 differs call to call");
	SELFTEST_CHECK(random_u64() != random_u64());

	selftest_case("a zero-length request writes nothing");
	memset(a, 0x5a, sizeof(a));
	random_bytes(a, 0);
	SELFTEST_CHECK(a[0] == 0x5a);

	/* The value tests/system/test_random.py compares across boots. */
	kprintf("random: sample %016lx\n", random_u64());
}

/* 64 KiB in one request (16 ratchet steps): bits set within 49-51% (the
 * expected spread is 0.07%), and the 256 byte values' chi-square within
 * [150, 400] for 255 degrees of freedom (both tails beyond about 5.5
 * standard deviations: a chance below 10^-7 each). */
static void test_statistics(void)
{
	uint8_t *buf __free(kfree) = kmalloc(SAMPLE_BYTES);
	static uint32_t counts[256];	/* the self-test's */
	uint64_t ones = 0;

	selftest_case("64 KiB: monobit and byte chi-square in range");
	SELFTEST_CHECK(buf != NULL);
	if (!buf)
		return;
	random_bytes(buf, SAMPLE_BYTES);
	memset(counts, 0, sizeof(counts));
	for (size_t i = 0; i < SAMPLE_BYTES; i++) {
		ones += bits_set(buf[i]);
		counts[buf[i]]++;
	}
	uint64_t bits = SAMPLE_BYTES * 8ull;
	SELFTEST_CHECK(ones * 100 >= bits * 49 && ones * 100 <= bits * 51);
	/* chi2 = sum (c - e)^2 / e with e = 256: kept as 256 * chi2. */
	uint64_t scaled = 0;
	for (unsigned v = 0; v < 256; v++) {
		int64_t d = (int64_t)counts[v] - SAMPLE_BYTES / 256;
		scaled += (uint64_t)(d * d);
	}
	uint64_t chi2 = scaled / (SAMPLE_BYTES / 256);
	SELFTEST_CHECK(chi2 >= 150 && chi2 <= 400);
	kprintf("random: 64 KiB sample: %lu.%02lu%% ones, chi-square %lu\n", ones * 100 / bits,
		ones * 10000 / bits % 100, chi2);
}

/* The state after a request is the first half of the block the key gave,
 * and the request's bytes come from the other half: from the state after,
 * nothing leads back to the key before or to the output. A reseed first
 * moves the next automatic one a second away, so none runs in between. */
static void test_fast_key_erasure(void)
{
	uint8_t before[CHACHA20_KEY_SIZE], after[CHACHA20_KEY_SIZE];
	uint8_t expect_key[CHACHA20_KEY_SIZE], rest[CHACHA20_KEY_SIZE];
	uint8_t small[16], big[1000], expect[1000];

	selftest_case("a short request: the key is replaced, the output is the block's rest");
	random_reseed();
	random_peek_key(before);
	random_bytes(small, sizeof(small));
	random_peek_key(after);
	SELFTEST_CHECK(memcmp(before, after, sizeof(before)) != 0);
	memcpy(expect_key, before, sizeof(before));
	random_ratchet(expect_key, rest);
	SELFTEST_CHECK(memcmp(expect_key, after, sizeof(after)) == 0);
	SELFTEST_CHECK(memcmp(small, rest, sizeof(small)) == 0);

	selftest_case("a long request: the output is stretched from a key the state lost");
	memcpy(before, after, sizeof(after));
	random_bytes(big, sizeof(big));
	random_peek_key(after);
	memcpy(expect_key, before, sizeof(before));
	random_ratchet(expect_key, rest);
	SELFTEST_CHECK(memcmp(expect_key, after, sizeof(after)) == 0);
	random_expand(rest, expect, sizeof(expect));
	SELFTEST_CHECK(memcmp(big, expect, sizeof(big)) == 0);
	SELFTEST_CHECK(memcmp(after, rest, sizeof(rest)) != 0);
	SELFTEST_CHECK(memcmp(after, before, sizeof(before)) != 0);

	selftest_case("a request longer than a chunk ratchets once per chunk");
	uint8_t *huge __free(kfree) = kmalloc(RANDOM_CHUNK + 100);
	SELFTEST_CHECK(huge != NULL);
	if (huge) {
		random_peek_key(before);
		random_bytes(huge, RANDOM_CHUNK + 100);
		random_peek_key(after);
		memcpy(expect_key, before, sizeof(before));
		random_ratchet(expect_key, rest);
		random_ratchet(expect_key, rest);
		SELFTEST_CHECK(memcmp(expect_key, after, sizeof(after)) == 0);
		random_expand(rest, expect, 100);
		SELFTEST_CHECK(memcmp(huge + RANDOM_CHUNK, expect, 100) == 0);
	}

	selftest_case("mixing bytes in and reseeding change the key");
	random_peek_key(before);
	random_add_bytes("self-test", 9);
	random_peek_key(after);
	SELFTEST_CHECK(memcmp(before, after, sizeof(before)) != 0);
	random_add_event(arch_tsc());
	random_reseed();
	random_peek_key(before);
	SELFTEST_CHECK(memcmp(before, after, sizeof(before)) != 0);
}

static void test_random(void)
{
	test_hardware();
	test_outputs();
	test_statistics();
	test_fast_key_erasure();
}
SELFTEST(random, test_random);
