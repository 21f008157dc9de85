/* The kernel's random generator (dev/random.h; docs/devices.md, "Random
 * numbers").
 *
 * State: one ChaCha20 key. A request ratchets it (random_ratchet: the block
 * under the key gives the next key and the request's own key), so a reader
 * of the state after a request learns nothing of that request's output or
 * of any before it. Seed material is compressed outside the lock into 32
 * bytes (struct mixer), and only that digest is folded into the key under
 * the lock: the lock is held for one or two ChaCha20 blocks, whatever the
 * caller asked for, and never while the CPU's random instructions or the
 * jitter loops run. */
#include "dev/random.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "dev/acpi.h"
#include "dev/random_private.h"
#include "dev/rtc.h"
#include "lib/chacha20.h"
#include "lib/format.h"
#include "lib/string.h"

#define KEY_SIZE CHACHA20_KEY_SIZE
#define BLOCK_SIZE CHACHA20_BLOCK_SIZE

/* Nonces keep the three uses of the block function apart: the output's
 * blocks (ratchet, expand) and the mixer's. */
static const uint8_t output_nonce[CHACHA20_NONCE_SIZE];
static const uint8_t mix_nonce[CHACHA20_NONCE_SIZE] = "random-mix!";

#define SEED_HW_WORDS	8	/* 512 bits from RDSEED/RDRAND at boot */
#define RESEED_HW_WORDS	4	/* 256 bits from RDRAND at each reseed */
#define JITTER_SAMPLES	256
#define POOL_WORDS	8
/* An RTC reading past 2001-09-09 (10^9 s) is a clock that was set. */
#define RTC_SET_NS	(1000000000ull * 1000000000ull)

static struct spinlock random_lock = SPINLOCK_INIT("random");
static uint8_t random_key[KEY_SIZE];	/* random_lock */
static bool seeded;			/* atomic: set once the key holds a seed */
static bool announced;			/* atomic: the boot line was logged */
static unsigned sources;		/* atomic: RANDOM_SRC_* of the last full seeding */
static uint64_t next_reseed_ns;		/* atomic: when random_bytes reseeds next */

/* Events XOR in, a reseed swaps each word out for 0: atomic, no lock, so
 * an interrupt handler never waits here. event_count picks each event's
 * word and rotation, so equal values do not cancel out. */
static uint64_t event_pool[POOL_WORDS];	/* atomic */
static uint32_t event_count;		/* atomic: events since boot */

static void wipe_key(uint8_t (*key)[KEY_SIZE])
{
	chacha20_wipe(*key, sizeof(*key));
}
/* A key on the stack, wiped when it goes out of scope on any path. */
#define __wiped __attribute__((cleanup(wipe_key)))

static uint64_t rotl64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? (v << n) | (v >> (64 - n)) : v;
}

/* --- the generator --------------------------------------------------------- */

void random_ratchet(uint8_t key[KEY_SIZE], uint8_t rest[KEY_SIZE])
{
	uint8_t block[BLOCK_SIZE];

	chacha20_block(key, 0, output_nonce, block);
	memcpy(key, block, KEY_SIZE);
	memcpy(rest, block + KEY_SIZE, KEY_SIZE);
	chacha20_wipe(block, sizeof(block));
}

void random_expand(const uint8_t key[KEY_SIZE], void *buf, size_t len)
{
	uint8_t block[BLOCK_SIZE];
	uint8_t *out = buf;

	for (uint32_t counter = 0; len; counter++) {
		size_t n = len < BLOCK_SIZE ? len : BLOCK_SIZE;

		chacha20_block(key, counter, output_nonce, block);
		memcpy(out, block, n);
		out += n, len -= n;
	}
	chacha20_wipe(block, sizeof(block));
}

void random_peek_key(uint8_t key[KEY_SIZE])
{
	guard(spinlock)(&random_lock);
	memcpy(key, random_key, KEY_SIZE);
}

/* --- compressing seed material ------------------------------------------------ */

