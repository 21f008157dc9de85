/* Tab completion's decisions (complete.h): pure, host-tested. */
#include "complete.h"

#include "lib/string.h"
#include "parse.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What ends an unquoted word: parse.c's blanks and operators. */
static bool ends_word(char c)
{
	return is_blank(c) || c == '|' || c == '&' || c == ';' || c == '>' || c == '<';
}

/* Whether the next word names a command after c, a character that ends a
 * word (prev is the one before it), given whether it did before c. */
static bool command_after(char c, char prev, bool was_command)
{
	if (c == '&' && prev == '>')
		return false;		/* 2>&1 */
	if (c == '|' || c == '&' || c == ';')
		return true;		/* a new pipeline or stage */
	if (c == '>' || c == '<')
		return false;		/* a file name follows */
	return was_command;
}

/* The length of NAME when line[start..end) begins an assignment NAME=, as
 * parse.c takes it (the name unquoted), else 0. */
static size_t assignment(const char *line, size_t start, size_t end)
{
	const char *eq = memchr(line + start, '=', end - start);
	size_t n = eq ? (size_t)(eq - (line + start)) : 0;

	return n && sh_name_valid(line + start, n) ? n : 0;
}

/* What a backslash escapes inside "...": the rest it keeps. */
static bool is_dquote_escape(char c)
{
	return c == '"' || c == '\\' || c == '$';
}

static void add(struct complete_word *w, char c)
{
	w->text[w->len++] = c;
}

/* One character of line[i..cursor) inside a word, unquoted as parse.c's
 * word() does; returns the index of the last character it used. */
static size_t word_char(struct complete_word *w, const char *line, size_t i, size_t cursor)
{
	char c = line[i];
	bool more = i + 1 < cursor;

	if (w->quote == '\'') {
		if (c == '\'')
			w->quote = 0;
		else
			add(w, c);
	} else if (w->quote == '"') {
		if (c == '"')
			w->quote = 0;
		else if (c == '\\' && more && is_dquote_escape(line[i + 1]))
			add(w, line[++i]);
		else
			add(w, c);
	} else if (c == '\\') {
		if (more)
			add(w, line[++i]);
		else
			w->escaped = true;	/* the next character typed is escaped */
	} else if (c == '\'' || c == '"') {
		w->quote = c;
	} else {
		add(w, c);
	}
	return i;
}

void complete_split(const char *line, size_t cursor, struct complete_word *w)
{
	bool command = true;		/* the next word names a command */
	bool in_word = false;

	*w = (struct complete_word){ .start = cursor };
	for (size_t i = 0; i < cursor && !w->comment; i++) {
		char c = line[i];

		if (!w->quote && ends_word(c)) {
			/* After a command's name come its arguments; after an
			 * assignment, still the name. */
			if (in_word)
				command = command && assignment(line, w->start, i);
			in_word = false;
			command = command_after(c, i ? line[i - 1] : 0, command);
			continue;
		}
		if (!in_word) {
			in_word = true;
			w->start = i;
			w->len = 0;
			w->comment = c == '#';
		}
		i = word_char(w, line, i, cursor);
	}
	if (!in_word) {			/* a new word, empty so far */
		w->start = cursor;
		w->len = 0;
	}
	w->text[w->len] = 0;
	size_t name = command ? assignment(line, w->start, cursor) : 0;
	if (name) {			/* NAME=value: the value is a path */
		command = false;
		w->path = name + 1;
	}
	const char *slash = strrchr(w->text + w->path, '/');
	w->name = slash ? (size_t)(slash - w->text) + 1 : w->path;
	w->command = command && !slash && !w->comment;
}

bool complete_matches(const char *name, const char *prefix, size_t len)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	if (name[0] == '.' && (len == 0 || prefix[0] != '.'))
		return false;
	return strncmp(name, prefix, len) == 0;
}

/* A heap sort: no recursion and no scratch, whatever a directory holds. */
static void sift_down(struct complete_candidate *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && strcmp(v[child + 1].name, v[child].name) > 0)
			child++;
		if (strcmp(v[root].name, v[child].name) >= 0)
			return;
		struct complete_candidate t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

