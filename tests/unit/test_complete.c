/* Tab completion's decisions (user/bin/sh/complete.c): which word the
 * cursor is in and what it names, which entries match, what Tab inserts
 * (quoted as the word is) and how a list of candidates is laid out. */
#include "unit.h"

#include "user/bin/sh/complete.h"

static struct complete_word w;

static void split(const char *line)
{
	complete_split(line, strlen(line), &w);
}

TEST(test_the_first_word_of_each_command_is_a_command_name)
{
	split("upt");
	CHECK(w.command);
	CHECK_STR(w.text, "upt");
	CHECK_EQ(w.start, 0);
	const char *after[] = { "ls | so", "ls|so", "sleep 1 & so", "a; so", "a && so",
				"a || so", "  so" };
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		split(after[i]);
		CHECK(w.command);
		CHECK_STR(w.text, "so");
		CHECK_EQ(w.start, strlen(after[i]) - 2);
	}
	split("");
	CHECK(w.command);
	CHECK_EQ(w.len, 0);
	split("ls | ");
	CHECK(w.command);
	CHECK_EQ(w.len, 0);
	CHECK_EQ(w.start, 5);
	split("A=1 B=/x upt");			/* assignments come before the name */
	CHECK(w.command);
	CHECK_STR(w.text, "upt");
}

TEST(test_the_value_of_an_assignment_is_a_path)
{
	split("DIR=/et");
	CHECK(!w.command);
	CHECK_STR(w.text + w.path, "/et");
	CHECK_STR(w.text + w.name, "et");
	split("DIR=");
	CHECK(!w.command);
	CHECK_EQ(w.path, 4);
	CHECK_EQ(w.name, 4);
	split("ls A=b");			/* an argument, not an assignment */
	CHECK_EQ(w.path, 0);
	split("'A'=b");				/* a quoted name assigns nothing */
	CHECK(w.command);
}

TEST(test_other_words_are_paths)
{
	split("cat /etc/mo");
	CHECK(!w.command);
	CHECK_STR(w.text, "/etc/mo");
	CHECK_EQ(w.start, 4);
	CHECK_STR(w.text + w.name, "mo");
	split("ls ");
	CHECK(!w.command);
	CHECK_EQ(w.len, 0);
	CHECK_EQ(w.start, 3);
	split("ls /bin > li");			/* a redirection's file */
	CHECK(!w.command);
	CHECK_STR(w.text, "li");
	split("ls >>li");
	CHECK(!w.command);
	CHECK_STR(w.text, "li");
	split("sort < li");			/* an input file */
	CHECK(!w.command);
	split("ls 2> li");			/* an error file */
	CHECK(!w.command);
	split("ls 2>&1 li");			/* the & of 2>&1 separates nothing */
	CHECK(!w.command);
	CHECK_STR(w.text, "li");
	split("./exit-co");			/* a '/' in command position: a path */
	CHECK(!w.command);
	CHECK_STR(w.text + w.name, "exit-co");
	split("cd ../bi");
	CHECK_STR(w.text, "../bi");
	CHECK_EQ(w.name, 3);
	split("ls /");
	CHECK_EQ(w.name, 1);
	CHECK_EQ(w.len, 1);
}

TEST(test_only_the_text_before_the_cursor_counts)
{
	complete_split("cat /etc/motd | sort", 11, &w);
	CHECK_STR(w.text, "/etc/mo");
	CHECK(!w.command);
	complete_split("cat /etc/motd | sort", 4, &w);
	CHECK_EQ(w.len, 0);
	CHECK_EQ(w.start, 4);
}

