/* The kernel's random numbers: a ChaCha20 generator with fast key erasure,
 * seeded at boot from the CPU (RDSEED or RDRAND) and from what the machine
 * leaves to chance (TSC jitter, interrupt timing, the clock, the boot data),
 * and reseeded from RDRAND and the interrupt pool about once a second.
 * docs/devices.md ("Random numbers") says what each source is worth.
 *
 * Every function may be called from any context, interrupts included (once
 * arch_init_cpu has run: the lock needs the per-CPU area), and never sleeps: the generator's state is one key under a spinlock held for
 * one ChaCha20 block a call. Output is for keys, nonces, AT_RANDOM and
 * getrandom alike; there is no "less random" variant. */
#ifndef DEV_RANDOM_H
#define DEV_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Seeds the generator and logs one line naming the sources used ("random:
 * seeded from rdrand, tsc, rtc, ..."), with a warning when the CPU has no
 * random-number instruction. kinit calls it once, after rtc_init; a call
 * to random_bytes before that seeds on the spot (without the clock). */
void random_init(void);

/* Fills buf (kernel memory) with len random bytes, any length. Never fails.
 * After it returns, the generator's state no longer holds anything from
 * which these bytes could be computed again. */
void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);

/* Mixes len bytes the caller thinks are unpredictable into the key at once
 * (a device's serial number, a virtio-rng buffer). Cannot make the output
 * worse, however predictable the bytes. */
void random_add_bytes(const void *data, size_t len);

/* Notes an event's time (or any value) in a small pool that the next reseed
 * folds in: cheap enough for an interrupt handler (a few atomic
 * instructions, no lock). The keyboard and serial handlers pass the TSC. */
void random_add_event(uint64_t value);

/* Reseeds now: RDRAND (when the CPU has it), the event pool and the TSC.
 * random_bytes also does it on its own once RANDOM_RESEED_NS have passed. */
void random_reseed(void);
#define RANDOM_RESEED_NS 1000000000ull

/* What the boot seeding found, for the self-test and the log: RANDOM_SRC_*. */
enum {
	RANDOM_SRC_RDSEED = 1 << 0,
	RANDOM_SRC_RDRAND = 1 << 1,
	RANDOM_SRC_TSC = 1 << 2,	/* the jitter loops varied */
	RANDOM_SRC_RTC = 1 << 3,
	RANDOM_SRC_EVENTS = 1 << 4,	/* interrupts had come before the seeding */
	RANDOM_SRC_BOOT_INFO = 1 << 5,	/* the loader's memory map, command line, RSDP */
	RANDOM_SRC_ACPI = 1 << 6,	/* the firmware's tables */
};
unsigned random_sources(void);

#endif
