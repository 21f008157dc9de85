#include "lib/path.h"

#include "lib/errors.h"
#include "lib/string.h"

/* check_component's verdict for a name that is valid but not kept. */
#define SKIP	1

static bool is_dot(const char *s, size_t len)
{
	return len == 1 && s[0] == '.';
}

static bool is_dot_dot(const char *s, size_t len)
{
	return len == 2 && s[0] == '.' && s[1] == '.';
}

bool path_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > PATH_NAME_MAX)
		return false;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return false;
	return !is_dot(name, len) && !is_dot_dot(name, len);
}

/* One component, already known to hold no NUL or '/'. Returns 0 to keep
 * it, SKIP for ".", or a negative error. */
static int check_component(const char *name, size_t len)
{
	/* "a//b" is harmless to resolve but is always a bug in whoever built
	 * the path (a join with an empty part); saying so finds it sooner. */
	if (len == 0)
		return -EINVAL;
	if (is_dot(name, len))
		return SKIP;
	/* ".." is refused rather than clamped at the directory: in a
	 * capability system a path that climbs is a bug or an attack, and a
	 * parser that never goes up needs no argument about where it stops.
	 * Even "a/.." is refused, so no resolver needs to handle climbing. */
	if (is_dot_dot(name, len))
		return -EINVAL;
	if (len > PATH_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int fail(struct path *out, int err)
{
	out->count = 0;
	out->trailing_slash = false;
	return err;
}

int path_parse(const char *path, size_t len, struct path *out)
{
	size_t i = 0;

	out->count = 0;
	out->trailing_slash = false;
	/* The total first, so the scans below stay within a small bound and
	 * the offsets fit in uint16_t. */
	if (len > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	if (len && memchr(path, '\0', len))
		return -EINVAL;

	while (i < len && path[i] == '/')
		i++;		/* "/x" is "x": there is no root above the handle */
	while (i < len) {
		const char *slash = memchr(path + i, '/', len - i);
		size_t n = slash ? (size_t)(slash - (path + i)) : len - i;
		int rc = check_component(path + i, n);

		if (rc < 0)
			return fail(out, rc);
		if (rc != SKIP) {
			if (out->count == PATH_MAX_DEPTH)
				return fail(out, -ENAMETOOLONG);
			out->part[out->count].offset = (uint16_t)i;
			out->part[out->count].len = (uint16_t)n;
			out->count++;
		}
		/* Past the name and its '/'; a lone trailing '/' ends the loop
		 * here, a second one comes round as an empty component. */
		i += n + (slash ? 1 : 0);
	}

	if (out->count) {
		const struct path_component *last = &out->part[out->count - 1];
		out->trailing_slash = (size_t)last->offset + last->len < len;
	}
	return 0;
}

int path_split_last(const struct path *p, unsigned *parent_count,
		    struct path_component *last)
{
	if (p->count == 0)
		return -EINVAL;
	*parent_count = p->count - 1;
	*last = p->part[p->count - 1];
	return 0;
}
