/* The names Tab completes to, found for complete.c to choose from: the
 * programs in /bin and the builtins for a command's name, the entries of
 * a directory for a path. Directories are read through the shell's root
 * handle by the absolute path, ".." resolved on the text as cd does. */
#include "complete.h"
#include "panda.h"
#include "shell.h"

/* Columns for a listing: the terminal's width is not known on a serial
 * line, so the common one. */
#define LISTING_WIDTH	80

/* The directory w's last component is looked up in: /bin for a command,
 * else the part of the word before it, beneath the working directory. */
static long list_for(const struct shell *sh, const struct complete_word *w,
		     struct panda_dir_list *list)
{
	char dir[PANDA_PATH_MAX], path[PANDA_PATH_MAX];
	size_t n = w->name - w->path;

	if (w->command)
		return sh_list_directory(sh, "/bin", list);
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, w->text + w->path, n);
	dir[n] = 0;
	if (!sh_normalize(sh->cwd_path, dir, path))
		return -ENAMETOOLONG;
	return sh_list_directory(sh, path, list);
}

/* The entries (and, for a command, the builtins) that match w, into c:
 * how many. c has room for all of them. */
static size_t matching(const struct complete_word *w, const struct panda_dir_list *list,
		       struct complete_candidate *c)
{
	const char *prefix = w->text + w->name;
	size_t len = w->len - w->name, n = 0;

	for (size_t i = 0; i < list->count; i++)
		if (complete_matches(list->entries[i].name, prefix, len))
			c[n++] = (struct complete_candidate){ list->entries[i].name,
							      list->entries[i].is_dir };
	for (size_t i = 0; w->command && sh_builtins[i]; i++)
		if (complete_matches(sh_builtins[i], prefix, len))
			c[n++] = (struct complete_candidate){ sh_builtins[i], false };
	return n;
}

static size_t builtin_count(void)
{
	size_t n = 0;

	while (sh_builtins[n])
		n++;
	return n;
}

/* The candidates laid out for the console, malloc'd; NULL when memory
 * runs out (then there is no list, only the bell). */
static char *listing(const struct complete_candidate *c, size_t n)
{
	size_t len = complete_listing(c, n, LISTING_WIDTH, NULL, 0);
	char *text = malloc(len + 1);

	if (text)
		complete_listing(c, n, LISTING_WIDTH, text, len + 1);
	return text;
}

void sh_complete(void *ctx, const char *line, size_t cursor, bool list,
		 struct edit_completion *out)
{
	const struct shell *sh = ctx;
	struct complete_word w;
	struct panda_dir_list entries;

	complete_split(line, cursor, &w);
	if (w.comment)
		return;
	if (list_for(sh, &w, &entries) < 0 && !w.command)
		return;			/* no such directory: nothing to offer */
	struct complete_candidate *c = malloc((entries.count + builtin_count()) * sizeof(*c));
	size_t n = c ? complete_sort(c, matching(&w, &entries, c)) : 0;
	if (n) {
		size_t k = complete_insertion(&w, c, n, out->insert, sizeof(out->insert));

		out->insert_len = k == (size_t)-1 ? 0 : k;
		if (list && n > 1)
			out->listing = listing(c, n);
	}
	free(c);
	panda_dir_list_free(&entries);
}
