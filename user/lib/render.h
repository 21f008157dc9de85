/* How /bin/render draws records (docs/protocols.md, "records"): the pure
 * part, with no system calls, so the host tests can check the layout.
 * Text goes out through a sink in pieces; the program decides where.
 *
 * A table is drawn a window at a time: up to RENDER_WINDOW records are
 * kept, then printed with widths measured over them. Columns are the union
 * of the window's top-level keys in order of first appearance; a header of
 * the key names comes first unless the previous window printed the same
 * columns. Numbers (int32, int64, double) are right-aligned, everything
 * else left-aligned, and a key name as its column's cells are when they
 * are all numbers; columns are two spaces apart; lines carry no trailing
 * spaces. */
#ifndef USER_LIB_RENDER_H
#define USER_LIB_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bson.h"

#define RENDER_WINDOW		64	/* records a table's widths are measured over */
#define RENDER_CELL_MAX		40	/* bytes of a cell; longer text ends in "..." */
#define RENDER_GAP		2	/* spaces between columns */

typedef void (*render_sink_fn)(void *ctx, const char *text, size_t n);

/* A cell: at most RENDER_CELL_MAX bytes of text, NUL-terminated. */
struct render_cell {
	char text[RENDER_CELL_MAX + 1];
	size_t len;			/* bytes */
	size_t width;			/* columns: UTF-8 characters */
	bool right;			/* a number: aligned right */
};

/* The cell for the current element of it: a string as its text, a number
 * in decimal (a double in its shortest round-trip form; inf, -inf, nan), a
 * boolean as true or false, a datetime as YYYY-MM-DD HH:MM:SS (UTC), and
 * anything else (documents, arrays, null, binary...) as compact JSON.
 * Control characters show as '?'; text past RENDER_CELL_MAX bytes is cut at
 * a character boundary and ends in "...". */
void render_cell_of(const struct bson_iter *it, struct render_cell *cell);

/* ms since the Unix epoch as "YYYY-MM-DD HH:MM:SS" (UTC, proleptic
 * Gregorian); buf holds at least 32 bytes. Returns the length. */
size_t render_datetime(int64_t ms, char *buf, size_t size);

/* The value of the current element of it as relaxed Extended JSON (what
 * bson_to_json prints for it inside a document). 0, or -ENOMEM when a
 * large scalar could not be copied to be printed. */
int render_value_json(const struct bson_iter *it, render_sink_fn sink, void *ctx);

/* A record as one JSON line (render -j). */
void render_json_line(const uint8_t *doc, render_sink_fn sink, void *ctx);

struct render_table {
	render_sink_fn sink;
	void *ctx;
	uint8_t *rows[RENDER_WINDOW];	/* copies of the window's records */
	unsigned count;
	/* The columns of the last header printed, each name NUL-terminated
	 * (NULL before the first), so that a window with the same columns
	 * goes without one. */
	char *header;
	size_t header_size;
};

void render_table_init(struct render_table *t, render_sink_fn sink, void *ctx);
/* Keeps a copy of doc (a valid document) in the window and prints the
 * window when that fills it. 0, or -ENOMEM (nothing kept). */
int render_table_add(struct render_table *t, const uint8_t *doc);
/* Prints the records the window holds, if any, and empties it. 0, or
 * -ENOMEM (the window is emptied all the same). */
int render_table_flush(struct render_table *t);
/* Frees what the table holds, without printing. */
void render_table_free(struct render_table *t);

#endif
