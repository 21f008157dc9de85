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
 *     - a path that starts with '/' is absolute: the handle is its root,
 *       so "/bin/init" means "bin/init" beneath the handle;
 *     - empty components ("a//b", "/x") and "." are dropped;
 *     - ".." drops the component before it. With none left, an absolute
 *       path stays at the handle ("/.." is "/", as on every Unix); a
 *       relative one would leave the handle's directory for its parent,
 *       which this handle cannot reach: -EOUTSIDE, never a silent stay
 *       (that would make "rm ../x" remove "./x");
 *     - a name longer than PATH_NAME_MAX bytes is -ENAMETOOLONG;
 *     - more than PATH_MAX_DEPTH components kept at once is -ENAMETOOLONG.
 *   - trailing_slash is set when anything follows the last name kept
 *     ("a/", "a/.", "a/b/.."): it must be a directory; ends_in_name when
 *     the path ends in that name ("a", "a/", not "a/." or "a/b/..").
 * Every other byte (backslash, '%', bytes >= 0x80) is part of a name:
 * "%2e%2e" is a file called "%2e%2e". A path with no name left ("", "/",
 * ".", "a/..", "/..") means the directory itself; each caller decides
 * whether that is allowed.
 *
 * ".." is lexical: "a/.." is "" whether or not a exists. With no symbolic
 * links that is also what a walk would find (docs/paths.md).
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
#define PATH_MAX_DEPTH	64	/* components kept at once ("." and ".." not) */

/* One name: path[offset .. offset + len), 1 <= len <= PATH_NAME_MAX. */
struct path_component {
	uint16_t offset, len;
};

struct path {
	struct path_component part[PATH_MAX_DEPTH];
	unsigned count;
	bool trailing_slash;	/* something follows the last component ("a/",
				 * "a/.", "a/b/.."): it must be a directory */
	bool ends_in_name;	/* the last component written is the last one
				 * kept ("a", "a/"), not "." or ".." ("a/.",
				 * "a/b/..") nor nothing (""): what makes,
				 * removes or renames an entry needs its name */
};

/* Splits and checks path[0..len) into *out (path may be NULL when len is
 * 0). Returns 0, or a negative error with out->count 0. */
int path_parse(const char *path, size_t len, struct path *out);

/* True when the relative path[0..len) climbs above the directory it
 * starts from at some point ("..", "a/../..", "../a"): exactly the paths
 * path_parse refuses with -EOUTSIDE when nothing else is wrong. False for
 * an absolute path. Only '/' splits; no limit applies. */
bool path_climbs(const char *path, size_t len);

/* The C string path joined onto the absolute path base (unless path is
 * absolute itself: then base is not used) and cleaned by the rules above:
 * an absolute path with no empty, "." or ".." component, "/" for the root,
 * ending in '/' when path_parse would set trailing_slash. ".." at the root
 * stays there. Parsing the result gives what parsing "base/path" would:
 * the same components, the same trailing_slash (but it always ends in its
 * last name: "/a/b/.." is "/a/", ends_in_name). Into out[0..size) with
 * its NUL: the length, or -ENAMETOOLONG when it does not fit. For user
 * space, where a person's "../x" meets the working directory's path; the
 * kernel never needs it. */
int path_join_clean(const char *base, const char *path, char *out, size_t size);

/* True when name[0..len) is acceptable as one directory entry name (a
 * create or rename target): 1 to PATH_NAME_MAX bytes, no '/', no NUL, not
 * "." or "..". Every component path_parse returns passes this. */
bool path_name_valid(const char *name, size_t len);

/* For create, unlink and rename: the parent is the first *parent_count
 * (count - 1) components, to walk; *last names the entry in it. Returns 0,
 * or -EINVAL for zero components (the directory has no name in itself;
 * callers that can be handed such a path say what it means for them). */
int path_split_last(const struct path *p, unsigned *parent_count,
		    struct path_component *last);

#endif
