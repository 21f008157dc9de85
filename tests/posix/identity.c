/* Identity and the machine: getuid/geteuid/getgid/getegid (one identity,
 * its numbers machine-specific), getgroups, uname (sysname and machine are
 * Linux's and x86_64's; release, version and nodename are
 * machine-specific), sysinfo, prctl PR_SET_NAME/PR_GET_NAME, getrlimit,
 * umask, sched_yield. */
#include "common.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static void test_ids(void)
{
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();

	say_bool("getuid is geteuid", uid == euid);
	say_bool("getgid is getegid", gid == egid);
	machine("uid and gid: %ld %ld", (long)uid, (long)gid);
	CHECK("getgroups(0, NULL)", getgroups(0, NULL));
	pid_t pid = fork();
	if (pid == 0)
		_exit(getuid() == uid && getgid() == gid ? 0 : 1);
	reap("child comparing its ids (exit 0: the same)", pid);
}

static void test_uname(void)
{
	struct utsname u;

	if (CHECK("uname(&u)", uname(&u)) < 0)
		return;
	say("uname sysname: %s", u.sysname);
	say("uname machine: %s", u.machine);
	machine("uname release: %s", u.release);
	machine("uname version: %s", u.version);
	machine("uname nodename: %s", u.nodename);
	say_bool("uname release is not empty", u.release[0] != 0);
	say_bool("uname nodename is not empty", u.nodename[0] != 0);
}

static void test_sysinfo(void)
{
	struct sysinfo si;

	if (CHECK("sysinfo(&si)", sysinfo(&si)) < 0)
		return;
	say_bool("sysinfo totalram is positive", si.totalram > 0);
	say_bool("sysinfo freeram is at most totalram", si.freeram <= si.totalram);
	say_bool("sysinfo procs is at least 1", si.procs >= 1);
	say_bool("sysinfo mem_unit is at least 1", si.mem_unit >= 1);
}

static void test_process_settings(void)
{
	char name[32] = "";

	CHECK("prctl(PR_SET_NAME, \"px-identity\")", prctl(PR_SET_NAME, "px-identity", 0, 0, 0));
	CHECK("prctl(PR_GET_NAME)", prctl(PR_GET_NAME, name, 0, 0, 0));
	say("the name PR_GET_NAME gives: %s", name);
	CHECK("prctl(PR_SET_NAME, 20 bytes)", prctl(PR_SET_NAME, "abcdefghijklmnopqrst", 0, 0, 0));
	prctl(PR_GET_NAME, name, 0, 0, 0);
	say("a long name is cut to 15 bytes: %s", name);
	/* All 16 bytes come back, padded with zeros: nothing of the longer
	 * name before, or of the kernel, shows after the end. */
	memset(name, 0x5a, sizeof(name));
	CHECK("prctl(PR_SET_NAME, \"ab\")", prctl(PR_SET_NAME, "ab", 0, 0, 0));
	prctl(PR_GET_NAME, name, 0, 0, 0);
	char hex[16 * 3 + 1];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)name[i]);
	say("PR_GET_NAME's 16 bytes, then the one after: %s| %02x", hex, (unsigned char)name[16]);

	struct rlimit rl;
	CHECK("getrlimit(RLIMIT_NOFILE)", getrlimit(RLIMIT_NOFILE, &rl));
	say_bool("RLIMIT_NOFILE soft is at most hard", rl.rlim_cur <= rl.rlim_max);
	say_bool("RLIMIT_NOFILE soft is at least 64", rl.rlim_cur >= 64);
	CHECK("getrlimit(RLIMIT_STACK)", getrlimit(RLIMIT_STACK, &rl));
	say_bool("RLIMIT_STACK soft is at least 128 KiB", rl.rlim_cur >= 128 * 1024);
	CHECK("getrlimit(bad resource 1000)", getrlimit(1000, &rl));

	mode_t old = umask(027);
	machine("umask at start: %03o", (unsigned)old);
	say("umask(022) returns the one set before: %03o", (unsigned)umask(022));
	CHECK("sched_yield()", sched_yield());
}

int main(int argc, char **argv)
{
	begin("identity", argc, argv);
	if (!setup_failures) {
		test_ids();
		test_uname();
		test_sysinfo();
		test_process_settings();
	}
	return end();
}
