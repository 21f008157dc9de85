/* The shell's command-line parser (user/bin/sh/parse.c): splitting a line
 * into pipelines joined by ; && || &, words, quoting, expansion of
 * variables, glob patterns, assignments and redirections, and every
 * malformed line refused with its message, never a crash (with
 * random-input sweeps). */
#include "unit.h"

#include "user/bin/sh/parse.h"

static struct sh_list list;
static struct sh_pipeline pl;
static const char *err;

/* Variables for expansion: HOME=/home/x, E (empty), SP="a b", STAR="*",
 * ?=3, and the positional arguments "one", "two words". */
static char *const positional[] = { "one", "two words" };

static const char *lookup(void *ctx, const char *name, size_t len)
{
	static const char *const vars[][2] = {
		{ "HOME", "/home/x" }, { "E", "" }, { "SP", "a b" }, { "STAR", "*" },
		{ "?", "3" }, { "1", "one" }, { "#", "2" }, { "*", "one two words" },
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i][0]) == len && memcmp(vars[i][0], name, len) == 0)
			return vars[i][1];
	return NULL;
}

static const struct sh_expand expand = { lookup, NULL, 2, positional };

/* Splits line and parses its first pipeline, expanding with the
 * variables above; the list stays in `list`. */
static int parse(const char *line)
{
	err = NULL;
	memset(&pl, 0, sizeof(pl) - sizeof(pl.storage));
	if (sh_split(line, strlen(line), &list, &err) < 0)
		return -1;
	if (list.count == 0)
		return 0;
	return sh_parse(line + list.item[0].start, list.item[0].len, &expand, &pl, &err);
}

/* The words of every stage joined as "a b|c d", for compact checks. */
static const char *shape(void)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = 0;
	for (unsigned s = 0; s < pl.count; s++) {
		for (unsigned i = 0; i < pl.stage[s].argc; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
					      pl.stage[s].argv[i]);
		if (s + 1 < pl.count)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "|");
	}
	return buf;
}

TEST(test_words_split_at_blanks)
{
	CHECK_EQ(parse("  ls   -l\t/bin  "), 0);
	CHECK_EQ(pl.count, 1);
	CHECK_EQ(pl.stage[0].argc, 3);
	CHECK_STR(pl.stage[0].argv[0], "ls");
	CHECK_STR(pl.stage[0].argv[2], "/bin");
	CHECK(pl.stage[0].argv[3] == NULL);
	CHECK(!list.item[0].background && !pl.redirect);
}

TEST(test_an_empty_line_is_no_command)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(pl.count, 0);
	CHECK_EQ(parse(" \t "), 0);
	CHECK_EQ(pl.count, 0);
}

TEST(test_quotes)
{
	CHECK_EQ(parse("echo 'a  b' \"c  d\" e\\ f"), 0);
	CHECK_STR(shape(), "echo a  b c  d e f");
	CHECK_EQ(pl.stage[0].argc, 4);
	CHECK_EQ(parse("echo '\"' \"'\" \"a\\\"b\\\\c\\n\""), 0);
	CHECK_STR(pl.stage[0].argv[1], "\"");
	CHECK_STR(pl.stage[0].argv[2], "'");
	CHECK_STR(pl.stage[0].argv[3], "a\"b\\c\\n");	/* only \" \\ \$ are escapes */
	CHECK_EQ(parse("echo '' \"\" x"), 0);
	CHECK_EQ(pl.stage[0].argc, 4);			/* quoted empty words count */
	CHECK_STR(pl.stage[0].argv[1], "");
	CHECK_EQ(parse("echo ab'c d'\"e\"f"), 0);	/* pieces join into one word */
	CHECK_STR(pl.stage[0].argv[1], "abc def");
	CHECK_EQ(parse("echo 'a|b>c&d;e' a\\|b\\;c"), 0);
	CHECK_STR(shape(), "echo a|b>c&d;e a|b;c");
	CHECK_EQ(pl.count, 1);
}

