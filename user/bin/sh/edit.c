/* The line editor (edit.h). What a key changes is drawn and nothing else:
 * typing writes the character and the text after it, then moves back;
 * erasing rewrites the text after the cursor and clears the last cell;
 * cursor keys are one relative move. A paste, a key at a time, so costs
 * output in proportion to its length, not to its length squared. Whole
 * redraws (carriage return, prompt, text, erase to the end of the line)
 * are for what replaces the line: Ctrl-U, the history, a listing of
 * candidates. The line is taken to fit the terminal's width. */
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
	size_t len, cursor;	/* the terminal's cursor is at cursor, after each key */
	struct history *history;
	unsigned browse;	/* the history entry shown; history->count: none */
	char typed[SH_LINE_MAX];	/* the line being typed, kept while browsing */
	/* What a key draws, collected so each key costs one console write. */
	char out[2 * SH_LINE_MAX];
	size_t out_len;
};

static void flush(struct editor *e)
{
	if (e->out_len)
		console_write(e->out, e->out_len);
	e->out_len = 0;
}

static void emit(struct editor *e, const char *s, size_t n)
{
	while (n) {
		if (e->out_len == sizeof(e->out))
			flush(e);	/* a long prompt and line: a second write */
		size_t room = sizeof(e->out) - e->out_len, k = n < room ? n : room;

		memcpy(e->out + e->out_len, s, k);
		e->out_len += k;
		s += k;
		n -= k;
	}
}

/* Moves the terminal's cursor from line position from to to. */
static void move(struct editor *e, size_t from, size_t to)
{
	size_t n = from > to ? from - to : to - from;
	char seq[32];

	if (n == 0)
		return;
	if (from > to && n == 1) {
		emit(e, "\b", 1);
		return;
	}
	int k = n == 1 ? snprintf(seq, sizeof(seq), "\x1b[C") :
		snprintf(seq, sizeof(seq), "\x1b[%zu%c", n, from > to ? 'D' : 'C');
	emit(e, seq, (size_t)k);
}

/* Draws the line from position from on, the terminal's cursor being at
 * shown and the text before from being right on the screen already;
 * shorter when the line lost characters, whose cells must be cleared. */
static void show_from(struct editor *e, size_t shown, size_t from, bool shorter)
{
	move(e, shown, from);
	emit(e, e->text + from, e->len - from);
	if (shorter)
		emit(e, "\x1b[K", 3);
	move(e, e->len, e->cursor);
}

static void redraw(struct editor *e)
{
	emit(e, "\r", 1);
	emit(e, e->prompt, strlen(e->prompt));
	show_from(e, 0, 0, true);
}

static void replace(struct editor *e, const char *with)
{
	e->len = strlen(with);
	if (e->len > SH_LINE_MAX - 1)
		e->len = SH_LINE_MAX - 1;
	memcpy(e->text, with, e->len);
	e->cursor = e->len;
	redraw(e);
}

/* Inserts s[0..n) at the cursor; false, changing nothing, when the line
 * would be too long (the rest of a long paste is dropped). */
static bool insert(struct editor *e, const char *s, size_t n)
{
	size_t at = e->cursor;

	if (e->len + n > SH_LINE_MAX - 1)
		return false;
	memmove(e->text + at + n, e->text + at, e->len - at);
	memcpy(e->text + at, s, n);
	e->len += n;
	e->cursor += n;
	show_from(e, at, at, false);
	return true;
}

/* Erases the character at position at (the cursor or the one before it). */
static void erase(struct editor *e, size_t at)
{
	size_t shown = e->cursor;

	memmove(e->text + at, e->text + at + 1, e->len - at - 1);
	e->len--;
	e->cursor = at;
	show_from(e, shown, at, true);
}

static void move_cursor(struct editor *e, size_t to)
{
	move(e, e->cursor, to);
	e->cursor = to;
}

/* Up (older) or Down (newer) through the history; what was being typed
 * comes back after the newest entry. */
