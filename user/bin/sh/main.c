/* /bin/sh: the shell. Interactively it edits a line (edit.c), splits it
 * into pipelines and parses each (parse.c) just before it runs, so a
 * pipeline sees the variables and status its predecessors left; builtins
 * run here (builtin.c), everything else as a pipeline of programs (run.c).
 * `sh FILE [ARGS]` and `sh -c LINE` run the same lines without the editor.
 * docs/shell.md describes it from the user's side. */
#include "lib/path.h"
#include "panda.h"
#include "shell.h"

#define SCRIPT_MAX	(1024 * 1024)	/* bytes of a script file */

static const struct panda_command command = {
	.name = "sh",
	.usage = "sh [-c LINE [NAME [ARGS]] | FILE [ARGS]]",
	.help = "The shell: runs the lines typed on the console, or the lines of a\n"
		"script FILE with ARGS as $1..., or LINE. Type `help` at its prompt.\n",
	.flags = "c",
};

bool sh_normalize(const char *cwd, const char *path, char out[PANDA_PATH_MAX])
{
	int len = path_join_clean(cwd, path, out, PANDA_PATH_MAX);

	if (len < 0)
		return false;
	if (len > 1 && out[len - 1] == '/')
		out[len - 1] = 0;	/* "/a/" of "/a/b/..": the directory itself */
	return true;
}

/* $NAME and the special parameters, for the parser's expansion. */
static const char *lookup(void *ctx, const char *name, size_t len)
{
	struct shell *sh = ctx;
	static char number[24];
	static char all[SH_STORAGE_MAX];

	if (len == 1 && (name[0] == '?' || name[0] == '$' || name[0] == '#')) {
		long v = name[0] == '?' ? sh->status : name[0] == '$' ? (long)panda_pid() :
			 (long)sh->argc;
		snprintf(number, sizeof(number), "%ld", v);
		return number;
	}
	if (len == 1 && name[0] >= '0' && name[0] <= '9') {
		unsigned i = (unsigned)(name[0] - '0');
		return i == 0 ? sh->name : i <= sh->argc ? sh->argv[i - 1] : NULL;
	}
	if (len == 1 && name[0] == '*') {
		size_t n = 0;
		all[0] = 0;
		for (unsigned i = 0; i < sh->argc && n < sizeof(all); i++)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s%s", i ? " " : "",
					      sh->argv[i]);
		return all;
	}
	return vars_get(&sh->vars, name, len);
}

/* Runs one pipeline of a line, expanded now. false when the line must stop
 * (a bad pipeline); *quit is set by exit. */
static bool run_item(struct shell *sh, const char *line, const struct sh_item *item, bool *quit)
{
	static struct sh_pipeline p;
	const struct sh_expand x = { lookup, sh, sh->argc, sh->argv };
	const char *error;

	if (sh_parse(line + item->start, item->len, &x, &p, &error) < 0) {
		eprintf("sh: %s\n", error);
		sh->status = STATUS_USAGE;
		return false;
	}
	if (p.count == 1 && p.stage[0].argc == 0) {	/* NAME=value ... alone */
		sh->status = 0;
		for (unsigned i = 0; i < p.stage[0].assign_count; i++)
			if (vars_assign(&sh->vars, p.stage[0].assign[i], false) < 0)
				sh->status = complain("sh", p.stage[0].assign[i], -ENOMEM);
		return true;
	}
	if (!run_builtin(sh, &p, item->background, quit)) {
		/* What jobs and fg show: the pipeline's text without blanks around. */
		char what[64];
		const char *text = line + item->start;
		size_t n = item->len;
		while (n && (*text == ' ' || *text == '\t'))
			text++, n--;
		while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
			n--;
		n = n < sizeof(what) - 1 ? n : sizeof(what) - 1;
		memcpy(what, text, n);
		what[n] = 0;
		run_pipeline(sh, &p, item->background, what);
	}
	return true;
}

/* Runs a whole line: its pipelines in turn, as ; && || & join them. Every
 * pipeline is checked before the first runs, so a line with a mistake
 * anywhere runs nothing. 0, or -1 for a line that did not parse. */
static int run_line(struct shell *sh, const char *line, const char *where, bool *quit)
{
	static struct sh_list list;
	static struct sh_pipeline check;
	const char *error;
	int rc = sh_split(line, strlen(line), &list, &error);

	for (unsigned i = 0; rc == 0 && i < list.count; i++)
		rc = sh_parse(line + list.item[i].start, list.item[i].len, NULL, &check, &error);
	if (rc < 0) {
		eprintf("sh: %s%s\n", where, error);
		sh->status = STATUS_USAGE;
		return -1;
	}
	for (unsigned i = 0; i < list.count && !*quit; i++) {
		const struct sh_item *item = &list.item[i];
		if ((item->when == SH_IF_OK && sh->status != 0) ||
		    (item->when == SH_IF_FAILED && sh->status == 0))
			continue;
		sh->status_tested = i + 1 < list.count && list.item[i + 1].when != SH_ALWAYS;
		if (!run_item(sh, line, item, quit))
			break;
	}
	return 0;
}

/* The console as children get it: without RIGHT_MANAGE, so none of them
 * can name a foreground process of its own and escape Ctrl-C. dup cannot
 * add rights, so a console that lacks some of the others is narrowed to
 * what programs use; failing that, children share the shell's. */
