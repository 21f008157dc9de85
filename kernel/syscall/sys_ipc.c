/* System calls on handles and messages: close, dup, channel_create, send,
 * recv, call, wait (docs/syscalls.md). Each reaches the object through its
 * type's table, whatever the object is. Here, where a request enters, the
 * right to use the handle for the call is checked (RIGHT_SEND, RIGHT_RECV,
 * RIGHT_WAIT); the rights of an object's own operations are declared in
 * its op table and checked there, before it acts (core/kobj.h, "Rights"). */
#include "core/log.h"
#include "core/panic.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "object/channel.h"
#include "object/message.h"
#include "proc/process.h"
#include "syscall/syscall.h"

static struct handle_table *my_handles(void)
{
	return &current_process()->handles;
}

long sys_close(SYSCALL_ARGS)
{
	return handle_close(my_handles(), (panda_handle_t)a0);
}

long sys_dup(SYSCALL_ARGS)
{
	return handle_dup(my_handles(), (panda_handle_t)a0, (uint32_t)a1);
}

long sys_channel_create(SYSCALL_ARGS)
{
	panda_handle_t __user *uends = user_ptr(a0);
	const uint32_t rights = RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_DUP | RIGHT_TRANSFER;
	struct kobj *a, *b;
	panda_handle_t ends[2];

	int rc = channel_create(&a, &b);
	if (rc < 0)
		return rc;
	long ha = handle_insert(my_handles(), a, rights);
	long hb = ha < 0 ? ha : handle_insert(my_handles(), b, rights);
	kobj_put(a);
	kobj_put(b);
	if (hb >= 0) {
		ends[0] = (panda_handle_t)ha;
		ends[1] = (panda_handle_t)hb;
		if (copy_to_user(uends, ends, sizeof(ends)) == 0)
			return 0;
		hb = -EFAULT;
	}
	if (ha >= 0)
		handle_close(my_handles(), (panda_handle_t)ha);
	if (hb >= 0)
		handle_close(my_handles(), (panda_handle_t)hb);
	return hb;
}

/* --- messages in ---------------------------------------------------- */

/* Builds a message from the caller's panda_msg (its copy, *um, whose data
 * and handles still point into the caller). The listed handles leave
 * the caller's table first, whatever happens next (DESIGN "Contracts":
 * send); on failure the message, and with it those handles, is freed.
 * `to` is the object it goes to; self is the caller. */
static int message_in(struct process *self, const struct panda_msg *um, struct kobj *to,
		      struct message **out)
{
	panda_handle_t values[PANDA_MSG_HANDLES];
	struct handle_table *t = &self->handles;
	int rc = 0;

	if (um->handle_count > PANDA_MSG_HANDLES)
		return -E2BIG;
	if (um->handle_count &&
	    copy_from_user(values, uaddr_ptr(um->handles), um->handle_count * sizeof(values[0])))
		return -EFAULT;
	bool size_ok = um->size >= BSON_MIN_SIZE && um->size <= PANDA_MSG_MAX;
	struct message *m __free(message_free) =
		message_alloc(size_ok ? um->size : 0, um->handle_count);
	for (uint32_t i = 0; i < um->handle_count; i++) {
		struct kobj *obj;
		uint32_t rights;
		int r = handle_take(t, values[i], &obj, &rights);
		if (r < 0) {
			rc = rc ? rc : r;
			continue;
		}
		if (!m) {
			kobj_handle_close(obj);
			continue;
		}
		m->objs[m->handle_count] = obj;
		m->rights[m->handle_count++] = rights;
		if (!(rights & RIGHT_TRANSFER))
			rc = rc ? rc : -EACCES;
		else if (to->type->refuses_handle && to->type->refuses_handle(to, obj))
			rc = rc ? rc : -EINVAL;
	}
	if (!m)
		return -ENOMEM;
	if (rc)
		return rc;
	if (!size_ok)
		return um->size > PANDA_MSG_MAX ? -E2BIG : -EBADMSG;
	if (copy_from_user(m->data, uaddr_ptr(um->data), um->size))
		return -EFAULT;
	struct bson_error err;
	if (bson_validate(m->data, um->size, PANDA_DEPTH_MAX, &err) < 0) {
		log_debug("ipc: pid %u sent a bad document: %s at byte %zu\n",
			  self->pid, err.message, err.offset);
		return -EBADMSG;
	}
	*out = take_ptr(m);
	return 0;
}

