/* hexdump: bytes in the canonical layout of `hexdump -C`: per 16 bytes the
 * offset, the bytes in hex (two groups of eight) and as |ascii| ('.' for
 * what is not printable), then a line with the total length. A line equal
 * to the one before is shown as one "*" for the whole run (-v shows every
 * line). The files named are dumped as one stream, a request
 * (PANDA_IO_MAX) at a time; with no operand the input is: a text record as
 * its text and a newline, any other record as its BSON bytes. */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"

#define LINE	16			/* bytes per line */

static const struct panda_command cmd = {
	"hexdump", "hexdump [-v] [FILE]...",
	"Shows the bytes of the FILEs, one stream, as hexdump -C does: offset,\n"
	"16 bytes in hex, the same as |text|, and last the total length; a run\n"
	"of lines equal to the one before is one \"*\" unless -v is given. With\n"
	"no FILE it shows the input: a text record as its text and a newline,\n"
	"any other record as its BSON bytes.\n",
	"v",
};

/* The stream so far: a line collects until it is full. */
struct dump {
	uint64_t offset;		/* of line[0] */
	uint8_t line[LINE];
	size_t fill;
	uint8_t last[LINE];		/* the last full line printed */
	bool have_last;
	bool squeezing;			/* "*" printed for lines equal to last */
};

static bool verbose;			/* -v: no "*" */
static uint8_t buf[PANDA_IO_MAX];

/* "00000000  68 65 6c 6c 6f 0a" padded to the ascii column, " |hello.|". */
static void print_line(const uint8_t *p, size_t n, uint64_t offset)
{
	char s[96];
	size_t at = (size_t)snprintf(s, sizeof(s), "%08llx  ", (unsigned long long)offset);

	for (size_t i = 0; i < LINE; i++) {
		if (i < n)
			at += (size_t)snprintf(s + at, sizeof(s) - at, "%02x ", p[i]);
		else
			at += (size_t)snprintf(s + at, sizeof(s) - at, "   ");
		if (i == LINE / 2 - 1)
			s[at++] = ' ';
	}
	s[at++] = ' ';
	s[at++] = '|';
	for (size_t i = 0; i < n; i++)
		s[at++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	s[at++] = '|';
	s[at++] = '\n';
	out_write(s, at);
}

static void full_line(struct dump *d)
{
	if (!verbose && d->have_last && !memcmp(d->line, d->last, LINE)) {
		if (!d->squeezing)
			out_write("*\n", 2);
		d->squeezing = true;
	} else {
		print_line(d->line, LINE, d->offset);
		memcpy(d->last, d->line, LINE);
		d->have_last = true;
		d->squeezing = false;
	}
	d->offset += LINE;
	d->fill = 0;
}

static void dump_bytes(struct dump *d, const uint8_t *p, size_t n)
{
	while (n) {
		size_t take = LINE - d->fill < n ? LINE - d->fill : n;

		memcpy(d->line + d->fill, p, take);
		d->fill += take;
		p += take;
		n -= take;
		if (d->fill == LINE)
			full_line(d);
	}
}

/* The last, partial line and the total; nothing at all for no bytes, as
 * hexdump -C does. */
static void dump_end(struct dump *d)
{
	if (d->fill)
		print_line(d->line, d->fill, d->offset);
	if (d->offset + d->fill)
		printf("%08llx\n", (unsigned long long)(d->offset + d->fill));
}

static int dump_file(struct dump *d, const char *path)
{
	long f = panda_open_path(path, OPEN_READ);
	long n;

	if (f < 0)
		return complain("hexdump", path, (int)f);
	while ((n = panda_read((panda_handle_t)f, buf, sizeof(buf))) > 0)
		dump_bytes(d, buf, (size_t)n);
	panda_close((panda_handle_t)f);
	return n < 0 ? complain("hexdump", path, (int)n) : 0;
}

static int dump_input(struct dump *d)
{
	const uint8_t *record;

	while ((record = in_next())) {
		uint32_t len;
		const char *text = record_text(record, &len);

		if (text) {
			dump_bytes(d, (const uint8_t *)text, len);
			dump_bytes(d, (const uint8_t *)"\n", 1);
		} else {
			dump_bytes(d, record, bson_doc_length(record));
		}
	}
	return in_error() ? complain("hexdump", "input", in_error()) : 0;
}

int main(int argc, char **argv)
{
	struct dump d = { 0 };
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	verbose = flags & PANDA_FLAG('v');
	int status = 0;
	if (i == argc)
		status = dump_input(&d);
	for (; i < argc; i++)
		status |= dump_file(&d, argv[i]);
	dump_end(&d);
	return status;
}
