/* The shell's variables: NAME=value pairs, some of them exported, which
 * is what children get as their environment (docs/shell.md). */
#ifndef SH_VARS_H
#define SH_VARS_H

#include <stdbool.h>
#include <stddef.h>

struct var {
	char *name, *value;		/* malloc'd */
	bool exported;
};

struct vars {
	struct var *v;			/* malloc'd, sorted by name */
	unsigned count, cap;
};

/* The value of name[0..len), or NULL when it is not set. */
const char *vars_get(const struct vars *vs, const char *name, size_t len);
/* Sets name[0..len) to value, exporting it when export is set (an exported
 * variable stays exported). 0, or -ENOMEM. */
int vars_set(struct vars *vs, const char *name, size_t len, const char *value, bool export);
/* Sets "NAME=value" (sh_name_valid NAME); -EINVAL when it is not one. */
int vars_assign(struct vars *vs, const char *assignment, bool export);
/* Marks name exported (setting it empty when unset). */
int vars_export(struct vars *vs, const char *name);
void vars_unset(struct vars *vs, const char *name);

/* The environment of a child: "NAME=value" for every exported variable,
 * with the assignments of its command line (extra[0..n)) overriding and
 * adding, then NULL. malloc'd as one block: free() it. NULL without memory. */
char **vars_environ(const struct vars *vs, char *const *extra, unsigned n);

#endif