/* --- messages out --------------------------------------------------- */

/* Gives m to the caller through *um (a copy of the caller's *uaddr): document,
 * handles (entering the caller's table) and sizes. On success m is
 * consumed; on failure nothing changed and the caller keeps m. With
 * *reserved (reply_prepare), m is a kernel object's reply charged to the
 * caller and its handle takes the slot kept for it, so it cannot fail;
 * *reserved is cleared when the slot is used. */
static int message_out(struct message *m, struct panda_msg *um,
		       struct panda_msg __user *uaddr, bool *reserved)
{
	struct handle_table *t = my_handles();
	panda_handle_t values[PANDA_MSG_HANDLES];
	uint32_t n = 0;
	int rc = 0;

	if (m->size > um->size || m->handle_count > um->handle_count) {
		um->size = m->size;
		um->handle_count = m->handle_count;
		um->txid = m->txid;
		rc = copy_to_user(uaddr, um, sizeof(*um));
		return rc ? rc : -ETOOSMALL;
	}
	/* A copy fails with -EFAULT, or -ENOMEM when a page of a good buffer
	 * could not be given a frame. */
	rc = copy_to_user(uaddr_ptr(um->data), m->data, m->size);
	if (rc)
		return rc;
	/* The receiver's table pays for the handles from here on. */
	bool into_reserved = reserved && *reserved && m->handle_count;
	KASSERT(!into_reserved || (m->handle_count == 1 && m->quota == current_process()->quota));
	uint32_t charged = into_reserved ? message_hand_over_handles(m)
					 : message_uncharge_handles(m);
	for (; n < m->handle_count; n++) {
		long h = into_reserved ? handle_insert_reserved(t, m->objs[n], m->rights[n])
				       : handle_insert_taken(t, m->objs[n], m->rights[n]);
		if (h < 0) {
			rc = (int)h;
			break;
		}
		values[n] = (panda_handle_t)h;
	}
	um->size = m->size;
	um->handle_count = m->handle_count;
	um->txid = m->txid;
	if (!rc && n)
		rc = copy_to_user(uaddr_ptr(um->handles), values, n * sizeof(values[0]));
	if (!rc)
		rc = copy_to_user(uaddr, um, sizeof(*um));
	if (rc) {
		/* Back out: the handles return to the message, untouched. */
		for (uint32_t i = 0; i < n; i++) {
			struct kobj *obj;
			uint32_t rights;
			handle_take(t, values[i], &obj, &rights);
		}
		message_recharge_handles(m, charged);
		if (into_reserved && n)
			*reserved = false;	/* the slot went back with the handle */
		return rc;
	}
	if (into_reserved)
		*reserved = false;
	m->handle_count = 0;		/* they live in the table now */
	message_free(m);
	return 0;
}

/* --- send, recv, call ----------------------------------------------- */

/* What send and call start with: the handle they go through (RIGHT_SEND;
 * an object that takes messages; *obj gets a reference for the caller to
 * put) and the message built from *um. */
static int outgoing(panda_handle_t h, const struct panda_msg *um, struct kobj **obj,
		    struct kobj_send *s, struct message **m)
{
	struct process *self = current_process();
	int rc = handle_get(&self->handles, h, NULL, RIGHT_SEND, obj, &s->rights);

	if (rc < 0)
		return rc;
	if (!(*obj)->type->send)
		return -EINVAL;
	s->quota = self->quota;
	return message_in(self, um, *obj, m);
}

long sys_send(SYSCALL_ARGS)
{
	const struct panda_msg __user *umsg = user_ptr(a1);
	struct panda_msg um;
	struct kobj *obj __free(kobj_put) = NULL;
	struct kobj_send s;		/* outgoing() sets rights and quota */
	struct message *m;

	if (copy_from_user(&um, umsg, sizeof(um)))
		return -EFAULT;
	int rc = outgoing((panda_handle_t)a0, &um, &obj, &s, &m);
	if (rc < 0)
		return rc;
	m->txid = um.txid;
	s.nonblock = a2 & PANDA_NONBLOCK;
	return obj->type->send(obj, m, &s);
}