static void browse(struct editor *e, bool older)
{
	const struct history *h = e->history;

	if (older ? e->browse == 0 : e->browse == h->count)
		return;
	if (older && e->browse == h->count) {
		memcpy(e->typed, e->text, e->len);
		e->typed[e->len] = 0;
	}
	if (older)
		e->browse--;
	else
		e->browse++;
	replace(e, e->browse == h->count ? e->typed : h->line[e->browse]);
}

/* Tab: inserts what the completer found, rings the bell when that is
 * nothing, and below the line lists the candidates when it has them. */
static void complete(struct editor *e, const struct edit_completer *c, bool again)
{
	struct edit_completion r = { .insert_len = 0 };

	c->complete(c->ctx, e->text, e->cursor, again, &r);
	bool inserted = r.insert_len && insert(e, r.insert, r.insert_len);
	if (!inserted && !r.listing)
		emit(e, "\a", 1);	/* no candidate, or no progress without a list */
	if (r.listing) {
		move(e, e->cursor, e->len);
		emit(e, "\n", 1);
		emit(e, r.listing, strlen(r.listing));
		free(r.listing);
		redraw(e);
	}
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

/* The keys that end the line: true, with *r what edit_line returns. */
static bool ends_line(struct editor *e, uint32_t k, const char *ahead, enum edit_result *r)
{
	switch (k) {
	case 0:
		*r = EDIT_END;
		return true;
	case KEY_LINE:			/* typed ahead: the line to run */
		if (e->len)
			return false;	/* unless something is being edited */
		replace(e, ahead);
		*r = EDIT_LINE;
		break;
	case '\n':
	case '\r':
		*r = EDIT_LINE;
		break;
	case 0x03:			/* Ctrl-C */
		*r = EDIT_INTERRUPT;
		break;
	case 0x04:			/* Ctrl-D */
		if (e->len)
			return false;
		*r = EDIT_END;
		break;
	default:
		return false;
	}
	/* Below the whole line, whatever comes next. */
	move_cursor(e, e->len);
	if (*r == EDIT_INTERRUPT)
		emit(e, "^C", 2);
	emit(e, "\n", 1);
	e->text[e->len] = 0;
	return true;
}

static void edit_key(struct editor *e, uint32_t k, const struct edit_completer *c, bool again)
{
	char ch = (char)k;

	switch (k) {
	case '\b':
	case 0x7f:
		if (e->cursor > 0)
			erase(e, e->cursor - 1);
		break;
	case KEY_DELETE:
		if (e->cursor < e->len)
			erase(e, e->cursor);
		break;
	case KEY_LEFT:
		if (e->cursor > 0)
			move_cursor(e, e->cursor - 1);
		break;
	case KEY_RIGHT:
		if (e->cursor < e->len)
			move_cursor(e, e->cursor + 1);
		break;
	case KEY_HOME:
	case 0x01:			/* Ctrl-A */
		move_cursor(e, 0);
		break;
	case KEY_END:
	case 0x05:			/* Ctrl-E */
		move_cursor(e, e->len);
		break;
	case 0x15:			/* Ctrl-U */
		replace(e, "");
		break;
	case KEY_UP:
	case KEY_DOWN:
		browse(e, k == KEY_UP);
		break;
	case '\t':
		if (c)
			complete(e, c, again);
		break;
	default:
		/* Printable ASCII only, as the console sends text. */
		if (k >= 0x20 && k <= 0x7e)
			insert(e, &ch, 1);
		break;
	}
}

enum edit_result edit_line(panda_handle_t console, const char *prompt, struct history *h,
			   const struct edit_completer *completer, char line[SH_LINE_MAX])
{
	struct editor e = { .prompt = prompt, .text = line, .history = h, .browse = h->count };
	static char ahead[SH_LINE_MAX];	/* a line typed ahead */
	uint32_t last = 0;		/* the key before */
	enum edit_result r;

	redraw(&e);
	for (;;) {
		flush(&e);
		uint32_t k = next_key(console, ahead);

		if (ends_line(&e, k, ahead, &r)) {
			flush(&e);
			return r;
		}
		edit_key(&e, k, completer, last == '\t');
		last = k;
	}
}
