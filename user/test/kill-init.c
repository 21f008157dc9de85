/* Issue 15: any program could kill init. Run from the shell, this opens
 * processes by pid through its sysinfo handle, as /bin/kill does, and
 * checks who it may stop (docs/protocols.md, "sysinfo": kill authority):
 * not init, not its parent (the shell), but its own child, its orphaned
 * grandchild (whose parent has ended and been freed) and, as a process
 * handle from spawn, anything it started. `kill-init parent` is the
 * middle generation: it starts a long sleeper and exits at once. */
#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define SLEEPER_MS	"30000"		/* outlives the test; killed at the end */
#define WAIT_NS		5000000000ull

struct found {
	int64_t ppid;			/* the process asked about */
	int64_t pid;			/* its newest child, or its own ppid */
	int64_t want;			/* 0: find want's ppid, else the newest child of ppid */
};

static int64_t int_field(const uint8_t *doc, const char *key)
{
	struct bson_iter it;
	int64_t v;

	return bson_find(doc, key, &it) && bson_iter_integer(&it, &v) ? v : -1;
}

static int look(void *ctx, const uint8_t *proc)
{
	struct found *f = ctx;
	int64_t pid = int_field(proc, "pid"), ppid = int_field(proc, "ppid");

	if (f->want && pid == f->want)
		f->pid = ppid;
	else if (!f->want && ppid == f->ppid && pid > f->pid)
		f->pid = pid;
	return 0;
}

static int64_t parent_of(int64_t pid)
{
	struct found f = { .want = pid, .pid = -1 };

	return panda_processes(look, &f) < 0 ? -1 : f.pid;
}

static int64_t newest_child_of(int64_t pid)
{
	struct found f = { .ppid = pid, .pid = -1 };

	return panda_processes(look, &f) < 0 ? -1 : f.pid;
}

/* Opens pid through sysinfo and kills it: the kill's result, or open's
 * error. */
static long kill_by_pid(int64_t pid)
{
	long h = panda_process_open((uint64_t)pid);

	if (h < 0)
		return h;
	long rc = panda_process_kill((panda_handle_t)h);
	panda_close((panda_handle_t)h);
	return rc;
}

static long spawn_self(const char *mode)
{
	const char *argv[] = { "/test/kill-init", mode };

	return panda_spawn_simple(panda_root(), "/test/kill-init", 2, argv);
}

static bool ended_killed(panda_handle_t h)
{
	struct panda_exit_status st = { 0 };

	return panda_process_wait(h, panda_clock() + WAIT_NS, &st) == 0 && st.how == EXIT_KILLED;
}

static void check_above(void)
{
	int64_t parent = parent_of(panda_pid());

	verdict_expect("init-kill-eacces", kill_by_pid(1), -EACCES);
	verdict("parent-known", parent > 1, "ppid %ld", (long)parent);
	if (parent > 1)
		verdict_expect("parent-kill-eacces", kill_by_pid(parent), -EACCES);
	/* Reading is not killing: the handle still opens and can wait. */
	long h = panda_process_open(1);
	if (verdict_expect_ok("init-opens", h)) {
		verdict("init-handle-cannot-gain-kill",
			panda_dup((panda_handle_t)h, RIGHT_WAIT | RIGHT_KILL) < 0, "dup added RIGHT_KILL");
		panda_close((panda_handle_t)h);
	}
}

static void check_child(void)
{
	long h = spawn_self("sleep");

	if (!verdict_expect_ok("child-spawn", h))
		return;
	int64_t pid = newest_child_of(panda_pid());
	verdict_expect("child-kill-by-pid", kill_by_pid(pid), 0);
	verdict("child-killed", ended_killed((panda_handle_t)h), "not killed");
	panda_close((panda_handle_t)h);
}

static void check_orphan(void)
{
	struct panda_exit_status st;
	long h = spawn_self("parent");

	if (!verdict_expect_ok("orphan-parent-spawn", h))
		return;
	int64_t middle = newest_child_of(panda_pid());
	verdict("orphan-parent-exits",
		panda_process_wait((panda_handle_t)h, panda_clock() + WAIT_NS, &st) == 0 &&
			st.how == EXIT_NORMAL && st.code == 0, "how %u code %d", st.how, st.code);
	panda_close((panda_handle_t)h);		/* the middle one is freed */
	int64_t orphan = newest_child_of(middle);
	verdict("orphan-listed", orphan > middle, "no child of pid %ld", (long)middle);
	verdict_expect("orphan-middle-gone", panda_process_open((uint64_t)middle), -ENOENT);
	if (orphan > middle)
		verdict_expect("orphan-kill-by-pid", kill_by_pid(orphan), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
		panda_sleep_ns(30000000000ull);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "parent") == 0) {
		const char *sleeper[] = { "/test/sleeper", SLEEPER_MS };
		long h = panda_spawn_simple(panda_root(), "/test/sleeper", 2, sleeper);
		return h < 0 ? 1 : 0;	/* exits at once; the sleeper is orphaned */
	}
	verdict_start("kill-init");
	check_above();
	check_child();
	check_orphan();
	return verdict_finish();
}
