/* cp: copies a file to a file (made, or emptied first), or each of several
 * files into a directory under its own name. Directories are not copied.
 * Data moves a request at a time (PANDA_IO_MAX), never the whole file. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"cp", "cp FILE TARGET | cp FILE... DIR",
	"Copies FILE to TARGET, which is made if missing and emptied first if\n"
	"not. When TARGET is a directory, or there are several FILEs (then it\n"
	"must be one), each FILE is copied into it under its own name.\n"
	"Directories are not copied.\n",
	NULL,
};

static int copy(const char *from, const char *to)
{
	struct panda_where at;
	struct panda_stat src;
	const char *failed;
	long rc = panda_resolve(from, &at);

	if (rc == 0)
		rc = panda_stat(at.dir, at.path, &src);
	if (rc < 0)
		return complain("cp", from, (int)rc);
	if (src.is_dir)
		return complain("cp", from, -EISDIR);
	rc = panda_copy_file(from, &src, to, false, &failed);
	if (rc < 0 && !failed) {
		eprintf("cp: %s and %s are the same file\n", from, to);
		return 1;
	}
	return rc < 0 ? complain("cp", failed, (int)rc) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_into("cp", cmd.usage, i, argc, argv, copy);
}
