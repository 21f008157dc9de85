/* Byte pipes (pipe, pipe2): a 64 KiB ring shared by a read description
 * and a write description, as Linux's. A read takes what is there (at
 * least one byte, waiting for it), or 0 once no writer is left; a write of
 * at most PIPE_BUF bytes goes in whole or waits, a longer one may be
 * interleaved with other writers' bytes, and a write with no reader left
 * is EPIPE and raises SIGPIPE (which ends the writer unless it ignores
 * it). O_NONBLOCK makes the
 * waits EAGAIN. The pipe's memory is charged to the tree of the process
 * that made it. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "sched/wait.h"

#define PIPE_SIZE	65536u		/* Linux's default capacity */
#define PIPE_BUF	4096u		/* writes up to this size are atomic */
#define PIPE_CHUNK	4096u		/* bytes a call moves under the lock at a time */

struct posix_pipe {
	uint32_t refs;			/* atomic: the descriptions of both ends */
	struct quota *quota;		/* pays for it (a reference) */
	struct spinlock lock;		/* guards what follows */
	uint32_t readers, writers;	/* descriptions open at each end */
	uint32_t head, len;		/* the bytes in buf: [head, head + len) mod size */
	uint8_t *buf;
	struct wait_queue readable, writable;
};

static size_t pipe_bytes(void)
{
	return sizeof(struct posix_pipe) + PIPE_SIZE;
}

static void pipe_put(struct posix_pipe *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	quota_uncharge(p->quota, QUOTA_KMEM, pipe_bytes());
	quota_put(p->quota);
	kfree(p->buf);
	kfree(p);
}

static struct posix_pipe *pipe_new(struct quota *quota)
{
	if (quota_charge(quota, QUOTA_KMEM, pipe_bytes()) < 0)
		return NULL;
	struct posix_pipe *p = kmalloc(sizeof(*p));
	uint8_t *buf = kmalloc_uninit(PIPE_SIZE);
	if (!p || !buf) {
		kfree(p);
		kfree(buf);
		quota_uncharge(quota, QUOTA_KMEM, pipe_bytes());
		return NULL;
	}
	*p = (struct posix_pipe){
		.refs = 0, .quota = quota_get(quota), .lock = SPINLOCK_INIT("posix pipe"),
		.buf = buf,
	};
	wait_queue_init(&p->readable);
	wait_queue_init(&p->writable);
	return p;
}

/* --- waiting ------------------------------------------------------------- */

static bool can_read(void *arg)
{
	struct posix_pipe *p = arg;
	guard(spinlock)(&p->lock);
	return p->len > 0 || p->writers == 0;
}

struct write_wait {
	struct posix_pipe *pipe;
	uint32_t room;			/* bytes of space that will do */
};

static bool can_write(void *arg)
{
	struct write_wait *w = arg;
	guard(spinlock)(&w->pipe->lock);
	return PIPE_SIZE - w->pipe->len >= w->room || w->pipe->readers == 0;
}

static long wait_result(int rc)
{
	return rc == -ECANCELED ? -LINUX_EINTR : rc;
}

/* --- reading ------------------------------------------------------------- */

/* Moves up to n bytes out of the ring into k: how many. */
static uint32_t take(struct posix_pipe *p, uint8_t *k, uint32_t n)
{
	n = n < p->len ? n : p->len;
	uint32_t first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
	memcpy(k, p->buf + p->head, first);
	memcpy(k + first, p->buf, n - first);
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	return n;
}

/* Waits until the pipe holds a byte or has no writer left: 1 when there
 * are bytes, 0 at end of file, or an error. */
static long wait_readable(struct posix_file *f)
{
	struct posix_pipe *p = f->pipe;

	for (;;) {
		{
			guard(spinlock)(&p->lock);
			if (p->len)
				return 1;
			if (p->writers == 0)
				return 0;
		}
		if (f->status & LINUX_O_NONBLOCK)
			return -EAGAIN;
		int rc = wait_event(&p->readable, can_read, p, UINT64_MAX);
		if (rc < 0)
			return wait_result(rc);
	}
}

