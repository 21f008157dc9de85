/* Self-tests of processes, run from a kernel thread against the programs
 * in the initrd: exit statuses, faults, kills and orphans, each checked to
 * give back every frame and heap object it took (`test=proc`). */
#include "core/log.h"
#include "core/params.h"
#include "core/selftest.h"
#include "dev/console.h"
#include "fs/root.h"
#include "fs/tmpfs_vfs.h"
#include "fs/vfs_object.h"
#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/snapshot.h"
#include "object/channel.h"
#include "object/message.h"
#include "proc/proc_selftest.h"
#include "proc/process.h"
#include "mm/quota.h"
#include "proc/spawn.h"
#include "proc/sysinfo.h"

#define SETTLE_NS 3000000000ull

/* The quota node spawn_cmd's processes go below (NULL: each is a root). */
static struct quota *spawn_quota;	/* the self-test's */

/* Spawns `cmd` (space-separated words, the first one the path, found
 * beneath the root directory), granting as root and working directory
 * `dir` (NULL: the root directory), the console and the sysinfo object,
 * as init gets them; its tree has `limits` (NULL: the default share). */
static int spawn_in(const char *cmd, struct kobj *dir, const struct panda_limits *limits,
		    struct process **out)
{
	static struct spawn_request req;
	static char args[256];
	struct kobj *root __free(kobj_put) = fs_root_dir();
	size_t n = 0;

	if (!root)
		return -ENOENT;
	if (!dir)
		dir = root;
	memset(&req, 0, sizeof(req));
	for (const char *c = cmd; *c && n < sizeof(args) - 2; c++)
		args[n++] = *c == ' ' ? 0 : *c;
	args[n++] = 0;
	for (size_t i = 0; i < n; i++)
		req.argc += args[i] == 0;
	struct kobj *console __free(kobj_put) = console_object();
	struct kobj *sysinfo __free(kobj_put) = sysinfo_object();
	req.dir = root;
	req.grants[STARTUP_ROOT] = (struct spawn_grant){ dir, RIGHTS_ALL };
	req.grants[STARTUP_CONSOLE] = (struct spawn_grant){ console, RIGHTS_ALL };
	req.grants[STARTUP_CWD] = (struct spawn_grant){ dir, RIGHTS_ALL };
	req.grants[STARTUP_SYSINFO] = (struct spawn_grant){ sysinfo, RIGHTS_ALL };
	req.grant_count = STARTUP_STANDARD;
	req.path = args;
	req.args = args;
	req.args_len = n;
	req.parent_quota = spawn_quota;
	req.limits = limits;
	return spawn_process(&req, out);
}

static int spawn_cmd(const char *cmd, struct process **out)
{
	return spawn_in(cmd, NULL, NULL, out);
}

static struct panda_exit_status run(const char *cmd)
{
	struct process *p;
	struct panda_exit_status st = { .code = -999, .how = 99 };

	if (spawn_cmd(cmd, &p) < 0)
		return st;
	process_wait(p, UINT64_MAX, &st);
	process_put(p);
	return st;
}

/* Waits until every thread and process from before the test is gone (dead
 * threads are freed by the reaper, orphans finish on their own). */
static bool settle(uint32_t threads)
{
	uint64_t until = arch_clock_ns() + SETTLE_NS;
	struct process_counts pc;

	do {
		process_get_counts(&pc);
		if (thread_count() == threads && pc.live == 0 && pc.exited == 0)
			return true;
		sched_sleep_until(arch_clock_ns() + 1000000);
	} while (arch_clock_ns() < until);
	kprintf("proc: %u threads (want %u), %u live and %u held processes after %llu s\n",
		thread_count(), threads, pc.live, pc.exited, SETTLE_NS / 1000000000ull);
	return false;
}

/* tmpfs_check on the root filesystem and on the one mounted on /tmp. */
static bool filesystems_consistent(void)
{
	struct kobj *root __free(kobj_put) = fs_root_dir();
	struct vfs_node tmp __free(vfs_node_put) = { 0 };
	struct vfs_node r = vfs_dir_node(root);
	const char *why = tmpfs_vfs_check(r.fs);

	if (!why && vfs_lookup(r, "tmp", 3, &tmp) == 0)
		why = tmpfs_vfs_check(tmp.fs);
	if (why)
		kprintf("proc: tmpfs: %s\n", why);
	return !why;
}

