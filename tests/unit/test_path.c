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
		CHECK(!p.trailing_slash && !p.ends_in_name);		\
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
	CHECK_PARSE("a/..", "");
	CHECK_PARSE("/..", "");
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

/* ".." steps back over the name before it, on the text. */
TEST(test_dot_dot_drops_the_name_before_it)
{
	CHECK_PARSE("a/..", "");
	CHECK_EQ(p.count, 0);
	CHECK(!p.trailing_slash);
	CHECK_PARSE("a/../b", "b");
	CHECK_EQ(p.part[0].offset, 5);
	CHECK_PARSE("a/b/..", "a/");		/* a must be a directory */
	CHECK_PARSE("a/b/../", "a/");
	CHECK_PARSE("a/b/../c", "a|c");
	CHECK_PARSE("a/b/c/../../d", "a|d");
	CHECK_PARSE("a/./../b", "b");
	CHECK_PARSE("tmp/../bin/init", "bin|init");
	CHECK_PARSE("a/b/../../c/..", "");
}

/* The handle is the root of an absolute path: "/.." is "/", however many. */
TEST(test_dot_dot_at_the_root_of_an_absolute_path_stays_there)
{
	CHECK_PARSE("/..", "");
	CHECK_PARSE("/../", "");
	CHECK_PARSE("//..//..", "");
	CHECK_PARSE("/../bin/init", "bin|init");
	CHECK_PARSE("/../../../../../../bin/init", "bin|init");
	CHECK_PARSE("/a/../../x", "x");
	CHECK_PARSE("/tmp/../../bin", "bin");
	CHECK_PARSE("/./.././x", "x");
	CHECK_PARSE("/x/../..", "");
}

/* A relative path starts at the handle's directory, and its parent is
 * not reachable through the handle: refused, never quietly kept at the
 * handle (that would make "rm ../x" remove "./x"). */
TEST(test_relative_path_that_climbs_out_is_refused)
{
	CHECK_REFUSED("..", EOUTSIDE);
	CHECK_REFUSED("../", EOUTSIDE);
	CHECK_REFUSED("../x", EOUTSIDE);
	CHECK_REFUSED("../../bin/init", EOUTSIDE);
	CHECK_REFUSED("./..", EOUTSIDE);
	CHECK_REFUSED(".//../x", EOUTSIDE);
	CHECK_REFUSED("a/../..", EOUTSIDE);
	CHECK_REFUSED("a/../../x", EOUTSIDE);
	CHECK_REFUSED("a/b/../../../a/b", EOUTSIDE);	/* out and back in: still out */
	CHECK_REFUSED("bin/../../bin/init", EOUTSIDE);
}

