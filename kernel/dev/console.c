#include "dev/console.h"

#include "core/log.h"
#include "core/panic.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "object/message.h"

static struct kobj console;

static void console_destroy(struct kobj *obj)
{
	(void)obj;
	panic("console: the console object lost its last reference");
}

/* {"op": "write", "data": string or binary} -> {"written": n} */
static int console_write(uint32_t rights, const uint8_t *doc, struct bson_builder *reply)
{
	struct bson_iter it;
	const void *data = NULL;
	uint32_t len = 0;
	uint8_t subtype;

	if (!(rights & RIGHT_WRITE))
		return -EACCES;
	if (!bson_find(doc, "data", &it))
		return -EINVAL;
	if (it.type == BSON_STRING)
		data = bson_iter_utf8(&it, &len);
	else if (it.type == BSON_BINARY)
		data = bson_iter_binary(&it, &len, &subtype);
	if (!data)
		return -EINVAL;
	log_write_text(data, len);
	bson_append_int64(reply, "written", len);
	return 0;
}

static int console_call(struct kobj *obj, uint32_t rights, struct message *req,
			struct bson_builder *reply)
{
	struct bson_iter it;
	const char *op;
	uint32_t len;

	(void)obj;
	if (!bson_find(req->data, "op", &it) || !(op = bson_iter_utf8(&it, &len)))
		return -EINVAL;
	if (len == 5 && memcmp(op, "write", 5) == 0)
		return console_write(rights, req->data, reply);
	return -ENOSYS;
}

const struct kobj_type console_type = {
	.name = "console",
	.destroy = console_destroy,
	.call = console_call,
};

struct kobj *console_object(void)
{
	if (!console.type)
		kobj_init(&console, &console_type);	/* the kernel's reference */
	return kobj_get(&console);
}
