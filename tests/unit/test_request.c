/* Request decoding (kernel/object/request.c): found by
 * tests/fuzz/fuzz_request, a symbol or JavaScript-code element was taken
 * for a string ({"op": Symbol("read")} was a read), though request.h
 * promises -EINVAL for any other type. */
#include "unit.h"

#include "lib/bson.h"
#include "lib/errors.h"
#include "object/request.h"

static uint8_t buf[256];

/* {"op": "read" as a string, symbol or code, "path": the same}. */
static struct message request(int kind)
{
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	for (int i = 0; i < 2; i++) {
		const char *key = i ? "path" : "op";
		if (kind == 0)
			bson_append_cstr(&b, key, "read");
		else if (kind == 1)
			bson_append_symbol(&b, key, "read", 4);
		else
			bson_append_code(&b, key, "read", 4);
	}
	bson_build_finish(&b);
	return (struct message){ .size = bson_doc_length(buf), .data = buf };
}

TEST(test_a_string_field_must_be_a_string)
{
	static const struct request_op ops[] = { { "write", 0 }, { "read", 0 } };
	const char *s;
	const uint8_t *d;
	uint32_t len;

	struct message m = request(0);
	CHECK(request_op_index(&m, REQUEST_OPS(ops), 0) == 1);
	CHECK(request_string(&m, "path", &s, &len) == 1 && len == 4);
	CHECK(request_bytes(&m, "path", &d, &len) == 1 && len == 4);
	for (int kind = 1; kind <= 2; kind++) {
		m = request(kind);
		CHECK(request_op(&m, &len) == NULL);
		CHECK(request_op_index(&m, REQUEST_OPS(ops), 0) == -EINVAL);
		CHECK(request_string(&m, "path", &s, &len) == -EINVAL);
		CHECK(request_bytes(&m, "path", &d, &len) == -EINVAL);
	}
}


/* The op table declares each op's rights: a handle without one of them
 * is refused before the object runs; an unknown op is -ENOSYS whatever
 * the rights. */
TEST(test_an_op_needs_the_rights_its_table_declares)
{
	static const struct request_op ops[] = { { "stat", 0 }, { "read", 1u << 0 | 1u << 2 } };
	static const struct request_op other[] = { { "write", 1u << 1 } };

	struct message m = request(0);
	CHECK(request_op_index(&m, REQUEST_OPS(ops), 1u << 0 | 1u << 2) == 1);
	CHECK(request_op_index(&m, REQUEST_OPS(ops), 1u << 0 | 1u << 2 | 1u << 5) == 1);
	CHECK(request_op_index(&m, REQUEST_OPS(ops), 1u << 0) == -EACCES);
	CHECK(request_op_index(&m, REQUEST_OPS(ops), 0) == -EACCES);
	CHECK(request_op_index(&m, REQUEST_OPS(other), 0) == -ENOSYS);
}
