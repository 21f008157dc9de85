/* Paths beneath a directory handle: every rule with its error, the ways out
 * of a directory that must stay shut, the limits at and just past the edge,
 * and two fuzz loops. Each path is parsed from an exact-size heap copy, so
 * ASan sees any read past its end. */
#include <stdint.h>

#include "lib/errors.h"
#include "lib/path.h"
#include "unit.h"

static struct path p;
static char joined[PATH_MAX_LEN + 2];	/* "|" for each "/", one "/" more */

/* Parses s[0..len) and renders the result into `joined` as "a|b|c", with a
 * final "/" when trailing_slash is set. Returns path_parse's result. */
static int parse_n(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	size_t n = 0;

	if (len)
		memcpy(copy, s, len);
	memset(&p, 0xa5, sizeof(p));	/* no stale result can pass */
	int rc = path_parse(copy, len, &p);
	for (unsigned i = 0; rc == 0 && i < p.count && i < PATH_MAX_DEPTH; i++) {
		if (i)
			joined[n++] = '|';
		memcpy(joined + n, copy + p.part[i].offset, p.part[i].len);
		n += p.part[i].len;
	}
	if (rc == 0 && p.trailing_slash)
		joined[n++] = '/';
	joined[n] = '\0';
	free(copy);
	return rc;
}

static int parse(const char *s)
{
	return parse_n(s, strlen(s));
}

#define CHECK_PARSE(s, want)						\
	do {								\
		CHECK_EQ(parse(s), 0);					\
		CHECK_STR(joined, want);				\
	} while (0)

#define CHECK_REFUSED_N(s, len, err)					\
	do {								\
		CHECK_EQ(parse_n(s, len), -(err));			\
		CHECK_EQ(p.count, 0);					\
		CHECK(!p.trailing_slash);				\
	} while (0)

#define CHECK_REFUSED(s, err) CHECK_REFUSED_N(s, strlen(s), err)

/* n copies of c, then '\0'. */
static char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

TEST(test_relative_path_splits)
{
	CHECK_PARSE("init", "init");
	CHECK_PARSE("bin/init", "bin|init");
	CHECK_PARSE("a/b/c/d", "a|b|c|d");
	CHECK_EQ(p.count, 4);
	CHECK_EQ(p.part[0].offset, 0);
	CHECK_EQ(p.part[3].offset, 6);
	CHECK_EQ(p.part[3].len, 1);
	CHECK(!p.trailing_slash);
}

/* There is no global root: "/bin/init" sent through a handle for /tmp names
 * /tmp/bin/init, so a process handed only /tmp cannot reach /bin. */
TEST(test_absolute_path_is_relative_to_the_handle)
{
	CHECK_PARSE("/bin/init", "bin|init");
	CHECK_EQ(p.part[0].offset, 1);
	CHECK_PARSE("//bin/init", "bin|init");
	CHECK_PARSE("////////bin/init", "bin|init");
	CHECK_PARSE("/./bin/init", "bin|init");
}

TEST(test_empty_path_is_the_directory_itself)
{
	CHECK_EQ(path_parse(NULL, 0, &p), 0);
	CHECK_EQ(p.count, 0);
	CHECK_PARSE("", "");
	CHECK_PARSE("/", "");
	CHECK_PARSE("////", "");
	CHECK_PARSE(".", "");
	CHECK_PARSE("./", "");
	CHECK_PARSE("/./.", "");
	CHECK_PARSE("./././", "");
	CHECK_EQ(p.count, 0);
	CHECK(!p.trailing_slash);
}

TEST(test_dot_components_are_skipped)
{
	CHECK_PARSE("./a", "a");
	CHECK_PARSE("a/./b", "a|b");
	CHECK_PARSE("a/././b/.", "a|b/");	/* "b/." : b must be a directory */
	CHECK_PARSE("./a/.", "a/");
}

TEST(test_dot_dot_is_refused_everywhere)
{
	CHECK_REFUSED("..", EINVAL);
	CHECK_REFUSED("../", EINVAL);
	CHECK_REFUSED("/..", EINVAL);
	CHECK_REFUSED("../../bin/init", EINVAL);
	CHECK_REFUSED("/../../../../../../bin/init", EINVAL);
	CHECK_REFUSED("a/../../x", EINVAL);
	CHECK_REFUSED("./.././x", EINVAL);
	CHECK_REFUSED("a/..", EINVAL);	/* would stay beneath: still refused */
	CHECK_REFUSED("a/../b", EINVAL);
	CHECK_REFUSED("a/b/..", EINVAL);
	CHECK_REFUSED("a/b/../", EINVAL);
	CHECK_REFUSED("tmp/../bin/init", EINVAL);
}

