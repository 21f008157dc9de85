/* Reference-counted kernel objects. Every resource that outlives a single
 * call (address spaces, threads, processes, channels, files) embeds a kobj
 * and is released by its type's destroy() when the last reference goes.
 *
 * Two counts (DESIGN "Contracts"): `refs` keeps the memory alive; `handles`
 * says whether any process can still reach the object. When handles drops
 * to zero the type's on_zero_handles() runs (a channel tells its peer); when
 * refs drops to zero, destroy(). Every handle also holds a reference. */
#ifndef CORE_KOBJ_H
#define CORE_KOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"

struct kobj;
struct bson_builder;
struct message;
struct kobj_reply;
struct wait_queue;

struct kobj_type {
	const char *name;
	void (*destroy)(struct kobj *obj);		/* required */
	void (*on_zero_handles)(struct kobj *obj);	/* optional */
	/* Optional: a handle was closed and others remain (a channel endpoint
	 * checks whether only queued messages hold it now). */
	void (*on_handle_closed)(struct kobj *obj);

	/* For the wait syscall (optional): the object's SIGNAL_* state now,
	 * and the queue woken whenever it changes. */
	uint32_t (*signals)(struct kobj *obj);
	struct wait_queue *(*signal_queue)(struct kobj *obj);

	/* Objects implemented in the kernel answer requests (optional): req
	 * is a validated request that came through a handle with `rights`
	 * (checked here, once); the object may take the handles it carries.
	 * The answer's fields are appended to reply->doc, a document begun
	 * for it, and a handle may go with it (kobj_reply_attach). Returns 0,
	 * or a negative error, which the caller turns into an error reply
	 * (dropping anything attached). */
	int (*call)(struct kobj *obj, uint32_t rights, struct message *req,
		    struct kobj_reply *reply);
	/* Bytes the reply to req may need (optional; KOBJ_REPLY_DEFAULT
	 * without it), for objects whose answers carry data, such as a file's
	 * read. At most PANDA_MSG_MAX. */
	uint32_t (*reply_size)(struct kobj *obj, const struct message *req);

	/* Objects that produce messages for recv (optional): the next one, if
	 * it fits max_size and max_handles (else -ETOOSMALL with *need_size
	 * and *need_handles set, and it stays), waiting until deadline unless
	 * nonblock. unreceive() puts a message back at the head when handing
	 * it to the caller failed. */
	int (*recv)(struct kobj *obj, uint32_t max_size, uint32_t max_handles, bool nonblock,
		    uint64_t deadline, struct message **out, uint32_t *need_size,
		    uint32_t *need_handles);
	void (*unreceive)(struct kobj *obj, struct message *m);
};

/* Room in a kernel object's reply when its type does not say. */
#define KOBJ_REPLY_DEFAULT	256u
/* Handles a kernel object's reply can carry (an open's new handle). */
#define KOBJ_REPLY_HANDLES	1u

/* A reply being built by a call op: its document, and its message for
 * handles (kobj_reply_attach in object/message.h). */
struct kobj_reply {
	struct bson_builder *doc;
	struct message *msg;
};

struct kobj {
	const struct kobj_type *type;
	uint32_t refs;
	uint32_t handles;
};

/* Starts with one reference, owned by the caller, and no handles. */
void kobj_init(struct kobj *obj, const struct kobj_type *type);
struct kobj *kobj_get(struct kobj *obj);
/* A reference, unless the last one is already gone (destroy is running or
 * about to): for finding objects on a list that holds no reference, whose
 * destroy takes them off it under the lock the finder holds. */
bool kobj_get_unless_zero(struct kobj *obj);
/* Drops a reference; destroys the object when it was the last. NULL is
 * accepted, so a put can sit in a cleanup guard. */
void kobj_put(struct kobj *obj);

/* A handle on the object: one more handle and one more reference. */
void kobj_handle_open(struct kobj *obj);
void kobj_handle_close(struct kobj *obj);

DEFINE_FREE(kobj_put, struct kobj *, kobj_put(_T))

#define kobj_of(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif
