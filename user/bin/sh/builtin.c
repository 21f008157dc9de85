/* The builtins: what must run inside the shell because it changes the
 * shell (cd, exit, export, ...), or reads its state (jobs, history). */
#include "panda.h"
#include "shell.h"

const char *const sh_builtins[] = {
	"cd", "echo", "exit", "export", "false", "fg", "help", "history", "jobs", "kill",
	"pwd", "set", "true", "unset", NULL,
};

static const char help_text[] =
	"Panda OS shell. A line is pipelines joined by ; && || or &:\n"
	"  cmd [args] [< file] [2> file | 2>&1] | cmd ... [> file | >> file] [&]\n"
	"Programs come from /bin (or a path), pass records down the pipeline,\n"
	"and the last stage's records are drawn as text or a table.\n"
	"Quote with '...' or \"...\"; $NAME ${NAME} $? $$ expand, * ? [..] match\n"
	"files, # starts a comment. NAME=value sets a variable, export passes it\n"
	"to programs. Up/Down recall history, Tab completes, Ctrl-C stops the\n"
	"foreground program, Ctrl-D on an empty line ends the shell.\n"
	"Builtins: cd [dir|-], pwd, echo, exit [code], export [NAME[=value]],\n"
	"unset NAME, set, fg [N], jobs, kill PID|%N..., history, true, false,\n"
	"help.\n"
	"Try: ls /bin | where size > 40000 | sort size\n";

/* "sh: cd: usage: cd [dir | -]": the builtin's name is the usage's first word. */
static int usage(const char *text)
{
	const char *blank = strchr(text, ' ');
	int n = blank ? (int)(blank - text) : (int)strlen(text);

	eprintf("sh: %.*s: usage: %s\n", n, text, text);
	return STATUS_USAGE;
}

/* Opens the normalized path as the new working directory. */
static int change_directory(struct shell *sh, const char *path, const char *shown)
{
	long h = strcmp(path, "/") == 0 ? panda_dup(sh->root, RIGHTS_SAME) :
		panda_open(sh->root, path, OPEN_DIRECTORY | OPEN_READ | OPEN_WRITE);

	if (h == -EACCES)	/* a read-only tree: a read-only working directory */
		h = panda_open(sh->root, path, OPEN_DIRECTORY | OPEN_READ);
	if (h < 0)
		return complain("sh: cd", shown, (int)h);
	if (sh->own_cwd)
		panda_close(sh->cwd);
	sh->cwd = (panda_handle_t)h;
	sh->own_cwd = true;
	vars_set(&sh->vars, "OLDPWD", 6, sh->cwd_path, true);
	strlcpy(sh->cwd_path, path, sizeof(sh->cwd_path));
	vars_set(&sh->vars, "PWD", 3, sh->cwd_path, true);
	return 0;
}

static int builtin_cd(struct shell *sh, unsigned argc, char *const *argv)
{
	char path[PANDA_PATH_MAX];
	const char *target = argc > 1 ? argv[1] : "/";
	bool back = strcmp(target, "-") == 0;

	if (argc > 2)
		return usage("cd [dir | -]");
	if (back && !(target = vars_get(&sh->vars, "OLDPWD", 6))) {
		eprintf("sh: cd: no previous directory\n");
		return 1;
	}
	if (!sh_normalize(sh->cwd_path, target, path))
		return complain("sh: cd", target, -ENAMETOOLONG);
	int rc = change_directory(sh, path, target);
	if (rc == 0 && back)
		eprintf("%s\n", sh->cwd_path);
	return rc;
}

static int builtin_export(struct shell *sh, unsigned argc, char *const *argv)
{
	if (argc == 1) {
		for (unsigned i = 0; i < sh->vars.count; i++)
			if (sh->vars.v[i].exported)
				eprintf("export %s=%s\n", sh->vars.v[i].name, sh->vars.v[i].value);
		return 0;
	}
	int status = 0;
	for (unsigned i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		int rc;
		if (!sh_name_valid(argv[i], n)) {
			eprintf("sh: export: %s: not a variable name\n", argv[i]);
			status = 1;
			continue;
		}
		rc = eq ? vars_assign(&sh->vars, argv[i], true) : vars_export(&sh->vars, argv[i]);
		if (rc < 0)
			status = complain("sh: export", argv[i], rc);
	}
	return status;
}

static int builtin_unset(struct shell *sh, unsigned argc, char *const *argv)
{
	for (unsigned i = 1; i < argc; i++)
		vars_unset(&sh->vars, argv[i]);
	return argc > 1 ? 0 : usage("unset NAME...");
}

static int builtin_set(const struct shell *sh)
{
	for (unsigned i = 0; i < sh->vars.count; i++)
		eprintf("%s=%s\n", sh->vars.v[i].name, sh->vars.v[i].value);
	return 0;
}

