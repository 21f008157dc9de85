/* rm: removes each file named; with -r, a directory too, with everything
 * beneath it (depth first: a directory's entries, then the directory). A
 * path that names the root or working directory itself ("/", ".") is
 * refused with -r rather than emptied. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"rm", "rm [-r] PATH...",
	"Removes each file PATH. A directory is removed only with -r, and\n"
	"then with everything beneath it; \"/\" and \".\" are refused. What\n"
	"cannot be removed is reported and the rest is still removed.\n",
	"r",
};

static bool recursive;			/* -r */

/* True when path has no component but "." ("", "/", ".", "./."): it names
 * the directory it resolves beneath. */
static bool names_base(const char *path)
{
	for (const char *p = path; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 1 || (len == 1 && *p != '.'))
			return false;
		p += end ? len + 1 : len;
	}
	return true;
}

/* Every entry of the directory at path, read before any is removed. */
static long list_names(panda_handle_t dir, const char *path, struct panda_dir_list *list)
{
	long h = panda_open(dir, path, OPEN_DIRECTORY);

	if (h < 0)
		return h;
	long rc = panda_dir_list((panda_handle_t)h, list);
	panda_close((panda_handle_t)h);
	return rc;
}

static int remove_path(panda_handle_t dir, const char *path);

/* The directory's entries, then the directory, unless an entry stayed. */
static int remove_tree(panda_handle_t dir, const char *path)
{
	struct panda_dir_list list;
	long rc = list_names(dir, path, &list);
	int status = 0;

	if (rc < 0)
		return complain("rm", path, (int)rc);
	for (size_t i = 0; i < list.count; i++) {
		const char *name = list.entries[i].name;
		char *child = panda_path_join(path, name, strlen(name));

		if (!child) {
			status = complain("rm", path, -ENOMEM);
			break;
		}
		status |= remove_path(dir, child);
		free(child);
	}
	panda_dir_list_free(&list);
	if (status)
		return status;	/* what stayed was reported; ENOTEMPTY would repeat it */
	rc = panda_rmdir(dir, path);
	return rc < 0 ? complain("rm", path, (int)rc) : 0;
}

static int remove_path(panda_handle_t dir, const char *path)
{
	long rc = panda_unlink(dir, path);

	if (rc == -EISDIR && recursive)
		return remove_tree(dir, path);
	return rc < 0 ? complain("rm", path, (int)rc) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	recursive = flags & PANDA_FLAG('r');
	if (i == argc)
		return panda_usage_error(&cmd);
	int status = 0;
	for (; i < argc; i++) {
		if (recursive && names_base(argv[i])) {
			eprintf("rm: %s: refusing to remove the root or working directory\n", argv[i]);
			status = 1;
			continue;
		}
		status |= remove_path(panda_dir_for(argv[i]), argv[i]);
	}
	return status;
}