TEST(test_climbs_says_which_relative_paths_leave)
{
	static const struct { const char *path; bool climbs; } cases[] = {
		{ "..", true }, { "../x", true }, { "a/../..", true }, { "./..", true },
		{ "a//../..", true }, { "a/b/../../..", true }, { "../a/b/c", true },
		{ "", false }, { ".", false }, { "a", false }, { "a/..", false },
		{ "a/b/../..", false }, { "a/../b", false }, { "...", false },
		{ "..a/..", false }, { "%2e%2e", false }, { "/..", false },
		{ "/../../x", false }, { "//..", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].path;
		if (path_climbs(s, strlen(s)) != cases[i].climbs)
			UNIT_FAIL("path_climbs(\"%s\") is not %d", s, cases[i].climbs);
	}
	CHECK(!path_climbs(NULL, 0));
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

/* "a//b" is "a/b", as on every Unix. */
TEST(test_empty_components_are_skipped)
{
	CHECK_PARSE("a//b", "a|b");
	CHECK_PARSE("a///b", "a|b");
	CHECK_PARSE("a//", "a/");
	CHECK_PARSE("/a//", "a/");
	CHECK_PARSE(".//a", "a");
	CHECK_PARSE("a/.//b", "a|b");
	CHECK_PARSE("a/b//", "a|b/");
	CHECK_PARSE("bin//", "bin/");
}

/* Whether the path ends in the name it keeps last, for the requests that
 * make, remove or rename an entry by its name. */
TEST(test_ends_in_name)
{
	static const struct { const char *path; bool named; } cases[] = {
		{ "a", true }, { "a/", true }, { "a//", true }, { "/a/b", true },
		{ "a/../b", true }, { "..a", true }, { "a/.", false }, { "a/./", false },
		{ "a/b/..", false }, { "a/b/../", false }, { "", false }, { "/", false },
		{ ".", false }, { "a/..", false }, { "/..", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse(cases[i].path), 0);
		if (p.ends_in_name != cases[i].named)
			UNIT_FAIL("\"%s\": ends_in_name is not %d", cases[i].path, cases[i].named);
	}
	CHECK_REFUSED("a/../..", EOUTSIDE);
	CHECK(!p.ends_in_name);
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
	CHECK_REFUSED(path, EOUTSIDE);
	/* A name is checked even when a ".." drops it again. */
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
	strcpy(path + n, "/z/..");	/* the deepest point counts, not the end */
	CHECK_REFUSED(path, ENAMETOOLONG);
	strcpy(path + n, "/../z");	/* one dropped first: room for z */
	CHECK_EQ(parse(path), 0);
	CHECK_EQ(p.count, PATH_MAX_DEPTH);
	CHECK_EQ(p.part[PATH_MAX_DEPTH - 1].len, 1);
	CHECK_EQ(path[p.part[PATH_MAX_DEPTH - 1].offset], 'z');
}

/* Going down and back up many times never fills part[]: 200 steps of
 * "x/../" in 1000 bytes. */
TEST(test_long_chains_stay_within_the_limits)
{
	char path[PATH_MAX_LEN + 1] = "";

	for (int i = 0; i < 200; i++)
		strcat(path, "x/../");
	CHECK_PARSE(path, "");
	strcpy(path + 995, "../b");	/* one ".." too many, at the end */
	CHECK_REFUSED(path, EOUTSIDE);
	path[0] = '/';			/* "//../...": absolute, so it stays */
	CHECK_PARSE(path, "b");
	for (int i = 0; i < 340; i++)
		memcpy(path + 3 * i, "../", 3);
	path[1020] = '\0';
	CHECK_REFUSED(path, EOUTSIDE);
	path[0] = '/';
	CHECK_PARSE(path, "");
}

TEST(test_many_slashes)
{
	char path[PATH_MAX_LEN + 1];

	repeat(path, '/', 1000);
	strcpy(path + 1000, "a/b/");
	CHECK_PARSE(path, "a|b/");
	CHECK_EQ(p.part[0].offset, 1000);
	CHECK_PARSE("a/b//c", "a|b|c");
	CHECK_PARSE("a/b////", "a|b/");
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
	CHECK_EQ(parse("a/b/../c"), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), 0);
	CHECK_EQ(parents, 1);
	CHECK_EQ(last.offset, 7);
	CHECK_EQ(parse("/./"), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), -EINVAL);
	CHECK_EQ(parse("a/.."), 0);
	CHECK_EQ(path_split_last(&p, &parents, &last), -EINVAL);
}

/* path_join_clean: a working directory's path and what a person typed. */
#define CHECK_JOIN(base, path, want)					\
	do {								\
		char out_[PATH_MAX_LEN + 1];				\
		int n_ = path_join_clean(base, path, out_, sizeof(out_));	\
		CHECK_STR(n_ >= 0 ? out_ : "(error)", want);		\
		CHECK_EQ(n_, strlen(want));				\
	} while (0)

TEST(test_join_clean)
{
	CHECK_JOIN("/home/x", "../notes", "/home/notes");
	CHECK_JOIN("/home/x", "notes", "/home/x/notes");
	CHECK_JOIN("/home/x", "../..", "/");
	CHECK_JOIN("/home/x", "../../../../etc/motd", "/etc/motd");
	CHECK_JOIN("/home/x", "..", "/home/");	/* names a directory */
	CHECK_JOIN("/home/x", "../", "/home/");
	CHECK_JOIN("/home/x", "a//b/./", "/home/x/a/b/");
	CHECK_JOIN("/home/x", "a/b/..", "/home/x/a/");
	CHECK_JOIN("/home/x", ".", "/home/x/");
	CHECK_JOIN("/home/x", "", "/home/x/");
	CHECK_JOIN("/home/x/", "a", "/home/x/a");
	CHECK_JOIN("//home/./x/..", "y", "/home/y");
	CHECK_JOIN("/", "..", "/");
	CHECK_JOIN("/", "../../x", "/x");
	CHECK_JOIN("/", "", "/");
	CHECK_JOIN("/", "%2e%2e/...", "/%2e%2e/...");
	/* An absolute path ignores the base. */
	CHECK_JOIN("/home/x", "/bin/../etc/motd", "/etc/motd");
	CHECK_JOIN("/home/x", "/..", "/");
	CHECK_JOIN("/home/x", "//", "/");
	CHECK_JOIN("", "a/../../b", "/b");
}

