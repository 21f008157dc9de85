/* A device is not a directory (found by lfuzz, docs/testing.md: chdir to
 * /dev/null made the device the working directory, and the next relative
 * path faulted in the kernel). chdir, open with O_DIRECTORY, openat
 * beneath a device's descriptor and a path beneath a device's name answer
 * ENOTDIR, and the working directory stays where it was. */
#include "common.h"

int main(int argc, char **argv)
{
	begin("devdir", argc, argv);
	CHECK("chdir(/dev/null)", chdir("/dev/null"));
	CHECK("chdir(/dev/zero/)", chdir("/dev/zero/"));
	CHECK("chdir(/dev/urandom)", chdir("/dev/urandom"));
	CHECK("open(/dev/null, O_DIRECTORY)", open("/dev/null", O_RDONLY | O_DIRECTORY));
	CHECK("open(/dev/null/)", open("/dev/null/", O_RDONLY));
	CHECK("open(/dev/zero/x)", open("/dev/zero/x", O_RDONLY));
	struct stat st;
	CHECK("stat(/dev/urandom/)", stat("/dev/urandom/", &st));
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_setup("open(/dev/null)");
	CHECK("openat(/dev/null, name)", openat(fd, "name", O_RDONLY));
	CHECK("mkdirat(/dev/null, name)", mkdirat(fd, "name", 0755));
	CHECK("fchdir(/dev/null)", fchdir(fd));
	close(fd);
	/* Relative paths still start from the scratch directory. */
	CHECK("mkdir(here)", mkdir("here", 0755));
	CHECK("rmdir(here)", rmdir("here"));
	return end();
}
