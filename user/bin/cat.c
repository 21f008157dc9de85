/* cat: each file's bytes to standard output as text, cut into one text
 * record per line; with no operand (or the operand "-") the input's records
 * pass through unchanged, so cat also works in the middle of a pipeline.
 * Files are read a request at a time (PANDA_IO_MAX), never whole. */
#include "panda.h"

static const struct panda_command cmd = {
	"cat", "cat [FILE]...",
	"Writes each FILE to standard output as text, a record per line. With\n"
	"no FILE, or for the FILE \"-\", copies the input's records to the\n"
	"output unchanged (text or data), so cat may stand anywhere in a\n"
	"pipeline.\n",
	NULL,
};

static char buf[PANDA_IO_MAX];

static int cat_file(const char *path)
{
	long f = panda_open_path(path, OPEN_READ);
	long n;

	if (f < 0)
		return complain("cat", path, (int)f);
	while ((n = panda_read((panda_handle_t)f, buf, sizeof(buf))) > 0)
		out_write(buf, (size_t)n);
	panda_close((panda_handle_t)f);
	return n < 0 ? complain("cat", path, (int)n) : 0;
}

static int cat_input(void)
{
	const uint8_t *record;

	out_flush();		/* a file's unfinished last line goes first */
	while ((record = in_next())) {
		int rc = out_record(record);

		if (rc < 0)
			return complain("cat", "output", rc);
	}
	return in_error() ? complain("cat", "input", in_error()) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	if (i == argc)
		return cat_input();
	int status = 0;
	for (; i < argc; i++)
		status |= strcmp(argv[i], "-") ? cat_file(argv[i]) : cat_input();
	return status;
}