TEST(test_words_are_unquoted_as_the_parser_does)
{
	split("cat my\\ fi");
	CHECK_STR(w.text, "my fi");
	CHECK_EQ(w.start, 4);
	CHECK_EQ(w.quote, 0);
	split("cat \"my fi");
	CHECK_STR(w.text, "my fi");
	CHECK_EQ(w.quote, '"');
	CHECK_EQ(w.start, 4);
	split("cat 'a|b;c");
	CHECK_STR(w.text, "a|b;c");
	CHECK_EQ(w.quote, '\'');
	split("cat \"a\\\"b\\\\c\\d");		/* only \" and \\ are escapes in "..." */
	CHECK_STR(w.text, "a\"b\\c\\d");
	split("cat 'x'y\"z\"w");		/* pieces join into one word */
	CHECK_STR(w.text, "xyzw");
	CHECK_EQ(w.quote, 0);
	split("echo '' ");			/* a quoted empty word is a word */
	CHECK(!w.command);
	CHECK_EQ(w.len, 0);
	split("ls a\\|b");
	CHECK_STR(w.text, "a|b");
	CHECK(!w.escaped);
	split("ls my\\");			/* the backslash waits for a character */
	CHECK_STR(w.text, "my");
	CHECK(w.escaped);
	split("ls \"a\\$b");			/* \$ is an escape in "..." too */
	CHECK_STR(w.text, "a$b");
	split("ls $HOME/x");			/* nothing is expanded */
	CHECK_STR(w.text, "$HOME/x");
}

TEST(test_nothing_completes_in_a_comment)
{
	split("ls # a comm");
	CHECK(w.comment);
	CHECK(!w.command);
	split("ls; #x");
	CHECK(w.comment);
	split("ls a#b");			/* a '#' inside a word is a character */
	CHECK(!w.comment);
	CHECK_STR(w.text, "a#b");
	split("ls '#x");
	CHECK(!w.comment);
}

TEST(test_matching_names)
{
	CHECK(complete_matches("motd", "mo", 2));
	CHECK(complete_matches("motd", "", 0));
	CHECK(complete_matches("motd", "motd", 4));
	CHECK(!complete_matches("motd", "mod", 3));
	CHECK(!complete_matches("mo", "motd", 4));
	CHECK(!complete_matches(".hidden", "", 0));	/* dot files only on request */
	CHECK(!complete_matches(".hidden", "h", 1));
	CHECK(complete_matches(".hidden", ".", 1));
	CHECK(!complete_matches(".", ".", 1));
	CHECK(!complete_matches("..", ".", 1));
}

TEST(test_candidates_are_sorted_once_each)
{
	struct complete_candidate c[] = {
		{ "sort", false }, { "echo", false }, { "select", false }, { "echo", false },
		{ "sh", false }, { "seq", false }, { "sort", false },
	};
	size_t n = complete_sort(c, sizeof(c) / sizeof(c[0]));

	CHECK_EQ(n, 5);
	const char *want[] = { "echo", "select", "seq", "sh", "sort" };
	for (size_t i = 0; i < n; i++)
		CHECK_STR(c[i].name, want[i]);
	CHECK_EQ(complete_sort(c, 0), 0);
}

TEST(test_sorting_many_names)
{
	static char names[500][8];
	static struct complete_candidate c[500];

	for (size_t i = 0; i < 500; i++) {
		snprintf(names[i], sizeof(names[i]), "f%03zu", (i * 7919) % 500);
		c[i].name = names[i];
	}
	CHECK_EQ(complete_sort(c, 500), 500);
	for (size_t i = 1; i < 500; i++)
		CHECK(strcmp(c[i - 1].name, c[i].name) < 0);
}

static char out[64];

static const char *insertion(const char *line, struct complete_candidate *c, size_t n)
{
	split(line);
	n = complete_sort(c, n);
	return complete_insertion(&w, c, n, out, sizeof(out)) == (size_t)-1 ? "(too long)" : out;
}

TEST(test_one_candidate_is_completed)
{
	struct complete_candidate file[] = { { "uptime", false } };
	struct complete_candidate dir[] = { { "etc", true } };

	CHECK_STR(insertion("upt", file, 1), "ime ");
	CHECK_STR(insertion("uptime", file, 1), " ");
	CHECK_STR(insertion("cat /e", dir, 1), "tc/");
	CHECK_STR(insertion("cd ../e", dir, 1), "tc/");
}