/* Each 32-byte piece of input is XORed into the chaining key, which is then
 * replaced by the first half of its own block under mix_nonce, the piece's
 * number the counter. Not a collision-resistant hash (whoever knows the
 * chaining key can steer it), and it needs not be: it only has to keep
 * whatever unpredictability went in, which holds while ChaCha20 is a good
 * function of its key, and no later input can take away what an earlier
 * one gave when its author does not know the key. */
struct mixer {
	uint8_t key[KEY_SIZE];
	uint8_t piece[KEY_SIZE];
	size_t fill;			/* bytes in piece */
	uint32_t pieces;		/* absorbed so far */
};

static void absorb(uint8_t key[KEY_SIZE], const uint8_t piece[KEY_SIZE], uint32_t counter)
{
	uint8_t block[BLOCK_SIZE];

	for (unsigned i = 0; i < KEY_SIZE; i++)
		key[i] ^= piece[i];
	chacha20_block(key, counter, mix_nonce, block);
	memcpy(key, block, KEY_SIZE);
	chacha20_wipe(block, sizeof(block));
}

static void mixer_add(struct mixer *m, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t n = KEY_SIZE - m->fill < len ? KEY_SIZE - m->fill : len;

		memcpy(m->piece + m->fill, p, n);
		m->fill += n, p += n, len -= n;
		if (m->fill == KEY_SIZE) {
			absorb(m->key, m->piece, m->pieces++);
			m->fill = 0;
		}
	}
}

static void mixer_add_u64(struct mixer *m, uint64_t v)
{
	mixer_add(m, &v, sizeof(v));
}

/* The last, partial piece is zero-padded and absorbed with a counter of
 * its own (top bit set, plus its length), so padding is not ambiguous. */
static void mixer_finish(struct mixer *m, uint8_t digest[KEY_SIZE])
{
	memset(m->piece + m->fill, 0, KEY_SIZE - m->fill);
	absorb(m->key, m->piece, 0x80000000u | (uint32_t)m->fill);
	memcpy(digest, m->key, KEY_SIZE);
}

static void mixer_wipe(struct mixer *m)
{
	chacha20_wipe(m, sizeof(*m));
}
/* A mixer on the stack: starts empty, is wiped on any path out. */
#define MIXER(name) struct mixer name __attribute__((cleanup(mixer_wipe))) = { 0 }

/* Folds a digest into the generator's key: the XOR-then-block of absorb,
 * under the lock. */
static void fold_in(struct mixer *m)
{
	uint8_t digest[KEY_SIZE] __wiped;

	mixer_finish(m, digest);
	guard(spinlock)(&random_lock);
	absorb(random_key, digest, 0);
}

/* --- sources ----------------------------------------------------------------- */

/* Up to `words` values from the CPU, RDSEED first (it is the entropy
 * source itself; RDRAND is a DRBG it seeds), RDRAND for a word RDSEED had
 * none for. Returns RANDOM_SRC_* of what gave at least one value. */
static unsigned add_hardware(struct mixer *m, unsigned words, bool prefer_seed)
{
	unsigned got = 0;
	uint64_t v;

	for (unsigned i = 0; i < words; i++) {
		if (prefer_seed && arch_rdseed(&v))
			got |= RANDOM_SRC_RDSEED;
		else if (arch_rdrand(&v))
			got |= RANDOM_SRC_RDRAND;
		else if (!prefer_seed && arch_rdseed(&v))
			got |= RANDOM_SRC_RDSEED;
		else
			continue;
		mixer_add_u64(m, v);
	}
	chacha20_wipe(&v, sizeof(v));
	return got;
}

/* TSC deltas around reads of port 0x61 (system control port B, harmless to
 * read; its refresh bit toggles every 15 us). On hardware the read is an
 * ISA bus cycle whose length drifts against the TSC; in an emulator it is
 * a trip into the device model that takes host time, with its scheduling
 * and caches. Every delta goes in; RANDOM_SRC_TSC says they were not all
 * the same, and *changes how many differed from the one before. */