long sys_recv(SYSCALL_ARGS)
{
	struct panda_msg __user *umsg = user_ptr(a1);
	struct panda_msg um;
	struct kobj *obj __free(kobj_put) = NULL;
	struct message *m = NULL;
	uint32_t need_size, need_handles;
	int rc;

	if (copy_from_user(&um, umsg, sizeof(um)))
		return -EFAULT;
	if (um.handle_count > PANDA_MSG_HANDLES)
		um.handle_count = PANDA_MSG_HANDLES;
	if (a2 & PANDA_RECV_REPLY) {
		rc = handle_get(my_handles(), (panda_handle_t)a0, NULL, RIGHT_SEND, &obj, NULL);
		if (rc < 0)
			return rc;
		m = process_take_parked(current_process(), obj, um.txid);
		if (!m)
			return -ENOENT;
		rc = message_out(m, &um, umsg, NULL);
		if (rc < 0)	/* still there: charged to the caller already */
			process_park_reply(current_process(), obj, m);
		return rc < 0 ? rc : (long)um.size;
	}
	rc = handle_get(my_handles(), (panda_handle_t)a0, NULL, RIGHT_RECV, &obj, NULL);
	if (rc < 0)
		return rc;
	if (!obj->type->recv)
		return -EINVAL;
	rc = obj->type->recv(obj, um.size, um.handle_count, a2 & PANDA_NONBLOCK, a3, &m,
			     &need_size, &need_handles);
	if (rc == -ETOOSMALL) {
		um.size = need_size;
		um.handle_count = need_handles;
		return copy_to_user(umsg, &um, sizeof(um)) ? -EFAULT : -ETOOSMALL;
	}
	if (rc < 0)
		return rc;
	rc = message_out(m, &um, umsg, NULL);
	if (rc < 0) {
		obj->type->unreceive(obj, m);
		return rc;
	}
	return um.size;
}

/* Before a kernel object acts on a call, makes sure its reply (at most
 * room bytes and KOBJ_REPLY_HANDLES handles) can reach the caller's
 * buffers: their pages get frames now and a handle slot is kept
 * (*reserved). Otherwise an object could act — create a file, advance an
 * offset, consume input — and its answer be lost for want of a page or a
 * slot; now the call fails before anything is done. */
static int reply_prepare(struct process *self, const struct panda_msg *buf, uint32_t room,
			 bool *reserved)
{
	/* The struct has a frame already: it was just read. (One the caller
	 * cannot write is its own error: -EFAULT after the object acted, as
	 * a Linux read into a read-only buffer.) */
	int rc = user_prefault_write(uaddr_ptr(buf->data), buf->size < room ? buf->size : room);

	if (rc == 0 && buf->handle_count) {
		rc = user_prefault_write(uaddr_ptr(buf->handles),
					 KOBJ_REPLY_HANDLES * sizeof(panda_handle_t));
		if (rc == 0)
			rc = handle_reserve(&self->handles);
		*reserved = rc == 0;
	}
	return rc;
}

/* A call's kobj_send, and what its prepare op needs: the caller's reply
 * buffer, and whether a handle slot is kept for the reply. */
struct call_state {
	struct kobj_send s;
	const struct panda_msg *reply_buf;
	bool reserved;
};

static int call_prepare(struct kobj_send *s, struct message *req, uint32_t room)
{
	struct call_state *c = kobj_of(s, struct call_state, s);
	struct process *self = current_process();

	{
		guard(spinlock)(&self->lock);
		do
			req->txid = ++self->next_txid;
		while (req->txid == 0);
	}
	return reply_prepare(self, c->reply_buf, room, &c->reserved);
}