static int builtin_fg(struct shell *sh, unsigned argc, char *const *argv)
{
	const char *n = argc > 1 ? argv[1] + (argv[1][0] == '%') : NULL;
	long number = n ? panda_parse_long(n, 10) : 0;

	if (argc > 2 || number < 0)
		return usage("fg [job number]");
	return job_foreground(sh, (unsigned)number);
}

/* kill PID|%N...: a builtin because what a program may kill by pid is
 * only what it started (docs/protocols.md, "Who may kill whom"): /bin/kill
 * is a sibling of the shell's jobs, the shell is their parent. Every
 * argument is checked before anything is killed, as /bin/kill does. */
static int builtin_kill(struct shell *sh, unsigned argc, char *const *argv)
{
	uint64_t pid;
	int status = 0;

	if (argc < 2)
		return usage("kill PID|%N...");
	for (unsigned i = 1; i < argc; i++) {
		bool job = argv[i][0] == '%';
		if (!panda_parse_pid(argv[i] + job, &pid) || (job && (pid == 0 || pid > UINT32_MAX))) {
			eprintf("kill: %s: not a pid or %%job\n", argv[i]);
			return usage("kill PID|%N...");
		}
	}
	for (unsigned i = 1; i < argc; i++) {
		bool job = argv[i][0] == '%';
		panda_parse_pid(argv[i] + job, &pid);
		long rc = job ? job_kill(sh, (unsigned)pid) : panda_kill_pid(pid);
		if (rc == -ENOENT && job) {
			eprintf("kill: %s: no such job\n", argv[i]);
			status = 1;
		} else if (rc < 0)
			status = complain("kill", argv[i], (int)rc);
	}
	return status;
}

static int builtin_exit(const struct shell *sh, unsigned argc, char *const *argv, bool *quit)
{
	if (argc > 2)
		return usage("exit [code]");
	*quit = true;
	return argc > 1 ? (int)panda_parse_long(argv[1], 2) : sh->status;
}

static void builtin_history(const struct shell *sh)
{
	for (unsigned i = 0; i < sh->history.count; i++)
		eprintf("%5u  %s\n", i + 1, sh->history.line[i]);
}

static int builtin_echo(unsigned argc, char *const *argv)
{
	for (unsigned i = 1; i < argc; i++)
		eprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	eprintf("\n");
	return 0;
}

/* Runs the builtin argv names; false when it is none. */
static bool dispatch(struct shell *sh, unsigned argc, char *const *argv, bool *quit)
{
	const char *name = argv[0];
	int status = 0;

	if (strcmp(name, "cd") == 0)
		status = builtin_cd(sh, argc, argv);
	else if (strcmp(name, "exit") == 0)
		status = builtin_exit(sh, argc, argv, quit);
	else if (strcmp(name, "export") == 0)
		status = builtin_export(sh, argc, argv);
	else if (strcmp(name, "unset") == 0)
		status = builtin_unset(sh, argc, argv);
	else if (strcmp(name, "set") == 0)
		status = builtin_set(sh);
	else if (strcmp(name, "fg") == 0)
		status = builtin_fg(sh, argc, argv);
	else if (strcmp(name, "kill") == 0)
		status = builtin_kill(sh, argc, argv);
	else if (strcmp(name, "true") == 0)
		status = 0;
	else if (strcmp(name, "false") == 0)
		status = 1;
	else if (strcmp(name, "pwd") == 0)
		eprintf("%s\n", sh->cwd_path);
	else if (strcmp(name, "echo") == 0)
		status = builtin_echo(argc, argv);
	else if (strcmp(name, "help") == 0)
		console_write(help_text, sizeof(help_text) - 1);
	else if (strcmp(name, "history") == 0)
		builtin_history(sh);
	else if (strcmp(name, "jobs") == 0)
		jobs_list(sh);
	else
		return false;
	sh->status = status;
	return true;
}

/* The builtins that only make sense in the shell itself. */
static bool shell_only(const char *name)
{
	static const char *const names[] = { "cd", "exit", "export", "unset", "fg", NULL };

	for (unsigned i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

bool run_builtin(struct shell *sh, const struct sh_pipeline *p, bool background, bool *quit)
{
	const struct sh_command *c = &p->stage[0];
	bool alone = p->count == 1 && !p->redirect && !c->input && !c->errors &&
		     !c->errors_to_out && !background;

	if (!alone) {
		for (unsigned i = 0; i < p->count; i++)
			if (shell_only(p->stage[i].argv[0])) {
				eprintf("sh: %s: works only alone: not piped, redirected or in the background\n",
					p->stage[i].argv[0]);
				sh->status = STATUS_USAGE;
				return true;
			}
		return false;	/* in a pipeline, echo and the others are programs */
	}
	bool known = false;
	for (unsigned i = 0; sh_builtins[i] && !known; i++)
		known = strcmp(c->argv[0], sh_builtins[i]) == 0;
	if (!known)
		return false;
	struct words words;
	if (expand_command(sh, c, &words) < 0) {
		sh->status = 1;
		return true;
	}
	dispatch(sh, words.count, words.v, quit);
	words_free(&words);
	return true;
}
