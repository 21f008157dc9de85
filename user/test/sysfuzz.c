/* Fuzzes the system-call interface. The parent runs one child per syscall
 * number (0 to SYS_COUNT+5, and -1, 1000, 0xffffffff, 1<<63); each child
 * (`sysfuzz child NR SEED`) makes 300 calls of that number with arguments
 * drawn by a seeded PRNG from interesting values: zero, -1, small numbers,
 * the edges of user space, kernel and non-canonical addresses, huge
 * lengths, a buffer of garbage, its own code, random words. Children may
 * die; the kernel must not. Deadlines are clamped to 10 ms, SYS_EXIT comes
 * only last, mem_map/unmap/protect never aim at the program's own image or
 * stack, and debug_write gets user memory only with length 0, so nothing
 * is printed per call. The parent kills a child still running after 2 s. */
#include "panda.h"
#include "xorshift.h"

#define CALLS 300
#define USER_TOP 0x00007ffffffff000ul
#define MAX_DEADLINE_NS 10000000ul	/* 10 ms */
#define CHILD_TIMEOUT_NS 2000000000ul	/* 2 s */

static uint64_t rng_state;
static unsigned char garbage[4096];

static uint64_t rnd(void)
{
	return xorshift64(&rng_state);
}

static uint64_t interesting(void)
{
	switch (rnd() % 16) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0ul;
	case 3: return rnd() % 64;
	case 4: return 0x1000;
	case 5: return USER_TOP - 1;
	case 6: return USER_TOP;
	case 7: return 0xffffffff80000000ul;
	case 8: return 0xffff800000000000ul;
	case 9: return 0x8000000000000000ul;
	case 10: return 1ul << (30 + rnd() % 34);		/* huge length */
	case 11: return (uint64_t)garbage + rnd() % sizeof(garbage);
	case 12: return (uint64_t)&main;
	default: return rnd();
	}
}

/* Whether [addr, addr+len) could reach our image (text, data, the garbage
 * buffer) or our stack; overflowing ranges count as reaching everything. */
static int hits_self(uint64_t addr, uint64_t len, uint64_t sp)
{
	uint64_t end = addr + len < addr ? ~0ul : addr + len;
	uint64_t stack_lo = sp > (64ul << 20) ? sp - (64ul << 20) : 0;

	return (addr < 0x10000000ul && end > 0x400000ul) ||
	       (addr < USER_TOP && end > stack_lo);
}

static void fuzz(long nr)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	uint64_t a[6];

	for (int i = 0; i < CALLS; i++) {
		for (int j = 0; j < 6; j++)
			a[j] = interesting();
		garbage[rnd() % sizeof(garbage)] = (unsigned char)rnd();

		switch (nr) {
		case SYS_EXIT:
			continue;	/* only at the very end */
		case SYS_SLEEP:
		case SYS_PROCESS_WAIT: {
			int d = nr == SYS_SLEEP ? 0 : 1;
			uint64_t now = panda_clock();

			if (a[d] > now + MAX_DEADLINE_NS)
				a[d] = now + a[d] % MAX_DEADLINE_NS;
			break;
		}
		case SYS_MEM_MAP:
		case SYS_MEM_UNMAP:
		case SYS_MEM_PROTECT:
			if (hits_self(a[0], a[1], sp))
				a[0] = 0xffff800000000000ul | (rnd() & 0x7ffffffff000ul);
			break;
		case SYS_DEBUG_WRITE:
			if (a[0] >= 0x1000 && a[0] < USER_TOP)
				a[1] = 0;
			break;
		}
		panda_syscall6(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3],
			       (long)a[4], (long)a[5]);
	}
	if (nr == SYS_EXIT)
		panda_syscall6(SYS_EXIT, 0, (long)rnd(), (long)rnd(), (long)rnd(),
			       (long)rnd(), (long)rnd());
}

/* Runs one child for nr; returns 0 unless the child could not be run. */
static int run_child(uint64_t nr, uint64_t seed, int *timeouts)
{
	char nr_text[24], seed_text[24];
	const char *argv[] = { "/test/sysfuzz", "child", nr_text, seed_text };
	struct panda_exit_status status;
	long h, err;

	snprintf(nr_text, sizeof(nr_text), "%#lx", (unsigned long)nr);
	snprintf(seed_text, sizeof(seed_text), "%#lx", (unsigned long)seed);
	h = panda_spawn_simple(panda_startup_handle(0), "/test/sysfuzz", 4, argv);
	if (h < 0) {
		printf("sysfuzz: cannot spawn child for %s: %s\n", nr_text, error_name((int)h));
		return 1;
	}
	err = panda_process_wait((panda_handle_t)h, panda_clock() + CHILD_TIMEOUT_NS, &status);
	if (err < 0) {
		printf("sysfuzz: child for %s still running after 2 s (%s), killing it\n",
		       nr_text, error_name((int)err));
		(*timeouts)++;
		panda_process_kill((panda_handle_t)h);
		err = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &status);
	}
	panda_close((panda_handle_t)h);
	if (err < 0) {
		printf("sysfuzz: child for %s: wait failed: %s\n", nr_text, error_name((int)err));
		return 1;
	}
	if (status.how != EXIT_NORMAL || status.code != 0)
		printf("sysfuzz: child for %s ended %s with code %d\n", nr_text,
		       panda_exit_how_name(status.how), status.code);
	return 0;
}

static const uint64_t extra[] = { ~0ul, 1000, 0xffffffff, 1ul << 63 };
#define NEXTRA (sizeof(extra) / sizeof(extra[0]))

int main(int argc, char **argv)
{
	uint64_t base_seed = 0x9e3779b97f4a7c15ul;
	int count = 0, failures = 0, timeouts = 0;

	if (argc > 3 && strcmp(argv[1], "child") == 0) {
		rng_state = panda_parse_ulong(argv[3], 1) | 1;
		for (size_t i = 0; i < sizeof(garbage); i++)
			garbage[i] = (unsigned char)rnd();
		fuzz((long)panda_parse_ulong(argv[2], ~0ul));
		return 0;
	}
	if (argc > 1)
		base_seed = panda_parse_ulong(argv[1], base_seed);

	for (uint64_t i = 0; i < SYS_COUNT + 6 + NEXTRA; i++) {
		uint64_t nr = i < SYS_COUNT + 6 ? i : extra[i - SYS_COUNT - 6];

		failures += run_child(nr, base_seed * (i + 1), &timeouts);
		count++;
	}
	if (timeouts)
		printf("sysfuzz: %d children had to be killed\n", timeouts);
	if (failures) {
		printf("sysfuzz: %d of %d children could not be run\n", failures, count);
		return 1;
	}
	printf("sysfuzz: %d syscall numbers fuzzed, kernel still alive\n", count);
	return 0;
}
