/* The first user process. It announces that user space is up, runs
 * /bin/hello from the root directory it was granted as startup handle 0,
 * waits for it and reports its exit status. (A later issue replaces it with
 * the shell launcher.) */
#include "panda.h"

int main(int argc, char **argv)
{
	static const char *const hello_argv[] = { "/bin/hello", "from", "init" };
	panda_handle_t dir = panda_startup_handle(0);
	struct panda_exit_status status;
	long h, err;

	(void)argc;
	(void)argv;
	printf("init: Panda OS user space is up (pid %u)\n", panda_pid());
	if (dir == PANDA_HANDLE_NONE) {
		printf("init: no directory handle was granted\n");
		return 1;
	}
	h = panda_spawn_simple(dir, "/bin/hello", 3, hello_argv);
	if (h < 0) {
		printf("init: cannot spawn /bin/hello: %s\n", error_name((int)h));
		return 1;
	}
	err = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &status);
	panda_close((panda_handle_t)h);
	if (err < 0) {
		printf("init: waiting for hello failed: %s\n", error_name((int)err));
		return 1;
	}
	if (status.how == EXIT_NORMAL)
		printf("init: hello exited with status %d\n", status.code);
	else
		printf("init: hello exited with status %d (%s)\n", status.code,
		       panda_exit_how_name(status.how));
	return 0;
}
