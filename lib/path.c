#include "lib/path.h"

#include "lib/errors.h"
#include "lib/string.h"

static bool is_dot(const char *s, size_t len)
{
	return len == 1 && s[0] == '.';
}

static bool is_dot_dot(const char *s, size_t len)
{
	return len == 2 && s[0] == '.' && s[1] == '.';
}

/* The bytes of the component that starts at path[i], up to the next '/'
 * or the end (len). */
static size_t component_len(const char *path, size_t i, size_t len)
{
	const char *slash = memchr(path + i, '/', len - i);

	return slash ? (size_t)(slash - (path + i)) : len - i;
}

bool path_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > PATH_NAME_MAX)
		return false;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return false;
	return !is_dot(name, len) && !is_dot_dot(name, len);
}

/* Applies the component path[at .. at + n), known to hold no NUL or '/',
 * to out: kept, dropped, or a step back. 0 or a negative error. */
static int take_component(struct path *out, const char *path, size_t at, size_t n,
			  bool absolute)
{
	const char *name = path + at;

	/* "a//b" is "a/b" and "./a" is "a", as on every Unix: both are what
	 * people type ("ls /bin//") and what careless joins make. */
	if (n == 0)
		return 0;
	out->ends_in_name = false;
	if (is_dot(name, n))
		return 0;
	if (is_dot_dot(name, n)) {
		if (out->count) {
			out->count--;	/* lexical: a/.. is "", a or no a */
			return 0;
		}
		/* At the handle. "/" names the handle as the root, and "/.."
		 * is "/"; a relative path wants the handle's parent, which
		 * exists but is not reachable through it. */
		return absolute ? 0 : -EOUTSIDE;
	}
	if (n > PATH_NAME_MAX)
		return -ENAMETOOLONG;
	if (out->count == PATH_MAX_DEPTH)
		return -ENAMETOOLONG;
	out->part[out->count].offset = (uint16_t)at;
	out->part[out->count].len = (uint16_t)n;
	out->count++;
	out->ends_in_name = true;
	return 0;
}

static int fail(struct path *out, int err)
{
	out->count = 0;
	out->trailing_slash = out->ends_in_name = false;
	return err;
}

int path_parse(const char *path, size_t len, struct path *out)
{
	out->count = 0;
	out->trailing_slash = out->ends_in_name = false;
	/* The total first, so the scans below stay within a small bound and
	 * the offsets fit in uint16_t. */
	if (len > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	if (len && memchr(path, '\0', len))
		return -EINVAL;

	bool absolute = len && path[0] == '/';
	for (size_t i = 0; i < len;) {
		size_t n = component_len(path, i, len);
		int rc = take_component(out, path, i, n, absolute);

		if (rc < 0)
			return fail(out, rc);
		i += n + 1;	/* past the name and its '/' */
	}
	if (out->count) {
		const struct path_component *last = &out->part[out->count - 1];
		out->trailing_slash = (size_t)last->offset + last->len < len;
	}
	return 0;
}

bool path_climbs(const char *path, size_t len)
{
	size_t depth = 0;

	if (len && path[0] == '/')
		return false;
	for (size_t i = 0; i < len;) {
		size_t n = component_len(path, i, len);

		if (is_dot_dot(path + i, n)) {
			if (depth == 0)
				return true;
			depth--;
		} else if (n && !is_dot(path + i, n)) {
			depth++;
		}
		i += n + 1;
	}
	return false;
}

/* path_join_clean's result so far: out[0..len) is "" or "/a/b". */
struct cleaned {
	char *out;
	size_t size, len;
	bool trailing;		/* a component followed the last name */
};

/* Applies each component of the C string path to c, as take_component
 * does to a struct path. false when a name does not fit. */
static bool clean_onto(struct cleaned *c, const char *path)
{
	size_t len = strlen(path);

	/* Splitting "base/path" gives base's components, then path's. */
	for (size_t i = 0;; i++) {
		size_t n = component_len(path, i, len);
		const char *name = path + i;

		c->trailing = true;
		if (is_dot_dot(name, n)) {
			while (c->len && c->out[c->len - 1] != '/')
				c->len--;
			if (c->len)
				c->len--;	/* its '/'; at the root, nothing */
		} else if (n && !is_dot(name, n)) {
			if (c->len + 1 + n + 1 > c->size)	/* '/', name, NUL */
				return false;
			c->out[c->len++] = '/';
			memcpy(c->out + c->len, name, n);
			c->len += n;
			c->trailing = false;
		}
		i += n;
		if (i >= len)
			return true;
	}
}

int path_join_clean(const char *base, const char *path, char *out, size_t size)
{
	struct cleaned c = { .out = out, .size = size };

	if (size < 2)
		return -ENAMETOOLONG;
	if (path[0] != '/' && !clean_onto(&c, base))
		return -ENAMETOOLONG;
	if (!clean_onto(&c, path))
		return -ENAMETOOLONG;
	if (c.len == 0 || c.trailing) {
		if (c.len + 2 > size)
			return -ENAMETOOLONG;
		out[c.len++] = '/';
	}
	out[c.len] = '\0';
	return (int)c.len;
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
