#include "parse.h"

#include "lib/string.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. */
static bool is_operator(char c)
{
	return c == '|' || c == '>' || c == '<' || c == '&' || c == ';';
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

bool sh_name_valid(const char *name, size_t len)
{
	if (len == 0 || !is_name_start(name[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(name[i]))
			return false;
	return true;
}

/* The end of the quoted text that starts at s[i] (a ' or "), just past its
 * closing quote; 0 when it is not closed. */
static size_t quote_end(const char *s, size_t len, size_t i)
{
	char q = s[i];

	for (i++; i < len; i++) {
		if (s[i] == q)
			return i + 1;
		if (q == '"' && s[i] == '\\')
			i++;
	}
	return 0;
}

static const char *unterminated(char q)
{
	return q == '\'' ? "unterminated '" : "unterminated \"";
}

/* --- splitting a line into pipelines ------------------------------------ */

struct splitter {
	struct sh_list *out;
	size_t start;		/* where the current pipeline begins */
	bool words;		/* it has something but blanks */
	enum sh_when when;	/* how it is joined to the one before */
	const char *error;
};

/* Ends the current pipeline at end; sep names what ended it, for errors. */
static bool close_item(struct splitter *s, size_t end, bool background, const char *missing)
{
	if (!s->words) {
		s->error = missing;
		return false;
	}
	if (s->out->count == SH_LIST_MAX) {
		s->error = "too many commands in the line";
		return false;
	}
	s->out->item[s->out->count++] = (struct sh_item){
		.start = s->start, .len = end - s->start, .when = s->when, .background = background,
	};
	s->words = false;
	return true;
}

static int split(const char *line, size_t len, struct splitter *s)
{
	bool word_start = true;		/* a '#' here begins a comment */
	const char *pending = NULL;	/* "missing command after &&" while one is due */
	size_t end = len;		/* of the last pipeline: the line or a comment */

	for (size_t i = 0; i < len; i++) {
		char c = line[i], next = i + 1 < len ? line[i + 1] : 0;

		if (c == '#' && word_start) {
			end = i;
			break;
		}
		word_start = is_blank(c) || (is_operator(c) && !(c == '&' && i && line[i - 1] == '>'));
		if (is_blank(c))
			continue;
		if (c == ';' || (c == '&' && !(i && line[i - 1] == '>')) || (c == '|' && next == '|')) {
			bool twice = c != ';' && next == c;
			const char *missing = c == ';' ? "missing command before ;" :
					      !twice ? "missing command before &" :
					      c == '&' ? "missing command before &&" :
							 "missing command before ||";
			if (!close_item(s, i, c == '&' && !twice, missing))
				return -1;
			i += twice;
			s->when = !twice ? SH_ALWAYS : c == '&' ? SH_IF_OK : SH_IF_FAILED;
			pending = twice ? (c == '&' ? "missing command after &&" :
					  "missing command after ||") : NULL;
			s->start = i + 1;
			word_start = true;
			continue;
		}
		s->words = true;
		pending = NULL;
		if (c == '\'' || c == '"') {
			size_t q = quote_end(line, len, i);
			if (!q) {
				s->error = unterminated(c);
				return -1;
			}
			i = q - 1;
		} else if (c == '\\') {
			if (i + 1 == len) {
				s->error = "\\ at the end of the line";
				return -1;
			}
			i++;
		}
	}
	if (pending) {
		s->error = pending;
		return -1;
	}
	if (s->words && !close_item(s, end, false, NULL))
		return -1;
	return 0;
}

int sh_split(const char *line, size_t len, struct sh_list *out, const char **error)
{
	struct splitter s = { .out = out };

	memset(out, 0, sizeof(*out));
	if (len > SH_LINE_MAX) {
		*error = "line too long";
		return -1;
	}
	if (memchr(line, '\0', len)) {
		*error = "NUL byte in the line";
		return -1;
	}
	if (split(line, len, &s) < 0) {
		*error = s.error;
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

/* --- parsing and expanding one pipeline --------------------------------- */

struct parser {
	const char *src;
	size_t len, i;
	const struct sh_expand *x;
	struct sh_pipeline *out;
	size_t used;			/* bytes of out->storage taken */
	bool full;			/* a word did not fit the storage */
	bool meta;			/* the word has an unquoted * ? [ */
	const char *error;
};

static void put(struct parser *p, char c)
{
	if (p->used < SH_STORAGE_MAX - 1)
		p->out->storage[p->used++] = c;
	else
		p->full = true;
}

/* A character that stands for itself: behind a backslash when a pattern
 * would read it as special, so that a word can still become a pattern. */
static void literal(struct parser *p, char c)
{
	if (c == '\\' || c == '*' || c == '?' || c == '[')
		put(p, '\\');
	put(p, c);
}

static void literal_text(struct parser *p, const char *s)
{
	while (s && *s)
		literal(p, *s++);
}

static const char *lookup(const struct parser *p, const char *name, size_t len)
{
	if (!p->x || !p->x->lookup)
		return NULL;
	if (len == 1 && name[0] == '@')
		name = "*";
	return p->x->lookup(p->x->ctx, name, len);
}

/* $NAME, ${NAME} or $? ... at p->i (a '$'): its value, written as literal
 * text. A '$' that starts none of these is itself. */
static bool variable(struct parser *p)
{
	const char *s = p->src + p->i + 1;
	size_t left = p->len - p->i - 1, n = 0;

	if (left && s[0] == '{') {
		const char *end = memchr(s, '}', left);
		if (!end) {
			p->error = "unterminated ${";
			return false;
		}
		n = (size_t)(end - s - 1);
		bool special = n == 1 && strchr("?$#*@0123456789", s[1]);
		if (!special && !sh_name_valid(s + 1, n)) {
			p->error = "bad substitution in ${...}";
			return false;
		}
		literal_text(p, lookup(p, s + 1, n));
		p->i += n + 3;
		return true;
	}
	if (left && strchr("?$#*@0123456789", s[0]) && s[0])
		n = 1;
	else
		while (n < left && (n ? is_name_char(s[n]) : is_name_start(s[n])))
			n++;
	if (n == 0) {
		put(p, '$');
		p->i++;
		return true;
	}
	literal_text(p, lookup(p, s, n));
	p->i += n + 1;
	return true;
}

/* Inside "...": \" \\ \$ stand for the character, $ expands. */
static bool double_quoted(struct parser *p)
{
	for (p->i++; p->i < p->len && p->src[p->i] != '"';) {
		char c = p->src[p->i], next = p->i + 1 < p->len ? p->src[p->i + 1] : 0;
		if (c == '\\' && (next == '"' || next == '\\' || next == '$')) {
			literal(p, next);
			p->i += 2;
		} else if (c == '$') {
			if (!variable(p))
				return false;
		} else {
			literal(p, c);
			p->i++;
		}
	}
	if (p->i == p->len) {
		p->error = unterminated('"');
		return false;
	}
	p->i++;
	return true;
}

/* Turns the word at w back into plain text when it is no pattern. */
static void unescape(char *w)
{
	char *to = w;

	for (; *w; w++)
		*to++ = *w == '\\' && w[1] ? *++w : *w;
	*to = 0;
}

/* One word from p->i into the storage, unquoted and expanded; NULL on an
 * error. *pattern says whether it is a glob pattern (else it is plain). */
static char *word(struct parser *p, bool globs, bool *pattern)
{
	char *w = p->out->storage + p->used;

	p->meta = false;
	while (p->i < p->len) {
		char c = p->src[p->i];
		if (is_blank(c) || is_operator(c))
			break;
		if (c == '\'') {
			size_t end = quote_end(p->src, p->len, p->i);
			if (!end) {
				p->error = unterminated(c);
				return NULL;
			}
			for (p->i++; p->i < end - 1; p->i++)
				literal(p, p->src[p->i]);
			p->i++;
		} else if (c == '"') {
			if (!double_quoted(p))
				return NULL;
		} else if (c == '\\') {
			if (p->i + 1 == p->len) {
				p->error = "\\ at the end of the line";
				return NULL;
			}
			literal(p, p->src[p->i + 1]);
			p->i += 2;
		} else if (c == '$') {
			if (!variable(p))
				return NULL;
		} else if (globs && (c == '*' || c == '?' || c == '[')) {
			put(p, c);
			p->meta = true;
			p->i++;
		} else {
			put(p, c);
			p->i++;
		}
	}
	put(p, '\0');
	if (p->full) {
		p->error = "line too long once expanded";
		return NULL;
	}
	*pattern = p->meta;
	if (!p->meta)
		unescape(w);
	return w;
}

static int fail(struct parser *p, const char *error)
{
	p->error = error;
	return -1;
}

/* True when an unquoted '|' comes after position i. */
static bool pipe_follows(const struct parser *p, size_t i)
{
	for (; i < p->len; i++) {
		char c = p->src[i];
		if (c == '\'' || c == '"') {
			size_t end = quote_end(p->src, p->len, i);
			if (!end)
				return false;
			i = end - 1;
		} else if (c == '\\') {
			i++;
		} else if (c == '|') {
			return true;
		}
	}
	return false;
}

/* Whether the word ending at i has ended: the end, a blank or an operator. */
static bool word_ends(const struct parser *p, size_t i)
{
	return i == p->len || is_blank(p->src[i]) || is_operator(p->src[i]);
}

/* NAME= at p->i, unquoted: the start of an assignment. */
static bool assignment_follows(const struct parser *p)
{
	size_t n = 0;

	while (p->i + n < p->len && is_name_char(p->src[p->i + n]))
		n++;
	return n && p->i + n < p->len && p->src[p->i + n] == '=' &&
	       sh_name_valid(p->src + p->i, n);
}

static int add_word(struct parser *p, struct sh_command *cmd, char *w, bool pattern)
{
	if (cmd->argc == SH_ARGS_MAX)
		return fail(p, "too many words in a command");
	cmd->pattern[cmd->argc] = pattern;
	cmd->argv[cmd->argc++] = w;
	return 0;
}

/* A comparison given to a filter (> >> >= < <=) as one word. */
static int comparison(struct parser *p, struct sh_command *cmd)
{
	char *w = p->out->storage + p->used;
	char c = p->src[p->i++];

	put(p, c);
	if (p->i < p->len && (p->src[p->i] == '=' || (c == '>' && p->src[p->i] == '>')))
		put(p, p->src[p->i++]);
	put(p, '\0');
	return add_word(p, cmd, w, false);
}

/* "$@" or $@ as a whole word: one word per positional argument. */
static int all_arguments(struct parser *p, struct sh_command *cmd, size_t n)
{
	p->i += n;
	for (unsigned k = 0; p->x && k < p->x->argc; k++) {
		char *w = p->out->storage + p->used;
		for (const char *s = p->x->argv[k]; *s; s++)
			put(p, *s);
		put(p, '\0');
		if (p->full)
			return fail(p, "line too long once expanded");
		if (add_word(p, cmd, w, false) < 0)
			return -1;
	}
	return 0;
}

static size_t all_arguments_at(const struct parser *p)
{
	const char *s = p->src + p->i;
	size_t left = p->len - p->i;

	if (left >= 2 && memcmp(s, "$@", 2) == 0 && word_ends(p, p->i + 2))
		return 2;
	if (left >= 4 && memcmp(s, "\"$@\"", 4) == 0 && word_ends(p, p->i + 4))
		return 4;
	return 0;
}

enum target { NO_TARGET, TARGET_OUT, TARGET_IN, TARGET_ERRORS };

static const char *missing_target(enum target t)
{
	return t == TARGET_IN ? "missing file name after <" :
	       t == TARGET_ERRORS ? "missing file name after 2>" : "missing file name after >";
}

/* 2>file, 2>>file, 2>&1 at p->i: sets what it says, or the target wanted. */
static int error_redirect(struct parser *p, struct sh_command *cmd, enum target *want)
{
	const char *s = p->src + p->i;
	size_t left = p->len - p->i;

	if (left >= 4 && memcmp(s, "2>&1", 4) == 0 && word_ends(p, p->i + 4)) {
		cmd->errors_to_out = true;
		cmd->errors = NULL;
		p->i += 4;
		return 0;
	}
	if (left >= 3 && s[2] == '&')
		return fail(p, "only 2>&1 joins the error stream to another");
	cmd->errors_append = left >= 3 && s[2] == '>';
	cmd->errors_to_out = false;
	p->i += cmd->errors_append ? 3 : 2;
	*want = TARGET_ERRORS;
	return 0;
}

static int target(struct parser *p, struct sh_command *cmd, enum target want)
{
	bool pattern;
	char *w = word(p, false, &pattern);

	if (!w)
		return -1;
	if (want == TARGET_OUT)
		p->out->redirect = w;
	else if (want == TARGET_IN)
		cmd->input = w;
	else
		cmd->errors = w;
	return 0;
}

static int check_stages(struct parser *p)
{
	for (unsigned s = 0; s < p->out->count; s++) {
		const struct sh_command *c = &p->out->stage[s];
		bool redirected = c->input || c->errors || c->errors_to_out || p->out->redirect;
		if (c->argc == 0 && (p->out->count > 1 || redirected))
			return fail(p, "an assignment alone cannot be piped or redirected");
	}
	return 0;
}

static int parse(struct parser *p)
{
	struct sh_pipeline *out = p->out;
	struct sh_command *cmd = NULL;	/* the command taking words */
	enum target want = NO_TARGET;	/* after > >> < 2> 2>> */
	bool after_pipe = false, redirected = false;

	for (;;) {
		while (p->i < p->len && is_blank(p->src[p->i]))
			p->i++;
		if (p->i == p->len)
			break;
		char c = p->src[p->i];
		char next = p->i + 1 < p->len ? p->src[p->i + 1] : 0;
		if (want != NO_TARGET) {
			if (is_operator(c))
				return fail(p, missing_target(want));
			if (target(p, cmd, want) < 0)
				return -1;
			redirected |= want == TARGET_OUT;
			want = NO_TARGET;
			continue;
		}
		if (redirected)
			return fail(p, "a redirection must come last");
		if (c == '|') {
			if (!cmd)
				return fail(p, "missing command before |");
			cmd = NULL;
			after_pipe = true;
			p->i++;
		} else if (c == ';' || c == '&') {
			return fail(p, c == ';' ? "unexpected ;" : "unexpected &");
		} else if (c == '>' || c == '<') {
			if (!cmd)
				return fail(p, c == '>' ? "missing command before >" :
						 "missing command before <");
			if (c == '>' && !pipe_follows(p, p->i)) {
				out->append = next == '>';
				p->i += out->append ? 2 : 1;
				want = TARGET_OUT;
			} else if (c == '<' && cmd == &out->stage[0] && next != '=') {
				if (cmd->input)
					return fail(p, "only one < in a command");
				p->i++;
				want = TARGET_IN;
			} else if (comparison(p, cmd) < 0) {
				/* a word: `where size > 4000 | sort`, `ls | where size < 9` */
				return -1;
			}
		} else if (c == '2' && next == '>' && cmd) {
			if (error_redirect(p, cmd, &want) < 0)
				return -1;
		} else {
			if (!cmd) {
				if (out->count == SH_STAGES_MAX)
					return fail(p, "too many commands in the pipeline");
				cmd = &out->stage[out->count++];
				after_pipe = false;
			}
			size_t all = all_arguments_at(p);
			if (all) {
				if (all_arguments(p, cmd, all) < 0)
					return -1;
				continue;
			}
			bool assign = cmd->argc == 0 && assignment_follows(p);
			bool pattern;
			char *w = word(p, !assign, &pattern);
			if (!w)
				return -1;
			if (!assign) {
				if (add_word(p, cmd, w, pattern) < 0)
					return -1;
			} else if (cmd->assign_count == SH_ASSIGN_MAX) {
				return fail(p, "too many assignments before a command");
			} else {
				cmd->assign[cmd->assign_count++] = w;
			}
		}
	}
	if (want != NO_TARGET)
		return fail(p, missing_target(want));
	if (after_pipe)
		return fail(p, "missing command after |");
	return check_stages(p);
}

int sh_parse(const char *src, size_t len, const struct sh_expand *x, struct sh_pipeline *out,
	     const char **error)
{
	struct parser p = { .src = src, .len = len, .x = x, .out = out };

	memset(out, 0, sizeof(*out) - sizeof(out->storage));
	if (len > SH_LINE_MAX) {
		*error = "line too long";
		return -1;
	}
	if (memchr(src, '\0', len)) {
		*error = "NUL byte in the line";
		return -1;
	}
	if (parse(&p) < 0) {
		*error = p.error;
		memset(out, 0, sizeof(*out) - sizeof(out->storage));
		return -1;
	}
	return 0;
}
