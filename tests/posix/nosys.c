/* System calls the kernel does not have: numbers Linux x86-64 leaves
 * unassigned answer -1 ENOSYS on Linux and on Panda OS alike, and the
 * program carries on. On Panda the first few are also logged with the
 * program's name (docs/posix.md), which tests/system/test_posix.py
 * checks. */
#include "common.h"

#include <sys/syscall.h>

int main(void)
{
	say("=== begin nosys");
	for (int i = 0; i < 20; i++) {
		errno = 0;
		long rc = syscall(500 + i);
		if (i == 0 || rc != -1 || errno != ENOSYS)
			say("syscall(%d): %ld %s", 500 + i, rc, errno_name(errno));
	}
	errno = 0;
	long rc = syscall(100000);
	say("syscall(100000): %ld %s", rc, errno_name(errno));
	say("still running: yes");
	say("=== end nosys 0");
	return 0;
}
