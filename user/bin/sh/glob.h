/* Glob patterns (pure code, host-tested): * is any run of characters, ?
 * any one, [abc] [a-z] one of a set ([!...] or [^...] one not in it), \c
 * the character c. Nothing matches a '/': patterns are matched one path
 * component at a time (expand.c), and a leading '.' only by a pattern
 * that starts with one. */
#ifndef SH_GLOB_H
#define SH_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name matches pattern[0..len). */
bool sh_glob_match(const char *pattern, size_t len, const char *name);
/* Whether pattern[0..len) has a * ? or [ that is not escaped. */
bool sh_glob_active(const char *pattern, size_t len);

#endif
