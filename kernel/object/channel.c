#include "object/channel.h"

#include "core/panic.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "sched/sched.h"

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
	/* Guarded by inflight_lock (below): */
	uint32_t inflight;		/* its handles inside messages on queues */
	uint8_t gc_state;		/* a collection's scratch: GC_* */
	uint32_t gc_refs;		/* queued references not yet explained */
	struct list_node gc_link;	/* on one of a collection's lists */
};

/* A caller waiting for its reply. */
struct call_slot {
	struct list_node link;
	uint32_t txid;
	struct message *reply;
};

static struct kcache *endpoint_cache;	/* set once at boot */
static uint64_t endpoints_alive;	/* atomic */

/* Guards every endpoint's `inflight` and gc_* fields, and the queues'
 * messages that carry endpoints (see "in-flight handles" below). Lock
 * order: inflight_lock, then a channel's lock. Only messages that carry
 * endpoints take it. */
static struct spinlock inflight_lock = SPINLOCK_INIT("in-flight endpoints");

static void collect_from(struct endpoint *ep, struct list_node *dead);
static void collect_from_carried(const struct message *m, struct list_node *dead);
static void inflight_forget(struct list_node *messages);

/* Frees the messages on list, closing the handles they carry. Closing one
 * may free another endpoint's queue, and so on down a chain of channels
 * queued inside channels: called from there, this would recurse once per
 * link and overflow the kernel stack. So the outermost call on a thread
 * frees, and nested ones hand their messages to it. */
