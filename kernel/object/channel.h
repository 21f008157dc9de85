/* Channels: pairs of endpoints with bounded queues of messages. A message
 * sent on one endpoint is received on the other. A call stamps a
 * transaction id, and the reply to it goes straight to the waiting caller,
 * never through a queue (DESIGN "Contracts": send, recv, call). */
#ifndef OBJECT_CHANNEL_H
#define OBJECT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kobj.h"
#include "object/message.h"

struct endpoint;
extern const struct kobj_type endpoint_type;

static inline struct endpoint *endpoint_of(struct kobj *obj)
{
	return (struct endpoint *)obj;	/* the kobj comes first */
}

/* Two connected endpoints, each with one reference for the caller. */
int channel_create(struct kobj **a, struct kobj **b);

/* Messages reach an endpoint through its type's ops (core/kobj.h):
 *  - send queues m for the peer, charged to the sender's tree, waiting for
 *    room unless s->nonblock (then -EAGAIN). A message with a txid is a
 *    reply: it goes to the peer's caller waiting for it (-ECANCELED when
 *    none is). -EPIPE when the peer is closed; -ECANCELED when this thread
 *    is killed.
 *  - call sends m as a request and waits until s->deadline for its reply.
 *  - refuses_handle: an endpoint may not travel through its own channel
 *    (it would keep itself alive). */

/* Takes the next message, waiting until the deadline (-ETIMEDOUT) unless
 * nonblock (-EAGAIN). When it needs more than max_size bytes or
 * max_handles handles: -ETOOSMALL, *need_* set, and it stays queued.
 * -EPIPE once the queue is empty and the peer closed. */
int endpoint_recv(struct endpoint *ep, uint32_t max_size, uint32_t max_handles, bool nonblock,
		  uint64_t deadline, struct message **out, uint32_t *need_size,
		  uint32_t *need_handles);
/* Puts a received message back at the head (copying it out failed). */
void endpoint_unreceive(struct endpoint *ep, struct message *m);

/* Live endpoints, for leak tests. */
uint64_t endpoint_count(void);

#endif
