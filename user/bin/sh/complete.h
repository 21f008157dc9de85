/* Tab completion, the part that decides (complete.c): which word the
 * cursor is in and whether it names a command or a path, which names match
 * it, what to insert (the longest common prefix, quoted as the word is),
 * and how a list of candidates is laid out. candidates.c finds the names
 * (/bin, the builtins, a directory's entries) and drives this for the line
 * editor.
 *
 * Pure code with no system calls: it runs in the shell and in host tests
 * (tests/unit/test_complete.c). */
#ifndef SH_COMPLETE_H
#define SH_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

/* The word being completed: from its start up to the cursor. */
struct complete_word {
	size_t start;		/* where it begins in the line */
	bool command;		/* a command's name (no '/'): /bin and the builtins */
	bool comment;		/* in a comment: nothing to complete */
	char quote;		/* the quote open at the cursor ('\'', '"'), or 0 */
	bool escaped;		/* it ends in an unquoted '\' that escapes nothing yet */
	size_t path;		/* text[path..len) is the path: after NAME= or 0 */
	size_t name;		/* text[name..len) is its last component */
	size_t len;
	char text[SH_LINE_MAX];	/* unquoted as the parser would, NUL-terminated */
};

/* Splits line[0..cursor) as parse.c does and describes its last word
 * (empty when the cursor follows a blank or an operator). A word is in
 * command position at the start of the line, after '|', ';' or '&' (so
 * also "&&" and "||", but not the '&' of "2>&1"), and after assignments;
 * one with a '/' is completed as a path all the same, and so is the value
 * of an assignment (NAME=/e). After '>' or '<' comes a path. Variables and
 * globs are not expanded: "$HOME/" names no directory. */
void complete_split(const char *line, size_t cursor, struct complete_word *w);

struct complete_candidate {
	const char *name;	/* owned by whoever filled the array */
	bool is_dir;
};

/* Whether name is a candidate for a word whose last component is
 * prefix[0..len): it starts with it, and it starts with '.' only when the
 * prefix does ("." and ".." never: Tab does not climb). */
bool complete_matches(const char *name, const char *prefix, size_t len);

/* Sorts c[0..n) by name (bytewise) and drops repeated names (a builtin
 * that /bin has too): the count left. */
size_t complete_sort(struct complete_candidate *c, size_t n);

/* What Tab inserts at the cursor for w, given its n (>= 1) sorted
 * candidates: with one, the rest of its name, then '/' for a directory or
 * the closing quote and a space for anything else; with several, the rest
 * of their longest common prefix. Quoted to read back as the name in the
 * word's quoting. Returns the length written to out (NUL-terminated), or
 * (size_t)-1 when it needs more than room - 1 bytes. */
size_t complete_insertion(const struct complete_word *w, const struct complete_candidate *c,
			  size_t n, char *out, size_t room);

/* The candidates laid out in columns across width cells, sorted down the
 * columns as ls does, directories with a '/', each row ending in '\n' and
 * without trailing blanks. Writes what fits in out[0..room) (out may be
 * NULL when room is 0) and returns the length of the whole listing, so a
 * caller can size a buffer and call again. */
size_t complete_listing(const struct complete_candidate *c, size_t n, size_t width, char *out,
			size_t room);

#endif
