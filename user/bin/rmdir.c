/* rmdir: removes each empty directory named. */
#include "panda.h"

static const struct panda_command cmd = {
	"rmdir", "rmdir DIR...",
	"Removes each directory DIR, which must be empty (rm -r removes a\n"
	"directory with everything in it). A mount point such as /tmp cannot\n"
	"be removed.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	if (i == argc)
		return panda_usage_error(&cmd);
	int status = 0;
	for (; i < argc; i++) {
		struct panda_where at;
		long rc = panda_resolve(argv[i], &at);

		if (rc == 0)
			rc = panda_rmdir(at.dir, at.path);
		if (rc < 0)
			status = complain("rmdir", argv[i], (int)rc);
	}
	return status;
}
