/* A command's words as the program gets them: each glob pattern replaced
 * by the paths it matches, sorted (docs/shell.md, "Globs"). A pattern that
 * matches nothing is an error, as in zsh and fish: a command never runs
 * with a pattern it did not mean as a name. */
#include "shell.h"

#include "glob.h"
#include "panda.h"

#define GLOB_MATCHES_MAX	4096	/* paths one pattern may give */

static bool words_add(struct words *w, const char *text, size_t len)
{
	if (w->count + 1 >= w->cap) {
		unsigned cap = w->cap ? 2 * w->cap : 16;
		char **grown = realloc(w->v, cap * sizeof(*grown));
		if (!grown)
			return false;
		w->v = grown;
		w->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, text, len);
	copy[len] = 0;
	w->v[w->count++] = copy;
	w->v[w->count] = NULL;
	return true;
}

long sh_list_directory(const struct shell *sh, const char *path, struct panda_dir_list *list)
{
	long h = panda_open(sh->root, path, OPEN_DIRECTORY | OPEN_READ);

	*list = (struct panda_dir_list){ 0 };
	if (h < 0)
		return h;
	long rc = panda_dir_list((panda_handle_t)h, list);
	panda_close((panda_handle_t)h);
	return rc;
}

void words_free(struct words *w)
{
	for (unsigned i = 0; i < w->count; i++)
		free(w->v[i]);
	free(w->v);
	*w = (struct words){ 0 };
}

/* The walk through one pattern: prefix holds the path matched so far, as
 * the user wrote it (with their "..", relative or absolute). */
struct walk {
	const struct shell *sh;
	char prefix[PANDA_PATH_MAX];
	struct words *out;
	unsigned found;
	bool failed;			/* no memory, or too many matches */
};

/* Whether prefix names something (a component given literally). */
static bool exists(const struct walk *w)
{
	char path[PANDA_PATH_MAX];
	struct panda_stat st;

	return sh_normalize(w->sh->cwd_path, w->prefix, path) &&
	       panda_stat(w->sh->root, path, &st) == 0;
}

static void walk_from(struct walk *w, size_t plen, const char *rest, bool listed);

/* The entries of the directory prefix names that match comp[0..len). */
static void walk_directory(struct walk *w, size_t plen, const char *comp, size_t len,
			   const char *rest)
{
	char path[PANDA_PATH_MAX];
	struct panda_dir_list list = { 0 };

	if (!sh_normalize(w->sh->cwd_path, plen ? w->prefix : ".", path))
		return;
	long rc = sh_list_directory(w->sh, path, &list);
	if (rc == -ENOMEM)
		w->failed = true;
	if (rc < 0)
		return;				/* not a directory we may read: no match */
	for (size_t i = 0; i < list.count && !w->failed; i++) {
		const struct panda_dir_entry *e = &list.entries[i];
		size_t n = strlen(e->name);
		if ((*rest && !e->is_dir) || !sh_glob_match(comp, len, e->name))
			continue;
		if (plen + n >= sizeof(w->prefix))
			continue;
		memcpy(w->prefix + plen, e->name, n + 1);
		walk_from(w, plen + n, rest, true);
	}
	panda_dir_list_free(&list);
}

static void walk_from(struct walk *w, size_t plen, const char *rest, bool listed)
{
	while (*rest == '/' && plen + 1 < sizeof(w->prefix)) {
		w->prefix[plen++] = '/';
		rest++;
	}
	w->prefix[plen] = 0;
	if (!*rest) {
		if (!listed && !exists(w))
			return;
		if (++w->found > GLOB_MATCHES_MAX || !words_add(w->out, w->prefix, plen))
			w->failed = true;
		return;
	}
	const char *slash = strchr(rest, '/');
	size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
	if (sh_glob_active(rest, len)) {
		walk_directory(w, plen, rest, len, rest + len);
		return;
	}
	for (size_t i = 0; i < len && plen + 1 < sizeof(w->prefix); i++) {
		if (rest[i] == '\\' && i + 1 < len)
			i++;
		w->prefix[plen++] = rest[i];
	}
	walk_from(w, plen, rest + len, false);
}

/* Shell sort: no recursion, and quick enough for GLOB_MATCHES_MAX. */
static void sort_words(char **v, unsigned n)
{
	for (unsigned gap = n / 2; gap; gap /= 2)
		for (unsigned i = gap; i < n; i++)
			for (unsigned j = i; j >= gap && strcmp(v[j - gap], v[j]) > 0; j -= gap) {
				char *t = v[j];
				v[j] = v[j - gap];
				v[j - gap] = t;
			}
}

/* Adds what pattern matches, sorted; 0, or -1 after saying why not. */
static int glob(const struct shell *sh, const char *pattern, struct words *out)
{
	static struct walk w;
	unsigned first = out->count;

	w = (struct walk){ .sh = sh, .out = out };
	walk_from(&w, 0, pattern, false);
	if (w.failed) {
		eprintf("sh: %s: %s\n", pattern, w.found > GLOB_MATCHES_MAX ?
			"the pattern matches too many paths" : "out of memory");
		return -1;
	}
	if (out->count == first) {
		eprintf("sh: no match: %s\n", pattern);
		return -1;
	}
	sort_words(out->v + first, out->count - first);
	return 0;
}

int expand_command(const struct shell *sh, const struct sh_command *c, struct words *out)
{
	*out = (struct words){ 0 };
	for (unsigned i = 0; i < c->argc; i++) {
		int rc = c->pattern[i] ? glob(sh, c->argv[i], out) :
			 words_add(out, c->argv[i], strlen(c->argv[i])) ? 0 : -1;
		if (rc < 0) {
			if (!c->pattern[i])
				eprintf("sh: out of memory\n");
			words_free(out);
			return -1;
		}
	}
	return 0;
}