size_t complete_sort(struct complete_candidate *c, size_t n)
{
	size_t kept = 0;

	for (size_t i = n / 2; i-- > 0;)
		sift_down(c, i, n);
	for (size_t end = n; end > 1; end--) {
		struct complete_candidate t = c[0];
		c[0] = c[end - 1];
		c[end - 1] = t;
		sift_down(c, 0, end - 1);
	}
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || strcmp(c[i].name, c[kept - 1].name) != 0)
			c[kept++] = c[i];
	return kept;
}

/* Text into out[0..room), counting what does not fit too. */
struct sink {
	char *out;
	size_t room, len;
	bool escaped;		/* the next character is escaped already */
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->room)
		s->out[s->len] = c;
	s->len++;
}

static void put_text(struct sink *s, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(s, text[i]);
}

/* The length of the whole text; what fitted is NUL-terminated. */
static size_t finish(struct sink *s)
{
	if (s->room)
		s->out[s->len < s->room ? s->len : s->room - 1] = 0;
	return s->len;
}

/* Characters a backslash keeps literal outside quotes: what parse.c gives
 * a meaning to, and what a POSIX shell does (';', '$', globs, ...), so a
 * name reads back the same as the grammar grows. */
static bool is_special(char c)
{
	return c && strchr(" \t'\"\\|&;<>()$`*?[]{}#~!", c);
}

/* name[0..n) as it must be typed inside quote (0: none). */
static void put_quoted(struct sink *s, const char *name, size_t n, char quote)
{
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool backslash = quote == '"' ? is_dquote_escape(c) : !quote && is_special(c);

		if (quote == '\'' && c == '\'') {
			put_text(s, "'\\''", 4);	/* close, a quote, open again */
			continue;
		}
		if (backslash && !s->escaped)
			put(s, '\\');
		s->escaped = false;
		put(s, c);
	}
}

/* How many leading bytes a and b share. */
static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

size_t complete_insertion(const struct complete_word *w, const struct complete_candidate *c,
			  size_t n, char *out, size_t room)
{
	struct sink s = { .out = out, .room = room, .escaped = w->escaped };
	size_t typed = w->len - w->name;
	/* Sorted names share with each other what the first and last share. */
	size_t common = n == 1 ? strlen(c[0].name) : common_prefix(c[0].name, c[n - 1].name);

	if (common > typed)
		put_quoted(&s, c[0].name + typed, common - typed, w->quote);
	if (n == 1 && c[0].is_dir) {
		put(&s, '/');
	} else if (n == 1) {
		if (w->quote)
			put(&s, w->quote);
		/* After a lone '\' a space would be part of the word. */
		if (!s.escaped)
			put(&s, ' ');
	}
	return finish(&s) < room ? s.len : (size_t)-1;
}

static size_t shown_width(const struct complete_candidate *c)
{
	return strlen(c->name) + c->is_dir;
}

size_t complete_listing(const struct complete_candidate *c, size_t n, size_t width, char *out,
			size_t room)
{
	struct sink s = { .out = out, .room = room };
	size_t widest = 0;

	for (size_t i = 0; i < n; i++)
		if (shown_width(&c[i]) > widest)
			widest = shown_width(&c[i]);
	size_t column = widest + 2;		/* two blanks between columns */
	size_t columns = (width + 2) / column;	/* the last needs no blanks */
	if (columns == 0)
		columns = 1;
	size_t rows = (n + columns - 1) / columns;
	for (size_t r = 0; r < rows; r++) {
		size_t pad = 0;

		for (size_t i = r; i < n; i += rows) {
			while (pad--)
				put(&s, ' ');
			put_text(&s, c[i].name, strlen(c[i].name));
			if (c[i].is_dir)
				put(&s, '/');
			pad = column - shown_width(&c[i]);
		}
		put(&s, '\n');
	}
	return finish(&s);
}