static long pipe_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	struct posix_pipe *p = f->pipe;
	size_t want = len < PIPE_SIZE ? len : PIPE_SIZE, done = 0;
	uint8_t k[256];

	if (at)
		return -LINUX_ESPIPE;
	if (len == 0)
		return 0;
	/* The destination gets its frames first, so that bytes taken out of
	 * the ring are never lost to a failed copy. */
	int rc = user_prefault_write(buf, want);
	if (rc < 0)
		return rc;
	while (done == 0) {
		long ready = wait_readable(f);
		if (ready <= 0)
			return ready;
		/* Another reader may have emptied it since: then wait again. */
		while (done < want) {
			uint32_t n;
			{
				guard(spinlock)(&p->lock);
				n = take(p, k, (uint32_t)(want - done < sizeof(k) ? want - done :
									    sizeof(k)));
			}
			if (n == 0)
				break;
			if (copy_to_user((uint8_t __user *)buf + done, k, n) < 0)
				return done ? (long)done : -EFAULT;
			done += n;
		}
	}
	wait_queue_wake_all(&p->writable, 0);
	return (long)done;
}

/* --- writing ------------------------------------------------------------- */

static void put(struct posix_pipe *p, const uint8_t *k, uint32_t n)
{
	uint32_t tail = (p->head + p->len) % PIPE_SIZE;
	uint32_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
	memcpy(p->buf + tail, k, first);
	memcpy(p->buf, k + first, n - first);
	p->len += n;
}

/* Writes n bytes of k: each pass waits for room (all n at once when n is
 * at most PIPE_BUF, else any), then puts what fits. */
