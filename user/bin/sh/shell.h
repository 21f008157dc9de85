/* The shell's state and the parts of it that main.c (the prompt and the
 * builtins) and run.c (starting pipelines, waiting, jobs) share. */
#ifndef SH_SHELL_H
#define SH_SHELL_H

#include <stdbool.h>

#include "edit.h"
#include "lib/abi.h"
#include "parse.h"

#define JOBS_MAX	8		/* background pipelines at once */
#define JOB_PROCS	(SH_STAGES_MAX + 1)	/* the stages and the render stage */

struct job {
	unsigned number;		/* [N] as the user sees it; 0: a free slot */
	bool fresh;			/* started by the line just run: report later */
	unsigned count;			/* processes, the render stage last */
	panda_handle_t proc[JOB_PROCS];	/* 0 once reaped */
	struct panda_exit_status status[JOB_PROCS];
	char what[64];			/* the command line, cut short */
};

struct shell {
	panda_handle_t root, console, cwd;
	panda_handle_t child_console;	/* the console without RIGHT_MANAGE */
	bool own_cwd;			/* cwd was opened by cd: close it on the next */
	char cwd_path[PANDA_PATH_MAX];	/* absolute, normalized, for the prompt and PWD */
	struct history history;
	struct job jobs[JOBS_MAX];
	unsigned next_job;
};

/* Runs a parsed line (not a builtin) in the foreground, or starts it as a
 * background job. */
void run_pipeline(struct shell *sh, const struct sh_pipeline *p, const char *line);
/* Reports background jobs that have ended since the last call. */
void jobs_report(struct shell *sh);
/* The `jobs` builtin: the background jobs still running. */
void jobs_list(struct shell *sh);

/* The console in raw mode (the line editor) or cooked (programs). */
void console_raw(const struct shell *sh, bool raw);
/* Names p as the process Ctrl-C stops (0: none). */
void set_foreground(const struct shell *sh, panda_handle_t p);

#endif
