/* The soak as a leak check (`test=soak soak=SECONDS`, driven by tools/soak
 * and `make soak`): runs /test/soak, every stress workload side by side,
 * and checks that once it and everything it started are gone memory is
 * back at its baseline and the filesystems are consistent
 * (docs/testing.md, "Soak"). */
#include "arch/arch.h"
#include "core/log.h"
#include "core/params.h"
#include "core/selftest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/snapshot.h"
#include "proc/proc_selftest.h"
#include "proc/process.h"
#include "sched/sched.h"

static uint64_t soak_seconds = 20;	/* set once at boot */

static bool parse_soak(const char *value)
{
	uint64_t v;
	const char *c = value;

	if (!parse_u64(&c, &v) || *c || v < 1 || v > 24 * 3600) {
		log_warn("cmdline: soak= needs seconds, 1 to 86400\n");
		return false;
	}
	soak_seconds = v;
	return true;
}
PARAM("soak", parse_soak);

/* /test/soak runs every workload side by side for soak= seconds; after
 * it, and after everything it started has gone, memory is back at its
 * baseline. The wait is bounded too: the driver's own limit per round is
 * 600 s, so a driver alive much past that is stuck. */
static void test_soak(void)
{
	struct mm_snapshot start;
	uint32_t threads = thread_count();
	struct panda_exit_status st = { .code = -999, .how = 99 };
	struct process *p;
	char cmd[48];

	selftest_case("the workloads run side by side and give back everything");
	fmt_snprintf(cmd, sizeof(cmd), "/test/soak %lu", (unsigned long)soak_seconds);
	mm_snapshot_take(&start);
	kprintf("soak: start: %lu frames free, %lu slab objects, %lu slab pages\n",
		(unsigned long)start.frames.free, (unsigned long)start.heap.objects,
		(unsigned long)start.heap.slab_pages);
	SELFTEST_CHECK(proc_selftest_spawn(cmd, &p) == 0);
	if (p) {
		uint64_t limit = arch_clock_ns() + (soak_seconds + 900) * 1000000000ull;
		if (process_wait(p, limit, &st) < 0) {
			kprintf("soak: the driver is stuck; killing it\n");
			process_kill(p, EXIT_KILLED);
			process_wait(p, UINT64_MAX, &st);
		}
		process_put(p);
	}
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(proc_selftest_settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));
	SELFTEST_CHECK(proc_selftest_filesystems_consistent());
	struct mm_snapshot end;
	mm_snapshot_take(&end);
	kprintf("soak: end: %lu frames free, %lu slab objects, %lu slab pages\n",
		(unsigned long)end.frames.free, (unsigned long)end.heap.objects,
		(unsigned long)end.heap.slab_pages);
}
SELFTEST_MANUAL(soak, test_soak);
