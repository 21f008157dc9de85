/* rmdir: removes each empty directory named. */
#include "panda.h"

static const struct panda_command cmd = {
	"rmdir", "rmdir DIR...",
	"Removes each directory DIR, which must be empty (rm -r removes a\n"
	"directory with everything in it). A mount point such as /tmp cannot\n"
	"be removed.\n",
	NULL,
};

static int rmdir_one(const char *path)
{
	long rc = panda_rmdir_path(path);

	return rc < 0 ? complain("rmdir", path, (int)rc) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_operand(&cmd, i, argc, argv, rmdir_one);
}
