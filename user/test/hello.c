/* The smallest real program: greets the world with its pid and argument
 * count, lists its arguments and exits 0. It shows that the startup block
 * (argc, argv, pid) arrives intact and that printf reaches the log. */
#include "panda.h"

int main(int argc, char **argv)
{
	printf("hello: hello, world (pid %u, argc %d)\n", panda_pid(), argc);
	for (int i = 0; i < argc; i++)
		printf("hello: argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