static void free_messages(struct list_node *list)
{
	struct thread *t = current_thread();
	struct list_node pending;

	if (t->freeing) {
		list_splice_tail(list, t->freeing);
		return;
	}
	list_init(&pending);
	list_splice_tail(list, &pending);
	t->freeing = &pending;
	while (!list_empty(&pending)) {
		struct message *m = list_entry(pending.next, struct message, link);
		list_del(&m->link);
		message_free(m);
	}
	t->freeing = NULL;
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
	spin_assert_held(&ep->ch->lock);
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
	KASSERT(ep->inflight == 0);	/* each queued handle holds a reference */
	/* Closing the handles they carry may destroy other endpoints: no
	 * lock may be held. */
	inflight_forget(&queue);
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
	inflight_forget(&queue);
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

/* The handles left the sender's table, and its charge with them: until
 * it is received, a message on its way to an endpoint and what it carries
 * are the sender's tree's to pay for (docs/memory.md, "Quotas"). (A
 * request to a kernel object lives only as long as the call, as any
 * kernel memory a system call uses while it runs: it is not charged.) */
static int endpoint_send(struct kobj *obj, struct message *m, struct kobj_send *s);
static int endpoint_call(struct kobj *obj, struct message *m, struct kobj_send *s,
			 struct message **reply);
static bool endpoint_refuses_handle(struct kobj *obj, struct kobj *carried);
static void endpoint_handle_closed(struct kobj *obj);

const struct kobj_type endpoint_type = {
	.name = "channel endpoint",
	.destroy = endpoint_destroy,
	.on_zero_handles = endpoint_zero_handles,
	.on_handle_closed = endpoint_handle_closed,
	.signals = endpoint_signals,
	.signal_queue = endpoint_signal_queue,
	.send = endpoint_send,
	.call = endpoint_call,
	.refuses_handle = endpoint_refuses_handle,
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
	ep->inflight = 0;
	ep->gc_state = 0;
	list_init(&ep->gc_link);
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

/* True when carried is obj or its peer. */
static bool endpoint_refuses_handle(struct kobj *obj, struct kobj *carried)
{
	struct endpoint *ep = endpoint_of(obj);
	guard(spinlock)(&ep->ch->lock);

	return carried == &ep->obj || (ep->peer && carried == &ep->peer->obj);
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

static bool carries_endpoints(const struct message *m);
static void inflight_count(const struct message *m, int delta);

/* Puts m on ep's peer's queue: 0, or 1 when the queue is full (m stays
 * the caller's); either way *dest is the peer, with a reference. -EPIPE
 * when it is gone or closed. */
static int queue_on_peer(struct endpoint *ep, struct message *m, struct endpoint **dest)
{
	guard(spinlock)(&ep->ch->lock);
	struct endpoint *d = ep->peer;

	if (!d || d->closed)
		return -EPIPE;
	*dest = endpoint_of(kobj_get(&d->obj));
	if (d->queued == PANDA_QUEUE_MAX)
		return 1;
	list_add_tail(&d->queue, &m->link);
	d->queued++;
	return 0;
}

/* Queues m on the peer, waiting for room unless nonblock. Consumes m. */
static int enqueue(struct endpoint *ep, struct message *m, bool nonblock)
{
	bool carrier = carries_endpoints(m);

	for (;;) {
		struct endpoint *dest;
		struct list_node dead;
		int rc;

		list_init(&dead);
		if (carrier) {
			/* The message and the counts of what it carries enter
			 * together, as the collector sees them. An endpoint whose
			 * last handle outside queues this was may have closed a
			 * loop. */
			guard(spinlock)(&inflight_lock);
			rc = queue_on_peer(ep, m, &dest);
			if (rc == 0) {
				inflight_count(m, 1);
				collect_from_carried(m, &dead);
			}
		} else {
			rc = queue_on_peer(ep, m, &dest);
		}
		if (rc < 0) {
			message_free(m);
			return rc;
		}
		if (rc == 0) {
			notify(dest);
			peer_put(dest);
			free_messages(&dead);
			return 0;
		}
		rc = nonblock ? -EAGAIN : wait_event(&dest->changed, has_room, dest, UINT64_MAX);
		peer_put(dest);
		if (rc < 0) {
			message_free(m);
			return rc;
		}
	}
}

/* The message left the sender's table with its handles, and their charge
 * with them: until it is received, a message on its way to an endpoint and
 * what it carries are the sender's tree's to pay for (docs/memory.md,
 * "Quotas"). (A request to a kernel object lives only as long as the call,
 * as any kernel memory a system call uses while it runs: it is not
 * charged.) */
static int endpoint_send(struct kobj *obj, struct message *m, struct kobj_send *s)
{
	struct endpoint *ep = endpoint_of(obj);
	int rc = message_charge(m, s->quota);

	if (rc < 0) {
		message_free(m);
		return rc;
	}
	return m->txid ? deliver_reply(ep, m) : enqueue(ep, m, s->nonblock);
}

/* --- recv ------------------------------------------------------------- */

static bool recv_ready(void *arg)
{
	struct endpoint *ep = arg;
	guard(spinlock)(&ep->ch->lock);

	return ep->queued || ep->closed || !ep->peer || ep->peer->closed;
}

/* What take_head found besides a message or an error. */
#define TAKE_NOTHING	1	/* nothing queued yet */
#define TAKE_CARRIER	2	/* the next one carries endpoints: take inflight_lock */

/* Takes the next message off ep's queue if it fits. A message carrying
 * endpoints leaves only under inflight_lock (`counted`): the collector
 * must never see it queued while its receiver already has it. */
static int take_head(struct endpoint *ep, uint32_t max_size, uint32_t max_handles, bool counted,
		     struct message **out, bool *was_full, struct endpoint **writer,
		     uint32_t *need_size, uint32_t *need_handles)
{
	guard(spinlock)(&ep->ch->lock);

	if (!ep->queued) {
		if (ep->closed)
			return -ECANCELED;
		if (!ep->peer || ep->peer->closed)
			return -EPIPE;	/* drained: end of stream */
		return TAKE_NOTHING;
	}
	struct message *m = list_entry(ep->queue.next, struct message, link);
	if (m->size > max_size || m->handle_count > max_handles) {
		*need_size = m->size;
		*need_handles = m->handle_count;
		return -ETOOSMALL;
	}
	if (!counted && carries_endpoints(m))
		return TAKE_CARRIER;
	list_del(&m->link);
	if (counted)
		inflight_count(m, -1);
	*was_full = ep->queued-- == PANDA_QUEUE_MAX;
	if (*was_full)
		*writer = peer_get(ep);
	*out = m;
	return 0;
}

int endpoint_recv(struct endpoint *ep, uint32_t max_size, uint32_t max_handles, bool nonblock,
		  uint64_t deadline, struct message **out, uint32_t *need_size,
		  uint32_t *need_handles)
{
	for (;;) {
		struct message *m = NULL;
		struct endpoint *writer = NULL;
		bool was_full = false;
		int rc = take_head(ep, max_size, max_handles, false, &m, &was_full, &writer,
				   need_size, need_handles);

		if (rc == TAKE_CARRIER) {
			guard(spinlock)(&inflight_lock);
			rc = take_head(ep, max_size, max_handles, true, &m, &was_full, &writer,
				       need_size, need_handles);
		}
		if (rc < 0)
			return rc;
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
		if (nonblock)
			return -EAGAIN;
		rc = wait_event(&ep->changed, recv_ready, ep, deadline);
		if (rc < 0)
			return rc;
	}
}

/* Puts m back at the head of ep's queue unless ep is closed. */
static bool requeue(struct endpoint *ep, struct message *m)
{
	guard(spinlock)(&ep->ch->lock);

	if (ep->closed)
		return false;
	list_insert_before(ep->queue.next, &m->link);
	ep->queued++;
	return true;
}

void endpoint_unreceive(struct endpoint *ep, struct message *m)
{
	struct list_node dead;

	list_init(&dead);
	if (carries_endpoints(m)) {
		guard(spinlock)(&inflight_lock);
		if (requeue(ep, m)) {
			inflight_count(m, 1);
			collect_from_carried(m, &dead);
			m = NULL;
		}
	} else if (requeue(ep, m)) {
		m = NULL;
	}
	message_free(m);
	free_messages(&dead);
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

static int endpoint_call(struct kobj *obj, struct message *m, struct kobj_send *s,
			 struct message **reply)
{
	struct endpoint *ep = endpoint_of(obj);
	struct call_slot slot = { .reply = NULL };
	struct call_wait w = { ep, &slot };
	int rc = message_charge(m, s->quota);

	if (rc < 0) {
		message_free(m);
		return rc;
	}

	{
		guard(spinlock)(&ep->ch->lock);
		do
			slot.txid = ++ep->next_txid;
		while (slot.txid == 0);
		list_add_tail(&ep->calls, &slot.link);
	}
	m->txid = slot.txid;
	rc = enqueue(ep, m, false);
	if (rc == 0)
		rc = wait_event(&ep->changed, reply_ready, &w, s->deadline);
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

/* --- in-flight handles and the cycle collector ---------------------------
 *
 * A message queued on an endpoint holds handles, and those can name other
 * endpoints with queues of their own: A's end queued on B, B's end queued
 * on A, and neither is in any process. Nobody can ever receive either
 * queue, yet each keeps the other alive. Like Linux's collector for
 * in-flight SCM_RIGHTS descriptors (net/unix/garbage.c), we count, for
 * every endpoint, how many of its handles sit in queued messages
 * (`inflight`). An endpoint whose every handle is queued is a candidate;
 * a candidate is reachable when a queue outside the candidates holds it,
 * or a reachable candidate's queue does. The other candidates are garbage:
 * their queues are dropped, which closes the handles in them, and so every
 * garbage endpoint reaches zero handles and goes.
 *
 * Garbage is never left standing: a collection runs whenever an endpoint
 * becomes a candidate (its last handle outside queues is sent, put back
 * on a queue, or closed), so before that every candidate was reachable.
 * Only this endpoint E lost a holder, so what is garbage now is E and the
 * candidates reached from E's queue, and nothing else: a candidate held
 * from outside them was reachable by a way that does not pass through E.
 * The collection walks just that part, not every endpoint in flight: one
 * process's channels inside channels cost nobody else, and a chain of
 * channels built link by link costs one step per link. A handle anywhere
 * but a queue (a table, a message being sent or received, a reply, a
 * message a thread is freeing) counts in `handles` but not in `inflight`,
 * so its endpoint is no candidate. Messages carrying endpoints enter and
 * leave queues only under inflight_lock (a closed endpoint's queue, which
 * the collector never reads, is forgotten just after), so a collection
 * sees queues and counts that agree. */

enum { GC_NONE, GC_MEMBER, GC_REACHABLE };

static bool carries_endpoints(const struct message *m)
{
	for (uint32_t i = 0; i < m->handle_count; i++)
		if (m->objs[i]->type == &endpoint_type)
			return true;
	return false;
}

/* m's endpoints gained (delta 1) or lost (-1) a queued handle each.
 * Caller holds inflight_lock. Stores are sequentially consistent: the
 * close hook reads `inflight` without the lock after lowering `handles`,
 * and one of the two sides must see the other's change. */
static void inflight_count(const struct message *m, int delta)
{
	spin_assert_held(&inflight_lock);
	for (uint32_t i = 0; i < m->handle_count; i++) {
		if (m->objs[i]->type != &endpoint_type)
			continue;
		struct endpoint *x = endpoint_of(m->objs[i]);
		KASSERT(delta > 0 || x->inflight > 0);
		__atomic_store_n(&x->inflight, x->inflight + (uint32_t)delta, __ATOMIC_SEQ_CST);
	}
}

/* Messages that have left a queue no longer hold their endpoints there. */
static void inflight_forget(struct list_node *messages)
{
	bool any = false;

	list_for_each(pos, messages)
		any = any || carries_endpoints(list_entry(pos, struct message, link));
	if (!any)
		return;
	guard(spinlock)(&inflight_lock);
	list_for_each(pos, messages)
		inflight_count(list_entry(pos, struct message, link), -1);
}

/* Every handle to ep is in a queued message. Caller holds inflight_lock. */
static bool only_in_flight(struct endpoint *ep)
{
	spin_assert_held(&inflight_lock);
	return ep->inflight &&
	       __atomic_load_n(&ep->obj.handles, __ATOMIC_SEQ_CST) == ep->inflight;
}

/* Calls fn on each endpoint carried by a message queued on ep. Caller
 * holds inflight_lock, so those endpoints stay (each handle a reference). */
static void for_each_queued_endpoint(struct endpoint *ep, void (*fn)(struct endpoint *, void *),
				     void *arg)
{
	spin_assert_held(&inflight_lock);
	guard(spinlock)(&ep->ch->lock);

	list_for_each(pos, &ep->queue) {
		struct message *m = list_entry(pos, struct message, link);
		for (uint32_t i = 0; i < m->handle_count; i++)
			if (m->objs[i]->type == &endpoint_type)
				fn(endpoint_of(m->objs[i]), arg);
	}
}

/* A candidate joins the collection once, with all its queued handles
 * still to be explained; its queue is walked later. */
static void take(struct endpoint *x, struct list_node *unwalked)
{
	if (x->gc_state != GC_NONE || !only_in_flight(x))
		return;
	x->gc_state = GC_MEMBER;
	x->gc_refs = x->inflight;
	list_add_tail(unwalked, &x->gc_link);
}

/* x sits in a member's queue: that handle is explained. */
static void take_and_explain(struct endpoint *x, void *unwalked)
{
	take(x, unwalked);
	if (x->gc_state == GC_MEMBER) {
		KASSERT(x->gc_refs > 0);
		x->gc_refs--;
	}
}

static void mark_reachable(struct endpoint *x, void *worklist)
{
	if (x->gc_state != GC_MEMBER)
		return;
	x->gc_state = GC_REACHABLE;
	list_del(&x->gc_link);
	list_add_tail(worklist, &x->gc_link);
}

static void gc_lists_reset(struct list_node *list)
{
	while (!list_empty(list)) {
		struct endpoint *e = list_entry(list->next, struct endpoint, gc_link);
		e->gc_state = GC_NONE;
		list_del(&e->gc_link);
	}
}

/* Finds the garbage among the candidates on *unwalked and those their
 * queues lead to, and moves its queues to *dead (which must be empty).
 * Caller holds inflight_lock. */
static void collect(struct list_node *unwalked, struct list_node *dead)
{
	struct list_node members, worklist, reachable;

	spin_assert_held(&inflight_lock);
	KASSERT(list_empty(dead));	/* every message on it is uncounted below */
	list_init(&members);
	list_init(&worklist);
	list_init(&reachable);
	while (!list_empty(unwalked)) {
		struct endpoint *e = list_entry(unwalked->next, struct endpoint, gc_link);
		list_del(&e->gc_link);
		list_add_tail(&members, &e->gc_link);
		for_each_queued_endpoint(e, take_and_explain, unwalked);
	}
	/* A handle left unexplained is in a queue outside the members. */
	for (struct list_node *pos = members.next, *next; pos != &members; pos = next) {
		next = pos->next;
		struct endpoint *e = list_entry(pos, struct endpoint, gc_link);
		if (e->gc_refs)
			mark_reachable(e, &worklist);
	}
	while (!list_empty(&worklist)) {
		struct endpoint *r = list_entry(worklist.next, struct endpoint, gc_link);
		list_del(&r->gc_link);
		list_add_tail(&reachable, &r->gc_link);
		for_each_queued_endpoint(r, mark_reachable, &worklist);
	}
	list_for_each(pos, &members) {
		struct endpoint *g = list_entry(pos, struct endpoint, gc_link);
		guard(spinlock)(&g->ch->lock);
		list_splice_tail(&g->queue, dead);
		g->queued = 0;
	}
	list_for_each(pos, dead)
		inflight_count(list_entry(pos, struct message, link), -1);
	gc_lists_reset(&members);
	gc_lists_reset(&reachable);
}

/* ep may just have become a candidate: moves to *dead (empty) the queues
 * of what is garbage now. Caller holds inflight_lock and a reference. */
static void collect_from(struct endpoint *ep, struct list_node *dead)
{
	struct list_node unwalked;

	list_init(&unwalked);
	take(ep, &unwalked);
	collect(&unwalked, dead);
}

/* m was just queued: as collect_from, for every endpoint it carries. */
static void collect_from_carried(const struct message *m, struct list_node *dead)
{
	struct list_node unwalked;

	list_init(&unwalked);
	for (uint32_t i = 0; i < m->handle_count; i++)
		if (m->objs[i]->type == &endpoint_type)
			take(endpoint_of(m->objs[i]), &unwalked);
	collect(&unwalked, dead);
}

/* Only queued messages may hold ep now: it may be garbage. Frees
 * what is, before the close returns. */
static void endpoint_handle_closed(struct kobj *obj)
{
	struct endpoint *ep = endpoint_of(obj);
	struct list_node dead;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t n = __atomic_load_n(&ep->inflight, __ATOMIC_SEQ_CST);
	if (!n || __atomic_load_n(&obj->handles, __ATOMIC_SEQ_CST) != n)
		return;
	list_init(&dead);
	{
		guard(spinlock)(&inflight_lock);
		collect_from(ep, &dead);
	}
	free_messages(&dead);	/* garbage endpoints lose their last handles */
}
