/* libFuzzer target for lib/cmdline (the kernel command line): for any
 * text, parsing ends, a refusal says where, and every argument's key and
 * value are strings inside the parser's own copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline cl;
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (!cmdline_parse(&cl, line))
		CHECK(cl.error && cl.error_pos <= strlen(line));
	CHECK(cl.count <= CMDLINE_MAX_ARGS);
	for (size_t i = 0; i < cl.count; i++) {
		CHECK(cl.args[i].key >= cl.text && cl.args[i].key < cl.text + sizeof(cl.text));
		CHECK(strlen(cl.args[i].key) < sizeof(cl.text));
		CHECK(cmdline_get(&cl, cl.args[i].key) != NULL);
	}
	free(line);
	return 0;
}
