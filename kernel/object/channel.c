#include "object/channel.h"

#include "core/panic.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "proc/thread.h"

/* Both endpoints share one lock: a send touches the sender and its peer. */
struct channel {
	struct spinlock lock;
	unsigned ends;			/* endpoints not yet destroyed */
};

struct endpoint {
	struct kobj obj;		/* first: endpoint_of() */
	struct channel *ch;
	/* Guarded by ch->lock: */
	struct endpoint *peer;		/* NULL once the peer is destroyed */
	struct list_node queue;		/* messages from the peer */
	uint32_t queued;
	struct list_node calls;		/* callers on this endpoint awaiting replies */
	uint32_t next_txid;
	bool closed;			/* no handles left: nobody can receive */
	struct wait_queue changed;	/* woken on any change of the above */
};

/* A caller waiting for its reply. */
struct call_slot {
	struct list_node link;
	uint32_t txid;
	struct message *reply;
};

static struct kcache *endpoint_cache;
static uint64_t endpoints_alive;

static void free_messages(struct list_node *list)
{
	while (!list_empty(list)) {
		struct message *m = list_entry(list->next, struct message, link);
		list_del(&m->link);
		message_free(m);
	}
}

/* Wakes everyone waiting on ep. The caller holds a reference to ep and no
 * channel lock (waking takes the run-queue lock, after the queue's). */
static void notify(struct endpoint *ep)
{
	wait_queue_wake_all(&ep->changed, 0);
}

/* The peer with a reference, or NULL. Caller holds the lock. A peer whose
 * last reference is gone but whose destroy has not yet taken the lock to
 * unlink itself is still ep->peer: it counts as gone (its memory lasts
 * while we hold the lock, since destroy frees it only after taking it). */
static struct endpoint *peer_get(struct endpoint *ep)
{
	if (!ep->peer || !kobj_get_unless_zero(&ep->peer->obj))
		return NULL;
	return ep->peer;
}

static void peer_put(struct endpoint *peer)
{
	if (peer)
		kobj_put(&peer->obj);
}

static void endpoint_destroy(struct kobj *obj)
{
	struct endpoint *ep = endpoint_of(obj);
	struct channel *ch = ep->ch;
	struct list_node queue;
	bool last;

	list_init(&queue);
	{
		guard(spinlock)(&ch->lock);
		if (ep->peer)
			ep->peer->peer = NULL;
		list_insert_before(&ep->queue, &queue);	/* splice both lists out */
		list_del(&ep->queue);
		KASSERT(list_empty(&ep->calls));
		last = --ch->ends == 0;
	}
	/* Closing the handles they carry may destroy other endpoints: no
	 * lock may be held. */
	free_messages(&queue);
	if (last)
		kfree(ch);
	kcache_free(endpoint_cache, ep);
	__atomic_fetch_sub(&endpoints_alive, 1, __ATOMIC_RELAXED);
}

/* Nobody can receive on ep any more: its peer sees PEER_CLOSED, senders
 * get EPIPE, and what was queued for it goes now. */
static void endpoint_zero_handles(struct kobj *obj)
{
	struct endpoint *ep = endpoint_of(obj);
	struct endpoint *peer;
	struct list_node queue;

	list_init(&queue);
	{
		guard(spinlock)(&ep->ch->lock);
		ep->closed = true;
		list_insert_before(&ep->queue, &queue);
		list_del(&ep->queue);
		ep->queued = 0;
		peer = peer_get(ep);
	}
	free_messages(&queue);
	notify(ep);
	if (peer)
		notify(peer);
	peer_put(peer);
}

static uint32_t endpoint_signals(struct kobj *obj)
{
	struct endpoint *ep = endpoint_of(obj);
	guard(spinlock)(&ep->ch->lock);
	uint32_t s = 0;

	if (ep->queued)
		s |= SIGNAL_READABLE;
	if (!ep->peer || ep->peer->closed)
		s |= SIGNAL_PEER_CLOSED;
	else if (ep->peer->queued < PANDA_QUEUE_MAX)
		s |= SIGNAL_WRITABLE;
	return s;
}

static struct wait_queue *endpoint_signal_queue(struct kobj *obj)
{
	return &endpoint_of(obj)->changed;
}