static panda_handle_t child_console(panda_handle_t console)
{
	long h = panda_dup(console, RIGHTS_ALL & ~RIGHT_MANAGE);

	if (h < 0)
		h = panda_dup(console, RIGHT_READ | RIGHT_WRITE | RIGHT_RECV | RIGHT_WAIT |
				       RIGHT_DUP | RIGHT_TRANSFER);
	return h < 0 ? console : (panda_handle_t)h;
}

static void import_variable(void *ctx, const char *name, const char *value)
{
	struct shell *sh = ctx;

	if (sh_name_valid(name, strlen(name)))
		vars_set(&sh->vars, name, strlen(name), value, true);
}

static int interactive(struct shell *sh)
{
	static char line[SH_LINE_MAX];
	const struct edit_completer completer = { sh_complete, sh };
	char prompt[PANDA_PATH_MAX + 8];
	bool quit = false;

	sh->interactive = true;
	set_foreground(sh, 0);		/* one left by a shell that died */
	while (!quit) {
		jobs_report(sh);
		/* Raw mode before every prompt: a program may have changed it. */
		console_raw(sh, true);
		snprintf(prompt, sizeof(prompt), "%s $ ", sh->cwd_path);
		enum edit_result r = edit_line(sh->console, prompt, &sh->history, &completer, line);
		if (r == EDIT_END)
			break;
		if (r == EDIT_INTERRUPT) {
			sh->status = STATUS_INTERRUPTED;
			continue;
		}
		history_add(&sh->history, line);
		run_line(sh, line, "", &quit);
	}
	console_raw(sh, false);
	return sh->status;
}

/* The script's text, whole and NUL-terminated (malloc'd), or NULL after
 * saying why. */
static char *read_script(const struct shell *sh, const char *path)
{
	char abs[PANDA_PATH_MAX];
	struct panda_stat st;

	if (!sh_normalize(sh->cwd_path, path, abs)) {
		complain("sh", path, -ENAMETOOLONG);
		return NULL;
	}
	long f = panda_open(sh->root, abs, OPEN_READ);
	if (f < 0) {
		complain("sh", path, (int)f);
		return NULL;
	}
	long rc = panda_fstat((panda_handle_t)f, &st);
	char *text = rc < 0 || st.size > SCRIPT_MAX ? NULL : malloc(st.size + 1);
	size_t len = 0;
	while (text && len < st.size && (rc = panda_read((panda_handle_t)f, text + len,
							   st.size - len)) > 0)
		len += (size_t)rc;
	panda_close((panda_handle_t)f);
	if (!text || rc < 0) {
		complain("sh", path, rc < 0 ? (int)rc : st.size > SCRIPT_MAX ? -E2BIG : -ENOMEM);
		free(text);
		return NULL;
	}
	text[len] = 0;
	return text;
}

/* Runs text's lines; a line that does not parse ends the script. */
static int run_text(struct shell *sh, char *text, const char *name)
{
	bool quit = false;
	unsigned number = 0;
	char where[PANDA_PATH_MAX + 16];

	for (char *line = text; line && !quit; number++) {
		char *end = strchr(line, '\n');
		if (end)
			*end = 0;
		snprintf(where, sizeof(where), "%s:%u: ", name, number + 1);
		if (strlen(line) >= SH_LINE_MAX) {
			eprintf("sh: %sline too long\n", where);
			return STATUS_USAGE;
		}
		if (run_line(sh, line, where, &quit) < 0)
			return STATUS_USAGE;
		jobs_report(sh);
		line = end ? end + 1 : NULL;
	}
	return sh->status;
}

int main(int argc, char **argv)
{
	static struct shell sh;
	unsigned flags;
	int i = panda_options(&command, argc, argv, &flags);
	bool line = flags & PANDA_FLAG('c');
	sh.root = panda_root();
	sh.console = panda_console();
	sh.cwd = panda_cwd();
	sh.name = argv[0];
	if (!sh.root || !sh.console || !sh.cwd) {
		eprintf("sh: needs the root, console and working directory handles\n");
		return 1;
	}
	panda_env_each(import_variable, &sh);
	const char *pwd = vars_get(&sh.vars, "PWD", 3);
	if (!pwd || !sh_normalize("/", pwd, sh.cwd_path))
		strlcpy(sh.cwd_path, "/", sizeof(sh.cwd_path));
	vars_set(&sh.vars, "PWD", 3, sh.cwd_path, true);
	sh.child_console = child_console(sh.console);

	if (line && i == argc)
		return panda_usage_error(&command);
	if (i == argc)
		return interactive(&sh);
	/* sh -c LINE NAME ARGS / sh FILE ARGS: $0 is NAME or FILE. */
	unsigned first = line ? (unsigned)i + 1 : (unsigned)i;
	if (first < (unsigned)argc) {
		sh.name = argv[first];
		sh.argc = (unsigned)argc - first - 1;
		sh.argv = argv + first + 1;
	}
	if (line)
		return run_text(&sh, argv[i], "-c");
	char *text = read_script(&sh, argv[i]);
	if (!text)
		return 1;
	int status = run_text(&sh, text, argv[i]);
	free(text);
	return status;
}
