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

/* Touches every element, depth first, through the accessors. */
static void walk(const uint8_t *doc, unsigned depth)
{
	struct bson_iter it, child;
	uint32_t len, t, i;
	const uint8_t *p;
	const char *s;
	uint64_t u, hi;
	int64_t v;
	uint8_t sub;

	bson_iter_init(&it, doc);
	while (bson_iter_next(&it)) {
		if (bson_iter_recurse(&it, &child) && depth < BSON_MAX_DEPTH)
			walk(it.value, depth + 1);
		bson_iter_integer(&it, &v);
		bson_iter_double_bits(&it, &u);
		bson_iter_timestamp(&it, &t, &i);
		bson_iter_decimal128(&it, &u, &hi);
		bson_iter_utf8(&it, &len);
		bson_iter_binary(&it, &len, &sub);
		bson_iter_regex(&it, &s);
		bson_iter_dbpointer(&it, &len, &p);
		if (bson_iter_code_w_scope(&it, &len, &p) && depth < BSON_MAX_DEPTH)
			walk(p, depth + 1);
	}
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
			walk(data, 1);
			print(data);
		}
		return 0;
	}
	walk(data, 1);
	print(data);
	copy = malloc(size);
	if (bson_rebuild(data, copy, size) != size || memcmp(copy, data, size) != 0)
		abort();
	free(copy);
	return 0;
}
