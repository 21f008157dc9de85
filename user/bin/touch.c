/* touch: makes each named file that is missing, empty. There is no request
 * that sets a file's times, so a file or directory that exists is left
 * exactly as it is. */
#include "panda.h"

static const struct panda_command cmd = {
	"touch", "touch FILE...",
	"Makes each FILE that does not exist, empty. A FILE that exists is\n"
	"left alone: its times do not change, as there is no request that\n"
	"sets them.\n",
	NULL,
};

static int touch(const char *path)
{
	struct panda_where at;
	struct panda_stat st;
	long rc = panda_resolve(path, &at);

	if (rc == 0)
		rc = panda_stat(at.dir, at.path, &st);
	if (rc == 0)
		return 0;
	if (rc != -ENOENT)
		return complain("touch", path, (int)rc);
	long f = panda_open(at.dir, at.path, OPEN_WRITE | OPEN_CREATE);
	if (f < 0)
		return complain("touch", path, (int)f);
	panda_close((panda_handle_t)f);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_operand(&cmd, i, argc, argv, touch);
}
