/* Spawns three `/test/sleeper 50` and exits at once without waiting for them
 * or closing their handles: the kernel must let the orphans finish and then
 * free everything of all four processes. */
#include "panda.h"

int main(int argc, char **argv)
{
	static const char *const sleeper_argv[] = { "/test/sleeper", "50" };
	panda_handle_t dir = panda_startup_handle(0);
	int spawned = 0;

	(void)argc;
	(void)argv;
	for (int i = 0; i < 3; i++) {
		long h = panda_spawn_simple(dir, "/test/sleeper", 2, sleeper_argv);

		if (h < 0)
			printf("orphan: cannot spawn /test/sleeper: %s\n", error_name((int)h));
		else
			spawned++;
	}
	printf("orphan: spawned %d sleepers, exiting without waiting\n", spawned);
	return spawned == 3 ? 0 : 1;
}
