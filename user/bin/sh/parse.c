#include "parse.h"

#include "lib/string.h"

struct parser {
	const char *line;
	size_t len, i;
	struct sh_pipeline *out;
	size_t used;			/* bytes of out->storage taken */
	const char *error;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters that end an unquoted word. A '>' with a '|' after it is
 * a word of its own, not a redirection (see parse). */
static bool is_operator(char c)
{
	return c == '|' || c == '>' || c == '&';
}

/* True when an unquoted '|' comes after position i. */
static bool pipe_follows(const struct parser *p, size_t i)
{
	char quote = 0;

	for (; i < p->len; i++) {
		char c = p->line[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (quote == '"' && c == '\\')
				i++;
		} else if (c == '\\') {
			i++;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '|') {
			return true;
		}
	}
	return false;
}

static void put(struct parser *p, char c)
{
	p->out->storage[p->used++] = c;
}

/* One word from p->i, unquoted into the storage; NULL on an error. */
static char *word(struct parser *p)
{
	char *w = p->out->storage + p->used;

	while (p->i < p->len) {
		char c = p->line[p->i];
		if (is_blank(c) || is_operator(c))
			break;
		if (c == '\'') {
			const char *end = memchr(p->line + p->i + 1, '\'', p->len - p->i - 1);
			if (!end) {
				p->error = "unterminated '";
				return NULL;
			}
			for (p->i++; p->line + p->i < end; p->i++)
				put(p, p->line[p->i]);
			p->i++;
		} else if (c == '"') {
			for (p->i++; p->i < p->len && p->line[p->i] != '"'; p->i++) {
				char next = p->i + 1 < p->len ? p->line[p->i + 1] : 0;
				if (p->line[p->i] == '\\' && (next == '"' || next == '\\'))
					p->i++;
				put(p, p->line[p->i]);
			}
			if (p->i == p->len) {
				p->error = "unterminated \"";
				return NULL;
			}
			p->i++;
		} else if (c == '\\') {
			if (p->i + 1 == p->len) {
				p->error = "\\ at the end of the line";
				return NULL;
			}
			put(p, p->line[p->i + 1]);
			p->i += 2;
		} else {
			put(p, c);
			p->i++;
		}
	}
	put(p, '\0');
	return w;
}

static int fail(struct parser *p, const char *error)
{
	p->error = error;
	return -1;
}

static int parse(struct parser *p)
{
	struct sh_pipeline *out = p->out;
	struct sh_command *cmd = NULL;	/* the command taking words */
	bool want_file = false;		/* after > or >> */
	bool after_pipe = false, redirected = false, ended = false;

	for (;;) {
		while (p->i < p->len && is_blank(p->line[p->i]))
			p->i++;
		if (p->i == p->len)
			break;
		char c = p->line[p->i];
		if (ended)
			return fail(p, "& must end the line");
		if (is_operator(c) && want_file)
			return fail(p, "missing file name after >");
		if (c == '|') {
			if (!cmd)
				return fail(p, "missing command before |");
			if (redirected)
				return fail(p, "a redirection must come last");
			cmd = NULL;
			after_pipe = true;
			p->i++;
		} else if (c == '>' && pipe_follows(p, p->i)) {
			/* Not the end of the line, so not a redirection: a word
			 * for the command, as in `where size > 4000 | sort size`. */
			size_t n = p->i + 1 < p->len && p->line[p->i + 1] == '>' ? 2 : 1;
			if (!cmd)
				return fail(p, "missing command before >");
			if (cmd->argc == SH_ARGS_MAX)
				return fail(p, "too many words in a command");
			cmd->argv[cmd->argc++] = p->out->storage + p->used;
			for (size_t k = 0; k < n; k++)
				put(p, '>');
			put(p, '\0');
			p->i += n;
		} else if (c == '>') {
			if (!cmd)
				return fail(p, "missing command before >");
			if (redirected)
				return fail(p, "only one > in a line");
			out->append = p->i + 1 < p->len && p->line[p->i + 1] == '>';
			p->i += out->append ? 2 : 1;
			want_file = true;
		} else if (c == '&') {
			if (!cmd)
				return fail(p, "missing command before &");
			out->background = true;
			ended = true;
			p->i++;
		} else {
			char *w = word(p);
			if (!w)
				return -1;
			if (want_file) {
				out->redirect = w;
				want_file = false;
				redirected = true;
				continue;
			}
			if (redirected)
				return fail(p, "a redirection must come last");
			if (!cmd) {
				if (out->count == SH_STAGES_MAX)
					return fail(p, "too many commands in the pipeline");
				cmd = &out->stage[out->count++];
				after_pipe = false;
			}
			if (cmd->argc == SH_ARGS_MAX)
				return fail(p, "too many words in a command");
			cmd->argv[cmd->argc++] = w;
		}
	}
	if (want_file)
		return fail(p, "missing file name after >");
	if (after_pipe)
		return fail(p, "missing command after |");
	return 0;
}

int sh_parse(const char *line, size_t len, struct sh_pipeline *out, const char **error)
{
	struct parser p = { .line = line, .len = len, .out = out };

	memset(out, 0, sizeof(*out));
	if (len > SH_LINE_MAX) {
		*error = "line too long";
		return -1;
	}
	if (memchr(line, '\0', len)) {
		*error = "NUL byte in the line";
		return -1;
	}
	if (parse(&p) < 0) {
		*error = p.error;
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