/* Only a whole component of exactly two dots climbs; nothing is decoded. */
TEST(test_lookalikes_are_plain_names)
{
	CHECK_PARSE("%2e%2e", "%2e%2e");
	CHECK_PARSE("%2e%2e/%2E%2E/bin", "%2e%2e|%2E%2E|bin");
	CHECK_PARSE("...", "...");
	CHECK_PARSE("..a/a../.a", "..a|a..|.a");
	CHECK_PARSE(". ./ ..", ". .| ..");
	CHECK_PARSE("..\\..\\bin", "..\\..\\bin");
	CHECK_PARSE("\xc0\xae\xc0\xae/x", "\xc0\xae\xc0\xae|x");	/* overlong UTF-8 '.' */
	CHECK_PARSE("\xef\xbc\x8e\xef\xbc\x8e", "\xef\xbc\x8e\xef\xbc\x8e");
}

TEST(test_empty_components_are_refused)
{
	CHECK_REFUSED("a//b", EINVAL);
	CHECK_REFUSED("a///b", EINVAL);
	CHECK_REFUSED("a//", EINVAL);
	CHECK_REFUSED("/a//", EINVAL);
	CHECK_REFUSED(".//a", EINVAL);
	CHECK_REFUSED("a/.//b", EINVAL);
	CHECK_REFUSED("a/b//", EINVAL);
}

TEST(test_trailing_slash_is_a_flag)
{
	CHECK_PARSE("a", "a");
	CHECK(!p.trailing_slash);
	CHECK_PARSE("a/", "a/");
	CHECK(p.trailing_slash);
	CHECK_EQ(p.count, 1);
	CHECK_PARSE("/a/b/", "a|b/");
	CHECK_EQ(p.count, 2);
	CHECK_PARSE("a/./", "a/");
	CHECK_PARSE("/", "");
	CHECK(!p.trailing_slash);
}

TEST(test_nul_bytes_are_refused)
{
	CHECK_REFUSED_N("a\0b", 3, EINVAL);
	CHECK_REFUSED_N("\0", 1, EINVAL);
	CHECK_REFUSED_N("a/b\0", 4, EINVAL);	/* a C string's terminator counted in */
	CHECK_REFUSED_N("\0/a", 3, EINVAL);
	CHECK_REFUSED_N("/\0", 2, EINVAL);
	CHECK_REFUSED_N(".\0.", 3, EINVAL);
	CHECK_REFUSED_N("..\0/x", 5, EINVAL);
	CHECK_REFUSED_N("bin/init\0../../etc", 18, EINVAL);
	/* The length, not a NUL, ends the path: "a" alone of "ab" is fine. */
	CHECK_EQ(parse_n("ab", 1), 0);
	CHECK_STR(joined, "a");
}

TEST(test_name_length_limit)
{
	char name[PATH_NAME_MAX + 2], path[PATH_NAME_MAX + 8];

	repeat(name, 'n', PATH_NAME_MAX);
	CHECK_PARSE(name, name);
	CHECK_EQ(p.part[0].len, PATH_NAME_MAX);
	snprintf(path, sizeof(path), "a/%s/b", name);
	CHECK_EQ(parse(path), 0);
	CHECK_EQ(p.count, 3);

	repeat(name, 'n', PATH_NAME_MAX + 1);
	CHECK_REFUSED(name, ENAMETOOLONG);
	snprintf(path, sizeof(path), "a/%s/b", name);
	CHECK_REFUSED(path, ENAMETOOLONG);
	snprintf(path, sizeof(path), "/%s/", name);
	CHECK_REFUSED(path, ENAMETOOLONG);
	/* Left to right: the earlier problem is the one reported. */
	snprintf(path, sizeof(path), "../%s", name);
	CHECK_REFUSED(path, EINVAL);
	snprintf(path, sizeof(path), "%s/..", name);
	CHECK_REFUSED(path, ENAMETOOLONG);
}