TEST(test_several_candidates_complete_their_common_prefix)
{
	struct complete_candidate c[] = { { "select", false }, { "seq", false }, { "sel", false } };
	struct complete_candidate none_common[] = { { "sh", false }, { "seq", false } };

	CHECK_STR(insertion("s", c, 3), "e");
	CHECK_STR(insertion("se", c, 3), "");
	CHECK_STR(insertion("s", none_common, 2), "");
	struct complete_candidate prefix_of_another[] = { { "sel", false }, { "select", false } };
	CHECK_STR(insertion("s", prefix_of_another, 2), "el");
}

TEST(test_inserted_names_are_quoted_as_the_word_is)
{
	struct complete_candidate blank[] = { { "my file", false } };
	struct complete_candidate odd[] = { { "a\"b\\c'd|e$f", false } };
	struct complete_candidate dir[] = { { "my dir", true } };

	CHECK_STR(insertion("cat m", blank, 1), "y\\ file ");
	CHECK_STR(insertion("cat my\\ f", blank, 1), "ile ");
	CHECK_STR(insertion("cat \"m", blank, 1), "y file\" ");	/* closes the quote */
	CHECK_STR(insertion("cat 'm", blank, 1), "y file' ");
	CHECK_STR(insertion("cat \"m", dir, 1), "y dir/");		/* stays open */
	CHECK_STR(insertion("cat a", odd, 1), "\\\"b\\\\c\\'d\\|e\\$f ");
	CHECK_STR(insertion("cat \"a", odd, 1), "\\\"b\\\\c'd|e\\$f\" ");
	CHECK_STR(insertion("cat 'a", odd, 1), "\"b\\c'\\''d|e$f' ");
	/* After a lone backslash the next character is escaped already. */
	CHECK_STR(insertion("cat my\\", blank, 1), " file ");
	struct complete_candidate just_my[] = { { "my", false } };
	CHECK_STR(insertion("cat my\\", just_my, 1), "");
}

TEST(test_an_insertion_that_does_not_fit_is_refused)
{
	struct complete_candidate c[] = { { "a-name-of-forty-characters-in-all-xxxxxx", false } };

	split("cat a");
	CHECK_EQ(complete_insertion(&w, c, 1, out, 40), (size_t)-1);
	CHECK_EQ(complete_insertion(&w, c, 1, out, 41), 40);	/* 39 and a space */
	CHECK_EQ(strlen(out), 40);
}

static char listing[512];

static const char *list(struct complete_candidate *c, size_t n, size_t width)
{
	size_t len = complete_listing(c, n, width, listing, sizeof(listing));

	return len < sizeof(listing) && strlen(listing) == len ? listing : "(wrong length)";
}

TEST(test_candidates_are_listed_in_columns_down_then_across)
{
	struct complete_candidate c[] = {
		{ "cat", false }, { "cd", false }, { "chmod", false }, { "cp", false },
		{ "crash", false }, { "cron", true }, { "cut", false },
	};

	/* Widest: "chmod", "crash" and "cron/", 5 cells; 7 each with the gap. */
	CHECK_STR(list(c, 7, 80), "cat    cd     chmod  cp     crash  cron/  cut\n");
	CHECK_STR(list(c, 7, 20), "cat    cp     cut\n"
				  "cd     crash\n"
				  "chmod  cron/\n");
	CHECK_STR(list(c, 7, 19), "cat    cp     cut\ncd     crash\nchmod  cron/\n");
	CHECK_STR(list(c, 7, 18), "cat    crash\ncd     cron/\nchmod  cut\ncp\n");
	CHECK_STR(list(c, 2, 3), "cat\ncd\n");		/* too narrow: one a line */
	CHECK_STR(list(c, 0, 80), "");
}

TEST(test_a_listing_reports_its_length_for_a_buffer)
{
	struct complete_candidate c[] = { { "alpha", false }, { "beta", true } };
	char small[8];

	CHECK_EQ(complete_listing(c, 2, 80, NULL, 0), strlen("alpha  beta/\n"));
	CHECK_EQ(complete_listing(c, 2, 80, small, sizeof(small)), 13);
	CHECK_STR(small, "alpha  ");		/* what fits, terminated */
}
