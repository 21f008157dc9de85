#include "lib/cmdline.h"

#include "lib/string.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool fail(struct cmdline *cl, const char *why, size_t pos)
{
	cl->error = why;
	cl->error_pos = pos;
	return false;
}

bool cmdline_parse(struct cmdline *cl, const char *line)
{
	size_t in = 0, out = 0;

	cl->count = 0;
	cl->error = NULL;
	cl->error_pos = 0;
	if (!line)
		return true;

	for (;;) {
		while (is_blank(line[in]))
			in++;
		if (!line[in])
			return true;

		size_t word_start = in;
		char *word = &cl->text[out];
		char *value = NULL;
		bool quoted = false;

		if (cl->count == CMDLINE_MAX_ARGS)
			return fail(cl, "too many words", in);
		for (; line[in] && (quoted || !is_blank(line[in])); in++) {
			char c = line[in];

			if ((unsigned char)c < 0x20 || c == 0x7f)
				return fail(cl, "control character", in);
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (c == '=' && !value && !quoted) {
				if (&cl->text[out] == word)
					return fail(cl, "'=' without a name", in);
				c = '\0';
				value = &cl->text[out + 1];
			}
			if (out + 1 >= CMDLINE_MAX_LEN)
				return fail(cl, "line too long", in);
			cl->text[out++] = c;
		}
		if (quoted)
			return fail(cl, "unterminated quote", word_start);
		if (out + 1 >= CMDLINE_MAX_LEN)
			return fail(cl, "line too long", in);
		cl->text[out++] = '\0';
		if (!*word)		/* a word that was only "" */
			return fail(cl, "empty word", word_start);
		cl->args[cl->count].key = word;
		cl->args[cl->count].value = value;
		cl->count++;
	}
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	for (size_t i = cl->count; i-- > 0;)
		if (strcmp(cl->args[i].key, key) == 0)
			return cl->args[i].value ? cl->args[i].value : "";
	return NULL;
}
