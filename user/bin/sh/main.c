/* /bin/sh: the interactive shell. It edits a line, parses it (parse.c),
 * runs the builtins itself and everything else as a pipeline of programs
 * (run.c). docs/shell.md describes it from the user's side. */
#include "panda.h"
#include "shell.h"

static const char help_text[] =
	"Panda OS shell. A line is a pipeline of commands:\n"
	"  cmd [args] | cmd [args] ... [> file | >> file] [&]\n"
	"Programs come from /bin (or a path), pass records down the pipeline,\n"
	"and the last stage's records are drawn as text or a table.\n"
	"Quote with '...' or \"...\". Up/Down recall history, Ctrl-C stops the\n"
	"foreground program, Ctrl-D on an empty line ends the shell.\n"
	"Builtins: cd [dir], pwd, echo [words], exit [code], help, history, jobs\n"
	"Try: ls /bin | where size > 4000 | sort size\n";

/* Joins path onto the working directory and resolves "." and ".."
 * textually (the filesystem refuses ".."): an absolute path without
 * empty, "." or ".." components, in out. false when it is too long. */
static bool normalize(const char *cwd, const char *path, char out[PANDA_PATH_MAX])
{
	char joined[2 * PANDA_PATH_MAX];
	size_t len = 0;

	snprintf(joined, sizeof(joined), "%s/%s", path[0] == '/' ? "" : cwd, path);
	for (char *c = joined; *c;) {
		while (*c == '/')
			c++;
		char *end = c;
		while (*end && *end != '/')
			end++;
		size_t n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.')) {
			/* nothing */
		} else if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;		/* the slash, too */
		} else {
			if (len + 1 + n >= PANDA_PATH_MAX)
				return false;
			out[len++] = '/';
			memcpy(out + len, c, n);
			len += n;
		}
		c = end;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = 0;
	return true;
}

static int builtin_cd(struct shell *sh, int argc, char *const *argv)
{
	char path[PANDA_PATH_MAX];
	const char *target = argc > 1 ? argv[1] : "/";

	if (argc > 2) {
		eprintf("sh: cd: usage: cd [dir]\n");
		return 2;
	}
	if (!normalize(sh->cwd_path, target, path))
		return complain("sh: cd", target, -ENAMETOOLONG);
	long h = strcmp(path, "/") == 0 ? panda_dup(sh->root, RIGHTS_SAME) :
		panda_open(sh->root, path, OPEN_DIRECTORY | OPEN_READ | OPEN_WRITE);
	if (h == -EACCES)	/* a read-only tree: a read-only working directory */
		h = panda_open(sh->root, path, OPEN_DIRECTORY | OPEN_READ);
	if (h < 0)
		return complain("sh: cd", target, (int)h);
	if (sh->own_cwd)
		panda_close(sh->cwd);
	sh->cwd = (panda_handle_t)h;
	sh->own_cwd = true;
	strlcpy(sh->cwd_path, path, sizeof(sh->cwd_path));
	return 0;
}

static void builtin_history(const struct shell *sh)
{
	for (unsigned i = 0; i < sh->history.count; i++)
		eprintf("%5u  %s\n", i + 1, sh->history.line[i]);
}

/* Runs line's builtin when it is one, alone in its pipeline: true if it
 * was. *quit is set by exit, with the status in *code. */
static bool builtin(struct shell *sh, const struct sh_pipeline *p, bool *quit, int *code)
{
	const struct sh_command *c = &p->stage[0];
	const char *name = c->argv[0];
	bool alone = p->count == 1 && !p->redirect && !p->background;

	if (strcmp(name, "cd") == 0 || strcmp(name, "exit") == 0) {
		if (!alone) {
			eprintf("sh: %s: works only alone on its line\n", name);
			return true;
		}
		if (name[1] == 'd') {
			builtin_cd(sh, (int)c->argc, c->argv);
		} else {
			*quit = true;
			*code = c->argc > 1 ? (int)panda_parse_long(c->argv[1], 2) : 0;
		}
		return true;
	}
	/* The others print; in a pipeline or redirected, echo is /bin/echo. */
	if (!alone)
		return false;
	if (strcmp(name, "pwd") == 0) {
		eprintf("%s\n", sh->cwd_path);
	} else if (strcmp(name, "echo") == 0) {
		for (unsigned i = 1; i < c->argc; i++)
			eprintf("%s%s", c->argv[i], i + 1 < c->argc ? " " : "");
		eprintf("\n");
	} else if (strcmp(name, "help") == 0) {
		console_write(help_text, sizeof(help_text) - 1);
	} else if (strcmp(name, "history") == 0) {
		builtin_history(sh);
	} else if (strcmp(name, "jobs") == 0) {
		jobs_list(sh);
	} else {
		return false;
	}
	return true;
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

int main(int argc, char **argv)
{
	static struct shell sh;
	static struct sh_pipeline pipeline;
	static char line[SH_LINE_MAX];
	char prompt[PANDA_PATH_MAX + 8];
	bool quit = false;
	int code = 0;

	(void)argc, (void)argv;
	sh.root = panda_root();
	sh.console = panda_console();
	sh.cwd = panda_cwd();
	if (!sh.root || !sh.console || !sh.cwd) {
		eprintf("sh: needs the root, console and working directory handles\n");
		return 1;
	}
	const char *pwd = panda_getenv("PWD");
	if (!pwd || !normalize("/", pwd, sh.cwd_path))
		strlcpy(sh.cwd_path, "/", sizeof(sh.cwd_path));
	sh.child_console = child_console(sh.console);
	set_foreground(&sh, 0);		/* one left by a shell that died */
	while (!quit) {
		const char *error;

		jobs_report(&sh);
		/* Raw mode before every prompt: a program may have changed it. */
		console_raw(&sh, true);
		snprintf(prompt, sizeof(prompt), "%s $ ", sh.cwd_path);
		enum edit_result r = edit_line(sh.console, prompt, &sh.history, line);
		if (r == EDIT_END)
			break;
		if (r == EDIT_INTERRUPT)
			continue;
		if (sh_parse(line, strlen(line), &pipeline, &error) < 0) {
			eprintf("sh: %s\n", error);
			history_add(&sh.history, line);
			continue;
		}
		if (pipeline.count == 0)
			continue;
		history_add(&sh.history, line);
		if (!builtin(&sh, &pipeline, &quit, &code))
			run_pipeline(&sh, &pipeline, line);
	}
	console_raw(&sh, false);
	return code;
}
