/* The smallest Linux program: its arguments and environment arrive (the
 * System V initial stack), it writes to fd 1 and exits with a status. The
 * first program to enable in tests/system/test_posix.py. */
#include "common.h"

extern char **environ;

int main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	size_t env = 0;
	bool env_ok = true;

	say("=== begin hello");
	say("argument count: %d", argc);
	say("argv[0] basename: %s", slash ? slash + 1 : argv[0]);
	for (int i = 1; i < argc; i++)
		say("argv[%d]: %s", i, argv[i]);
	say_bool("argv[argc] is NULL", argv[argc] == NULL);
	for (char **e = environ; *e; e++, env++)
		env_ok = env_ok && strchr(*e, '=');
	machine("environment count: %zu", env);
	say_bool("every environment entry has '='", env_ok);
	/* Panda's init gets PWD=/ (kernel/init/init.c); the host runner gives
	 * the same (tests/posix/posix_output.py). */
	say("getenv(\"PWD\"): %s", getenv("PWD") ? getenv("PWD") : "(unset)");
	say("=== end hello 0");
	return 0;
}
