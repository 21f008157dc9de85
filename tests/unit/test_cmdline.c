/* Kernel command line parsing: the forms users write, and the malformed ones
 * that must be reported instead of misread. */
#include "lib/cmdline.h"
#include "unit.h"

static struct cmdline cl;

TEST(test_keys_and_values)
{
	CHECK(cmdline_parse(&cl, "  test=mm quiet\tloglevel=3  "));
	CHECK_EQ(cl.count, 3);
	CHECK_STR(cl.args[0].key, "test");
	CHECK_STR(cl.args[0].value, "mm");
	CHECK_STR(cl.args[1].key, "quiet");
	CHECK(cl.args[1].value == NULL);
	CHECK_STR(cmdline_get(&cl, "loglevel"), "3");
	CHECK_STR(cmdline_get(&cl, "quiet"), "");
	CHECK(cmdline_get(&cl, "missing") == NULL);
}

TEST(test_empty_and_null_lines)
{
	CHECK(cmdline_parse(&cl, ""));
	CHECK_EQ(cl.count, 0);
	CHECK(cmdline_parse(&cl, "   "));
	CHECK_EQ(cl.count, 0);
	CHECK(cmdline_parse(&cl, NULL));
	CHECK_EQ(cl.count, 0);
}

TEST(test_last_value_wins)
{
	CHECK(cmdline_parse(&cl, "test=a test=b"));
	CHECK_STR(cmdline_get(&cl, "test"), "b");
}

TEST(test_quotes_group_blanks)
{
	CHECK(cmdline_parse(&cl, "init=\"/bin/sh -x\" a=\"\" \"b c\""));
	CHECK_EQ(cl.count, 3);
	CHECK_STR(cmdline_get(&cl, "init"), "/bin/sh -x");
	CHECK_STR(cmdline_get(&cl, "a"), "");
	CHECK_STR(cl.args[2].key, "b c");
}

TEST(test_only_first_equals_splits)
{
	CHECK(cmdline_parse(&cl, "opt=a=b"));
	CHECK_STR(cmdline_get(&cl, "opt"), "a=b");
}

TEST(test_unterminated_quote_is_reported)
{
	CHECK(!cmdline_parse(&cl, "ok=1 init=\"/bin/sh"));
	CHECK_STR(cl.error, "unterminated quote");
	CHECK_EQ(cl.error_pos, 5);
	CHECK_EQ(cl.count, 1);		/* words before the error survive */
	CHECK_STR(cmdline_get(&cl, "ok"), "1");
}

TEST(test_missing_name_is_reported)
{
	CHECK(!cmdline_parse(&cl, "a =value"));
	CHECK_STR(cl.error, "'=' without a name");
	CHECK_EQ(cl.error_pos, 2);
}

TEST(test_control_characters_are_rejected)
{
	CHECK(!cmdline_parse(&cl, "a=\x01"));
	CHECK_STR(cl.error, "control character");
}

TEST(test_empty_quoted_word_is_rejected)
{
	CHECK(!cmdline_parse(&cl, "a \"\""));
	CHECK_STR(cl.error, "empty word");
}

TEST(test_overlong_line_is_reported)
{
	char line[CMDLINE_MAX_LEN * 2];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CHECK(!cmdline_parse(&cl, line));
	CHECK_STR(cl.error, "line too long");
}

TEST(test_too_many_words_is_reported)
{
	char line[CMDLINE_MAX_ARGS * 2 + 8] = "";

	for (int i = 0; i <= CMDLINE_MAX_ARGS; i++)
		strcat(line, "a ");
	CHECK(!cmdline_parse(&cl, line));
	CHECK_STR(cl.error, "too many words");
	CHECK_EQ(cl.count, CMDLINE_MAX_ARGS);
}