static long write_bytes(struct posix_file *f, const uint8_t *k, uint32_t n, bool atomic)
{
	struct posix_pipe *p = f->pipe;
	uint32_t done = 0;

	while (done < n) {
		uint32_t fit;
		{
			guard(spinlock)(&p->lock);
			if (p->readers == 0)
				return -EPIPE;
			uint32_t room = PIPE_SIZE - p->len, need = atomic ? n - done : 1;
			fit = room >= need ? (room < n - done ? room : n - done) : 0;
			if (fit)
				put(p, k + done, fit);
		}
		if (fit) {
			done += fit;
			wait_queue_wake_all(&p->readable, 0);
			continue;
		}
		if (f->status & LINUX_O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		struct write_wait w = { p, atomic ? n - done : 1 };
		int rc = wait_event(&p->writable, can_write, &w, UINT64_MAX);
		if (rc < 0)
			return done ? (long)done : wait_result(rc);
	}
	return (long)done;
}

static long pipe_write(struct posix_file *f, const void __user *buf, size_t len,
		       const uint64_t *at)
{
	uint8_t *k __free(kfree) = kmalloc_uninit(PIPE_CHUNK);
	size_t done = 0;

	if (at)
		return -LINUX_ESPIPE;
	if (!k)
		return -ENOMEM;
	while (done < len) {
		uint32_t n = len - done < PIPE_CHUNK ? (uint32_t)(len - done) : PIPE_CHUNK;
		if (copy_from_user(k, (const uint8_t __user *)buf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		long put_n = write_bytes(f, k, n, len <= PIPE_BUF);
		if (put_n < 0)
			return done ? (long)done : posix_epipe(put_n);
		done += (size_t)put_n;
		if ((uint32_t)put_n < n)
			break;
	}
	return (long)done;
}

static long pipe_write_kernel(struct posix_file *f, const void *buf, size_t len)
{
	uint32_t n = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
	long put_n = write_bytes(f, buf, n, len <= PIPE_BUF);

	return put_n < 0 ? posix_epipe(put_n) : put_n;
}

/* --- the rest of a description ------------------------------------------ */

static int pipe_stat(struct posix_file *f, struct vfs_stat *st)
{
	*st = (struct vfs_stat){ .type = VFS_FILE, .nlink = 1 };
	return 0;
}

static long pipe_ioctl(struct posix_file *f, unsigned cmd, uint64_t arg)
{
	if (cmd != LINUX_FIONREAD)
		return -LINUX_ENOTTY;
	int32_t n;
	{
		guard(spinlock)(&f->pipe->lock);
		n = (int32_t)f->pipe->len;
	}
	return copy_to_user(user_ptr(arg), &n, sizeof(n));
}

/* The last description of an end closes it: readers then see end of
 * file, writers EPIPE. */
static void pipe_release(struct posix_file *f)
{
	struct posix_pipe *p = f->pipe;
	bool reader = (f->status & LINUX_O_ACCMODE) == LINUX_O_RDONLY;

	{
		guard(spinlock)(&p->lock);
		if (reader)
			p->readers--;
		else
			p->writers--;
	}
	wait_queue_wake_all(reader ? &p->writable : &p->readable, 0);
	pipe_put(p);
}

/* Readable with a byte in it; hung up once no writer is left. */
static uint32_t pipe_read_poll(struct posix_file *f, struct wait_queue **q)
{
	struct posix_pipe *p = f->pipe;
	guard(spinlock)(&p->lock);

	q[0] = &p->readable;
	return (p->len ? LINUX_POLLIN | LINUX_POLLRDNORM : 0) | (p->writers ? 0 : LINUX_POLLHUP);
}

/* Writable with room for a byte; an error once no reader is left. */
static uint32_t pipe_write_poll(struct posix_file *f, struct wait_queue **q)
{
	struct posix_pipe *p = f->pipe;
	guard(spinlock)(&p->lock);

	q[0] = &p->writable;
	return (p->len < PIPE_SIZE ? LINUX_POLLOUT | LINUX_POLLWRNORM : 0) |
	       (p->readers ? 0 : LINUX_POLLERR);
}

const struct posix_file_ops posix_pipe_read_ops = {
	.name = "pipe", .read = pipe_read, .stat = pipe_stat, .mode = LINUX_S_IFIFO | 0600,
	.ioctl = pipe_ioctl, .poll = pipe_read_poll, .release = pipe_release,
};

const struct posix_file_ops posix_pipe_write_ops = {
	.name = "pipe", .write = pipe_write, .write_kernel = pipe_write_kernel,
	.stat = pipe_stat, .mode = LINUX_S_IFIFO | 0600, .ioctl = pipe_ioctl,
	.poll = pipe_write_poll, .release = pipe_release,
};

/* One end of p as a description, or NULL without memory. */
static struct posix_file *pipe_end(struct posix_pipe *p, bool writer, uint32_t nonblock,
				   struct quota *quota)
{
	struct posix_file *f = posix_file_new(writer ? &posix_pipe_write_ops : &posix_pipe_read_ops,
					      NULL, 0, (writer ? LINUX_O_WRONLY : LINUX_O_RDONLY) |
					      nonblock, quota);
	if (!f)
		return NULL;
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
	f->pipe = p;
	guard(spinlock)(&p->lock);
	if (writer)
		p->writers++;
	else
		p->readers++;
	return f;
}

static long make_pipe(struct posix_call *c, uint64_t fds_va, uint64_t flags)
{
	struct quota *quota = current_thread()->proc->quota;
	bool cloexec = flags & LINUX_O_CLOEXEC;
	uint32_t nonblock = flags & LINUX_O_NONBLOCK;

	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
		return -EINVAL;		/* O_DIRECT (packet mode) and O_NOTIFICATION_PIPE */
	struct posix_pipe *p = pipe_new(quota);
	if (!p)
		return -ENOMEM;
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);	/* held until both ends exist */
	struct posix_file *r = pipe_end(p, false, nonblock, quota);
	struct posix_file *w = r ? pipe_end(p, true, nonblock, quota) : NULL;
	pipe_put(p);
	if (!w) {
		if (r)
			posix_file_put(r);
		return -ENOMEM;
	}
	int fds[2];
	fds[0] = posix_fd_install(&c->pp->fds, quota, r, cloexec, 0);
	if (fds[0] < 0) {
		posix_file_put(w);
		return fds[0];
	}
	fds[1] = posix_fd_install(&c->pp->fds, quota, w, cloexec, 0);
	if (fds[1] < 0) {
		posix_fd_close(&c->pp->fds, fds[0]);
		return fds[1];
	}
	if (copy_to_user(user_ptr(fds_va), fds, sizeof(fds)) < 0) {
		posix_fd_close(&c->pp->fds, fds[0]);
		posix_fd_close(&c->pp->fds, fds[1]);
		return -EFAULT;
	}
	return 0;
}

POSIX_CALL(pipe)
{
	return make_pipe(c, a0, 0);
}

POSIX_CALL(pipe2)
{
	return make_pipe(c, a0, a1);
}
