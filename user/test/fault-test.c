/* Runs `/test/crash KIND` for every kind of fault and requires each child to
 * end with EXIT_FAULT while this process carries on: user faults kill only
 * the faulting process. It also checks that an unknown kind exits
 * normally with 2, so crash itself is sane. */
#include "panda.h"

static const char *const kinds[] = {
	"null", "write-null", "gpf", "ud", "de", "stack", "write-text",
	"exec-stack", "kernel-read", "kernel-write", "int3", "noncanonical", "oom",
};

#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))
#define TIMEOUT_NS 10000000000ull	/* 10 s per child */

/* Runs crash with kind; returns 0 and fills status, or a negative error. */
static long run_crash(const char *kind, struct panda_exit_status *status)
{
	const char *argv[] = { "/test/crash", kind };
	long h = panda_spawn_simple(panda_startup_handle(0), "/test/crash", 2, argv);
	long err;

	if (h < 0)
		return h;
	err = panda_process_wait((panda_handle_t)h, panda_clock() + TIMEOUT_NS, status);
	if (err < 0) {
		printf("fault-test: %s: no exit within 10 s (%s), killing it\n",
		       kind, error_name((int)err));
		panda_process_kill((panda_handle_t)h);
		panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, status);
	}
	panda_close((panda_handle_t)h);
	return err;
}

int main(int argc, char **argv)
{
	struct panda_exit_status status;
	int failures = 0;
	long err;

	(void)argc;
	(void)argv;
	for (int i = 0; i < NKINDS; i++) {
		err = run_crash(kinds[i], &status);
		if (err < 0) {
			printf("fault-test: %s: %s\n", kinds[i], error_name((int)err));
			failures++;
		} else if (status.how != EXIT_FAULT) {
			printf("fault-test: %s ended %s with code %d, expected a fault\n",
			       kinds[i], panda_exit_how_name(status.how), status.code);
			failures++;
		} else {
			printf("fault-test: %s killed as expected\n", kinds[i]);
		}
	}

	err = run_crash("no-such-fault", &status);
	if (err < 0 || status.how != EXIT_NORMAL || status.code != 2) {
		printf("fault-test: crash with an unknown kind did not exit normally with 2\n");
		failures++;
	}

	if (failures) {
		printf("fault-test: %d of %d checks failed\n", failures, NKINDS + 1);
		return 1;
	}
	printf("fault-test: all %d faults contained\n", NKINDS);
	return 0;
}