static void test_processes(void)
{
	struct mm_snapshot start;
	uint32_t threads = thread_count();
	struct panda_exit_status st;
	struct process *p;

	selftest_case("the exit code reaches the waiter");
	st = run("/test/exit-code 42");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 42);
	SELFTEST_CHECK(settle(threads));

	selftest_case("10000 spawn/exit cycles leave memory exactly at its baseline");
	mm_snapshot_take(&start);
	uint64_t t0 = arch_clock_ns();
	for (int i = 0; i < 10000; i++) {
		st = run("/test/exit-code 7");
		if (st.how != EXIT_NORMAL || st.code != 7) {
			SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 7);
			break;
		}
	}
	kprintf("proc: 10000 spawn/exit cycles took %lu ms\n", (arch_clock_ns() - t0) / 1000000);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));

	static const char *const faults[] = {
		"null", "write-null", "gpf", "ud", "de", "stack", "write-text",
		"exec-stack", "kernel-read", "kernel-write", "int3", "noncanonical", "oom",
	};
	selftest_case("every fault kind kills its process and frees it");
	for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		char cmd[64] = "/test/crash ";
		strlcpy(cmd + strlen(cmd), faults[i], sizeof(cmd) - strlen(cmd));
		st = run(cmd);
		SELFTEST_CHECK(st.how == EXIT_FAULT);
	}
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("a killed process is freed");
	bool spawned = spawn_cmd("/test/spin", &p) == 0;
	SELFTEST_CHECK(spawned);
	if (spawned) {		/* p is only set by a spawn that worked */
		sched_sleep_until(arch_clock_ns() + 20000000);
		process_kill(p, EXIT_KILLED);
		SELFTEST_CHECK(process_wait(p, arch_clock_ns() + SETTLE_NS, &st) == 0);
		SELFTEST_CHECK(st.how == EXIT_KILLED);
		process_put(p);
	}
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("children that outlive their parent are freed when they end");
	st = run("/test/orphan");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("an IPC workout leaves no endpoint, message or byte behind");
	uint64_t endpoints = endpoint_count(), messages = message_count();
	st = run("/test/ipc-test");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(endpoint_count() == endpoints && message_count() == messages);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("channels carrying each other's ends are freed, queues and all");
	endpoints = endpoint_count(), messages = message_count();
	st = run("/test/chan-cycles");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(endpoint_count() == endpoints && message_count() == messages);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("a file-system workout leaves no object, node or byte behind");
	uint64_t dirs = vfs_dir_count(), files = vfs_file_count();
	st = run("/test/fs-test");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(vfs_dir_count() == dirs && vfs_file_count() == files);
	SELFTEST_CHECK(mm_snapshot_same(&start));
	SELFTEST_CHECK(filesystems_consistent());

	selftest_case("a sysinfo workout leaves no process, handle or byte behind");
	st = run("/test/sysinfo-test");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("pipelines of filters leave no process, endpoint, message or byte behind");
	endpoints = endpoint_count(), messages = message_count();
	dirs = vfs_dir_count(), files = vfs_file_count();
	st = run("/test/pipe-test");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(endpoint_count() == endpoints && message_count() == messages);
	SELFTEST_CHECK(vfs_dir_count() == dirs && vfs_file_count() == files);
	SELFTEST_CHECK(mm_snapshot_same(&start));
	SELFTEST_CHECK(filesystems_consistent());

	selftest_case("spawns that fail after the process exists leave nothing behind");
	/* Taking every kernel-stack slot maps page tables for the whole
	 * stack area, which stay for the next stacks: a high-water mark
	 * reached once, not a leak. The baseline is taken after it. */
	st = run("/test/spawnkill kstacks");
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	mm_snapshot_take(&start);
	dirs = vfs_dir_count(), files = vfs_file_count();
	fs_root_set_room(UINT64_MAX);	/* its memory mode fills memory with a file */
	st = run("/test/spawnkill");
	fs_root_set_room(0);
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(vfs_dir_count() == dirs && vfs_file_count() == files);
	SELFTEST_CHECK(mm_snapshot_same(&start));
	SELFTEST_CHECK(filesystems_consistent());

	selftest_case("a tree's quota usage is back to zero once it has ended");
	uint64_t nodes = quota_count();
	spawn_quota = quota_create(NULL, 0, NULL);
	SELFTEST_CHECK(spawn_quota != NULL);
	if (spawn_quota) {
		struct quota_info qi;
		st = run("/test/quota-test limits");
		SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
		st = run("/test/quota-test parked");
		SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
		SELFTEST_CHECK(settle(threads));
		quota_read(spawn_quota, &qi);
		for (unsigned k = 0; k < QUOTA_KINDS; k++)
			SELFTEST_CHECK(qi.used[k] == 0 && qi.own[k] == 0);
		quota_put(spawn_quota);
		spawn_quota = NULL;
	}
	SELFTEST_CHECK(quota_count() == nodes);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("spawn refuses what is not a program beneath the directory");
	SELFTEST_CHECK(spawn_cmd("/etc/panda-release", &p) == -ENOEXEC);
	SELFTEST_CHECK(spawn_cmd("/bin/no-such-program", &p) == -ENOENT);
	SELFTEST_CHECK(spawn_cmd("/bin", &p) == -EISDIR);
	SELFTEST_CHECK(spawn_cmd("bin/../../bin/init", &p) == -EOUTSIDE);
	SELFTEST_CHECK(spawn_cmd("/../bin/no-such-program", &p) == -ENOENT);
	SELFTEST_CHECK(spawn_cmd("/bin/../bin", &p) == -EISDIR);
	SELFTEST_CHECK(settle(threads));
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(proc, test_processes);

/* For other suites that run a program under the same conditions
 * (proc/proc_selftest.h). */
int proc_selftest_spawn(const char *cmd, struct process **out)
{
	return spawn_cmd(cmd, out);
}

int proc_selftest_spawn_confined(const char *cmd, struct kobj *dir,
				 const struct panda_limits *limits, struct process **out)
{
	return spawn_in(cmd, dir, limits, out);
}

bool proc_selftest_settle(uint32_t threads)
{
	return settle(threads);
}

bool proc_selftest_filesystems_consistent(void)
{
	return filesystems_consistent();
}
