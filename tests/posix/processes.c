/* Processes: fork (0 in the child, the child's pid in the parent),
 * getpid/getppid/gettid relations (printed as booleans; the numbers are
 * machine-specific), exit codes through exit and _exit, kill with SIGKILL
 * and SIGTERM of a blocked child (WIFSIGNALED/WTERMSIG), kill with signal
 * 0 as an existence test, and kill's errors. The wait calls themselves are
 * the wait program's. */
#include "common.h"

#include <sys/syscall.h>

/* A child that blocks reading a pipe nobody writes, until it is killed. */
static pid_t blocked_child(int *keep_open)
{
	int p[2];

	if (pipe(p) < 0) {
		fail_setup("pipe");
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(99);	/* only if the parent's write end went away */
	}
	close(p[0]);
	*keep_open = p[1];
	return pid;
}

static void test_ids(void)
{
	pid_t me = getpid();
	int p[2];

	say_bool("getpid is positive", me > 0);
	say_bool("getppid is not getpid", getppid() != me);
	say_bool("gettid of the only thread is getpid", syscall(SYS_gettid) == me);
	machine("pid: %ld", (long)me);
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		pid_t child = getpid();
		say_bool("fork returned 0 in the child", true);
		say_bool("child's getppid is the parent's getpid", getppid() == me);
		say_bool("child's getpid is new", child != me);
		write(p[1], &child, sizeof(child));
		_exit(0);
	}
	pid_t seen = 0;
	read(p[0], &seen, sizeof(seen));	/* after the child's lines */
	say_bool("fork returned a positive pid in the parent", pid > 0);
	say_bool("fork's value is the child's getpid", seen == pid);
	reap("child of the id checks", pid);
	close(p[0]);
	close(p[1]);
	say_bool("getpid unchanged by fork", getpid() == me);

	/* Grandchild: its parent is the child, not us. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		pid_t mid = getpid();
		pid_t g = fork();
		if (g == 0) {
			char ok = getppid() == mid;
			write(p[1], &ok, 1);
			_exit(0);
		}
		int st;
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 100);
	}
	char ok = 0;
	read(p[0], &ok, 1);
	say_bool("grandchild's getppid is the child", ok);
	reap("child that waited for its own child", pid);
	close(p[0]);
	close(p[1]);
}

static void test_exit_codes(void)
{
	static const int codes[] = { 0, 1, 2, 42, 127, 255, 256, 257, -1 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(codes[i]);
		char name[64];
		snprintf(name, sizeof(name), "child of _exit(%d)", codes[i]);
		reap(name, pid);
	}
	pid_t pid = fork();
	if (pid == 0)
		exit(7);
	reap("child of exit(7)", pid);
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit_group, 9);
	reap("child of exit_group(9)", pid);
}

static void test_kill(void)
{
	int keep;
	pid_t pid = blocked_child(&keep);

	if (pid < 0)
		return;
	CHECK("kill(child, 0) finds it", kill(pid, 0));
	CHECK("kill(child, SIGKILL)", kill(pid, SIGKILL));
	int status = reap("child killed with SIGKILL", pid);
	say_bool("WIFSIGNALED after SIGKILL", WIFSIGNALED(status));
	say_bool("WTERMSIG is SIGKILL", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK("kill(reaped child, 0)", kill(pid, 0));
	close(keep);

	pid = blocked_child(&keep);
	if (pid < 0)
		return;
	CHECK("kill(child, SIGTERM)", kill(pid, SIGTERM));
	status = reap("child killed with SIGTERM", pid);
	say_bool("WTERMSIG is SIGTERM", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	close(keep);

	/* A child that closed its read end's last writer ends by itself. */
	pid = blocked_child(&keep);
	if (pid < 0)
		return;
	close(keep);
	reap("blocked child whose pipe lost its writer", pid);

	CHECK("kill(no such pid, SIGTERM)", kill(99999999, SIGTERM));
	CHECK("kill(self, bad signal 1000)", kill(getpid(), 1000));
	CHECK("kill(self, 0)", kill(getpid(), 0));
}

int main(int argc, char **argv)
{
	begin("processes", argc, argv);
	if (!setup_failures) {
		test_ids();
		test_exit_codes();
		test_kill();
	}
	return end();
}
