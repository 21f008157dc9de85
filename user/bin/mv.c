/* mv: renames a file or directory, or moves each of several into a
 * directory under its own name. A rename is one request through one
 * directory handle, within one filesystem, and atomic. Two paths that
 * resolve beneath different handles (one relative, one absolute) meet at
 * the root, the relative one joined onto PWD (panda_resolve_from_root).
 * When they still cannot meet in one rename (no PWD; or they lie in
 * different filesystems, in and out of /tmp) a file is copied, a request
 * at a time, and the original removed only once the copy is whole; a
 * directory cannot move that way. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"mv", "mv PATH TARGET | mv PATH... DIR",
	"Renames PATH to TARGET, replacing a TARGET file. When TARGET is a\n"
	"directory, or there are several PATHs (then it must be one), each\n"
	"PATH moves into it under its own name. Between filesystems (in or\n"
	"out of /tmp) a file is copied and then removed; a directory cannot\n"
	"move so.\n",
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
	struct panda_where at;
	const char *failed;
	long rc = panda_copy_file(from, src, to, true, &failed);

	if (rc < 0 && !failed) {
		eprintf("mv: %s and %s are the same file\n", from, to);
		return 1;
	}
	if (rc < 0)
		return complain("mv", failed, (int)rc);
	rc = panda_resolve(from, &at);
	if (rc == 0)
		rc = panda_unlink(at.dir, at.path);
	return rc < 0 ? complain("mv", from, (int)rc) : 0;
}

/* Brings from and to, which resolved beneath two handles, to the root:
 * whether both could be. */
static bool meet_at_root(const char *from, const char *to, struct panda_where *f,
			 struct panda_where *t)
{
	return panda_resolve_from_root(from, f) == 0 && panda_resolve_from_root(to, t) == 0;
}

static int move(const char *from, const char *to)
{
	struct panda_where f, t;
	struct panda_stat src;
	long rc = panda_resolve(from, &f);

	if (rc == 0)
		rc = panda_stat(f.dir, f.path, &src);
	if (rc < 0)
		return complain("mv", from, (int)rc);
	rc = panda_resolve(to, &t);
	if (rc < 0)
		return complain("mv", to, (int)rc);
	bool one_handle = f.dir == t.dir || meet_at_root(from, to, &f, &t);
	if (one_handle) {
		rc = panda_rename(f.dir, f.path, t.path);
		if (rc != -EXDEV)
			return rc < 0 ? refuse(from, to, (int)rc) : 0;
	}
	if (!src.is_dir)
		return copy_and_remove(from, to, &src);
	if (one_handle)
		return refuse(from, to, -EXDEV);
	eprintf("mv: %s -> %s: a directory moves only by a rename, and without PWD these paths "
		"meet at no one directory handle\n", from, to);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_into("mv", cmd.usage, i, argc, argv, move);
}