long sys_call(SYSCALL_ARGS)
{
	const struct panda_msg __user *ureq = user_ptr(a1);
	struct panda_msg __user *ureply = user_ptr(a2);
	struct panda_msg req, reply_buf;
	struct kobj *obj __free(kobj_put) = NULL;
	struct message *m, *reply = NULL;
	struct call_state c;		/* outgoing() sets rights and quota */

	if (copy_from_user(&req, ureq, sizeof(req)) ||
	    copy_from_user(&reply_buf, ureply, sizeof(reply_buf)))
		return -EFAULT;
	if (reply_buf.handle_count > PANDA_MSG_HANDLES)
		reply_buf.handle_count = PANDA_MSG_HANDLES;
	int rc = outgoing((panda_handle_t)a0, &req, &obj, &c.s, &m);
	if (rc < 0)
		return rc;
	c.s.nonblock = false;
	c.s.deadline = a3;
	c.s.prepare = call_prepare;
	c.reply_buf = &reply_buf;
	c.reserved = false;
	rc = obj->type->call(obj, m, &c.s, &reply);
	if (rc < 0) {
		if (c.reserved)
			handle_unreserve(my_handles());
		return rc;
	}
	rc = message_out(reply, &reply_buf, ureply, &c.reserved);
	if (c.reserved)
		handle_unreserve(my_handles());
	if (rc == -ETOOSMALL) {
		/* Fetch it with PANDA_RECV_REPLY; past the caller's limits it
		 * goes, and the caller hears why. */
		int parked = process_park_reply(current_process(), obj, reply);
		if (parked < 0)
			rc = parked;
	} else if (rc < 0) {
		message_free(reply);	/* no buffer to put it in: it goes */
	}
	return rc < 0 ? rc : (long)reply_buf.size;
}

/* --- wait --------------------------------------------------------------- */

struct wait_entry {
	struct kobj *obj;
	struct waiter waiter;
};

static void wait_release(struct wait_entry *e, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		wait_queue_remove(e[i].obj->type->signal_queue(e[i].obj), &e[i].waiter);
		kobj_put(e[i].obj);
	}
}

/* Registers on every object, then checks them; returns how many items are
 * ready (their `got` set), 0 to sleep. Interrupts are off. */
static uint32_t wait_check(struct panda_wait_item *items, struct wait_entry *e, uint32_t n)
{
	uint32_t ready = 0;

	for (uint32_t i = 0; i < n; i++) {
		wait_queue_add(e[i].obj->type->signal_queue(e[i].obj), &e[i].waiter);
		items[i].got = e[i].obj->type->signals(e[i].obj) & items[i].want;
		ready += items[i].got != 0;
	}
	return ready;
}

long sys_wait(SYSCALL_ARGS)
{
	struct panda_wait_item __user *uitems = user_ptr(a0);
	uint64_t deadline = a2;
	uint32_t n = (uint32_t)a1;
	struct thread *t = current_thread();
	long rc = 0;

	if (a1 == 0 || a1 > PANDA_WAIT_MAX)
		return a1 ? -E2BIG : -EINVAL;
	struct panda_wait_item *items __free(kfree) = kmalloc(n * sizeof(*items));
	struct wait_entry *e __free(kfree) = kmalloc(n * sizeof(*e));
	if (!items || !e)
		return -ENOMEM;
	if (copy_from_user(items, uitems, n * sizeof(*items)))
		return -EFAULT;
	uint32_t got = 0;
	for (; got < n; got++) {
		rc = handle_get(my_handles(), items[got].handle, NULL, RIGHT_WAIT, &e[got].obj, NULL);
		if (rc == 0 && !e[got].obj->type->signals) {
			kobj_put(e[got].obj);
			rc = -EINVAL;
		}
		if (rc < 0)
			break;
		e[got].waiter = (struct waiter){ .thread = t };
		list_init(&e[got].waiter.link);
	}
	if (rc < 0) {
		wait_release(e, got);
		return rc;
	}
	for (;;) {
		irq_state_t irq = arch_irq_save();
		sched_block_prepare(deadline);
		uint32_t ready = wait_check(items, e, n);
		if (ready || t->killed || deadline == 0 || arch_clock_ns() >= deadline) {
			sched_block_cancel();
			arch_irq_restore(irq);
			rc = ready ? (long)ready : t->killed ? -ECANCELED : -ETIMEDOUT;
			break;
		}
		arch_irq_restore(irq);
		sched_block();
	}
	wait_release(e, n);
	if (rc > 0 && copy_to_user(uitems, items, n * sizeof(*items)))
		return -EFAULT;
	return rc;
}