static int endpoint_recv_op(struct kobj *obj, uint32_t max_size, uint32_t max_handles,
			    bool nonblock, uint64_t deadline, struct message **out,
			    uint32_t *need_size, uint32_t *need_handles)
{
	return endpoint_recv(endpoint_of(obj), max_size, max_handles, nonblock, deadline, out,
			     need_size, need_handles);
}

static void endpoint_unreceive_op(struct kobj *obj, struct message *m)
{
	endpoint_unreceive(endpoint_of(obj), m);
}

const struct kobj_type endpoint_type = {
	.name = "channel endpoint",
	.destroy = endpoint_destroy,
	.on_zero_handles = endpoint_zero_handles,
	.signals = endpoint_signals,
	.signal_queue = endpoint_signal_queue,
	.recv = endpoint_recv_op,
	.unreceive = endpoint_unreceive_op,
};

static struct endpoint *endpoint_new(struct channel *ch)
{
	if (!endpoint_cache) {
		endpoint_cache = kcache_create("endpoint", sizeof(struct endpoint));
		if (!endpoint_cache)
			return NULL;
	}
	struct endpoint *ep = kcache_alloc(endpoint_cache);
	if (!ep)
		return NULL;
	kobj_init(&ep->obj, &endpoint_type);
	ep->ch = ch;
	list_init(&ep->queue);
	list_init(&ep->calls);
	wait_queue_init(&ep->changed);
	__atomic_fetch_add(&endpoints_alive, 1, __ATOMIC_RELAXED);
	return ep;
}

int channel_create(struct kobj **a, struct kobj **b)
{
	struct channel *ch = kmalloc(sizeof(*ch));

	if (!ch)
		return -ENOMEM;
	ch->lock = (struct spinlock)SPINLOCK_INIT("channel");
	ch->ends = 2;
	struct endpoint *x = endpoint_new(ch);
	struct endpoint *y = x ? endpoint_new(ch) : NULL;
	if (!y) {
		if (x) {
			kcache_free(endpoint_cache, x);
			__atomic_fetch_sub(&endpoints_alive, 1, __ATOMIC_RELAXED);
		}
		kfree(ch);
		return -ENOMEM;
	}
	x->peer = y;
	y->peer = x;
	*a = &x->obj;
	*b = &y->obj;
	return 0;
}

bool endpoint_is_own_channel(struct endpoint *ep, struct kobj *obj)
{
	guard(spinlock)(&ep->ch->lock);

	return obj == &ep->obj || (ep->peer && obj == &ep->peer->obj);
}

uint64_t endpoint_count(void)
{
	return __atomic_load_n(&endpoints_alive, __ATOMIC_RELAXED);
}

/* --- send ------------------------------------------------------------- */

static bool has_room(void *arg)
{
	struct endpoint *dest = arg;
	guard(spinlock)(&dest->ch->lock);

	return dest->closed || dest->queued < PANDA_QUEUE_MAX || !dest->peer;
}

/* Delivers a reply to the caller waiting on ep's peer. */
static int deliver_reply(struct endpoint *ep, struct message *m)
{
	struct endpoint *caller_end = NULL;

	{
		guard(spinlock)(&ep->ch->lock);
		if (ep->peer) {
			list_for_each(pos, &ep->peer->calls) {
				struct call_slot *slot = list_entry(pos, struct call_slot, link);
				if (slot->txid == m->txid && !slot->reply) {
					slot->reply = m;
					caller_end = peer_get(ep);
					break;
				}
			}
		}
	}
	if (!caller_end) {
		message_free(m);
		return -ECANCELED;	/* the caller gave up or went away */
	}
	notify(caller_end);
	peer_put(caller_end);
	return 0;
}

