/* The shell's state and the parts of it that main.c (the prompt, lines,
 * scripts), builtin.c, run.c (starting pipelines, waiting, jobs) and
 * expand.c (globs) share. */
#ifndef SH_SHELL_H
#define SH_SHELL_H

#include <stdbool.h>

#include "edit.h"
#include "fs.h"
#include "lib/abi.h"
#include "parse.h"
#include "vars.h"

#define JOBS_MAX	8		/* background pipelines at once */
#define JOB_PROCS	(2 * SH_STAGES_MAX + 1)	/* stages, < feeders, the render stage */

struct job {
	unsigned number;		/* [N] as the user sees it; 0: a free slot */
	bool fresh;			/* started by the line just run: report later */
	unsigned count;			/* processes, the render stage last */
	unsigned last;			/* the index of the last command's process */
	panda_handle_t proc[JOB_PROCS];	/* 0 once reaped */
	struct panda_exit_status status[JOB_PROCS];
	char what[64];			/* the command line, cut short */
};

struct shell {
	panda_handle_t root, console, cwd;
	panda_handle_t child_console;	/* the console without RIGHT_MANAGE */
	bool own_cwd;			/* cwd was opened by cd: close it on the next */
	bool interactive;		/* reading the console, not a script */
	bool status_tested;		/* a && or || follows: no [exit N] */
	char cwd_path[PANDA_PATH_MAX];	/* absolute, normalized, for the prompt and PWD */
	struct vars vars;
	int status;			/* $?: how the last pipeline ended */
	unsigned argc;			/* $1...: a script's arguments */
	char *const *argv;
	const char *name;		/* $0 */
	struct history history;
	struct job jobs[JOBS_MAX];
	unsigned next_job;
};

/* Statuses, as $? shows them: a program's exit code, or one of these. */
#define STATUS_USAGE		2	/* a builtin used wrongly, a bad line */
#define STATUS_NOT_FOUND	127	/* no such program */
#define STATUS_INTERRUPTED	130	/* Ctrl-C (128 + SIGINT, as in Unix shells) */
#define STATUS_KILLED		137	/* killed (128 + SIGKILL) */
#define STATUS_CRASHED		139	/* a fault (128 + SIGSEGV) */

/* Joins path onto the working directory cwd and resolves "." and ".."
 * textually (lib/path's path_join_clean): an absolute path without empty,
 * "." or ".." components or a trailing '/', in out. false when it is too
 * long. */
bool sh_normalize(const char *cwd, const char *path, char out[PANDA_PATH_MAX]);

/* --- candidates.c ------------------------------------------------------- */

/* The shell's completer for the line editor (struct edit_completer; ctx
 * is the struct shell): command names and paths. */
void sh_complete(void *ctx, const char *line, size_t cursor, bool list,
		 struct edit_completion *out);

/* --- expand.c ----------------------------------------------------------- */

struct words {
	char **v;			/* count words then NULL, each malloc'd */
	unsigned count, cap;
};

/* c's words with each pattern replaced by the paths it matches, sorted:
 * 0, or -1 after telling the user (no match, no memory). */
int expand_command(const struct shell *sh, const struct sh_command *c, struct words *out);
/* Every entry of the directory at the absolute, normalized path, read
 * through the root handle (globs and completion): 0, or an error with
 * *list empty. panda_dir_list_free frees it. */
long sh_list_directory(const struct shell *sh, const char *path, struct panda_dir_list *list);
void words_free(struct words *w);

/* --- builtin.c ---------------------------------------------------------- */

/* Runs p when it is a builtin (alone, not redirected, in the foreground):
 * true if it was, with sh->status set. *quit is set by exit. */
bool run_builtin(struct shell *sh, const struct sh_pipeline *p, bool background, bool *quit);
/* The builtins' names, NULL-terminated (for completion and help). */
extern const char *const sh_builtins[];

/* --- run.c -------------------------------------------------------------- */

/* Runs a parsed pipeline (not a builtin) in the foreground and sets
 * sh->status, or starts it as a background job. */
void run_pipeline(struct shell *sh, const struct sh_pipeline *p, bool background,
		  const char *line);
/* Reports background jobs that have ended since the last call. */
void jobs_report(struct shell *sh);
/* The `jobs` builtin: the background jobs still running. */
void jobs_list(struct shell *sh);
/* The `fg` builtin: waits for job number (0: the newest) in the foreground. */
int job_foreground(struct shell *sh, unsigned number);
/* The `kill %N` builtin: kills every process of job number that is still
 * running (its report comes at a prompt, as for a job that ended by
 * itself): 0, or -ENOENT when there is no such job. */
int job_kill(struct shell *sh, unsigned number);

/* The console in raw mode (the line editor) or cooked (programs). */
void console_raw(const struct shell *sh, bool raw);
/* Names p as the process Ctrl-C stops (0: none). */
void set_foreground(const struct shell *sh, panda_handle_t p);

#endif