TEST(test_path_length_limit)
{
	char path[PATH_MAX_LEN + 2];
	char name[PATH_NAME_MAX + 1];

	/* "/" + four 255-byte names + three '/' = 1024 bytes. */
	repeat(name, 'x', PATH_NAME_MAX);
	snprintf(path, sizeof(path), "/%s/%s/%s/%s", name, name, name, name);
	CHECK_EQ(strlen(path), PATH_MAX_LEN);
	CHECK_EQ(parse(path), 0);
	CHECK_EQ(p.count, 4);
	CHECK_EQ(p.part[3].offset + p.part[3].len, PATH_MAX_LEN);

	snprintf(path, sizeof(path), "//%s/%s/%s/%s", name, name, name, name);
	CHECK_EQ(strlen(path), PATH_MAX_LEN + 1);
	CHECK_REFUSED(path, ENAMETOOLONG);

	/* Harmless bytes count too: the limit bounds the work. */
	CHECK_EQ(parse(repeat(path, '/', PATH_MAX_LEN)), 0);
	CHECK_EQ(p.count, 0);
	CHECK_REFUSED(repeat(path, '/', PATH_MAX_LEN + 1), ENAMETOOLONG);
	/* Length is checked before anything else. */
	repeat(path, '.', PATH_MAX_LEN + 1);
	path[0] = '\0';
	CHECK_REFUSED_N(path, PATH_MAX_LEN + 1, ENAMETOOLONG);
	CHECK_EQ(path_parse(path, SIZE_MAX, &p), -ENAMETOOLONG);	/* never read */
}

TEST(test_depth_limit)
{
	char path[4 * PATH_MAX_DEPTH + 16];
	size_t n = 0;

	for (int i = 0; i < PATH_MAX_DEPTH; i++)
		n += (size_t)sprintf(path + n, "%s%c", i ? "/" : "", 'a' + i % 26);
	CHECK_EQ(parse(path), 0);
	CHECK_EQ(p.count, PATH_MAX_DEPTH);
	strcpy(path + n, "/");
	CHECK_EQ(parse(path), 0);
	CHECK(p.trailing_slash);
	strcpy(path + n, "/./././.");	/* "." is not counted */
	CHECK_EQ(parse(path), 0);
	CHECK_EQ(p.count, PATH_MAX_DEPTH);
	strcpy(path + n, "/z");
	CHECK_REFUSED(path, ENAMETOOLONG);
	strcpy(path + n, "/..");	/* left to right: ".." comes first */
	CHECK_REFUSED(path, EINVAL);
}

TEST(test_many_slashes)
{
	char path[PATH_MAX_LEN + 1];

	repeat(path, '/', 1000);
	strcpy(path + 1000, "a/b/");
	CHECK_PARSE(path, "a|b/");
	CHECK_EQ(p.part[0].offset, 1000);
	CHECK_REFUSED("a/b//c", EINVAL);
	CHECK_REFUSED("a/b////", EINVAL);
}

TEST(test_name_valid)
{
	char name[PATH_NAME_MAX + 2];

	CHECK(path_name_valid("a", 1));
	CHECK(path_name_valid("...", 3));
	CHECK(path_name_valid(".a", 2));
	CHECK(path_name_valid("%2e%2e", 6));
	CHECK(path_name_valid("\xff", 1));
	CHECK(path_name_valid(repeat(name, 'v', PATH_NAME_MAX), PATH_NAME_MAX));
	CHECK(!path_name_valid(repeat(name, 'v', PATH_NAME_MAX + 1), PATH_NAME_MAX + 1));
	CHECK(!path_name_valid("", 0));
	CHECK(!path_name_valid(NULL, 0));
	CHECK(!path_name_valid(".", 1));
	CHECK(!path_name_valid("..", 2));
	CHECK(!path_name_valid("a/b", 3));
	CHECK(!path_name_valid("/", 1));
	CHECK(!path_name_valid("a/", 2));
	CHECK(!path_name_valid("a\0b", 3));
	CHECK(!path_name_valid("a\0", 2));
	CHECK(path_name_valid("ab", 1));	/* the length decides */
}

TEST(test_split_last)
{
	unsigned parents = 99;
	struct path_component last = { 0, 0 };

	CHECK_EQ(parse("/a/b/c"), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), 0);
	CHECK_EQ(parents, 2);
	CHECK_EQ(last.offset, 5);
	CHECK_EQ(last.len, 1);
	CHECK_EQ(parse("name"), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), 0);
	CHECK_EQ(parents, 0);
	CHECK_EQ(last.offset, 0);
	CHECK_EQ(last.len, 4);
	CHECK_EQ(parse("/./"), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), -EINVAL);
}

/* --- fuzzing ------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* The segments of s[0..len) between slashes, as written: is any "..". */
static bool has_dot_dot(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && s[j] != '/')
			j++;
		if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return true;
		i = j + 1;
	}
	return false;
}

