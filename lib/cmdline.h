/* Kernel command line parsing: words separated by blanks, each `key` or
 * `key=value`; double quotes group blanks into one word (`init="/bin/sh -x"`).
 * Parsing never fails silently: the first problem is reported with its
 * position, and the words before it stay usable. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_LEN 1024
#define CMDLINE_MAX_ARGS 64

struct cmdline_arg {
	const char *key;
	const char *value;	/* NULL for a bare `key` */
};

struct cmdline {
	char text[CMDLINE_MAX_LEN];	/* keys and values point in here */
	struct cmdline_arg args[CMDLINE_MAX_ARGS];
	size_t count;
	const char *error;	/* NULL when the whole line parsed */
	size_t error_pos;	/* byte offset of the problem in the input */
};

/* Parses `line` into `cl`. Returns true when the whole line was valid. */
bool cmdline_parse(struct cmdline *cl, const char *line);

/* The value of the last `key=value` with this key, "" for a bare `key`,
 * NULL when absent. */
const char *cmdline_get(const struct cmdline *cl, const char *key);

#endif
