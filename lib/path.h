/* Paths beneath a directory handle (docs/paths.md).
 *
 * A process reaches files only through directory handles it was given, so a
 * path always resolves beneath the directory the request came through; there
 * is no global root to climb to. Paths arrive inside BSON strings, which may
 * hold NUL bytes, so they are (pointer, length), never C strings.
 *
 * The rules, checked in this order (the first broken one is reported):
 *   - more than PATH_MAX_LEN bytes in all: -ENAMETOOLONG;
 *   - a NUL byte anywhere: -EINVAL;
 *   - then each component from left to right:
 *     - any number of leading '/' are dropped: "/bin/init" means "bin/init"
 *       beneath the handle, exactly like the relative path;
 *     - an empty component after them ("a//b", "a//") is -EINVAL;
 *     - one trailing '/' is allowed and sets trailing_slash;
 *     - "." is dropped (and not counted);
 *     - ".." is -EINVAL wherever it appears, even where it would stay
 *       beneath the directory ("a/..");
 *     - a name longer than PATH_NAME_MAX bytes is -ENAMETOOLONG;
 *     - more than PATH_MAX_DEPTH components is -ENAMETOOLONG.
 * Every other byte (backslash, '%', bytes >= 0x80) is part of a name:
 * "%2e%2e" is a file called "%2e%2e". The empty path, or one of only
 * slashes and "." ("", "/", "./."), has zero components and means the
 * directory itself; each caller decides whether that is allowed.
 *
 * Parse a copy the caller owns (the kernel's copy of a message), never user
 * memory: the components are offsets into the bytes that were checked. */
#ifndef LIB_PATH_H
#define LIB_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATH_NAME_MAX	255	/* bytes in one name */
#define PATH_MAX_LEN	1024	/* bytes in a whole path */
#define PATH_MAX_DEPTH	64	/* components, "." not counted */

/* One name: path[offset .. offset + len), 1 <= len <= PATH_NAME_MAX. */
struct path_component {
	uint16_t offset, len;
};

struct path {
	struct path_component part[PATH_MAX_DEPTH];
	unsigned count;
	bool trailing_slash;	/* a '/' follows the last component ("a/",
				 * "a/."): it must be a directory */
};

/* Splits and checks path[0..len) into *out (path may be NULL when len is
 * 0). Returns 0, or a negative error with out->count 0. */
int path_parse(const char *path, size_t len, struct path *out);

/* True when name[0..len) is acceptable as one directory entry name (a
 * create or rename target): 1 to PATH_NAME_MAX bytes, no '/', no NUL, not
 * "." or "..". Every component path_parse returns passes this. */
bool path_name_valid(const char *name, size_t len);

/* For create, unlink and rename: the parent is the first *parent_count
 * (count - 1) components, to walk; *last names the entry in it. Returns 0,
 * or -EINVAL for zero components (the directory has no name in itself). */
int path_split_last(const struct path *p, unsigned *parent_count,
		    struct path_component *last);

#endif
