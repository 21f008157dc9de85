/* The system-call fuzz campaigns as leak checks (docs/testing.md,
 * "Fuzzing the kernel" and "Fuzzing the Linux table"):
 *
 * - `test=kfuzz` runs the native fuzzer /test/kfuzz with the arguments of
 *   `kfuzz="..."` on the command line;
 * - `test=lfuzz` runs the Linux one, /test/lfuzz, with those of
 *   `lfuzz="..."`, confined: its root and working directory are a fresh
 *   /tmp/lfuzz, so whatever paths it makes up reach only what it made,
 *   and its tree's memory is bounded, so that it meets its quota rather
 *   than the out-of-memory killer.
 *
 * Each checks that once the program and everything it started are gone,
 * every frame, heap object, endpoint, message, file and directory it took
 * is back and the filesystems are consistent. */
#include "core/log.h"
#include "core/params.h"
#include "core/selftest.h"
#include "fs/root.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/snapshot.h"
#include "object/channel.h"
#include "object/message.h"
#include "proc/proc_selftest.h"
#include "proc/process.h"

struct campaign {
	const char *name;		/* the suite, its parameter, its log lines */
	const char *program;
	char cmd[256];			/* program and arguments: set once at boot */
	const char *dir;		/* confined to this fresh directory, or NULL */
	struct panda_limits limits;	/* of its tree, with dir */
};

static struct campaign kfuzz = { .name = "kfuzz", .program = "/test/kfuzz" };
static struct campaign lfuzz = {
	.name = "lfuzz", .program = "/test/lfuzz", .dir = "/tmp/lfuzz",
	.limits = { .user_memory = 16ull << 20, .kernel_memory = 16ull << 20 },
};

static bool set_args(struct campaign *c, const char *value)
{
	size_t n = strlen(c->program) + 1;

	if (strlen(value) >= sizeof(c->cmd) - n) {
		log_warn("cmdline: %s= value is too long\n", c->name);
		return false;
	}
	strlcpy(c->cmd, c->program, sizeof(c->cmd));
	strlcpy(c->cmd + n - 1, " ", sizeof(c->cmd) - n + 1);
	strlcpy(c->cmd + n, value, sizeof(c->cmd) - n);
	return true;
}

static bool parse_kfuzz(const char *value)
{
	return set_args(&kfuzz, value);
}
PARAM("kfuzz", parse_kfuzz);

static bool parse_lfuzz(const char *value)
{
	return set_args(&lfuzz, value);
}
PARAM("lfuzz", parse_lfuzz);

/* Runs c's program (in its fresh directory, when it has one) and waits
 * for it: true when it exited with 0. */
static bool run_program(const struct campaign *c, const char *cmd)
{
	struct panda_exit_status st = { .code = -999, .how = 99 };
	struct kobj *root __free(kobj_put) = fs_root_dir();
	struct vfs_opened dir = { 0 };
	struct process *p;
	int rc = 0;

	if (c->dir) {
		size_t len = strlen(c->dir);
		rc = root ? vfs_dir_mkdir(root, c->dir, len) : -ENOENT;
		if (rc == 0)
			rc = vfs_dir_open(root, RIGHTS_ALL, c->dir, len, OPEN_DIRECTORY, NULL, NULL,
					  &dir);
		SELFTEST_CHECK(rc == 0);
	}
	if (rc == 0) {
		rc = dir.obj ? proc_selftest_spawn_confined(cmd, dir.obj, &c->limits, &p) :
			       proc_selftest_spawn(cmd, &p);
		SELFTEST_CHECK(rc == 0);
	}
	if (rc == 0) {		/* p is only set by a spawn that worked */
		process_wait(p, UINT64_MAX, &st);
		process_put(p);
	}
	if (dir.obj) {
		kobj_put(dir.obj);
		/* It removes all it made: the directory must be empty. */
		int removed = vfs_dir_remove(root, c->dir, strlen(c->dir), true);
		if (removed < 0)
			kprintf("%s: %s could not be removed: %s\n", c->name, c->dir,
				error_name(removed));
		SELFTEST_CHECK(removed == 0);
	}
	return st.how == EXIT_NORMAL && st.code == 0;
}

static void run_campaign(const struct campaign *c)
{
	struct mm_snapshot start;
	uint32_t threads = thread_count();
	const char *cmd = c->cmd[0] ? c->cmd : c->program;

	selftest_case("a fuzz campaign ends cleanly and leaves nothing behind");
	uint64_t endpoints = endpoint_count(), messages = message_count();
	uint64_t dirs = vfs_dir_count(), files = vfs_file_count();
	mm_snapshot_take(&start);
	kprintf("%s: running %s\n", c->name, cmd);
	SELFTEST_CHECK(run_program(c, cmd));
	SELFTEST_CHECK(proc_selftest_settle(threads));
	SELFTEST_CHECK(endpoint_count() == endpoints && message_count() == messages);
	SELFTEST_CHECK(vfs_dir_count() == dirs && vfs_file_count() == files);
	bool same = mm_snapshot_same(&start);
	SELFTEST_CHECK(same);
	kprintf("%s: leak check: %s\n", c->name, same ? "memory back at its baseline" : "LEAK");
	SELFTEST_CHECK(proc_selftest_filesystems_consistent());
}

static void test_kfuzz(void)
{
	run_campaign(&kfuzz);
}
SELFTEST(kfuzz, test_kfuzz);

static void test_lfuzz(void)
{
	run_campaign(&lfuzz);
}
SELFTEST(lfuzz, test_lfuzz);