static unsigned add_jitter(struct mixer *m, unsigned *changes)
{
	uint64_t acc[POOL_WORDS] = { 0 }, prev = 0;

	*changes = 0;
	for (unsigned i = 0; i < JITTER_SAMPLES; i++) {
		uint64_t t0 = arch_tsc();
		uint8_t port = inb(0x61);
		uint64_t delta = arch_tsc() - t0;

		if (i > 0 && delta != prev)
			(*changes)++;
		prev = delta;
		acc[i % POOL_WORDS] = rotl64(acc[i % POOL_WORDS], 19) ^ delta ^
				      ((uint64_t)port << 56) ^ t0;
	}
	mixer_add(m, acc, sizeof(acc));
	chacha20_wipe(acc, sizeof(acc));
	return *changes ? RANDOM_SRC_TSC : 0;
}

/* Takes the interrupt pool's words out (events that land meanwhile stay
 * for the next reseed). */
static unsigned add_events(struct mixer *m)
{
	uint32_t count = __atomic_load_n(&event_count, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < POOL_WORDS; i++)
		mixer_add_u64(m, __atomic_exchange_n(&event_pool[i], 0, __ATOMIC_RELAXED));
	mixer_add_u64(m, count);
	return count ? RANDOM_SRC_EVENTS : 0;
}

/* What the loader told us: the same on every boot of one machine and
 * configuration, but it tells machines apart (memory sizes, modules, the
 * command line). */
static unsigned add_boot_info(struct mixer *m)
{
	const struct boot_info *b = &boot_info;

	mixer_add(m, b->mem, b->mem_count * sizeof(b->mem[0]));
	mixer_add(m, b->modules, b->module_count * sizeof(b->modules[0]));
	mixer_add(m, b->cmdline, strnlen(b->cmdline, sizeof(b->cmdline)));
	mixer_add(m, &b->framebuffer, sizeof(b->framebuffer));
	mixer_add(m, b->rsdp, sizeof(b->rsdp));
	mixer_add_u64(m, b->info_phys_start);
	return RANDOM_SRC_BOOT_INFO;
}

/* Each valid ACPI table's header: OEM and creator ids and revisions, and
 * the checksum, which sums up the whole table. acpi_init read every valid
 * table through the direct map, which stays. */
static unsigned add_acpi(struct mixer *m)
{
	const struct acpi_info *info = acpi_get_info();
	unsigned added = 0;

	if (!info)
		return 0;
	for (unsigned i = 0; i < info->table_count; i++) {
		const struct acpi_table_ref *t = &info->tables[i];

		if (!t->valid || t->length < ACPI_HEADER_LEN)
			continue;
		mixer_add(m, arch_phys_to_virt(t->phys), ACPI_HEADER_LEN);
		added++;
	}
	return added ? RANDOM_SRC_ACPI : 0;
}

/* --- seeding ----------------------------------------------------------------- */

static void schedule_reseed(void)
{
	__atomic_store_n(&next_reseed_ns, arch_clock_ns() + RANDOM_RESEED_NS, __ATOMIC_RELAXED);
}

/* Everything there is, folded into the key. Returns RANDOM_SRC_* and
 * the jitter loops' count of changing deltas. */
static unsigned seed(unsigned *jitter_changes)
{
	MIXER(m);
	unsigned got = 0;

	got |= add_hardware(&m, SEED_HW_WORDS, true);
	got |= add_jitter(&m, jitter_changes);
	uint64_t wall = rtc_now_ns();
	mixer_add_u64(&m, wall);
	if (wall >= RTC_SET_NS)
		got |= RANDOM_SRC_RTC;
	got |= add_events(&m);
	got |= add_boot_info(&m);
	got |= add_acpi(&m);
	mixer_add_u64(&m, arch_tsc());
	fold_in(&m);
	schedule_reseed();
	__atomic_store_n(&sources, got, __ATOMIC_RELAXED);
	__atomic_store_n(&seeded, true, __ATOMIC_RELEASE);
	return got;
}

