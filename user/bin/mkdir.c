/* mkdir: makes each directory named. With -p it makes the missing parents
 * too, one component at a time, and a directory that already exists is
 * not an error. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"mkdir", "mkdir [-p] DIR...",
	"Makes each directory DIR. With -p, also makes every missing parent\n"
	"of DIR, and a DIR that already exists as a directory is not an\n"
	"error.\n",
	"p",
};

/* mkdir, but a directory that is already there counts as made. */
static long make_if_missing(panda_handle_t dir, const char *path)
{
	struct panda_stat st;
	long rc = panda_mkdir(dir, path);

	if (rc != -EEXIST)
		return rc;
	if (panda_stat(dir, path, &st) == 0 && st.is_dir)
		return 0;
	return rc;
}

/* Each prefix of path that ends a component, then path itself: "a/b/c"
 * makes "a", "a/b", "a/b/c". The prefixes are those of the resolved path,
 * so "../a/b" makes the parent's a. */
static int make_parents(const char *path)
{
	struct panda_where at;
	long rc = panda_resolve(path, &at);

	if (rc < 0)
		return complain("mkdir", path, (int)rc);
	char *prefix = at.path;
	size_t len = strlen(prefix);
	for (size_t i = 1; i < len && rc == 0; i++) {
		if (prefix[i] != '/' || prefix[i - 1] == '/')
			continue;
		prefix[i] = 0;
		rc = make_if_missing(at.dir, prefix);
		prefix[i] = '/';
		if (rc == -EEXIST)
			rc = -ENOTDIR;		/* a file where a parent should be */
	}
	if (rc == 0)
		rc = make_if_missing(at.dir, prefix);
	return rc < 0 ? complain("mkdir", path, (int)rc) : 0;
}

/* One directory, its parent already there. */
static int make_one(const char *path)
{
	long rc = panda_mkdir_path(path);

	return rc < 0 ? complain("mkdir", path, (int)rc) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	bool parents = flags & PANDA_FLAG('p');

	return panda_each_operand(&cmd, i, argc, argv, parents ? make_parents : make_one);
}
