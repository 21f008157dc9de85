#include "object/answer.h"

#include "lib/bson.h"
#include "lib/errors.h"
#include "object/message.h"

static uint32_t reply_room(struct kobj *obj, const struct message *req)
{
	return obj->type->reply_size ? obj->type->reply_size(obj, req) : KOBJ_REPLY_DEFAULT;
}

/* Runs obj's answer op into a fresh reply of room bytes charged to q:
 * the op's status in *status, and the reply (with any handle the object
 * attached; on an error, none), or NULL without memory, past q's limits
 * or when the object overflowed it (*status says why). */
static inline __attribute__((always_inline)) struct message *
answer(struct kobj *obj, struct message *req, struct kobj_send *s,
			      uint32_t room, int *status)
{
	struct message *reply = message_alloc(room, KOBJ_REPLY_HANDLES);
	struct bson_builder b;
	struct kobj_reply r = { .doc = &b, .msg = reply };

	*status = -ENOMEM;
	if (!reply)
		return NULL;
	*status = message_charge(reply, s->quota);
	if (*status < 0) {
		message_free(reply);
		return NULL;
	}
	bson_build_init(&b, reply->data, room);
	*status = obj->type->answer(obj, s->rights, req, &r);
	if (*status < 0) {
		for (uint32_t i = 0; i < reply->handle_count; i++)
			kobj_handle_close(reply->objs[i]);
		reply->handle_count = 0;
		return reply;
	}
	reply->size = (uint32_t)bson_build_finish(&b);
	if (!reply->size) {		/* an object overflowed its reply */
		message_free(reply);
		*status = -ENOMEM;
		return NULL;
	}
	return reply;
}

int kobj_answer_send(struct kobj *obj, struct message *req, struct kobj_send *s)
{
	int status;
	struct message *reply = answer(obj, req, s, reply_room(obj, req), &status);

	message_free(reply);
	message_free(req);
	return status;
}

int kobj_answer_call(struct kobj *obj, struct message *req, struct kobj_send *s,
		     struct message **out)
{
	struct message *m __free(message_free) = req;
	uint32_t room = reply_room(obj, m);
	int rc = s->prepare(s, m, room);

	if (rc < 0)
		return rc;
	struct message *reply = answer(obj, m, s, room, &rc);
	if (!reply)
		return rc;
	if (rc < 0) {
		struct bson_builder b;
		bson_build_init(&b, reply->data, room);
		bson_append_cstr(&b, "error", error_name(rc));
		bson_append_int32(&b, "code", rc);
		reply->size = (uint32_t)bson_build_finish(&b);
		if (!reply->size) {
			message_free(reply);
			return -ENOMEM;
		}
	}
	reply->txid = m->txid;
	*out = reply;
	return 0;
}
