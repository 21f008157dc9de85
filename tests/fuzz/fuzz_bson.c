/* libFuzzer target for lib/bson (make fuzz; tools/run-tests runs it for a
 * fixed time, seeded with the BSON corpus's documents). For any input:
 *
 * - bson_validate() neither crashes nor reads outside the input, and a
 *   refusal says why and where;
 * - an accepted document iterates, prints and rebuilds byte-identically
 *   through iterator and builder;
 * - one whose declared length merely fits is iterated and printed too:
 *   the iterator must stay inside the declared bounds even unvalidated.
 *
 * libFuzzer hands over a heap buffer of exactly the input's size, so ASan
 * reports any read past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bson.h"
#include "tests/unit/bson_rebuild.h"

static void discard(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	(void)text;
	(void)n;
}


static void print(const uint8_t *doc)
{
	char small[16];
	size_t n = bson_to_json(doc, discard, NULL);

	if (bson_to_json_buf(doc, small, sizeof(small)) != n || strlen(small) >= sizeof(small))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bson_error err = { 0 };
	uint8_t *copy;

	if (bson_validate(data, size, BSON_MAX_DEPTH, &err) != 0) {
		if (!err.message || err.offset > size)
			abort();
		if (size >= 4 && bson_doc_length(data) <= size) {
			bson_walk(data, 1);
			print(data);
		}
		return 0;
	}
	bson_walk(data, 1);
	print(data);
	copy = malloc(size);
	if (bson_rebuild(data, copy, size) != size || memcmp(copy, data, size) != 0)
		abort();
	free(copy);
	return 0;
}