TEST(test_pipelines)
{
	CHECK_EQ(parse("ls /bin | where size > 4000"), 0);	/* > ends the pipeline */
	CHECK_STR(shape(), "ls /bin|where size");
	CHECK_STR(pl.redirect, "4000");
	CHECK_EQ(parse("ls /bin|where size '>' 4000|sort size"), 0);
	CHECK_STR(shape(), "ls /bin|where size > 4000|sort size");
	CHECK_EQ(pl.count, 3);
	CHECK(!pl.redirect);
	/* A > with a | after it is the filter's comparison, not a redirection. */
	CHECK_EQ(parse("ls /bin | where size > 4000 | sort size"), 0);
	CHECK_STR(shape(), "ls /bin|where size > 4000|sort size");
	CHECK(!pl.redirect);
	CHECK_EQ(parse("ls | where n >> 3 | count > total"), 0);
	CHECK_STR(shape(), "ls|where n >> 3|count");
	CHECK_STR(pl.redirect, "total");
	CHECK_EQ(parse("ls | where name > 'a|b'"), 0);	/* a quoted | is no pipe */
	CHECK_STR(shape(), "ls|where name");
	CHECK_STR(pl.redirect, "a|b");
	CHECK_EQ(parse("ls > | wc"), 0);			/* a > before a | is a word */
	CHECK_STR(shape(), "ls >|wc");
	CHECK_EQ(parse("> x | wc"), -1);
	CHECK_STR(err, "missing command before >");
}

TEST(test_redirection_and_background)
{
	CHECK_EQ(parse("ls > out"), 0);
	CHECK_STR(pl.redirect, "out");
	CHECK(!pl.append);
	CHECK_EQ(parse("echo hi >>log.txt &"), 0);
	CHECK_STR(pl.redirect, "log.txt");
	CHECK(pl.append && list.item[0].background);
	CHECK_EQ(parse("sleep 100&"), 0);
	CHECK(list.item[0].background);
	CHECK_STR(shape(), "sleep 100");
	CHECK_EQ(parse("a | b > \"my file\""), 0);
	CHECK_STR(pl.redirect, "my file");
}

TEST(test_malformed_lines_are_refused_with_a_reason)
{
	static const struct {
		const char *line, *error;
	} bad[] = {
		{ "echo 'abc", "unterminated '" },
		{ "echo \"abc", "unterminated \"" },
		{ "echo \"a\\\"", "unterminated \"" },
		{ "echo abc\\", "\\ at the end of the line" },
		{ "| ls", "missing command before |" },
		{ "ls |", "missing command after |" },
		{ "ls | | wc", "missing command before |" },
		{ "ls >", "missing file name after >" },
		{ "> out", "missing command before >" },
		{ "ls > a > b", "a redirection must come last" },
		{ "ls > a b", "a redirection must come last" },
		{ "&", "missing command before &" },
		{ "; ls", "missing command before ;" },
		{ "ls ;; ls", "missing command before ;" },
		{ "ls &&", "missing command after &&" },
		{ "ls ||", "missing command after ||" },
		{ "&& ls", "missing command before &&" },
		{ "a || && b", "missing command before &&" },
		{ "ls 2>", "missing file name after 2>" },
		{ "ls <", "missing file name after <" },
		{ "ls < a < b", "only one < in a command" },
		{ "ls 2>&2", "only 2>&1 joins the error stream to another" },
		{ "echo ${HOME", "unterminated ${" },
		{ "echo ${a-b}", "bad substitution in ${...}" },
		{ "A=1 | ls", "an assignment alone cannot be piped or redirected" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].line) != -1 || !err || strcmp(err, bad[i].error) != 0)
			UNIT_FAIL("\"%s\": got \"%s\", want \"%s\"", bad[i].line,
				  err ? err : "(accepted)", bad[i].error);
		if (pl.count != 0 || pl.redirect)
			UNIT_FAIL("\"%s\": a refused line left a pipeline behind", bad[i].line);
	}
}

