/* Reference-counted kernel objects. Every resource that outlives a single
 * call (address spaces, threads, processes, channels, files) embeds a kobj
 * and is released by its type's destroy() when the last reference goes.
 *
 * Two counts (DESIGN "Contracts"): `refs` keeps the memory alive; `handles`
 * says whether any process can still reach the object. When handles drops
 * to zero the type's on_zero_handles() runs (a channel tells its peer); when
 * refs drops to zero, destroy(). Every handle also holds a reference.
 *
 * Rights, the one rule: a request is checked in two stages, once each.
 * The syscall layer checks the right to use the handle at all for what
 * the system call does (RIGHT_SEND for send and call, RIGHT_RECV for
 * recv, RIGHT_WAIT for wait, RIGHT_DUP, RIGHT_SPAWN, ...), with no regard
 * to the object behind it. The object checks the rights of the operations
 * it defines, and it declares them in its op table (struct request_op,
 * object/request.h): request_op_index refuses with -EACCES, before the
 * object runs, an op whose rights the handle lacks. Only a right that
 * depends on the request's fields (a directory open's OPEN_WRITE, the
 * kill right of a process handle a request carries) is checked by the op
 * itself, and its table entry says so. Nothing below an op checks rights
 * again. */
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
struct kobj_send;
struct quota;
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

	/* Messages in: every message a process sends or calls with goes
	 * through these two (both or neither; without them a handle takes no
	 * messages: -EINVAL). m is a validated message from a handle that has
	 * RIGHT_SEND; the op consumes it whatever happens. send returns 0
	 * or a negative error: a channel endpoint's queues it for the peer,
	 * a kernel object's is its answer's status, the reply dropped. call
	 * gives *reply, the answer for the caller, or a negative error. An
	 * object implemented in the kernel sets both to kobj_answer_send and
	 * kobj_answer_call (object/answer.h) and says what it does in
	 * `answer`. */
	int (*send)(struct kobj *obj, struct message *m, struct kobj_send *s);
	int (*call)(struct kobj *obj, struct message *m, struct kobj_send *s,
		    struct message **reply);
	/* Optional: refuses (true) to take a message carrying `carried` (an
	 * endpoint, its own channel's ends: they would keep it alive). The
	 * send fails with -EINVAL. */
	bool (*refuses_handle)(struct kobj *obj, struct kobj *carried);

	/* An object implemented in the kernel answers a request: req came
	 * through a handle with `rights` and asks for an op the object's table
	 * allows those rights (object/request.h); the object may take the
	 * handles it carries. The answer's fields are appended to reply->doc,
	 * a document begun for it, and a handle may go with it
	 * (kobj_reply_attach). Returns 0, or a negative error: a call's
	 * caller gets {"error": NAME, "code": -N} (anything attached is
	 * dropped), a send's the error itself. */
	int (*answer)(struct kobj *obj, uint32_t rights, struct message *req,
		      struct kobj_reply *reply);
	/* Bytes the answer to req may need (optional; KOBJ_REPLY_DEFAULT
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

/* What the syscall layer hands an object's send or call op besides the
 * message: the handle's rights, the sender's tree, and for a call how the
 * reply reaches the caller. */
struct kobj_send {
	uint32_t rights;		/* of the handle; RIGHT_SEND among them */
	struct quota *quota;		/* the sender's tree: pays for what it sends */
	bool nonblock;			/* send: -EAGAIN rather than wait for room */
	uint64_t deadline;		/* call: give up waiting for the reply then */
	/* call, for an object whose reply is made in the kernel: before the
	 * object acts, stamps req with the caller's next txid and makes sure
	 * a reply of room bytes and KOBJ_REPLY_HANDLES handles can reach the
	 * caller's buffers, so an answer is never lost after the object
	 * acted (0, or why not). */
	int (*prepare)(struct kobj_send *s, struct message *req, uint32_t room);
};

/* A reply being built by an answer op: its document, and its message for
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