static const struct {
	unsigned bit;
	const char *name;
} source_names[] = {
	{ RANDOM_SRC_RDSEED, "rdseed" },
	{ RANDOM_SRC_RDRAND, "rdrand" },
	{ RANDOM_SRC_TSC, "tsc" },
	{ RANDOM_SRC_EVENTS, "irq timing" },
	{ RANDOM_SRC_RTC, "rtc" },
	{ RANDOM_SRC_BOOT_INFO, "boot info" },
	{ RANDOM_SRC_ACPI, "acpi" },
};

static void announce(unsigned got, unsigned jitter_changes)
{
	char list[96];
	size_t n = 0;

	list[0] = '\0';
	for (unsigned i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++) {
		if (!(got & source_names[i].bit))
			continue;
		int w = fmt_snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
				     source_names[i].name);
		if (w < 0 || (size_t)w >= sizeof(list) - n)
			break;		/* cannot happen: the names fit */
		n += (size_t)w;
	}
	log_info("random: seeded from %s (tsc jitter: %u of %u deltas changed)\n", list,
		 jitter_changes, JITTER_SAMPLES - 1);
	unsigned cpu = arch_rng_features();
	if (!(got & (RANDOM_SRC_RDSEED | RANDOM_SRC_RDRAND))) {
		if (cpu)
			log_warn("random: the CPU has %s but it gave no value in %d tries\n",
				 cpu & ARCH_RNG_RDSEED ? "RDSEED" : "RDRAND", ARCH_RNG_RETRIES);
		log_warn("random: no hardware random source; the seed is TSC jitter, the clock "
			 "and boot data, which an emulator may make guessable\n");
		if (!(got & RANDOM_SRC_TSC))
			log_warn("random: and the TSC did not jitter (a deterministic emulator?): "
				 "the output may repeat from boot to boot\n");
	}
}

void random_init(void)
{
	unsigned changes;
	unsigned got = seed(&changes);

	if (!__atomic_exchange_n(&announced, true, __ATOMIC_RELAXED))
		announce(got, changes);
}

unsigned random_sources(void)
{
	return __atomic_load_n(&sources, __ATOMIC_RELAXED);
}

void random_reseed(void)
{
	MIXER(m);

	schedule_reseed();		/* first, so others that find it due do not pile in */
	add_hardware(&m, RESEED_HW_WORDS, false);
	add_events(&m);
	mixer_add_u64(&m, arch_tsc());
	fold_in(&m);
}

void random_add_bytes(const void *data, size_t len)
{
	MIXER(m);

	mixer_add(&m, data, len);
	fold_in(&m);
}

void random_add_event(uint64_t value)
{
	uint32_t n = __atomic_fetch_add(&event_count, 1, __ATOMIC_RELAXED);

	__atomic_fetch_xor(&event_pool[n % POOL_WORDS], rotl64(value, n / POOL_WORDS * 13),
			   __ATOMIC_RELAXED);
}

/* --- output ------------------------------------------------------------------ */

void random_bytes(void *buf, size_t len)
{
	uint8_t *out = buf;

	if (!__atomic_load_n(&seeded, __ATOMIC_ACQUIRE)) {
		unsigned changes;

		seed(&changes);		/* before random_init: kinit announces later */
	} else if (arch_clock_ns() >= __atomic_load_n(&next_reseed_ns, __ATOMIC_RELAXED)) {
		random_reseed();
	}
	while (len) {
		size_t n = len < RANDOM_CHUNK ? len : RANDOM_CHUNK;
		uint8_t rest[KEY_SIZE] __wiped;

		{
			guard(spinlock)(&random_lock);
			random_ratchet(random_key, rest);
		}
		if (n <= KEY_SIZE)
			memcpy(out, rest, n);
		else
			random_expand(rest, out, n);
		out += n, len -= n;
	}
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}
