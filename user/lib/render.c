/* Tables and cells for /bin/render (render.h). */
#include "render.h"

#include "lib/date.h"
#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"
#include "malloc.h"

/* --- cells ------------------------------------------------------------- */

/* Gathers a cell's text from a sink: the first RENDER_CELL_MAX bytes are
 * kept, the rest only counted. */
struct collect {
	struct render_cell *cell;
	size_t total;
};

static void collect_sink(void *ctx, const char *text, size_t n)
{
	struct collect *c = ctx;

	for (size_t i = 0; i < n; i++, c->total++) {
		unsigned char ch = (unsigned char)text[i];

		if (c->total < RENDER_CELL_MAX)
			c->cell->text[c->total] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
}

static bool is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Cuts what was collected to fit, measures it and terminates it. */
static void collect_finish(struct collect *c)
{
	struct render_cell *cell = c->cell;
	size_t len = c->total;

	if (len > RENDER_CELL_MAX) {
		len = RENDER_CELL_MAX - 3;
		while (len > 0 && is_continuation(cell->text[len]))
			len--;		/* keep whole characters */
		memcpy(cell->text + len, "...", 3);
		len += 3;
	}
	cell->text[len] = '\0';
	cell->len = len;
	cell->width = 0;
	for (size_t i = 0; i < len; i++)
		cell->width += !is_continuation(cell->text[i]);
}

static void cell_of_text(struct render_cell *cell, const char *text, size_t n, bool right)
{
	struct collect c = { .cell = cell };

	collect_sink(&c, text, n);
	collect_finish(&c);
	cell->right = right;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

size_t render_datetime(int64_t ms, char *buf, size_t size)
{
	int64_t secs = floor_div(ms, 1000);
	int64_t days = floor_div(secs, 86400);
	int64_t rem = secs - days * 86400;
	int64_t year;
	unsigned month, day;

	date_from_days(days, &year, &month, &day);
	int n = fmt_snprintf(buf, size, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)year,
			     month, day, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
			     (unsigned)(rem % 60));
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* bson_to_json of the wrapper {"": value}, passed on without the wrapper:
 * the first `skip` bytes (`{"":`) are dropped, and the last byte (`}`) is
 * held back until more comes, so it is never passed on. */
struct unwrap {
	render_sink_fn sink;
	void *ctx;
	size_t skip;
	char held;
	bool holding;
};

static void unwrap_sink(void *ctx, const char *text, size_t n)
{
	struct unwrap *u = ctx;
	size_t k = n < u->skip ? n : u->skip;

	text += k;
	n -= k;
	u->skip -= k;
	if (!n)
		return;
	if (u->holding)
		u->sink(u->ctx, &u->held, 1);
	if (n > 1)
		u->sink(u->ctx, text, n - 1);
	u->held = text[n - 1];
	u->holding = true;
}

#define WRAP_SMALL	128	/* wrappers this size are built on the stack */

/* A scalar's JSON: its element copied into the document {"": value}. */
static int scalar_json(const struct bson_iter *it, render_sink_fn sink, void *ctx)
{
	uint8_t small[WRAP_SMALL];
	size_t size = (size_t)it->value_len + 7;	/* length, type, "", value, end */
	uint8_t *doc = size <= sizeof(small) ? small : malloc(size);
	struct unwrap u = { .sink = sink, .ctx = ctx, .skip = 4 };

	if (!doc)
		return -ENOMEM;
	doc[0] = (uint8_t)size;
	doc[1] = (uint8_t)(size >> 8);
	doc[2] = (uint8_t)(size >> 16);
	doc[3] = (uint8_t)(size >> 24);
	doc[4] = it->type;
	doc[5] = 0;
	memcpy(doc + 6, it->value, it->value_len);
	doc[size - 1] = 0;
	bson_to_json(doc, unwrap_sink, &u);
	if (doc != small)
		free(doc);
	return 0;
}

int render_value_json(const struct bson_iter *it, render_sink_fn sink, void *ctx)
{
	struct bson_iter child;
	bool first = true;
	int rc = 0;

	switch (it->type) {
	case BSON_DOCUMENT:
		bson_to_json(it->value, sink, ctx);
		return 0;
	case BSON_ARRAY:
		/* Element by element, so a large array is never copied. */
		if (!bson_iter_recurse(it, &child))
			return scalar_json(it, sink, ctx);
		sink(ctx, "[", 1);
		while (bson_iter_next(&child)) {
			if (!first)
				sink(ctx, ",", 1);
			first = false;
			if (render_value_json(&child, sink, ctx) < 0)
				rc = -ENOMEM;
		}
		sink(ctx, "]", 1);
		return rc;
	default:
		return scalar_json(it, sink, ctx);
	}
}

void render_cell_of(const struct bson_iter *it, struct render_cell *cell)
{
	struct collect c = { .cell = cell };
	char buf[32];
	const char *s;
	uint64_t bits;
	uint32_t len;
	int64_t i;
	bool b;

	if (bson_iter_integer(it, &i)) {
		int n = fmt_snprintf(buf, sizeof(buf), "%lld", (long long)i);
		cell_of_text(cell, buf, (size_t)n, true);
	} else if (bson_iter_double_bits(it, &bits)) {
		/* Not finite: JSON has no number for it. */
		if (((bits >> 52) & 0x7ff) == 0x7ff) {
			s = bits & ((1ull << 52) - 1) ? "nan" : bits >> 63 ? "-inf" : "inf";
			cell_of_text(cell, s, strlen(s), true);
			return;
		}
		scalar_json(it, collect_sink, &c);	/* the shortest round-trip digits */
		collect_finish(&c);
		cell->right = true;
	} else if (it->type == BSON_STRING && (s = bson_iter_utf8(it, &len))) {
		cell_of_text(cell, s, len, false);
	} else if (bson_iter_bool(it, &b)) {
		cell_of_text(cell, b ? "true" : "false", b ? 4 : 5, false);
	} else if (bson_iter_datetime(it, &i)) {
		cell_of_text(cell, buf, render_datetime(i, buf, sizeof(buf)), false);
	} else {
		if (render_value_json(it, collect_sink, &c) < 0)
			c.total = RENDER_CELL_MAX + 1;	/* shown cut: "..." */
		collect_finish(&c);
		cell->right = false;
	}
}

void render_json_line(const uint8_t *doc, render_sink_fn sink, void *ctx)
{
	bson_to_json(doc, sink, ctx);
	sink(ctx, "\n", 1);
}

/* --- lines ------------------------------------------------------------- */

/* A line being printed: padding is owed, not written, until text follows
 * it, so no line ends in spaces. */
struct line {
	render_sink_fn sink;
	void *ctx;
	size_t spaces;
};

static void line_pad(struct line *l, size_t n)
{
	l->spaces += n;
}

static void line_put(struct line *l, const char *text, size_t n)
{
	static const char blanks[] = "                                ";

	if (!n)
		return;
	while (l->spaces) {
		size_t k = l->spaces < sizeof(blanks) - 1 ? l->spaces : sizeof(blanks) - 1;
		l->sink(l->ctx, blanks, k);
		l->spaces -= k;
	}
	l->sink(l->ctx, text, n);
}

static void line_end(struct line *l)
{
	l->spaces = 0;
	l->sink(l->ctx, "\n", 1);
}

/* One cell in a column of width columns. */
static void line_cell(struct line *l, const struct render_cell *cell, size_t width, bool first)
{
	size_t fill = width > cell->width ? width - cell->width : 0;

	if (!first)
		line_pad(l, RENDER_GAP);
	if (cell->right)
		line_pad(l, fill);
	line_put(l, cell->text, cell->len);
	if (!cell->right)
		line_pad(l, fill);
}

/* --- tables ------------------------------------------------------------ */

struct column {
	const char *name;	/* inside one of the window's records */
	size_t width;
	unsigned numbers, others;	/* cells of each alignment, empty ones aside */
};

void render_table_init(struct render_table *t, render_sink_fn sink, void *ctx)
{
	*t = (struct render_table){ .sink = sink, .ctx = ctx };
}

static void drop_rows(struct render_table *t)
{
	for (unsigned i = 0; i < t->count; i++)
		free(t->rows[i]);
	t->count = 0;
}

void render_table_free(struct render_table *t)
{
	drop_rows(t);
	free(t->header);
	t->header = NULL;
	t->header_size = 0;
}

int render_table_add(struct render_table *t, const uint8_t *doc)
{
	uint32_t size = bson_doc_length(doc);
	uint8_t *copy = malloc(size);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, doc, size);
	t->rows[t->count++] = copy;
	return t->count == RENDER_WINDOW ? render_table_flush(t) : 0;
}

/* The union of the rows' keys in order of first appearance, in *out (to
 * be freed); the count, or -ENOMEM. */
static long window_columns(const struct render_table *t, struct column **out)
{
	struct column *cols = NULL;
	size_t count = 0, cap = 0;
	struct bson_iter it;

	for (unsigned r = 0; r < t->count; r++) {
		bson_iter_init(&it, t->rows[r]);
		while (bson_iter_next(&it)) {
			size_t c = 0;
			while (c < count && strcmp(cols[c].name, it.key) != 0)
				c++;
			if (c < count)
				continue;
			if (count == cap) {
				cap = cap ? cap * 2 : 8;
				struct column *grown = realloc(cols, cap * sizeof(*cols));
				if (!grown) {
					free(cols);
					return -ENOMEM;
				}
				cols = grown;
			}
			cols[count++] = (struct column){ .name = it.key };
		}
	}
	*out = cols;
	return (long)count;
}

/* The row's cell in column name; an empty one when the row lacks it. */
static void row_cell(const uint8_t *row, const char *name, struct render_cell *cell)
{
	struct bson_iter it;

	if (bson_find(row, name, &it))
		render_cell_of(&it, cell);
	else
		cell_of_text(cell, "", 0, false);
}

/* Whether the header must be printed: the columns differ from the last
 * header's. Remembers these columns when they do (unless memory is short,
 * which only costs a repeated header). */
static bool header_changed(struct render_table *t, const struct column *cols, size_t count)
{
	size_t size = 0;

	for (size_t c = 0; c < count; c++)
		size += strlen(cols[c].name) + 1;
	if (t->header && size == t->header_size) {
		const char *p = t->header;
		size_t c = 0;
		while (c < count && strcmp(p, cols[c].name) == 0)
			p += strlen(cols[c++].name) + 1;
		if (c == count)
			return false;
	}
	free(t->header);
	t->header = malloc(size ? size : 1);
	t->header_size = t->header ? size : 0;
	for (size_t c = 0, off = 0; t->header && c < count; c++) {
		size_t n = strlen(cols[c].name) + 1;
		memcpy(t->header + off, cols[c].name, n);
		off += n;
	}
	return true;
}

int render_table_flush(struct render_table *t)
{
	struct line l = { .sink = t->sink, .ctx = t->ctx };
	struct render_cell cell;
	struct column *cols;

	if (!t->count)
		return 0;
	long count = window_columns(t, &cols);
	if (count < 0) {
		drop_rows(t);
		return (int)count;
	}
	for (long c = 0; c < count; c++) {
		cell_of_text(&cell, cols[c].name, strlen(cols[c].name), false);
		cols[c].width = cell.width;
		for (unsigned r = 0; r < t->count; r++) {
			row_cell(t->rows[r], cols[c].name, &cell);
			if (cell.width > cols[c].width)
				cols[c].width = cell.width;
			if (cell.len && cell.right)
				cols[c].numbers++;
			else if (cell.len)
				cols[c].others++;
		}
	}
	if (count > 0 && header_changed(t, cols, (size_t)count)) {
		for (long c = 0; c < count; c++) {
			/* A name goes where the column's numbers go. */
			bool right = cols[c].numbers && !cols[c].others;
			cell_of_text(&cell, cols[c].name, strlen(cols[c].name), right);
			line_cell(&l, &cell, cols[c].width, c == 0);
		}
		line_end(&l);
	}
	for (unsigned r = 0; r < t->count; r++) {
		for (long c = 0; c < count; c++) {
			row_cell(t->rows[r], cols[c].name, &cell);
			line_cell(&l, &cell, cols[c].width, c == 0);
		}
		line_end(&l);
	}
	free(cols);
	drop_rows(t);
	return 0;
}
