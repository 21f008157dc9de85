/* Wake-up latency under load: starts CPU-bound /test/spin processes, then
 * repeatedly sleeps until "now + 1 ms" and measures how late it woke up.
 * Prints p50, p99, max and a histogram; passes (exit 0) when p99 is under
 * 6 ms, two 3 ms time slices. Usage: latency [SPINNERS [WAKEUPS]]. */
#include "panda.h"

#define MAX_SPINNERS 16
#define MAX_WAKEUPS 20000
#define PERIOD_NS 1000000ull
#define PASS_P99_US 6000

static const struct {
	const char *label;
	uint64_t below_us;
} buckets[] = {
	{ "<50us", 50 }, { "<100us", 100 }, { "<250us", 250 }, { "<500us", 500 },
	{ "<1ms", 1000 }, { "<2ms", 2000 }, { "<3ms", 3000 }, { "<6ms", 6000 },
	{ ">=6ms", UINT64_MAX },
};

#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static uint64_t samples[MAX_WAKEUPS];	/* latencies in ns */

static void sort(uint64_t *a, long n)	/* Shell sort: small and fast enough */
{
	for (long gap = n / 2; gap > 0; gap /= 2)
		for (long i = gap; i < n; i++)
			for (long j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				uint64_t t = a[j];

				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

/* Nearest-rank percentile of the sorted samples, in us. */
static uint64_t percentile_us(long n, long percent)
{
	long rank = (n * percent + 99) / 100;

	return samples[rank > 0 ? rank - 1 : 0] / 1000;
}

int main(int argc, char **argv)
{
	static const char *const spin_argv[] = { "/test/spin" };
	long nspin = argc > 1 ? panda_parse_long(argv[1], 4) : 4;
	long n = argc > 2 ? panda_parse_long(argv[2], 2000) : 2000;
	long spinners[MAX_SPINNERS];
	unsigned long counts[NBUCKETS] = { 0 };
	long started = 0, errors = 0;

	if (nspin < 0 || nspin > MAX_SPINNERS || n < 1 || n > MAX_WAKEUPS) {
		printf("latency: usage: latency [SPINNERS 0-%d [WAKEUPS 1-%d]]\n",
		       MAX_SPINNERS, MAX_WAKEUPS);
		return 2;
	}
	for (long i = 0; i < nspin; i++) {
		long h = panda_spawn_simple(panda_startup_handle(0), "/test/spin", 1, spin_argv);

		if (h < 0) {
			printf("latency: cannot spawn /test/spin: %s\n", error_name((int)h));
			errors++;
			continue;
		}
		spinners[started++] = h;
	}

	for (long i = 0; i < n; i++) {
		uint64_t deadline = panda_clock() + PERIOD_NS, now;
		long err = panda_sleep(deadline);

		now = panda_clock();
		if (err < 0 && errors++ == 0)
			printf("latency: sleep failed: %s\n", error_name((int)err));
		if (now < deadline && errors++ == 0)
			printf("latency: woke %lu ns early\n", (unsigned long)(deadline - now));
		samples[i] = now > deadline ? now - deadline : 0;
		for (size_t b = 0; b < NBUCKETS; b++) {
			if (samples[i] / 1000 < buckets[b].below_us) {
				counts[b]++;
				break;
			}
		}
	}

	for (long i = 0; i < started; i++) {
		struct panda_exit_status status;

		panda_process_kill((panda_handle_t)spinners[i]);
		panda_process_wait((panda_handle_t)spinners[i], PANDA_DEADLINE_NEVER, &status);
		panda_close((panda_handle_t)spinners[i]);
	}

	sort(samples, n);
	printf("latency: spinners=%ld\n", started);
	printf("latency: wakeups=%ld p50=%luus p99=%luus max=%luus\n",
	       n, (unsigned long)percentile_us(n, 50),
	       (unsigned long)percentile_us(n, 99), (unsigned long)(samples[n - 1] / 1000));
	for (size_t b = 0; b < NBUCKETS; b++)
		printf("latency: %s %lu\n", buckets[b].label, counts[b]);
	if (errors) {
		printf("latency: %ld errors\n", errors);
		return 1;
	}
	return percentile_us(n, 99) < PASS_P99_US ? 0 : 1;
}
