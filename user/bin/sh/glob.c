#include "glob.h"

#include "lib/string.h"

bool sh_glob_active(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			return true;
	}
	return false;
}

/* The set [..] at p[0] (a '['): whether c is in it; *used is the bytes the
 * set takes, or 0 when it is not closed (then '[' is a plain character). */
static bool in_set(const char *p, size_t len, char c, size_t *used)
{
	size_t i = 1;
	bool negate = i < len && (p[i] == '!' || p[i] == '^');
	bool found = false;

	i += negate;
	for (bool first = true; i < len && (p[i] != ']' || first); first = false) {
		char lo = p[i];
		if (lo == '\\' && i + 1 < len)
			lo = p[++i];
		char hi = lo;
		if (i + 2 < len && p[i + 1] == '-' && p[i + 2] != ']') {
			hi = p[i + 2];
			if (hi == '\\' && i + 3 < len)
				hi = p[++i + 2];
			i += 2;
		}
		found |= (unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi;
		i++;
	}
	if (i >= len) {
		*used = 0;
		return false;
	}
	*used = i + 1;
	return found != negate;
}

/* Whether the pattern's element at p[i] (not a '*') matches c: the bytes
 * it takes, or 0 when it does not match. */
static size_t one(const char *p, size_t len, size_t i, char c)
{
	size_t used;

	if (p[i] == '?')
		return 1;
	if (p[i] == '[') {
		bool in = in_set(p + i, len - i, c, &used);
		if (used)
			return in ? used : 0;
		return c == '[';		/* an unclosed [ is itself */
	}
	if (p[i] == '\\' && i + 1 < len)
		return p[i + 1] == c ? 2 : 0;
	return p[i] == c;
}

/* Left to right; on a mismatch the last '*' takes one more character, so
 * the time is at most pattern length × name length, never exponential. */
static bool match(const char *p, size_t len, const char *name)
{
	size_t i = 0, star = 0;
	const char *retry = NULL;	/* where the last '*' would take one more */

	while (*name) {
		if (i < len && p[i] == '*') {
			while (i < len && p[i] == '*')
				i++;
			star = i;
			retry = name;
			continue;
		}
		size_t used = i < len ? one(p, len, i, *name) : 0;
		if (used) {
			i += used;
			name++;
		} else if (retry) {
			i = star;
			name = ++retry;
		} else {
			return false;
		}
	}
	while (i < len && p[i] == '*')
		i++;
	return i == len;
}

bool sh_glob_match(const char *pattern, size_t len, const char *name)
{
	if (name[0] == '.' && (len == 0 || pattern[0] != '.'))
		return false;
	return match(pattern, len, name);
}