TEST(test_join_clean_fits_or_says_so)
{
	char out[8];

	CHECK_EQ(path_join_clean("/ab", "cd", out, 7), 6);	/* "/ab/cd" and NUL */
	CHECK_STR(out, "/ab/cd");
	CHECK_EQ(path_join_clean("/ab", "cde", out, 7), -ENAMETOOLONG);
	CHECK_EQ(path_join_clean("/ab", "cd/", out, 8), 7);
	CHECK_STR(out, "/ab/cd/");
	CHECK_EQ(path_join_clean("/ab", "cd/", out, 7), -ENAMETOOLONG);
	CHECK_EQ(path_join_clean("/", "..", out, 2), 1);
	CHECK_STR(out, "/");
	CHECK_EQ(path_join_clean("/", "", out, 1), -ENAMETOOLONG);
	CHECK_EQ(path_join_clean("/", "", out, 0), -ENAMETOOLONG);
	/* A long base climbed out of still had to fit on the way. */
	CHECK_EQ(path_join_clean("/abcdefgh", "../x", out, 8), -ENAMETOOLONG);
	CHECK_EQ(path_join_clean("/abcd", "../x", out, 8), 2);
	CHECK_STR(out, "/x");
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

/* --- a model, and paths built to stress it ----------------------------- */

/* CHECK_STR for the big buffers below: only their starts are shown. */
#define CHECK_SAME(a, b)						\
	do {								\
		if (strcmp(a, b) != 0)					\
			UNIT_FAIL("\"%.100s\" != \"%.100s\"", a, b);	\
	} while (0)

/* The rules again, as plainly as they can be written: split on '/', keep a
 * stack of names. Returns the error path_parse should give for s[0..len)
 * and renders what it should keep into want, as parse_n renders it, with
 * ends_in_name in model_named. path_join_clean has no limits, and its base
 * makes every path absolute. */
static bool model_named;

static int model(const char *s, size_t len, bool absolute, bool limits, char *want)
{
	static size_t start[40000], size[40000];
	size_t depth = 0, w = 0;
	bool trailing = false;

	model_named = false;
	if (limits && len > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	if (len && memchr(s, '\0', len))
		return -EINVAL;
	for (size_t i = 0, from = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		const char *c = s + from;
		size_t n = i - from;
		from = i + 1;
		trailing = true;
		if (n)
			model_named = false;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (depth)
				depth--;
			else if (!absolute)
				return -EOUTSIDE;
		} else if (n && !(n == 1 && c[0] == '.')) {
			if (limits && (n > PATH_NAME_MAX || depth == PATH_MAX_DEPTH))
				return -ENAMETOOLONG;
			start[depth] = (size_t)(c - s);
			size[depth++] = n;
			trailing = false;
			model_named = true;
		}
	}
	for (size_t i = 0; i < depth; i++) {
		if (i)
			want[w++] = '|';
		memcpy(want + w, s + start[i], size[i]);
		w += size[i];
	}
	if (depth && trailing)
		want[w++] = '/';
	want[w] = '\0';
	return 0;
}

/* A random path of pieces, ".." most often, into buf: its length. With
 * nul, one piece in 40 holds a NUL byte. */
static size_t random_path(char *buf, bool nul)
{
	static const char *const pieces[] = {
		"..", "..", "..", "..", ".", "", "a", "b", "cc", "...", "%2e%2e", ". .", "..a",
	};
	const unsigned count = sizeof(pieces) / sizeof(pieces[0]);
	unsigned parts = rnd(6) == 0 ? rnd(90) : rnd(10);
	size_t n = 0;

	for (unsigned s = rnd(2) ? 0 : 1 + rnd(2); s; s--)
		buf[n++] = '/';
	for (unsigned i = 0; i < parts; i++) {
		if (i)
			buf[n++] = '/';
		if (nul && rnd(40) == 0) {
			memcpy(buf + n, "a\0b", 3);
			n += 3;
		} else if (rnd(30) == 0) {
			size_t long_len = 200 + rnd(100);	/* either side of 255 */
			memset(buf + n, 'L', long_len);
			n += long_len;
		} else {
			const char *p = pieces[rnd(count)];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
	}
	if (rnd(3) == 0)
		buf[n++] = '/';
	return n;
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
		bool absolute = len && copy[0] == '/';
		if (rc != 0) {
			CHECK(rc == -EINVAL || rc == -ENAMETOOLONG || (rc == -EOUTSIDE && !absolute));
			CHECK(rc != -EOUTSIDE || path_climbs(copy, len));
			CHECK_EQ(p.count, 0);
			free(copy);
			continue;
		}
		CHECK(len <= PATH_MAX_LEN);
		CHECK(!memchr(copy, '\0', len));
		CHECK(!path_climbs(copy, len));
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

/* Chains of "..", among names, ".", empty components and lookalikes: the
 * parser agrees with the model; what it keeps are names only, so a walk
 * never leaves the handle; an accepted relative path means what the same
 * path made absolute does; and path_climbs says exactly which relative
 * paths the parser refuses for climbing. */
TEST(test_fuzz_dot_dot_chains_match_a_model)
{
	static char path[40000], want[40000], again[40000];

	for (int iter = 0; iter < 50000; iter++) {
		size_t n = random_path(path, true);
		bool absolute = n && path[0] == '/';
		int expect = model(path, n, absolute, true, want);
		int rc = parse_n(path, n);

		if (rc != expect)
			UNIT_FAIL("iteration %d: %d != %d for \"%.200s\"", iter, rc, expect, path);
		if (!memchr(path, '\0', n))
			CHECK_EQ(path_climbs(path, n),
				 model(path, n, absolute, false, again) == -EOUTSIDE);
		if (rc != 0) {
			CHECK_EQ(p.count, 0);
			continue;
		}
		if (strcmp(joined, want) != 0)
			UNIT_FAIL("iteration %d: \"%.100s\" != \"%.100s\"", iter, joined, want);
		CHECK_EQ(p.ends_in_name, model_named);
		for (unsigned i = 0; i < p.count; i++)
			CHECK(path_name_valid(path + p.part[i].offset, p.part[i].len));
		if (!absolute && n < PATH_MAX_LEN) {
			again[0] = '/';
			memcpy(again + 1, path, n);
			strcpy(want, joined);
			CHECK_EQ(parse_n(again, n + 1), 0);
			CHECK_SAME(joined, want);
		}
	}
}

/* path_join_clean gives the model's answer for "base/path" as a clean
 * absolute path, which the parser reads back the same. */
TEST(test_fuzz_join_clean_matches_parsing_the_join)
{
	static char base[40000], path[40000], text[80000], out[4096];
	static char want[80000], got[80000];

	for (int iter = 0; iter < 50000; iter++) {
		size_t bn = random_path(base + 1, false) + 1;
		size_t pn = random_path(path, false);
		base[0] = '/';
		base[bn] = path[pn] = '\0';
		int rc = path_join_clean(base, path, out, sizeof(out));

		size_t tn = 0;
		if (path[0] != '/') {
			memcpy(text, base, bn);
			text[bn] = '/';
			tn = bn + 1;
		}
		memcpy(text + tn, path, pn);
		tn += pn;
		model(text, tn, true, false, want);
		if (rc < 0) {
			CHECK_EQ(rc, -ENAMETOOLONG);
			CHECK(tn + 3 > sizeof(out));	/* only what cannot fit */
			continue;
		}
		CHECK_EQ((size_t)rc, strlen(out));
		CHECK(out[0] == '/');
		CHECK(!strstr(out, "//") && !strstr(out, "/./") && !strstr(out, "/../"));
		size_t len = strlen(out);
		CHECK(!(len >= 2 && !strcmp(out + len - 2, "/.")));
		CHECK(!(len >= 3 && !strcmp(out + len - 3, "/..")));
		model(out, len, true, false, got);
		if (strcmp(got, want) != 0)
			UNIT_FAIL("iteration %d: %.200s + %.200s gave %.200s", iter, base, path, out);
		if (len <= PATH_MAX_LEN && model(text, tn, true, true, want) == 0) {
			CHECK_EQ(parse_n(out, len), 0);
			CHECK_SAME(joined, want);
		}
	}
}
