/* The shell's command-line parser: one line into a pipeline of commands,
 * with the output redirection and background flag that apply to it.
 *
 * Grammar:
 *   line      := [pipeline [">" word | ">>" word] ["&"]]
 *   pipeline  := command ("|" command)*
 *   command   := word+
 * A '>' or '>>' followed later in the line by a '|' is not a redirection
 * but a word of the command (a filter's comparison: `ls | where size >
 * 4000 | sort size`); at the end of a pipeline it redirects, so a last
 * `where size > 4000` needs the '>' quoted.
 * Words are separated by blanks (space, tab). Inside a word, '...' keeps
 * everything literally up to the next '; "..." keeps everything but \" and
 * \\, which stand for " and \; outside quotes \c stands for c (any c).
 * '|', '>', '&' end a word unless quoted or escaped. A word that was
 * quoted, even "" alone, is a word. Nothing is expanded: no variables, no
 * globs; a later issue may add them where this parser marks words.
 *
 * Pure code with no system calls: it runs in the shell and in host tests. */
#ifndef SH_PARSE_H
#define SH_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define SH_LINE_MAX	1024	/* bytes in a line */
#define SH_STAGES_MAX	8	/* commands in a pipeline */
#define SH_ARGS_MAX	32	/* words in one command */

struct sh_command {
	unsigned argc;
	char *argv[SH_ARGS_MAX + 1];	/* argc words, then NULL */
};

struct sh_pipeline {
	unsigned count;			/* 0: an empty line (or only blanks) */
	struct sh_command stage[SH_STAGES_MAX];
	char *redirect;			/* the file after > or >>, or NULL */
	bool append;			/* >> rather than > */
	bool background;		/* a trailing & */
	/* The words, unquoted and NUL-terminated, point in here (a word
	 * takes at most its source bytes plus a NUL, and at least one byte). */
	char storage[2 * SH_LINE_MAX];
};

/* Parses line[0..len). Returns 0, or -1 with *error set to a message for
 * the user ("unterminated quote", "missing command before |", ...). */
int sh_parse(const char *line, size_t len, struct sh_pipeline *out, const char **error);

#endif
