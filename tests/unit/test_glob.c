/* The shell's glob matcher (user/bin/sh/glob.c): * ? [sets], escapes,
 * dot files, and patterns that would take exponential time with a naive
 * backtracking matcher. */
#include "unit.h"

#include "user/bin/sh/glob.h"

static bool match(const char *pattern, const char *name)
{
	return sh_glob_match(pattern, strlen(pattern), name);
}

TEST(test_stars_and_questions)
{
	CHECK(match("*", "abc"));
	CHECK(match("*.txt", "notes.txt"));
	CHECK(!match("*.txt", "notes.txt.bak"));
	CHECK(match("a*b*c", "aXXbYYc"));
	CHECK(!match("a*b*c", "aXXbYY"));
	CHECK(match("?", "x"));
	CHECK(!match("?", ""));
	CHECK(!match("?", "xy"));
	CHECK(match("a??", "abc"));
	CHECK(match("**", "x"));
	CHECK(match("x*", "x"));
}

TEST(test_sets)
{
	CHECK(match("[abc]", "b"));
	CHECK(!match("[abc]", "d"));
	CHECK(match("[a-c]x", "bx"));
	CHECK(!match("[a-c]x", "dx"));
	CHECK(match("[!a-c]", "d"));
	CHECK(!match("[^a-c]", "a"));
	CHECK(match("[]]", "]"));			/* a first ] is in the set */
	CHECK(match("[a-]", "-"));
	CHECK(match("[", "["));				/* an unclosed [ is itself */
	CHECK(match("[ab", "[ab"));
	CHECK(!match("[ab", "a"));
}

TEST(test_escapes_and_dot_files)
{
	CHECK(match("\\*", "*"));
	CHECK(!match("\\*", "x"));
	CHECK(match("a\\?", "a?"));
	CHECK(!match("a\\?", "ab"));
	CHECK(!match("*", ".hidden"));
	CHECK(!match("?hidden", ".hidden"));
	CHECK(match(".*", ".hidden"));
	CHECK(sh_glob_active("a*", 2));
	CHECK(!sh_glob_active("a\\*", 3));
	CHECK(sh_glob_active("\\\\[", 3));
}

TEST(test_many_stars_take_linear_time)
{
	char name[256], pattern[128];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	for (size_t i = 0; i < sizeof(pattern) - 2; i += 2)
		pattern[i] = '*', pattern[i + 1] = 'a';
	pattern[sizeof(pattern) - 2] = 'b';
	pattern[sizeof(pattern) - 1] = 0;
	CHECK(!match(pattern, name));			/* would take years if exponential */
}