TEST(test_limits)
{
	char line[SH_LINE_MAX + 2];

	memset(line, 'a', sizeof(line));
	CHECK_EQ(sh_split(line, SH_LINE_MAX + 1, &list, &err), -1);
	CHECK_STR(err, "line too long");
	CHECK_EQ(sh_parse(line, SH_LINE_MAX + 1, NULL, &pl, &err), -1);
	CHECK_STR(err, "line too long");
	CHECK_EQ(sh_parse(line, SH_LINE_MAX, NULL, &pl, &err), 0);	/* one word, at the limit */
	CHECK_EQ(strlen(pl.stage[0].argv[0]), SH_LINE_MAX);

	/* The most words a line can hold: "" "" ... all in the storage. */
	size_t n = 0;
	for (unsigned s = 0; s < SH_STAGES_MAX; s++) {
		for (unsigned w = 0; w < SH_ARGS_MAX && n + 3 < SH_LINE_MAX; w++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\"\" ");
		if (s + 1 < SH_STAGES_MAX)
			line[n++] = '|';
	}
	line[n] = 0;
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(pl.count, SH_STAGES_MAX);

	n = 0;
	for (unsigned w = 0; w <= SH_ARGS_MAX; w++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "w ");
	line[n] = 0;
	CHECK_EQ(parse(line), -1);
	CHECK_STR(err, "too many words in a command");

	n = 0;
	for (unsigned s = 0; s <= SH_STAGES_MAX; s++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%sa", s ? "|" : "");
	line[n] = 0;
	CHECK_EQ(parse(line), -1);
	CHECK_STR(err, "too many commands in the pipeline");

	CHECK_EQ(sh_split("a\0b", 3, &list, &err), -1);
	CHECK_STR(err, "NUL byte in the line");
	CHECK_EQ(sh_parse("a\0b", 3, NULL, &pl, &err), -1);
	CHECK_STR(err, "NUL byte in the line");
}

/* Random lines over the characters that matter never crash the parser
 * (ASan watches), and every accepted one has sane words. */
TEST(test_random_lines_never_crash)
{
	static const char alphabet[] = "ab |>&<;2$*?[]{}#=1'\"\\\t";
	char line[64];
	unsigned seed = 12345;

	for (int round = 0; round < 200000; round++) {
		size_t len = (seed = seed * 1103515245u + 12345u) % sizeof(line);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			line[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		err = NULL;
		if (sh_split(line, len, &list, &err) < 0) {
			if (!err)
				UNIT_FAIL("round %d: refused without a reason", round);
			continue;
		}
		for (unsigned k = 0; k < list.count; k++) {
			const struct sh_item *it = &list.item[k];
			if (it->start + it->len > len || it->len == 0)
				UNIT_FAIL("round %d: an item outside the line", round);
			err = NULL;
			if (sh_parse(line + it->start, it->len, &expand, &pl, &err) < 0) {
				if (!err)
					UNIT_FAIL("round %d: refused without a reason", round);
				continue;
			}
			for (unsigned s = 0; s < pl.count; s++)
				if ((pl.stage[s].argc == 0 && pl.count > 1) ||
				    pl.stage[s].argv[pl.stage[s].argc])
					UNIT_FAIL("round %d: a malformed stage", round);
		}
	}
}

TEST(test_lists_join_pipelines)
{
	const char *line = "a; b && c || d & e";

	CHECK_EQ(sh_split(line, strlen(line), &list, &err), 0);
	CHECK_EQ(list.count, 5);
	CHECK_EQ(list.item[0].when, SH_ALWAYS);
	CHECK_EQ(list.item[1].when, SH_ALWAYS);
	CHECK_EQ(list.item[2].when, SH_IF_OK);
	CHECK_EQ(list.item[3].when, SH_IF_FAILED);
	CHECK(list.item[3].background && !list.item[2].background);
	CHECK_EQ(list.item[4].when, SH_ALWAYS);
	CHECK_EQ(memcmp(line + list.item[2].start, " c ", list.item[2].len), 0);
	CHECK_EQ(parse("a;"), 0);				/* a last ; is allowed */
	CHECK_EQ(list.count, 1);
	CHECK_EQ(parse("a 'x;y' \\; \"&&\""), 0);		/* quoted, not separators */
	CHECK_EQ(list.count, 1);
	CHECK_STR(shape(), "a x;y ; &&");
	CHECK_EQ(parse("ls 2>&1 | count"), 0);		/* the & of 2>&1 is none */
	CHECK_EQ(list.count, 1);
}

TEST(test_comments)
{
	CHECK_EQ(parse("# all of it"), 0);
	CHECK_EQ(list.count, 0);
	CHECK_EQ(parse("echo a # b; c"), 0);
	CHECK_EQ(list.count, 1);
	CHECK_STR(shape(), "echo a");
	CHECK_EQ(parse("echo a#b '#c' \\#d;# e"), 0);	/* only where a word starts */
	CHECK_STR(shape(), "echo a#b #c #d");
	CHECK_EQ(list.count, 1);
	CHECK_EQ(parse("ls|#x"), -1);
	CHECK_STR(err, "missing command after |");
}

TEST(test_variables_expand_outside_single_quotes)
{
	CHECK_EQ(parse("echo $HOME ${HOME}/y \"$HOME\" '$HOME' \\$HOME $? x$E.y $NOPE"), 0);
	CHECK_STR(shape(), "echo /home/x /home/x/y /home/x $HOME $HOME 3 x.y ");
	CHECK_EQ(pl.stage[0].argc, 9);			/* an unset variable stays a word */
	CHECK_EQ(parse("echo $SP \"$SP\""), 0);		/* values are never split */
	CHECK_EQ(pl.stage[0].argc, 3);
	CHECK_STR(pl.stage[0].argv[1], "a b");
	CHECK_EQ(parse("echo $ a$ $- \"\\$HOME\" $1 $# $*"), 0);
	CHECK_STR(shape(), "echo $ a$ $- $HOME one 2 one two words");
	CHECK_EQ(parse("cmd \"$@\" x $@"), 0);		/* one word per argument */
	CHECK_STR(shape(), "cmd one two words x one two words");
	CHECK_EQ(pl.stage[0].argc, 6);
	CHECK_EQ(parse("echo $HOME"), 0);
	CHECK(!pl.stage[0].pattern[1]);
}

TEST(test_globs_mark_patterns)
{
	CHECK_EQ(parse("ls *.txt a?c [ab]x plain '*' \"?\" \\[ $STAR"), 0);
	CHECK(pl.stage[0].pattern[1] && pl.stage[0].pattern[2] && pl.stage[0].pattern[3]);
	CHECK(!pl.stage[0].pattern[4] && !pl.stage[0].pattern[5] && !pl.stage[0].pattern[6]);
	CHECK(!pl.stage[0].pattern[7] && !pl.stage[0].pattern[8]);	/* values are not globbed */
	CHECK_STR(shape(), "ls *.txt a?c [ab]x plain * ? [ *");
	/* A quoted metacharacter in a pattern stays escaped: it matches itself. */
	CHECK_EQ(parse("ls '*'*\"?\"a\\\\b"), 0);
	CHECK(pl.stage[0].pattern[1]);
	CHECK_STR(pl.stage[0].argv[1], "\\**\\?a\\\\b");
}

TEST(test_assignments)
{
	CHECK_EQ(parse("A=1 B='x y' C=$HOME"), 0);
	CHECK_EQ(pl.stage[0].argc, 0);
	CHECK_EQ(pl.stage[0].assign_count, 3);
	CHECK_STR(pl.stage[0].assign[1], "B=x y");
	CHECK_STR(pl.stage[0].assign[2], "C=/home/x");
	CHECK_EQ(parse("A=* env B=2"), 0);		/* only before the command */
	CHECK_EQ(pl.stage[0].assign_count, 1);
	CHECK_STR(pl.stage[0].assign[0], "A=*");
	CHECK_STR(shape(), "env B=2");
	CHECK_EQ(parse("'A=1' 1A=2 =3"), 0);		/* quoted or not a name: words */
	CHECK_EQ(pl.stage[0].assign_count, 0);
	CHECK_STR(shape(), "A=1 1A=2 =3");
}

TEST(test_input_and_error_redirections)
{
	CHECK_EQ(parse("cat < in.txt 2> err | sort 2>> log > out"), 0);
	CHECK_STR(pl.stage[0].input, "in.txt");
	CHECK_STR(pl.stage[0].errors, "err");
	CHECK(!pl.stage[0].errors_append);
	CHECK_STR(pl.stage[1].errors, "log");
	CHECK(pl.stage[1].errors_append);
	CHECK_STR(pl.redirect, "out");
	CHECK_STR(shape(), "cat|sort");
	CHECK_EQ(parse("ls /nope 2>&1 | count"), 0);
	CHECK(pl.stage[0].errors_to_out && !pl.stage[0].errors);
	CHECK_EQ(parse("ls | where size < 10"), 0);	/* < after the first command: a word */
	CHECK_STR(shape(), "ls|where size < 10");
	CHECK_EQ(parse("ls | where size <= 10 | where size >= 2 | count"), 0);
	CHECK_STR(shape(), "ls|where size <= 10|where size >= 2|count");
	CHECK_EQ(parse("echo 2 x2>y"), 0);		/* 2> only as a word's start */
	CHECK_STR(shape(), "echo 2 x2");
	CHECK_STR(pl.redirect, "y");
}
