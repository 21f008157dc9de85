/* mv: renames a file or directory, or moves each of several into a
 * directory under its own name. A rename is one request through one
 * directory handle, within one filesystem, and atomic. When the two paths
 * cannot meet in one rename (one is absolute and the other relative, so
 * they resolve beneath different handles; or they lie in different
 * filesystems, in and out of /tmp) a file is copied, a request at a time,
 * and the original removed only once the copy is whole; a directory
 * cannot move that way. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"mv", "mv PATH TARGET | mv PATH... DIR",
	"Renames PATH to TARGET, replacing a TARGET file. When TARGET is a\n"
	"directory, or there are several PATHs (then it must be one), each\n"
	"PATH moves into it under its own name. Between filesystems (in or\n"
	"out of /tmp), or from a relative to an absolute path, a file is\n"
	"copied and then removed; a directory cannot move so.\n",
	NULL,
};

/* A failure that concerns both paths (a rename's). */
static int refuse(const char *from, const char *to, int err)
{
	eprintf("mv: %s -> %s: %s\n", from, to, error_text(err));
	return 1;
}

/* The file from, whose stat is src, copied to to; then from removed. A
 * copy that fails part way is removed and the original kept. */
static int copy_and_remove(const char *from, const char *to, const struct panda_stat *src)
{
	const char *failed;
	long rc = panda_copy_file(from, src, to, true, &failed);

	if (rc < 0 && !failed) {
		eprintf("mv: %s and %s are the same file\n", from, to);
		return 1;
	}
	if (rc < 0)
		return complain("mv", failed, (int)rc);
	rc = panda_unlink(panda_dir_for(from), from);
	return rc < 0 ? complain("mv", from, (int)rc) : 0;
}

static int move(const char *from, const char *to)
{
	struct panda_stat src;
	long rc = panda_stat(panda_dir_for(from), from, &src);
	bool one_handle = (from[0] == '/') == (to[0] == '/');

	if (rc < 0)
		return complain("mv", from, (int)rc);
	if (one_handle) {
		rc = panda_rename(panda_dir_for(from), from, to);
		if (rc != -EXDEV)
			return rc < 0 ? refuse(from, to, (int)rc) : 0;
	}
	if (!src.is_dir)
		return copy_and_remove(from, to, &src);
	if (one_handle)
		return refuse(from, to, -EXDEV);
	eprintf("mv: %s -> %s: a directory moves only between two absolute or two relative paths\n",
		from, to);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_into("mv", cmd.usage, i, argc, argv, move);
}
