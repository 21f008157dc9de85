/* Waiting on many descriptors: poll, ppoll, select and pselect6, on the
 * scheduler's wait on several queues (as the native `wait` is). Each
 * description kind says what holds now and which queues wake it
 * (posix_file_ops.poll); a kind without one is always ready, as a regular
 * file is. Nothing interrupts a wait but its deadline or a kill: signal
 * masks are accepted and, as everywhere in part 1, not enforced. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "sched/sched.h"
#include "sched/wait.h"

#define NS_PER_MS	1000000ull
#define NS_PER_US	1000ull
#define NS_PER_S	1000000000ull

#define ALWAYS_READY	(LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM)
#define ALWAYS_REPORTED	(LINUX_POLLERR | LINUX_POLLHUP | LINUX_POLLNVAL)

/* One descriptor being waited on. */
struct polled {
	struct posix_file *file;	/* a reference; NULL for fd < 0 or a bad fd */
	struct wait_queue *queue[POSIX_POLL_QUEUES];
	struct waiter waiter[POSIX_POLL_QUEUES];
};

static void release(struct polled *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < POSIX_POLL_QUEUES; j++)
			if (e[i].queue[j])
				wait_queue_remove(e[i].queue[j], &e[i].waiter[j]);
		if (e[i].file)
			posix_file_put(e[i].file);
	}
}

/* Fills every revents and puts our waiters on the queues that can change
 * them. Interrupts are off (between sched_block_prepare and the block). */
static unsigned check(struct linux_pollfd *fds, struct polled *e, unsigned n)
{
	unsigned ready = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t got;
		if (!e[i].file) {
			got = fds[i].fd < 0 ? 0 : LINUX_POLLNVAL;
		} else if (e[i].file->ops->poll) {
			struct wait_queue *q[POSIX_POLL_QUEUES] = { NULL };
			got = e[i].file->ops->poll(e[i].file, q);
			for (unsigned j = 0; j < POSIX_POLL_QUEUES; j++) {
				if (!q[j])
					continue;
				e[i].queue[j] = q[j];
				wait_queue_add(q[j], &e[i].waiter[j]);
			}
		} else {
			got = ALWAYS_READY;
		}
		fds[i].revents = (int16_t)(got & ((uint16_t)fds[i].events | ALWAYS_REPORTED));
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* Waits until an entry of fds is ready or the deadline (UINT64_MAX: none,
 * 0: just look): how many are, 0 at the deadline, or -EINTR for a kill. */
static long poll_many(struct posix_call *c, struct linux_pollfd *fds, unsigned n,
		      uint64_t deadline)
{
	struct thread *t = current_thread();
	struct polled *e __free(kfree) = kmalloc(n ? n * sizeof(*e) : 1);
	long rc;

	if (!e)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < POSIX_POLL_QUEUES; j++) {
			e[i].waiter[j] = (struct waiter){ .thread = t };
			list_init(&e[i].waiter[j].link);
		}
		if (fds[i].fd >= 0 && posix_fd_get(&c->pp->fds, fds[i].fd, &e[i].file) < 0)
			e[i].file = NULL;
	}
	for (;;) {
		irq_state_t irq = arch_irq_save();
		sched_block_prepare(deadline);
		unsigned ready = check(fds, e, n);
		if (ready || t->killed || deadline == 0 || arch_clock_ns() >= deadline) {
			sched_block_cancel();
			arch_irq_restore(irq);
			rc = ready ? (long)ready : t->killed ? -LINUX_EINTR : 0;
			break;
		}
		arch_irq_restore(irq);
		sched_block();
	}
	release(e, n);
	return rc;
}

/* The deadline a relative timeout of ns gives (UINT64_MAX: never). */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = arch_clock_ns();

	return ns >= UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + ns;
}

/* A timespec's deadline, or UINT64_MAX for a NULL one; -EINVAL or -EFAULT
 * for a bad one. */
