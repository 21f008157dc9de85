/* User-space microbenchmarks, one result line each:
 * `bench NAME iters=N ns_per_op=X tsc_per_op=Y`. null_syscall (getpid),
 * yield (a yield-and-switch between this process and a partner that also
 * yields), spawn_exit (spawn and wait of /bin/exit-code) and page_fault
 * (first touch of fresh anonymous pages). Each runs an untimed warm-up
 * first; panda_clock() and rdtsc are read around the timed loop only.
 * `bench NAME` runs one benchmark; other output lines start with "info ". */
#include "panda.h"

#define NULL_ITERS 100000
#define YIELD_N 20000
#define YIELD_WARMUP 1000
#define SPAWN_ITERS 200
#define SPAWN_WARMUP 10
#define PF_BYTES (4ul << 20)
#define PF_PAGES (PF_BYTES / 4096)
#define PF_ROUNDS 4

struct timing {
	uint64_t ns, tsc;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define TIMED(t, body) do {						\
		uint64_t ns0_ = panda_clock(), tsc0_ = rdtsc();		\
		body;							\
		uint64_t tsc1_ = rdtsc(), ns1_ = panda_clock();		\
		(t)->ns += ns1_ - ns0_;					\
		(t)->tsc += tsc1_ - tsc0_;				\
	} while (0)

static void report(const char *name, uint64_t iters, const struct timing *t)
{
	uint64_t ns10 = t->ns * 10 / iters, tsc10 = t->tsc * 10 / iters;

	printf("bench %s iters=%lu ns_per_op=%lu.%lu tsc_per_op=%lu.%lu\n", name,
	       (unsigned long)iters, (unsigned long)(ns10 / 10), (unsigned long)(ns10 % 10),
	       (unsigned long)(tsc10 / 10), (unsigned long)(tsc10 % 10));
}

static long spawn(const char *path, int argc, const char *const *argv)
{
	long h = panda_spawn_simple(panda_startup_handle(0), path, argc, argv);

	if (h < 0)
		printf("info bench: cannot spawn %s: %s\n", path, error_name((int)h));
	return h;
}

static int wait_ok(long h)
{
	struct panda_exit_status status;
	long err = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &status);

	panda_close((panda_handle_t)h);
	return err == 0 && status.how == EXIT_NORMAL && status.code == 0;
}

static int bench_null_syscall(void)
{
	struct timing t = { 0, 0 };

	for (int i = 0; i < NULL_ITERS / 10; i++)
		panda_getpid();
	TIMED(&t, for (int i = 0; i < NULL_ITERS; i++) panda_getpid());
	report("null_syscall", NULL_ITERS, &t);
	return 0;
}

static int bench_yield(void)
{
	char count[16];
	const char *argv[] = { "/bin/bench", "yield-partner", count };
	struct timing t = { 0, 0 };
	long partner;

	snprintf(count, sizeof(count), "%d", YIELD_N + YIELD_WARMUP);
	partner = spawn("/bin/bench", 3, argv);
	if (partner < 0)
		return 1;
	for (int i = 0; i < YIELD_WARMUP; i++)
		panda_yield();
	TIMED(&t, for (int i = 0; i < YIELD_N; i++) panda_yield());
	if (!wait_ok(partner)) {
		printf("info bench: yield partner failed\n");
		return 1;
	}
	report("yield", 2 * YIELD_N, &t);
	return 0;
}

static int spawn_exit_once(void)
{
	static const char *const argv[] = { "/bin/exit-code" };
	long h = spawn("/bin/exit-code", 1, argv);

	return h >= 0 && wait_ok(h);
}

static int bench_spawn_exit(void)
{
	struct timing t = { 0, 0 };
	int ok = 1;

	for (int i = 0; i < SPAWN_WARMUP; i++)
		ok &= spawn_exit_once();
	TIMED(&t, for (int i = 0; i < SPAWN_ITERS; i++) ok &= spawn_exit_once());
	if (!ok) {
		printf("info bench: spawn_exit: a child failed\n");
		return 1;
	}
	report("spawn_exit", SPAWN_ITERS, &t);
	return 0;
}

/* Maps PF_BYTES, touches every page (timed when t is given), unmaps. */
static int touch_fresh_pages(struct timing *t)
{
	long addr = panda_mem_map(NULL, PF_BYTES, PROT_READ | PROT_WRITE);
	volatile char *p = (volatile char *)addr;
	struct timing ignored = { 0, 0 };

	if (addr < 0) {
		printf("info bench: page_fault: mem_map failed: %s\n", error_name((int)addr));
		return 1;
	}
	TIMED(t ? t : &ignored, for (unsigned long i = 0; i < PF_PAGES; i++) p[i * 4096] = 1);
	panda_mem_unmap((void *)addr, PF_BYTES);
	return 0;
}

static int bench_page_fault(void)
{
	struct timing t = { 0, 0 };

	if (touch_fresh_pages(NULL))
		return 1;
	for (int round = 0; round < PF_ROUNDS; round++)
		if (touch_fresh_pages(&t))
			return 1;
	report("page_fault", PF_ROUNDS * PF_PAGES, &t);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} benchmarks[] = {
	{ "null_syscall", bench_null_syscall },
	{ "yield", bench_yield },
	{ "spawn_exit", bench_spawn_exit },
	{ "page_fault", bench_page_fault },
};

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int failures = 0, ran = 0;

	if (only && strcmp(only, "yield-partner") == 0) {
		long n = argc > 2 ? panda_parse_long(argv[2], YIELD_N) : YIELD_N;

		for (long i = 0; i < n; i++)
			panda_yield();
		return 0;
	}
	for (size_t i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++) {
		if (only && strcmp(only, benchmarks[i].name) != 0)
			continue;
		failures += benchmarks[i].run();
		ran++;
	}
	if (!ran) {
		printf("info bench: unknown benchmark \"%s\"\n", only);
		return 2;
	}
	return failures ? 1 : 0;
}
