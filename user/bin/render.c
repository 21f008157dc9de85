/* render [-j]: the last stage of every shell pipeline, which draws its
 * records (docs/protocols.md, "records"). Text records (a "text" field)
 * are printed as lines as they come; other records as a table drawn a
 * window of up to 64 records at a time (user/lib/render.h), the window
 * ending early at the end of the stream or at a text record; with -j, as
 * one JSON line each. Output goes to the handle named "text" when the
 * startup message has one (a console or a file), else to the console. */
#include "lib/bson.h"
#include "panda.h"
#include "render.h"

static const struct panda_command cmd = {
	"render", "render [-j]",
	"Draws records: text records as lines, others as a table (columns\n"
	"aligned over up to 64 records at a time), or with -j as JSON lines.\n",
	"j",
};

/* --- output ------------------------------------------------------------ */

/* Output collects here and is written when full and whenever the input
 * has nothing more waiting, so a slow pipeline still shows each line as
 * it comes. */
static char pending[4096];
static size_t pending_len;
static panda_handle_t text_handle;	/* "text", or none: the console */
static int write_error;			/* the first write that failed */

static void flush_output(void)
{
	const char *p = pending;
	size_t left = pending_len;

	pending_len = 0;
	if (!text_handle) {
		console_write(p, left);
		return;
	}
	while (left && !write_error) {
		long n = panda_write(text_handle, p, left);
		if (n <= 0) {
			write_error = n < 0 ? (int)n : -EIO;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
}

static void output(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	while (n) {
		size_t room = sizeof(pending) - pending_len;
		size_t take = n < room ? n : room;

		memcpy(pending + pending_len, text, take);
		pending_len += take;
		text += take;
		n -= take;
		if (pending_len == sizeof(pending))
			flush_output();
	}
}

/* Whether a record is already waiting on standard input. */
static bool input_waiting(void)
{
	struct panda_wait_item item = { .handle = panda_in(), .want = SIGNAL_READABLE };

	return item.handle && panda_wait(&item, 1, PANDA_DEADLINE_POLL) > 0;
}

/* --- drawing ----------------------------------------------------------- */

/* Draws the whole input: 0, or an error. */
static int render(struct render_table *table, bool json)
{
	const uint8_t *doc;
	const char *text;
	uint32_t len;
	int rc;

	for (;;) {
		if (pending_len && !input_waiting())
			flush_output();
		if (write_error)
			return write_error;
		if (!(doc = in_next()))
			break;
		if ((text = record_text(doc, &len))) {
			if ((rc = render_table_flush(table)) < 0)
				return rc;
			output(NULL, text, len);
			output(NULL, "\n", 1);
		} else if (json) {
			render_json_line(doc, output, NULL);
		} else if ((rc = render_table_add(table, doc)) < 0) {
			return rc;
		}
	}
	if ((rc = render_table_flush(table)) < 0)
		return rc;
	flush_output();
	return write_error ? write_error : in_error();
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	struct render_table table;

	if (i < argc)
		return panda_usage_error(&cmd);
	text_handle = panda_handle_named("text");
	render_table_init(&table, output, NULL);
	int rc = render(&table, flags & PANDA_FLAG('j'));
	render_table_free(&table);
	return rc < 0 ? complain("render", NULL, rc) : 0;
}