/* Queues m on the peer, waiting for room unless nonblock. Consumes m. */
static int enqueue(struct endpoint *ep, struct message *m, bool nonblock)
{
	for (;;) {
		struct endpoint *dest;

		{
			guard(spinlock)(&ep->ch->lock);
			dest = ep->peer;
			if (!dest || dest->closed) {
				message_free(m);
				return -EPIPE;
			}
			if (dest->queued < PANDA_QUEUE_MAX) {
				list_add_tail(&dest->queue, &m->link);
				dest->queued++;
				kobj_get(&dest->obj);
				m = NULL;
			} else {
				kobj_get(&dest->obj);
			}
		}
		if (!m) {
			notify(dest);
			peer_put(dest);
			return 0;
		}
		int rc = nonblock ? -EAGAIN : wait_event(&dest->changed, has_room, dest, UINT64_MAX);
		peer_put(dest);
		if (rc < 0) {
			message_free(m);
			return rc;
		}
	}
}

int endpoint_send(struct endpoint *ep, struct message *m, bool nonblock)
{
	return m->txid ? deliver_reply(ep, m) : enqueue(ep, m, nonblock);
}

/* --- recv ------------------------------------------------------------- */

static bool recv_ready(void *arg)
{
	struct endpoint *ep = arg;
	guard(spinlock)(&ep->ch->lock);

	return ep->queued || ep->closed || !ep->peer || ep->peer->closed;
}

int endpoint_recv(struct endpoint *ep, uint32_t max_size, uint32_t max_handles, bool nonblock,
		  uint64_t deadline, struct message **out, uint32_t *need_size,
		  uint32_t *need_handles)
{
	for (;;) {
		struct message *m = NULL;
		struct endpoint *writer = NULL;
		bool was_full = false;
		int rc = 0;

		{
			guard(spinlock)(&ep->ch->lock);
			if (ep->queued) {
				m = list_entry(ep->queue.next, struct message, link);
				if (m->size > max_size || m->handle_count > max_handles) {
					*need_size = m->size;
					*need_handles = m->handle_count;
					return -ETOOSMALL;
				}
				list_del(&m->link);
				was_full = ep->queued-- == PANDA_QUEUE_MAX;
				if (was_full)
					writer = peer_get(ep);
			} else if (ep->closed) {
				rc = -ECANCELED;
			} else if (!ep->peer || ep->peer->closed) {
				rc = -EPIPE;	/* drained: end of stream */
			}
		}
		if (m) {
			/* A full queue got room: senders blocked on it wait on ep,
			 * and `wait` for SIGNAL_WRITABLE on the peer's handle
			 * waits on the peer's queue. Nothing else changed. */
			if (was_full) {
				notify(ep);
				if (writer)
					notify(writer);
				peer_put(writer);
			}
			*out = m;
			return 0;
		}
		if (rc)
			return rc;
		if (nonblock)
			return -EAGAIN;
		rc = wait_event(&ep->changed, recv_ready, ep, deadline);
		if (rc < 0)
			return rc;
	}
}

void endpoint_unreceive(struct endpoint *ep, struct message *m)
{
	{
		guard(spinlock)(&ep->ch->lock);
		if (!ep->closed) {
			list_insert_before(ep->queue.next, &m->link);
			ep->queued++;
			m = NULL;
		}
	}
	message_free(m);
}

/* --- call ------------------------------------------------------------- */

struct call_wait {
	struct endpoint *ep;
	struct call_slot *slot;
};

static bool reply_ready(void *arg)
{
	struct call_wait *w = arg;
	guard(spinlock)(&w->ep->ch->lock);

	return w->slot->reply || !w->ep->peer || w->ep->peer->closed;
}

int endpoint_call(struct endpoint *ep, struct message *m, uint64_t deadline,
		  struct message **reply)
{
	struct call_slot slot = { .reply = NULL };
	struct call_wait w = { ep, &slot };

	{
		guard(spinlock)(&ep->ch->lock);
		do
			slot.txid = ++ep->next_txid;
		while (slot.txid == 0);
		list_add_tail(&ep->calls, &slot.link);
	}
	m->txid = slot.txid;
	int rc = enqueue(ep, m, false);
	if (rc == 0)
		rc = wait_event(&ep->changed, reply_ready, &w, deadline);
	{
		guard(spinlock)(&ep->ch->lock);
		list_del(&slot.link);
	}
	if (slot.reply) {		/* a reply that raced a timeout still counts */
		*reply = slot.reply;
		return 0;
	}
	return rc < 0 ? rc : -EPIPE;
}
