/* The time-stamp counter, calibrated once against PIT channel 2 (a known
 * 1.193182 MHz clock), for benchmarks and, later, the scheduler clock. */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"

#define PIT_HZ		1193182
#define CALIBRATE_MS	10

static uint64_t tsc_hz;	/* set once, at boot (the first use calibrates) */

static uint64_t calibrate(void)
{
	uint16_t count = PIT_HZ / (1000 / CALIBRATE_MS);
	uint8_t gate = inb(0x61) & ~0x03;	/* speaker off, gate low */

	outb(0x61, gate);
	outb(0x43, 0xb0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t start = rdtsc();
	outb(0x61, gate | 0x01);		/* gate high: count down */
	while (!(inb(0x61) & 0x20))		/* OUT2 goes high at zero */
		;
	return (rdtsc() - start) * (1000 / CALIBRATE_MS);
}

uint64_t arch_tsc_hz(void)
{
	if (!tsc_hz)
		tsc_hz = calibrate();
	return tsc_hz;
}

uint64_t arch_tsc(void)
{
	return rdtsc();
}

/* ns = ticks * clock_mult >> 32, so a reading costs one multiply. */
static uint64_t clock_mult, clock_base;	/* set once at boot (arch_clock_init) */

void arch_clock_init(void)
{
	clock_mult = (1000000000ull << 32) / arch_tsc_hz();
	clock_base = rdtsc();
}

uint64_t arch_clock_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - clock_base) * clock_mult) >> 32);
}
