/* The line editor (edit.h). After every change the line is redrawn from
 * the prompt: carriage return, prompt, text, erase to the end of the line,
 * then the cursor moved back to its place. That is a few dozen bytes per
 * key and always right, whatever was on the line before. */
#include "edit.h"

#include "lib/bson.h"
#include "lib/keys.h"
#include "panda.h"

void history_add(struct history *h, const char *line)
{
	if (!*line || (h->count && strcmp(h->line[h->count - 1], line) == 0))
		return;
	char *copy = malloc(strlen(line) + 1);
	if (!copy)
		return;
	memcpy(copy, line, strlen(line) + 1);
	if (h->count == HISTORY_MAX) {
		free(h->line[0]);
		memmove(h->line, h->line + 1, (HISTORY_MAX - 1) * sizeof(h->line[0]));
		h->count--;
	}
	h->line[h->count++] = copy;
}

struct editor {
	const char *prompt;
	char *text;
	size_t len, cursor;
};

static void redraw(const struct editor *e)
{
	char out[2 * SH_LINE_MAX + 64];
	int n = snprintf(out, sizeof(out), "\r%s%.*s\x1b[K", e->prompt, (int)e->len, e->text);

	if (e->cursor < e->len && n > 0 && (size_t)n < sizeof(out))
		n += snprintf(out + n, sizeof(out) - (size_t)n, "\x1b[%zuD", e->len - e->cursor);
	console_write(out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

static void replace(struct editor *e, const char *with)
{
	e->len = strlen(with);
	if (e->len > SH_LINE_MAX - 1)
		e->len = SH_LINE_MAX - 1;
	memcpy(e->text, with, e->len);
	e->cursor = e->len;
}

/* The next key press: its code (a character or KEY_*); KEY_LINE when a
 * whole line arrives instead (typed ahead while a program ran and the
 * console was in cooked mode), copied to line; 0 when the console is gone. */
#define KEY_LINE	0xffffffffu

static uint32_t next_key(panda_handle_t console, char line[SH_LINE_MAX])
{
	static uint8_t doc[SH_LINE_MAX + 64];	/* a whole line's document fits */
	struct bson_iter it;
	int64_t key;
	uint32_t len;
	const char *text;

	for (;;) {
		struct panda_msg msg = { .data = doc, .size = sizeof(doc) };
		long rc = panda_recv(console, &msg, 0, PANDA_DEADLINE_NEVER);

		if (rc == -EPIPE)
			return 0x04;	/* a cooked-mode end of input left over */
		if (rc == -EBADHANDLE || rc == -EACCES)
			return 0;
		if (rc < 0)
			continue;	/* nothing else ends the console */
		if (bson_find(doc, "key", &it) && bson_iter_integer(&it, &key) && key > 0)
			return (uint32_t)key;
		if (bson_find(doc, "line", &it) && (text = bson_iter_utf8(&it, &len))) {
			size_t n = len < SH_LINE_MAX - 1 ? len : SH_LINE_MAX - 1;

			memcpy(line, text, n);
			line[n] = 0;
			return KEY_LINE;
		}
	}
}

enum edit_result edit_line(panda_handle_t console, const char *prompt, struct history *h,
			   char line[SH_LINE_MAX])
{
	struct editor e = { .prompt = prompt, .text = line };
	unsigned browse = h->count;	/* h->count: the line being typed */
	char typed[SH_LINE_MAX] = "";	/* kept while browsing the history */
	static char ahead[SH_LINE_MAX];	/* a line typed ahead */

	redraw(&e);
	for (;;) {
		uint32_t k = next_key(console, ahead);

		switch (k) {
		case 0:
			return EDIT_END;
		case KEY_LINE:			/* typed ahead: the line to run */
			if (e.len)
				break;		/* unless something is being edited */
			replace(&e, ahead);
			redraw(&e);
			line[e.len] = 0;
			console_write("\n", 1);
			return EDIT_LINE;
		case '\n':
		case '\r':
			line[e.len] = 0;
			console_write("\n", 1);
			return EDIT_LINE;
		case 0x03:			/* Ctrl-C */
			console_write("^C\n", 3);
			return EDIT_INTERRUPT;
		case 0x04:			/* Ctrl-D */
			if (e.len == 0) {
				console_write("\n", 1);
				return EDIT_END;
			}
			break;
		case '\b':
		case 0x7f:
			if (e.cursor == 0)
				break;
			memmove(line + e.cursor - 1, line + e.cursor, e.len - e.cursor);
			e.cursor--, e.len--;
			break;
		case KEY_DELETE:
			if (e.cursor == e.len)
				break;
			memmove(line + e.cursor, line + e.cursor + 1, e.len - e.cursor - 1);
			e.len--;
			break;
		case KEY_LEFT:
			e.cursor -= e.cursor > 0;
			break;
		case KEY_RIGHT:
			e.cursor += e.cursor < e.len;
			break;
		case KEY_HOME:
		case 0x01:			/* Ctrl-A */
			e.cursor = 0;
			break;
		case KEY_END:
		case 0x05:			/* Ctrl-E */
			e.cursor = e.len;
			break;
		case 0x15:			/* Ctrl-U */
			e.len = e.cursor = 0;
			break;
		case KEY_UP:
			if (browse == 0)
				break;
			if (browse == h->count) {
				memcpy(typed, line, e.len);
				typed[e.len] = 0;
			}
			replace(&e, h->line[--browse]);
			break;
		case KEY_DOWN:
			if (browse == h->count)
				break;
			browse++;
			replace(&e, browse == h->count ? typed : h->line[browse]);
			break;
		default:
			if (k < 0x20 || k > 0x7e || e.len == SH_LINE_MAX - 1)
				break;		/* printable ASCII only, as the console sends text */
			memmove(line + e.cursor + 1, line + e.cursor, e.len - e.cursor);
			line[e.cursor++] = (char)k;
			e.len++;
			if (e.cursor == e.len) {	/* typing at the end: just echo */
				console_write(line + e.cursor - 1, 1);
				continue;
			}
			break;
		}
		redraw(&e);
	}
}
