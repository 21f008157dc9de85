/* Marsaglia's xorshift generators (J. Stat. Softw. 8(14), 2003) for the
 * test programs: a few shifts, seeded, the same sequence on every run from
 * the same seed; nothing that must be unpredictable. The state must not
 * be 0. */
#ifndef USER_TEST_XORSHIFT_H
#define USER_TEST_XORSHIFT_H

#include <stdint.h>

static inline uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

#endif
