/* The shell's command-line parser (user/bin/sh/parse.c): words, quoting,
 * pipelines, redirection, background, and every malformed line refused
 * with its message, never a crash (with a random-input sweep). */
#include "unit.h"

#include "user/bin/sh/parse.h"

static struct sh_pipeline pl;
static const char *err;

static int parse(const char *line)
{
	err = NULL;
	return sh_parse(line, strlen(line), &pl, &err);
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
	CHECK(!pl.background && !pl.redirect);
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
	CHECK_STR(pl.stage[0].argv[3], "a\"b\\c\\n");	/* only \" and \\ are escapes */
	CHECK_EQ(parse("echo '' \"\" x"), 0);
	CHECK_EQ(pl.stage[0].argc, 4);			/* quoted empty words count */
	CHECK_STR(pl.stage[0].argv[1], "");
	CHECK_EQ(parse("echo ab'c d'\"e\"f"), 0);	/* pieces join into one word */
	CHECK_STR(pl.stage[0].argv[1], "abc def");
	CHECK_EQ(parse("echo 'a|b>c&d' a\\|b"), 0);
	CHECK_STR(shape(), "echo a|b>c&d a|b");
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
	CHECK(pl.append && pl.background);
	CHECK_EQ(parse("sleep 100&"), 0);
	CHECK(pl.background);
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
		{ "ls || wc", "missing command before |" },
		{ "ls >", "missing file name after >" },
		{ "> out", "missing command before >" },
		{ "ls > a > b", "only one > in a line" },
		{ "ls > a b", "a redirection must come last" },
		{ "&", "missing command before &" },
		{ "a & b", "& must end the line" },
		{ "a && b", "& must end the line" },
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
	CHECK_EQ(sh_parse(line, SH_LINE_MAX + 1, &pl, &err), -1);
	CHECK_STR(err, "line too long");
	CHECK_EQ(sh_parse(line, SH_LINE_MAX, &pl, &err), 0);	/* one word, at the limit */
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

	CHECK_EQ(sh_parse("a\0b", 3, &pl, &err), -1);
	CHECK_STR(err, "NUL byte in the line");
}

/* Random lines over the characters that matter never crash the parser
 * (ASan watches), and every accepted one has sane words. */
TEST(test_random_lines_never_crash)
{
	static const char alphabet[] = "ab |>&'\"\\\t";
	char line[64];
	unsigned seed = 12345;

	for (int round = 0; round < 200000; round++) {
		size_t len = (seed = seed * 1103515245u + 12345u) % sizeof(line);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			line[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (sh_parse(line, len, &pl, &err) == 0) {
			for (unsigned s = 0; s < pl.count; s++)
				if (pl.stage[s].argc == 0 || pl.stage[s].argv[pl.stage[s].argc])
					UNIT_FAIL("round %d: a malformed stage", round);
		} else if (!err) {
			UNIT_FAIL("round %d: refused without a reason", round);
		}
	}
}
