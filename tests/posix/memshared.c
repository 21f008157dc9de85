/* A shared anonymous mapping across fork: the child sees what the parent
 * wrote before the fork, and the parent sees what the child writes after
 * it. Not enabled on Panda OS yet (tests/system/test_posix.py): a shared
 * anonymous mapping is private there until memory objects come
 * (docs/posix.md, "Memory"). */
#include "common.h"

#include <sys/mman.h>

#define PAGE 4096ul

int main(int argc, char **argv)
{
	begin("memshared", argc, argv);
	unsigned char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap(anonymous shared, 1 page)", shared == MAP_FAILED ? -1 : 0);
	if (shared != MAP_FAILED) {
		shared[0] = 'S';
		pid_t pid = fork();
		if (pid == 0) {
			say_bool("child sees the parent's shared write", shared[0] == 'S');
			shared[0] = 'c';
			shared[1] = 'C';
			_exit(0);
		}
		reap("child writing the mapping", pid);
		say_bool("parent sees the child's shared writes",
			 shared[0] == 'c' && shared[1] == 'C');
		CHECK("munmap(shared)", munmap(shared, PAGE));
	}
	return end();
}
