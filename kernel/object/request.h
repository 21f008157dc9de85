/* Reading the fields of a request to a kernel object (docs/protocols.md):
 * the document was validated on its way in, so these only look up keys
 * and check types. */
#ifndef OBJECT_REQUEST_H
#define OBJECT_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "object/message.h"

/* The request's "op", or NULL when it is missing or not a string. */
const char *request_op(const struct message *req, uint32_t *len);
/* True when op[0..len) is exactly name. */
bool request_op_is(const char *op, uint32_t len, const char *name);
/* An object's op table: each request it answers, and the rights the
 * handle must have for it (core/kobj.h, "Rights"). An entry's `rights`
 * are all of them unless a comment there says which depend on the
 * request's fields and are checked by the op. */
struct request_op {
	const char *name;
	uint32_t rights;	/* RIGHT_*: the handle needs every one */
};
#define REQUEST_OPS(table)	(table), (unsigned)(sizeof(table) / sizeof((table)[0]))

/* The index of the request's "op" in ops[0..count) (pass REQUEST_OPS(t)),
 * checked against the rights of the handle it came through: -EINVAL when
 * it is missing or not a string, -ENOSYS when it is none of them, -EACCES
 * when rights lack one the op needs. */
int request_op_index(const struct message *req, const struct request_op *ops, unsigned count,
		     uint32_t rights);

/* Optional fields: 1 with the value set, 0 when the key is absent,
 * -EINVAL when it holds another type. Integers may be int32 or int64;
 * strings come as (pointer, length) into the request, NUL bytes and all. */
int request_int(const struct message *req, const char *key, int64_t *v);
int request_string(const struct message *req, const char *key, const char **s, uint32_t *len);
/* Binary data, or a string taken as its bytes. */
int request_bytes(const struct message *req, const char *key, const uint8_t **data,
		  uint32_t *len);

#endif
