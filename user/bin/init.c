/* The first process. It holds what the kernel granted it (root, console,
 * working directory, sysinfo and power) and keeps a shell on the console:
 * /bin/sh is started with the standard handles and the power handle, and
 * started again whenever it ends, whether by `exit`, Ctrl-D or a crash.
 *
 * There is nothing to reap: a process's exit status lives in its process
 * object, which goes away with the last handle to it, so an orphan is
 * freed by the kernel when it ends. init only has to keep the shell. */
#include "panda.h"

#define SHELL		"/bin/sh"
#define QUICK_NS	1000000000ull	/* a shell that ends sooner than this... */
#define BACKOFF_NS	1000000000ull	/* ...is restarted after this pause */

static const struct panda_command cmd = {
	"init", "init",
	"The first process, which the kernel starts: keeps " SHELL " running on\n"
	"the console, with the power handle.\n",
	NULL,
};

int main(int argc, char **argv)
{
	static const char *const sh_argv[] = { SHELL };
	static const char *const sh_env[] = { "PWD=/", NULL };
	panda_handle_t power = panda_handle_named("power");
	struct panda_named_handle extra[] = { { "power", power } };
	unsigned flags;

	if (panda_options(&cmd, argc, argv, &flags) < argc)
		return panda_usage_error(&cmd);
	printf("init: Panda OS user space is up (pid %u)\n", panda_pid());
	for (;;) {
		struct panda_launch l = {
			.dir = panda_root(), .path = SHELL, .argc = 1, .argv = sh_argv,
			.extra = extra, .extra_count = power ? 1 : 0, .env = sh_env,
		};
		uint64_t started = panda_clock();
		struct panda_exit_status st;
		long sh = panda_launch(&l);

		if (sh < 0) {
			printf("init: cannot start %s: %s\n", SHELL, error_text((int)sh));
		} else {
			long rc = panda_process_wait((panda_handle_t)sh, PANDA_DEADLINE_NEVER, &st);
			panda_close((panda_handle_t)sh);
			if (rc < 0)
				printf("init: waiting for the shell failed: %s\n", error_text((int)rc));
			else if (st.how != EXIT_NORMAL)
				printf("init: the shell ended (%s); starting a new one\n",
				       panda_exit_how_name(st.how));
		}
		if (sh < 0 || panda_clock() - started < QUICK_NS)
			panda_sleep_ns(BACKOFF_NS);	/* do not spin on a broken shell */
	}
}
