/* The shell's command-line parser.
 *
 * Grammar:
 *   line      := [list] [comment]
 *   list      := pipeline (sep pipeline)* [";" | "&"]
 *   sep       := ";" | "&" | "&&" | "||"
 *   pipeline  := command ("|" command)* [">" word | ">>" word]
 *   command   := assignment* word (word | redirect)*  |  assignment+
 *   assignment:= NAME=word          (NAME: a letter or _, then letters, digits, _)
 *   redirect  := "<" word (first command only) | "2>" word | "2>>" word | "2>&1"
 *   comment   := "#" where a word would start, to the end of the line
 *
 * A '>' or '>>' followed later in its pipeline by a '|' is not a
 * redirection but a word (a filter's comparison: `ls | where size > 4000 |
 * sort size`); likewise '<' is a redirection only in a pipeline's first
 * command (`ls | where size < 10`). Words are separated by blanks (space,
 * tab). Inside a word, '...' keeps everything literally up to the next ';
 * "..." keeps everything but \" \\ \$, which stand for " \ $, and expands
 * variables; outside quotes \c stands for c (any c). '|', ';', '&', '>',
 * '<' end a word unless quoted or escaped.
 *
 * Expansion, done while a pipeline is parsed (so a line's later pipelines
 * see what its earlier ones set): $NAME and ${NAME}, $? $$ $# $0..$9 $*
 * outside single quotes; a value is never split into words nor globbed
 * (as in zsh and fish). $@ (or "$@") as a whole word becomes one word per
 * positional argument. An unquoted * ? or [ makes the word a glob pattern
 * (sh_command.pattern); the shell matches it against the filesystem
 * (glob.h). In a pattern, a character that was quoted or escaped is kept
 * behind a backslash so it matches only itself.
 *
 * Pure code with no system calls: it runs in the shell and in host tests. */
#ifndef SH_PARSE_H
#define SH_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define SH_LINE_MAX	1024	/* bytes in a line */
#define SH_LIST_MAX	32	/* pipelines in a line */
#define SH_STAGES_MAX	8	/* commands in a pipeline */
#define SH_ARGS_MAX	32	/* words in one command, before globbing */
#define SH_ASSIGN_MAX	8	/* NAME=value words before a command */
#define SH_STORAGE_MAX	8192	/* bytes of a pipeline's words, expanded */

/* --- a line: pipelines and what joins them ------------------------------ */

enum sh_when {
	SH_ALWAYS,		/* first, or after ; or & */
	SH_IF_OK,		/* after &&: when the previous status was 0 */
	SH_IF_FAILED,		/* after ||: when it was not */
};

struct sh_item {
	size_t start, len;	/* the pipeline's bytes in the line */
	enum sh_when when;
	bool background;	/* ended by & */
};

struct sh_list {
	unsigned count;		/* 0: an empty line, blanks or a comment */
	struct sh_item item[SH_LIST_MAX];
};

/* Splits line[0..len) into its pipelines. Returns 0, or -1 with *error set
 * to a message for the user ("unterminated quote", "missing command before
 * &&", ...). Each pipeline still has to pass sh_parse. */
int sh_split(const char *line, size_t len, struct sh_list *out, const char **error);

/* --- one pipeline ------------------------------------------------------- */

/* What expansion reads. lookup gives the value of a variable (a NAME, or
 * "?", "$", "#", "0".."9", "*"), or NULL when it is unset (which expands to
 * nothing); argv[0..argc) are the positional arguments $1... that "$@"
 * becomes. A NULL struct sh_expand expands every variable to nothing: what
 * a syntax check needs. */
struct sh_expand {
	const char *(*lookup)(void *ctx, const char *name, size_t len);
	void *ctx;
	unsigned argc;
	char *const *argv;
};

struct sh_command {
	unsigned argc;
	char *argv[SH_ARGS_MAX + 1];	/* argc words, then NULL */
	bool pattern[SH_ARGS_MAX];	/* argv[i] is a glob pattern */
	unsigned assign_count;
	char *assign[SH_ASSIGN_MAX];	/* "NAME=value", expanded */
	char *input;			/* < file (first command only), or NULL */
	char *errors;			/* 2> or 2>> file, or NULL */
	bool errors_append;		/* 2>> rather than 2> */
	bool errors_to_out;		/* 2>&1: errors join the output stream */
};

struct sh_pipeline {
	unsigned count;			/* 0: nothing but blanks */
	struct sh_command stage[SH_STAGES_MAX];
	char *redirect;			/* the file after > or >>, or NULL */
	bool append;			/* >> rather than > */
	/* The words, unquoted, expanded and NUL-terminated, point in here. */
	char storage[SH_STORAGE_MAX];
};

/* Parses and expands one pipeline, src[0..len) (an item of sh_split, or a
 * whole line without ; & && ||). Returns 0, or -1 with *error set. */
int sh_parse(const char *src, size_t len, const struct sh_expand *x, struct sh_pipeline *out,
	     const char **error);

/* Whether name[0..len) may name a variable: a letter or '_', then
 * letters, digits and '_'. */
bool sh_name_valid(const char *name, size_t len);

#endif
