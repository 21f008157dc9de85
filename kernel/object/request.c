#include "object/request.h"

#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"

/* A string element's bytes, or NULL. bson_iter_utf8 also gives the bytes
 * of a symbol or of JavaScript code; a request's strings are strings. */
static const char *string_of(const struct bson_iter *it, uint32_t *len)
{
	return it->type == BSON_STRING ? bson_iter_utf8(it, len) : NULL;
}

const char *request_op(const struct message *req, uint32_t *len)
{
	struct bson_iter it;

	if (!bson_find(req->data, "op", &it))
		return NULL;
	return string_of(&it, len);
}

bool request_op_is(const char *op, uint32_t len, const char *name)
{
	/* The first byte tells most names apart before strlen runs. */
	return len && op[0] == name[0] && strlen(name) == len && memcmp(op, name, len) == 0;
}

int request_op_index(const struct message *req, const struct request_op *ops, unsigned count,
		     uint32_t rights)
{
	uint32_t len;
	const char *op = request_op(req, &len);

	if (!op)
		return -EINVAL;
	for (unsigned i = 0; i < count; i++)
		if (request_op_is(op, len, ops[i].name))
			return (ops[i].rights & ~rights) ? -EACCES : (int)i;
	return -ENOSYS;
}

int request_int(const struct message *req, const char *key, int64_t *v)
{
	struct bson_iter it;

	if (!bson_find(req->data, key, &it))
		return 0;
	return bson_iter_integer(&it, v) ? 1 : -EINVAL;
}

int request_string(const struct message *req, const char *key, const char **s, uint32_t *len)
{
	struct bson_iter it;

	if (!bson_find(req->data, key, &it))
		return 0;
	*s = string_of(&it, len);
	return *s ? 1 : -EINVAL;
}

int request_bytes(const struct message *req, const char *key, const uint8_t **data,
		  uint32_t *len)
{
	struct bson_iter it;
	uint8_t subtype;

	if (!bson_find(req->data, key, &it))
		return 0;
	*data = bson_iter_binary(&it, len, &subtype);
	if (!*data)
		*data = (const uint8_t *)string_of(&it, len);
	return *data ? 1 : -EINVAL;
}
