/* Spawns 50 `/test/exit-code I` (I = 0..49) before waiting for any, then
 * waits for each in turn and checks it ended normally with code I: many
 * live children at once, and each exit status reaching the right handle. */
#include "panda.h"

#define CHILDREN 50

int main(int argc, char **argv)
{
	panda_handle_t dir = panda_startup_handle(0);
	static char numbers[CHILDREN][12];
	long handles[CHILDREN];
	char line[PANDA_PRINT_BUFFER];
	int failures = 0, len;

	(void)argc;
	(void)argv;
	for (int i = 0; i < CHILDREN; i++) {
		const char *child_argv[] = { "/test/exit-code", numbers[i] };

		snprintf(numbers[i], sizeof(numbers[i]), "%d", i);
		handles[i] = panda_spawn_simple(dir, "/test/exit-code", 2, child_argv);
		if (handles[i] < 0) {
			printf("spawn-many: spawn %d failed: %s\n", i, error_name((int)handles[i]));
			failures++;
		}
	}

	len = snprintf(line, sizeof(line), "spawn-many: collected %d exit codes:", CHILDREN);
	for (int i = 0; i < CHILDREN; i++) {
		struct panda_exit_status status;
		long err;

		if (handles[i] < 0)
			continue;
		err = panda_process_wait((panda_handle_t)handles[i], PANDA_DEADLINE_NEVER, &status);
		panda_close((panda_handle_t)handles[i]);
		if (err < 0) {
			printf("spawn-many: wait for child %d failed: %s\n", i, error_name((int)err));
			failures++;
		} else if (status.how != EXIT_NORMAL || status.code != i) {
			printf("spawn-many: child %d ended %s with code %d, expected normal %d\n",
			       i, panda_exit_how_name(status.how), status.code, i);
			failures++;
		} else if (len < (int)sizeof(line)) {
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %d", status.code);
		}
	}
	if (failures) {
		printf("spawn-many: %d of %d children went wrong\n", failures, CHILDREN);
		return 1;
	}
	printf("%s\n", line);
	return 0;
}
