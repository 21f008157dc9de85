/* libFuzzer target for lib/path (make fuzz; tools/run-tests runs it for a
 * fixed time). For any bytes: path_parse never reads outside them, every
 * component it returns is a valid name inside the input, "climbs" agrees
 * with EOUTSIDE, and path_join_clean of an accepted relative path onto "/"
 * parses to the same components. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errors.h"
#include "lib/path.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct path p, q;
	const char *path = (const char *)data;
	int rc = path_parse(path, size, &p);

	if (rc < 0) {
		CHECK(p.count == 0);
		CHECK(rc != -EOUTSIDE || path_climbs(path, size));
		return 0;
	}
	CHECK(!path_climbs(path, size));
	for (unsigned i = 0; i < p.count; i++) {
		CHECK((size_t)p.part[i].offset + p.part[i].len <= size);
		CHECK(path_name_valid(path + p.part[i].offset, p.part[i].len));
	}
	/* The same path as a C string, joined onto the root and cleaned. */
	char *text = malloc(size + 1), out[PATH_MAX_LEN + 2];
	if (!text || memchr(path, 0, size)) {
		free(text);
		return 0;
	}
	memcpy(text, path, size);
	text[size] = 0;
	int len = path_join_clean("/", text, out, sizeof(out));
	if (len >= 0 && path_parse(out, (size_t)len, &q) == 0) {
		CHECK(q.count == p.count);
		for (unsigned i = 0; i < p.count; i++)
			CHECK(q.part[i].len == p.part[i].len &&
			      memcmp(out + q.part[i].offset, path + p.part[i].offset,
				     p.part[i].len) == 0);
	}
	free(text);
	return 0;
}
