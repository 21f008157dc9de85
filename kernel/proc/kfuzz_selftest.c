/* The system-call fuzz campaign as a leak check (`test=kfuzz`): runs
 * /test/kfuzz with the arguments of `kfuzz="..."` on the command line and
 * checks that once it and everything it started are gone, every frame,
 * heap object, endpoint, message, file and directory it took is back and
 * the filesystems are consistent (docs/testing.md, "Fuzzing"). */
#include "core/log.h"
#include "core/params.h"
#include "core/selftest.h"
#include "fs/vfs_object.h"
#include "lib/string.h"
#include "mm/snapshot.h"
#include "object/channel.h"
#include "object/message.h"
#include "proc/proc_selftest.h"
#include "proc/process.h"

static char kfuzz_cmd[256] = "/test/kfuzz";	/* set once at boot */

static bool parse_kfuzz(const char *value)
{
	size_t n = strlen("/test/kfuzz ");

	if (strlen(value) >= sizeof(kfuzz_cmd) - n) {
		log_warn("cmdline: kfuzz= value is too long\n");
		return false;
	}
	strlcpy(kfuzz_cmd, "/test/kfuzz ", sizeof(kfuzz_cmd));
	strlcpy(kfuzz_cmd + n, value, sizeof(kfuzz_cmd) - n);
	return true;
}
PARAM("kfuzz", parse_kfuzz);

static void test_kfuzz(void)
{
	struct mm_snapshot start;
	uint32_t threads = thread_count();
	struct panda_exit_status st = { .code = -999, .how = 99 };
	struct process *p;

	selftest_case("a fuzz campaign ends cleanly and leaves nothing behind");
	uint64_t endpoints = endpoint_count(), messages = message_count();
	uint64_t dirs = vfs_dir_count(), files = vfs_file_count();
	mm_snapshot_take(&start);
	kprintf("kfuzz: running %s\n", kfuzz_cmd);
	int rc = proc_selftest_spawn(kfuzz_cmd, &p);
	SELFTEST_CHECK(rc == 0);
	if (rc == 0) {		/* p is only set by a spawn that worked */
		process_wait(p, UINT64_MAX, &st);
		process_put(p);
	}
	SELFTEST_CHECK(st.how == EXIT_NORMAL && st.code == 0);
	SELFTEST_CHECK(proc_selftest_settle(threads));
	SELFTEST_CHECK(endpoint_count() == endpoints && message_count() == messages);
	SELFTEST_CHECK(vfs_dir_count() == dirs && vfs_file_count() == files);
	bool same = mm_snapshot_same(&start);
	SELFTEST_CHECK(same);
	kprintf("kfuzz: leak check: %s\n", same ? "memory back at its baseline" : "LEAK");
	SELFTEST_CHECK(proc_selftest_filesystems_consistent());
}
SELFTEST(kfuzz, test_kfuzz);
