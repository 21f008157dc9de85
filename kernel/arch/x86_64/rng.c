/* RDRAND and RDSEED, for the kernel's random generator (dev/random.c). */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"

#define CPUID1_ECX_RDRAND	(1u << 30)	/* CPUID.1:ECX (SDM Vol. 2A, CPUID) */
#define CPUID7_EBX_RDSEED	(1u << 18)	/* CPUID.(EAX=7,ECX=0):EBX (same) */

/* ARCH_RNG_* + a bit saying it was asked; set once, on first use (every
 * caller computes the same value, so a race only repeats the question). */
static unsigned features;
#define FEATURES_KNOWN (1u << 31)

unsigned arch_rng_features(void)
{
	unsigned f = __atomic_load_n(&features, __ATOMIC_RELAXED);
	uint32_t a, b, c, d, max_leaf;

	if (f & FEATURES_KNOWN)
		return f & ~FEATURES_KNOWN;
	f = FEATURES_KNOWN;
	cpuid(0, 0, &max_leaf, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	if (c & CPUID1_ECX_RDRAND)
		f |= ARCH_RNG_RDRAND;
	if (max_leaf >= 7) {		/* leaf 7 above the maximum reads as another leaf */
		cpuid(7, 0, &a, &b, &c, &d);
		if (b & CPUID7_EBX_RDSEED)
			f |= ARCH_RNG_RDSEED;
	}
	__atomic_store_n(&features, f, __ATOMIC_RELAXED);
	return f & ~FEATURES_KNOWN;
}

/* CF=1: a valid value was written; CF=0: none was ready, and the
 * destination is zero (SDM Vol. 2B, RDRAND and RDSEED). */
static bool rdrand_once(uint64_t *v)
{
	bool ok;

	__asm__ volatile("rdrand %0" : "=r"(*v), "=@ccc"(ok) : : "cc");
	return ok;
}

static bool rdseed_once(uint64_t *v)
{
	bool ok;

	__asm__ volatile("rdseed %0" : "=r"(*v), "=@ccc"(ok) : : "cc");
	return ok;
}

bool arch_rdrand(uint64_t *v)
{
	*v = 0;
	if (!(arch_rng_features() & ARCH_RNG_RDRAND))
		return false;
	for (int i = 0; i < ARCH_RNG_RETRIES; i++)
		if (rdrand_once(v))
			return true;
	*v = 0;
	return false;
}

/* RDSEED runs dry far sooner than RDRAND when asked in a loop (it is
 * limited by the entropy source's rate): pause between tries. */
bool arch_rdseed(uint64_t *v)
{
	*v = 0;
	if (!(arch_rng_features() & ARCH_RNG_RDSEED))
		return false;
	for (int i = 0; i < ARCH_RNG_RETRIES; i++) {
		if (rdseed_once(v))
			return true;
		arch_cpu_relax();
	}
	*v = 0;
	return false;
}
