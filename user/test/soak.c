/* The soak (make soak, tools/soak): runs every workload of the table
 * below side by side, each restarted as soon as it ends, for SECONDS
 * (argv[1]), then waits for the last rounds. No wait is unbounded: a round
 * still running LIMIT seconds after it started is stuck; the process list
 * is printed and it is killed. The `soak` self-test runs this under an
 * allocator snapshot, so what the workloads leak shows there.
 *
 * Prints one line per workload: `soak: NAME rounds R ok O failed F killed K
 * stuck S`, then `soak: processes created P` and `soak: ok` or `soak:
 * FAILED` (a stuck round fails; a round that failed or was killed does
 * not: under memory pressure the out-of-memory killer may pick any of
 * them, and a killed fs-test or pipe-test leaves checks unfinished). */
#include "lib/bson.h"
#include "panda.h"
#include "sysinfo.h"

#define POLL_NS		20000000ull	/* how long one wait looks at one slot */

/* One line per workload: what it runs and how long a round may take. */
static const struct workload {
	const char *name;
	const char *argv[4];
	unsigned limit_s;
} workloads[] = {
	{ "spawn-many", { "/test/spawn-many" }, 300 },
	{ "chan-cycles", { "/test/chan-cycles" }, 300 },
	{ "pipe-test", { "/test/pipe-test" }, 300 },
	{ "fs-test", { "/test/fs-test" }, 300 },
	{ "oom-test", { "/test/oom-test", "48", "64" }, 300 },
	{ "sysfuzz", { "/test/sysfuzz" }, 600 },
	{ "kfuzz", { "/test/kfuzz", "-n", "200000" }, 600 },
};
#define WORKLOADS	(sizeof(workloads) / sizeof(workloads[0]))

struct slot {
	long handle;			/* < 0: not running */
	uint64_t started;
	unsigned rounds, ok, failed, killed, stuck;
	uint64_t longest;		/* ns, of a round that ended */
};

static unsigned argc_of(const struct workload *w)
{
	unsigned n = 0;

	while (n < 4 && w->argv[n])
		n++;
	return n;
}

/* The pids print_process saw, for their kernel stacks afterwards (fn
 * makes no requests while the list is walked). */
struct seen {
	int64_t pid[64];
	unsigned count;
};

static int print_process(void *ctx, const uint8_t *proc)
{
	struct seen *seen = ctx;
	struct bson_iter it;
	int64_t pid = 0, ppid = 0;
	const char *name = "?", *state = "?";
	uint32_t len;

	if (bson_find(proc, "pid", &it))
		bson_iter_integer(&it, &pid);
	if (bson_find(proc, "ppid", &it))
		bson_iter_integer(&it, &ppid);
	if (bson_find(proc, "name", &it) && !(name = bson_iter_utf8(&it, &len)))
		name = "?";
	if (bson_find(proc, "state", &it) && !(state = bson_iter_utf8(&it, &len)))
		state = "?";
	printf("soak:   pid %ld ppid %ld %s %s\n", (long)pid, (long)ppid, name, state);
	if (seen->count < sizeof(seen->pid) / sizeof(seen->pid[0]) && strcmp(state, "exited") != 0)
		seen->pid[seen->count++] = pid;
	return 0;
}

static int note_pid(void *ctx, const uint8_t *proc)
{
	struct bson_iter it;
	int64_t pid;

	if (bson_find(proc, "pid", &it) && bson_iter_integer(&it, &pid) && pid > *(int64_t *)ctx)
		*(int64_t *)ctx = pid;
	return 0;
}

static void start(panda_handle_t dir, const struct workload *w, struct slot *s)
{
	s->handle = panda_spawn_simple(dir, w->argv[0], (int)argc_of(w), w->argv);
	s->started = panda_clock();
	if (s->handle < 0) {
		/* No memory or no process slot just now: a failed round. */
		s->rounds++;
		s->failed++;
	}
}

/* Looks at a running round for up to `ns`: counts it when it ended, kills
 * it (after printing the process list) when it has run past its limit. */
static void look(const struct workload *w, struct slot *s, uint64_t ns)
{
	struct panda_exit_status st;
	long rc = panda_process_wait((panda_handle_t)s->handle, panda_clock() + ns, &st);

	if (rc == -ETIMEDOUT) {
		if (panda_clock() - s->started < (uint64_t)w->limit_s * 1000000000ull)
			return;
		struct seen seen = { .count = 0 };
		printf("soak: %s is stuck after %u s; the processes:\n", w->name, w->limit_s);
		panda_processes(print_process, &seen);
		for (unsigned i = 0; i < seen.count; i++)	/* where each waits: the kernel log */
			panda_print_stacks((uint64_t)seen.pid[i]);
		s->stuck++;
		panda_process_kill((panda_handle_t)s->handle);
		rc = panda_process_wait((panda_handle_t)s->handle, panda_clock() + 10000000000ull,
					&st);
		if (rc < 0)
			printf("soak: %s would not die: %s\n", w->name, error_name((int)rc));
	} else if (rc < 0) {
		printf("soak: waiting for %s: %s\n", w->name, error_name((int)rc));
		s->failed++;
	} else if (st.how == EXIT_NORMAL && st.code == 0) {
		s->ok++;
	} else if (st.how == EXIT_NORMAL) {
		printf("soak: %s exited with %d\n", w->name, (int)st.code);
		s->failed++;
	} else {
		s->killed++;
	}
	s->rounds++;
	if (panda_clock() - s->started > s->longest)
		s->longest = panda_clock() - s->started;
	panda_close((panda_handle_t)s->handle);
	s->handle = -1;
}

int main(int argc, char **argv)
{
	panda_handle_t dir = panda_startup_handle(0);
	uint64_t seconds = argc > 1 ? panda_parse_ulong(argv[1], 60) : 60;
	uint64_t end = panda_clock() + seconds * 1000000000ull;
	static struct slot slots[WORKLOADS];
	unsigned stuck = 0, running;
	int64_t last_pid = 0;

	for (size_t i = 0; i < WORKLOADS; i++)
		slots[i].handle = -1;
	printf("soak: %u workloads for %lu s\n", (unsigned)WORKLOADS, (unsigned long)seconds);
	do {
		running = 0;
		for (size_t i = 0; i < WORKLOADS; i++) {
			if (slots[i].handle < 0 && panda_clock() < end)
				start(dir, &workloads[i], &slots[i]);
			if (slots[i].handle >= 0)
				look(&workloads[i], &slots[i], POLL_NS);
			running += slots[i].handle >= 0;
		}
	} while (panda_clock() < end || running);

	for (size_t i = 0; i < WORKLOADS; i++) {
		const struct slot *s = &slots[i];
		printf("soak: %s rounds %u ok %u failed %u killed %u stuck %u longest %lu s\n",
		       workloads[i].name, s->rounds, s->ok, s->failed, s->killed, s->stuck,
		       (unsigned long)(s->longest / 1000000000ull));
		stuck += s->stuck;
	}
	/* Pids are never reused: a last child's is the count of processes. */
	const char *last[] = { "/test/sleeper", "100" };
	long h = panda_spawn_simple(dir, last[0], 2, last);
	if (h >= 0) {
		struct panda_exit_status st;
		panda_processes(note_pid, &last_pid);
		panda_process_wait((panda_handle_t)h, panda_clock() + 10000000000ull, &st);
		panda_close((panda_handle_t)h);
	}
	printf("soak: processes created %ld\n", (long)last_pid);
	printf(stuck ? "soak: FAILED\n" : "soak: ok\n");
	return stuck ? 1 : 0;
}