/* Random bytes, biased towards the ones that matter: whatever is accepted
 * lies inside the input, is a valid name, and never climbs. */
TEST(test_fuzz_random_bytes)
{
	static const char interesting[] = "/./../a\0";
	char buf[PATH_MAX_LEN + 80];

	for (int iter = 0; iter < 200000; iter++) {
		size_t len = rnd(8) == 0 ? rnd(sizeof(buf)) : rnd(40);
		for (size_t i = 0; i < len; i++)
			buf[i] = rnd(4) ? interesting[rnd(sizeof(interesting))]
					: (char)rnd(256);

		char *copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		int rc = path_parse(copy, len, &p);
		if (rc != 0) {
			CHECK(rc == -EINVAL || rc == -ENAMETOOLONG);
			CHECK_EQ(p.count, 0);
			free(copy);
			continue;
		}
		CHECK(len <= PATH_MAX_LEN);
		CHECK(!memchr(copy, '\0', len));
		CHECK(!has_dot_dot(copy, len));
		CHECK(p.count <= PATH_MAX_DEPTH);
		size_t end = 0;
		for (unsigned i = 0; i < p.count; i++) {
			const struct path_component *c = &p.part[i];
			CHECK(c->offset >= end);	/* in order, no overlap */
			CHECK((size_t)c->offset + c->len <= len);
			CHECK(path_name_valid(copy + c->offset, c->len));
			CHECK(c->offset == 0 || copy[c->offset - 1] == '/');
			end = (size_t)c->offset + c->len;
		}
		CHECK(p.trailing_slash == (p.count > 0 && end < len));
		free(copy);
	}
}

/* Paths built from known pieces, so the expected answer comes from the
 * pieces and not from parsing again. */
TEST(test_fuzz_built_paths)
{
	static const char *const fixed[] = {
		".", "..", "", "%2e%2e", "...", "a", "bin", "a\0b", ". .",
	};
	static char path[32768], want[32768];
	char name[300];

	for (int iter = 0; iter < 100000; iter++) {
		size_t n = 0, w = 0, name_len;
		unsigned pieces = rnd(6) == 0 ? rnd(80) : rnd(6), kept = 0;
		int expect = 0;
		bool has_nul = false, after_last = false;

		for (unsigned s = rnd(4); s; s--)
			path[n++] = '/';
		for (unsigned i = 0; i < pieces; i++) {
			unsigned pick = rnd(12);
			if (pick < 9) {
				const char *f = fixed[pick];
				name_len = pick == 7 ? 3 : strlen(f);
				memcpy(name, f, name_len);
			} else {
				name_len = 1 + (rnd(3) ? rnd(8) : rnd(299));
				for (size_t k = 0; k < name_len; k++)
					name[k] = (char)('A' + rnd(26));
			}
			/* An empty first or last piece would read as one
			 * more leading or trailing '/'. */
			if (name_len == 0 && (i == 0 || i == pieces - 1))
				name[name_len++] = 'q';
			if (i)
				path[n++] = '/';
			memcpy(path + n, name, name_len);
			n += name_len;
			if (memchr(name, '\0', name_len))
				has_nul = true;

			if (expect)
				continue;
			after_last = true;
			if (memchr(name, '\0', name_len))
				continue;	/* the whole-path NUL check decides */
			if (name_len == 0 || (name_len == 2 && !memcmp(name, "..", 2)))
				expect = -EINVAL;
			else if (name_len == 1 && name[0] == '.')
				continue;
			else if (name_len > PATH_NAME_MAX || kept == PATH_MAX_DEPTH)
				expect = -ENAMETOOLONG;
			else {
				if (kept++)
					want[w++] = '|';
				memcpy(want + w, name, name_len);
				w += name_len;
				after_last = false;
			}
		}
		bool trailing = pieces && rnd(3) == 0;
		if (trailing)
			path[n++] = '/';
		if (trailing)
			after_last = true;
		if (kept && after_last)
			want[w++] = '/';
		want[w] = '\0';
		if (has_nul)
			expect = -EINVAL;
		if (n > PATH_MAX_LEN)
			expect = -ENAMETOOLONG;

		int rc = parse_n(path, n);
		if (rc != expect)
			UNIT_FAIL("iteration %d: %d != %d (%zu bytes)", iter, rc, expect, n);
		if (rc == 0 && strcmp(joined, want) != 0)
			UNIT_FAIL("iteration %d: \"%.100s\" != \"%.100s\"", iter, joined, want);
		if (rc != 0)
			CHECK_EQ(p.count, 0);
	}
}
