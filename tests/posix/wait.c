/* Waiting: waitpid and wait4 for one pid, for any child (-1), with
 * WNOHANG while the child runs and after it ended, with a status pointer
 * of NULL; waitid(P_PID/P_ALL, WEXITED); the status words as Linux encodes
 * them (printed raw for exits and kills); ECHILD when there is nothing to
 * wait for; a child reaped once only. */
#include "common.h"

#include <sys/resource.h>

/* A child that waits for one byte on a pipe, then exits with `code`. */
struct gated {
	pid_t pid;
	int gate;	/* write end: a byte (or closing it) lets the child go */
};

static struct gated gated_child(int code)
{
	struct gated g = { -1, -1 };
	int p[2];

	if (pipe(p) < 0) {
		fail_setup("pipe");
		return g;
	}
	g.pid = fork();
	if (g.pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(code);
	}
	close(p[0]);
	g.gate = p[1];
	return g;
}

static void release(struct gated *g)
{
	write(g->gate, "", 1);
	close(g->gate);
}

static void test_wnohang(void)
{
	struct gated g = gated_child(5);
	int status = -1;

	CHECK_VAL("waitpid(WNOHANG) while the child runs", waitpid(g.pid, &status, WNOHANG));
	say_bool("status untouched by an empty WNOHANG", status == -1);
	CHECK_VAL("wait4(-1, WNOHANG) while the child runs",
		  wait4(-1, &status, WNOHANG, NULL));
	release(&g);
	pid_t r;
	do	/* the child may not have ended yet */
		r = waitpid(g.pid, &status, WNOHANG);
	while (r == 0 && usleep(1000) == 0);
	say_bool("waitpid(WNOHANG) after it ended returns its pid", r == g.pid);
	say_status("its status", status);
	say("its raw status: %#x", status);
	CHECK("waitpid(it) again", waitpid(g.pid, &status, 0));
	CHECK("waitpid(-1) with no children", waitpid(-1, &status, 0));
	CHECK("waitpid(-1, WNOHANG) with no children", waitpid(-1, &status, WNOHANG));
	CHECK("waitpid(bad options)", waitpid(-1, &status, 0x100));
}

static void test_any_and_order(void)
{
	struct gated a = gated_child(1), b = gated_child(2);
	int status;

	/* b ends first: waiting for -1 must then find b. */
	release(&b);
	pid_t r = waitpid(-1, &status, 0);
	say_bool("waitpid(-1) finds the child that ended", r == b.pid);
	say_status("the first child found", status);
	release(&a);
	r = waitpid(a.pid, NULL, 0);
	say_bool("waitpid(pid, NULL status) reaps", r == a.pid);

	struct gated c = gated_child(3);
	struct rusage ru;
	release(&c);
	r = wait4(c.pid, &status, 0, &ru);
	say_bool("wait4(pid, &rusage) returns the pid", r == c.pid);
	say_status("wait4's status", status);
	say_bool("rusage times are not negative", ru.ru_utime.tv_sec >= 0 && ru.ru_stime.tv_sec >= 0);

	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	r = wait(&status);
	say_bool("wait() reaps the only child", r == pid);
	say("raw status of exit 0: %#x", status);

	struct gated k = gated_child(0);
	kill(k.pid, SIGKILL);
	waitpid(k.pid, &status, 0);
	say("raw status of SIGKILL: %#x", status);
	close(k.gate);
	k = gated_child(0);
	kill(k.pid, SIGTERM);
	waitpid(k.pid, &status, 0);
	say("raw status of SIGTERM: %#x", status);
	close(k.gate);
}

static void test_waitid(void)
{
	struct gated g = gated_child(6);
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	CHECK("waitid(P_PID, WEXITED|WNOHANG) while it runs",
	      waitid(P_PID, (id_t)g.pid, &si, WEXITED | WNOHANG));
	say_bool("si_pid is 0 when nothing ended", si.si_pid == 0);
	release(&g);
	memset(&si, 0, sizeof(si));
	CHECK("waitid(P_PID, WEXITED)", waitid(P_PID, (id_t)g.pid, &si, WEXITED));
	say_bool("si_pid is the child", si.si_pid == g.pid);
	say("si_code %s, si_status %d", si.si_code == CLD_EXITED ? "CLD_EXITED" : "other",
	    si.si_status);

	g = gated_child(0);
	kill(g.pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	CHECK("waitid(P_ALL, WEXITED) of a killed child", waitid(P_ALL, 0, &si, WEXITED));
	say("si_code %s, si_status %s", si.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
	    signal_name(si.si_status));
	close(g.gate);
	CHECK("waitid(P_ALL) with no children", waitid(P_ALL, 0, &si, WEXITED));
	CHECK("waitid(no WEXITED etc.)", waitid(P_ALL, 0, &si, 0));
}

int main(int argc, char **argv)
{
	begin("wait", argc, argv);
	if (!setup_failures) {
		test_wnohang();
		test_any_and_order();
		test_waitid();
	}
	return end();
}
