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
/* The index of the request's "op" in names[0..count): -EINVAL when it is
 * missing or not a string, -ENOSYS when it is none of them. */
int request_op_index(const struct message *req, const char *const *names, unsigned count);

/* Optional fields: 1 with the value set, 0 when the key is absent,
 * -EINVAL when it holds another type. Integers may be int32 or int64;
 * strings come as (pointer, length) into the request, NUL bytes and all. */
int request_int(const struct message *req, const char *key, int64_t *v);
int request_string(const struct message *req, const char *key, const char **s, uint32_t *len);
/* Binary data, or a string taken as its bytes. */
int request_bytes(const struct message *req, const char *key, const uint8_t **data,
		  uint32_t *len);

#endif