static long timespec_deadline(uint64_t va, uint64_t *deadline)
{
	struct linux_timespec ts;

	if (!va) {
		*deadline = UINT64_MAX;
		return 0;
	}
	if (copy_from_user(&ts, user_ptr(va), sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS_PER_S)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec > UINT64_MAX / 2 / NS_PER_S ? UINT64_MAX / 2 :
		(uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	*deadline = ns == 0 ? 0 : deadline_after(ns);
	return 0;
}

/* What is left until the deadline, written back as Linux does. */
static void timespec_left(uint64_t va, uint64_t deadline)
{
	uint64_t now = arch_clock_ns(), left = deadline > now ? deadline - now : 0;
	struct linux_timespec ts = { (int64_t)(left / NS_PER_S), (int64_t)(left % NS_PER_S) };

	if (va && deadline != UINT64_MAX)
		(void)copy_to_user(user_ptr(va), &ts, sizeof(ts));
}

/* A signal mask's size must be Linux's (8 bytes) when one is given. */
static bool mask_ok(uint64_t mask_va, uint64_t size)
{
	return !mask_va || size == sizeof(uint64_t);
}

static long poll_user(struct posix_call *c, uint64_t fds_va, uint64_t nfds, uint64_t deadline)
{
	if (nfds > POSIX_FD_MAX)
		return -EINVAL;
	unsigned n = (unsigned)nfds;
	struct linux_pollfd *fds __free(kfree) = kmalloc(n ? n * sizeof(*fds) : 1);
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(fds, user_ptr(fds_va), n * sizeof(*fds)) < 0)
		return -EFAULT;
	long rc = poll_many(c, fds, n, deadline);
	if (rc >= 0 && copy_to_user(user_ptr(fds_va), fds, n * sizeof(*fds)) < 0)
		return -EFAULT;
	return rc;
}

POSIX_CALL(poll)
{
	int32_t ms = (int32_t)a2;

	return poll_user(c, a0, a1, ms < 0 ? UINT64_MAX : ms == 0 ? 0 :
				    deadline_after((uint64_t)ms * NS_PER_MS));
}

POSIX_CALL(ppoll)
{
	uint64_t deadline;
	long rc = timespec_deadline(a2, &deadline);

	if (rc < 0)
		return rc;
	if (!mask_ok(a3, a4))
		return -EINVAL;
	rc = poll_user(c, a0, a1, deadline);
	timespec_left(a2, deadline);
	return rc;
}

/* --- select: descriptor sets over the same wait -------------------------- */

#define SET_WORDS	(LINUX_FD_SETSIZE / 64)

struct fd_sets {
	uint64_t in[SET_WORDS], out[SET_WORDS], ex[SET_WORDS];
};

static bool is_set(const uint64_t *set, unsigned fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

static long copy_set_in(uint64_t *set, uint64_t va, unsigned nfds)
{
	memset(set, 0, SET_WORDS * sizeof(uint64_t));
	return va ? copy_from_user(set, user_ptr(va), (nfds + 63) / 64 * 8) : 0;
}

static long copy_set_out(const uint64_t *set, uint64_t va, unsigned nfds)
{
	return va ? copy_to_user(user_ptr(va), set, (nfds + 63) / 64 * 8) : 0;
}

/* select's sets as a poll over the descriptors in any of them, the sets
 * then keeping only what is ready: the count of bits left, or an error
 * (EBADF for a set descriptor that is not open). */
static long select_sets(struct posix_call *c, uint64_t nfds, uint64_t in_va, uint64_t out_va,
			uint64_t ex_va, uint64_t deadline)
{
	if ((int64_t)(int32_t)nfds < 0)
		return -EINVAL;
	unsigned n = nfds > LINUX_FD_SETSIZE ? LINUX_FD_SETSIZE : (unsigned)nfds;
	struct fd_sets *s __free(kfree) = kmalloc(sizeof(*s));
	struct linux_pollfd *fds __free(kfree) = kmalloc(n ? n * sizeof(*fds) : 1);
	unsigned count = 0;

	if (!s || !fds)
		return -ENOMEM;
	if (copy_set_in(s->in, in_va, n) < 0 || copy_set_in(s->out, out_va, n) < 0 ||
	    copy_set_in(s->ex, ex_va, n) < 0)
		return -EFAULT;
	for (unsigned fd = 0; fd < n; fd++) {
		int16_t ev = (int16_t)((is_set(s->in, fd) ? LINUX_POLLIN : 0) |
				       (is_set(s->out, fd) ? LINUX_POLLOUT : 0) |
				       (is_set(s->ex, fd) ? LINUX_POLLPRI : 0));
		if (ev)
			fds[count++] = (struct linux_pollfd){ .fd = (int32_t)fd, .events = ev };
	}
	long rc = poll_many(c, fds, count, deadline);
	if (rc < 0)
		return rc;
	memset(s, 0, sizeof(*s));
	long bits = 0;
	for (unsigned i = 0; i < count; i++) {
		unsigned fd = (unsigned)fds[i].fd;
		uint16_t r = (uint16_t)fds[i].revents;
		uint64_t bit = 1ull << (fd % 64);
		if (r & LINUX_POLLNVAL)
			return -LINUX_EBADF;
		if (r & (LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR) && fds[i].events & LINUX_POLLIN)
			s->in[fd / 64] |= bit, bits++;
		if (r & (LINUX_POLLOUT | LINUX_POLLERR) && fds[i].events & LINUX_POLLOUT)
			s->out[fd / 64] |= bit, bits++;
		if (r & LINUX_POLLPRI)
			s->ex[fd / 64] |= bit, bits++;
	}
	if (copy_set_out(s->in, in_va, n) < 0 || copy_set_out(s->out, out_va, n) < 0 ||
	    copy_set_out(s->ex, ex_va, n) < 0)
		return -EFAULT;
	return bits;
}

POSIX_CALL(select)
{
	uint64_t deadline = UINT64_MAX;
	struct linux_timeval tv;

	if (a4) {
		if (copy_from_user(&tv, user_ptr(a4), sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		uint64_t ns = (uint64_t)tv.tv_sec > UINT64_MAX / 2 / NS_PER_S ? UINT64_MAX / 2 :
			(uint64_t)tv.tv_sec * NS_PER_S + (uint64_t)tv.tv_usec * NS_PER_US;
		deadline = ns == 0 ? 0 : deadline_after(ns);
	}
	long rc = select_sets(c, a0, a1, a2, a3, deadline);
	if (a4 && deadline != UINT64_MAX) {
		uint64_t now = arch_clock_ns(), left = deadline > now ? deadline - now : 0;
		tv = (struct linux_timeval){ (int64_t)(left / NS_PER_S),
					     (int64_t)(left % NS_PER_S / NS_PER_US) };
		(void)copy_to_user(user_ptr(a4), &tv, sizeof(tv));
	}
	return rc;
}

POSIX_CALL(pselect6)
{
	struct { uint64_t mask_va, size; } sig = { 0, 0 };
	uint64_t deadline;
	long rc = timespec_deadline(a4, &deadline);

	if (rc < 0)
		return rc;
	if (a5 && copy_from_user(&sig, user_ptr(a5), sizeof(sig)) < 0)
		return -EFAULT;
	if (!mask_ok(sig.mask_va, sig.size))
		return -EINVAL;
	rc = select_sets(c, a0, a1, a2, a3, deadline);
	timespec_left(a4, deadline);
	return rc;
}
