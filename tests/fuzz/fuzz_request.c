/* libFuzzer target for the decoding of requests to kernel objects
 * (kernel/object/request.c), over any document that passes the validation
 * a message gets on its way in (bson_validate, as channel_send does).
 *
 * The input is a key as a NUL-terminated string, then the document. The
 * op is looked up in the op tables of the file, directory and sysinfo
 * objects (copied here: they are static in those files).
 *
 * Promises checked: request_op gives the "op" string inside the document
 * or NULL; request_op_index agrees with request_op and request_op_is (the
 * first table entry spelled exactly so, -EINVAL without an op string,
 * -ENOSYS for an unknown one, -EACCES for a known one whose declared
 * rights the handle lacks); request_int, request_string and
 * request_bytes return 0 exactly when bson_find finds no such key, 1 with
 * a value inside the document when it has the type asked for, -EINVAL
 * otherwise. */
#include <stdlib.h>
#include <string.h>

#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "object/request.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define COUNT(a)	(sizeof(a) / sizeof((a)[0]))

static const struct request_op file_ops[] = {
	{ "read", RIGHT_READ }, { "write", RIGHT_WRITE }, { "seek", 0 }, { "stat", 0 },
	{ "truncate", RIGHT_WRITE }, { "sync", 0 },
};
static const struct request_op dir_ops[] = {
	{ "stat", RIGHT_READ }, { "open", 0 }, { "readdir", RIGHT_READ },
	{ "mkdir", RIGHT_READ | RIGHT_WRITE }, { "unlink", RIGHT_READ | RIGHT_WRITE },
	{ "rmdir", RIGHT_READ | RIGHT_WRITE }, { "rename", RIGHT_READ | RIGHT_WRITE },
	{ "statfs", RIGHT_READ },
};
static const struct request_op sysinfo_ops[] = {
	{ "processes", RIGHT_READ }, { "memory", RIGHT_READ }, { "uptime", RIGHT_READ },
	{ "open", RIGHT_READ }, { "limits", RIGHT_READ },
};
/* Rights a handle may hold, each op checked with every one of them. */
static const uint32_t rights_tried[] = { 0, RIGHT_READ, RIGHT_WRITE, RIGHT_READ | RIGHT_WRITE,
					 0xffffffffu };

static bool inside(const void *p, size_t len, const uint8_t *doc, size_t size)
{
	const uint8_t *b = p;

	return b >= doc && len <= size && (size_t)(b - doc) <= size - len;
}

static void check_ops(const struct message *req, const struct request_op *ops, unsigned count)
{
	uint32_t len = 0;
	const char *op = request_op(req, &len);

	for (unsigned r = 0; r < COUNT(rights_tried); r++) {
		int index = request_op_index(req, ops, count, rights_tried[r]);
		if (!op) {
			CHECK(index == -EINVAL);
			continue;
		}
		CHECK(inside(op, len, req->data, req->size));
		int first = -ENOSYS;
		for (unsigned i = 0; i < count && first < 0; i++)
			if (strlen(ops[i].name) == len && memcmp(op, ops[i].name, len) == 0)
				first = (int)i;
		if (first >= 0 && (ops[first].rights & ~rights_tried[r]))
			first = -EACCES;
		CHECK(index == first);
	}
	if (!op)
		return;
	for (unsigned i = 0; i < count; i++)
		CHECK(request_op_is(op, len, ops[i].name) ==
		      (strlen(ops[i].name) == len && memcmp(op, ops[i].name, len) == 0));
}

static void check_fields(const struct message *req, const char *key)
{
	struct bson_iter it;
	bool present = bson_find(req->data, key, &it);
	int64_t v;
	const char *s;
	const uint8_t *bytes;
	uint32_t len;
	int rc;

	rc = request_int(req, key, &v);
	CHECK(rc == (!present ? 0 : bson_iter_integer(&it, &v) ? 1 : -EINVAL));
	rc = request_string(req, key, &s, &len);
	CHECK(rc == (!present ? 0 : it.type == BSON_STRING ? 1 : -EINVAL));
	if (rc == 1)
		CHECK(inside(s, len, req->data, req->size) && s[len] == '\0');
	rc = request_bytes(req, key, &bytes, &len);
	CHECK(rc == (!present ? 0 : it.type == BSON_STRING || it.type == BSON_BINARY ? 1
										  : -EINVAL));
	if (rc == 1)
		CHECK(inside(bytes, len, req->data, req->size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct bson_error err;

	if (!nul)
		return 0;
	size_t doc_size = size - (size_t)(nul + 1 - data);
	uint8_t *doc = malloc(doc_size ? doc_size : 1);
	CHECK(doc);
	memcpy(doc, nul + 1, doc_size);
	if (bson_validate(doc, doc_size, BSON_MAX_DEPTH, &err) >= 0) {
		struct message req = { .size = (uint32_t)doc_size, .data = doc };
		check_ops(&req, file_ops, COUNT(file_ops));
		check_ops(&req, dir_ops, COUNT(dir_ops));
		check_ops(&req, sysinfo_ops, COUNT(sysinfo_ops));
		check_fields(&req, (const char *)data);
		check_fields(&req, "op");
	}
	free(doc);
	return 0;
}
