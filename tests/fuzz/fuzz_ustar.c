/* libFuzzer target for lib/ustar (the initrd reader): for any bytes, every
 * member the reader returns lies inside the archive, a malformed one stops
 * it with a reason, and it always ends. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/ustar.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ustar_reader r;
	struct ustar_entry e;
	const char *error;
	int rc;

	ustar_open(&r, data, size);
	for (unsigned n = 0; (rc = ustar_next(&r, &e)) == 1; n++) {
		CHECK(n <= size / 512);			/* each member takes a header */
		CHECK(e.size <= size);
		CHECK(e.size == 0 || (e.data >= data && e.data + e.size <= data + size));
	}
	CHECK(rc == 0 || (rc < 0 && r.error));
	rc = ustar_find(data, size, "bin/init", &e, &error);
	CHECK(rc == 0 || rc == 1 || (rc < 0 && error));
	return 0;
}
