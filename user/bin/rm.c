/* rm: removes each file named; with -r, a directory too, with everything
 * beneath it (depth first: a directory's entries, then the directory). An
 * operand that names a directory by where it is ("/", ".", "..", "a/.")
 * rather than by its name is refused with -r rather than emptied, as
 * POSIX asks: "rm -r .." would empty the parent of the working directory. */
#include <stdbool.h>

#include "panda.h"

static const struct panda_command cmd = {
	"rm", "rm [-r] PATH...",
	"Removes each file PATH. A directory is removed only with -r, and\n"
	"then with everything beneath it; \"/\", \".\" and \"..\" (also at the\n"
	"end of a longer path) are refused. What cannot be removed is reported\n"
	"and the rest is still removed.\n",
	"r",
};

static bool recursive;			/* -r */

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

static int remove_path(panda_handle_t dir, const char *path, const char *shown);

/* The directory's entries, then the directory, unless an entry stayed.
 * path is sent through dir; shown is how messages name it (the operand
 * as the user wrote it, and the entries beneath it). */
static int remove_tree(panda_handle_t dir, const char *path, const char *shown)
{
	struct panda_dir_list list;
	long rc = list_names(dir, path, &list);
	int status = 0;

	if (rc < 0)
		return complain("rm", shown, (int)rc);
	for (size_t i = 0; i < list.count; i++) {
		const char *name = list.entries[i].name;
		char *child = panda_path_join(path, name, strlen(name));
		char *child_shown = panda_path_join(shown, name, strlen(name));

		if (child && child_shown)
			status |= remove_path(dir, child, child_shown);
		free(child);
		free(child_shown);
		if (!child || !child_shown) {
			status = complain("rm", shown, -ENOMEM);
			break;
		}
	}
	panda_dir_list_free(&list);
	if (status)
		return status;	/* what stayed was reported; ENOTEMPTY would repeat it */
	rc = panda_rmdir(dir, path);
	return rc < 0 ? complain("rm", shown, (int)rc) : 0;
}

static int remove_path(panda_handle_t dir, const char *path, const char *shown)
{
	long rc = panda_unlink(dir, path);

	if (rc == -EISDIR && recursive)
		return remove_tree(dir, path, shown);
	return rc < 0 ? complain("rm", shown, (int)rc) : 0;
}

static int remove_operand(const char *path)
{
	struct panda_where at;

	if (recursive && !panda_path_ends_in_name(path)) {
		eprintf("rm: %s: refusing to remove the root, \".\" or \"..\"\n", path);
		return 1;
	}
	long rc = panda_resolve(path, &at);
	return rc < 0 ? complain("rm", path, (int)rc) : remove_path(at.dir, at.path, path);
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	recursive = flags & PANDA_FLAG('r');
	return panda_each_operand(&cmd, i, argc, argv, remove_operand);
}
