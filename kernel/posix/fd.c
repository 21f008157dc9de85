/* The descriptor table: fd numbers to open file descriptions, with the
 * close-on-exec flag, lowest free number first as POSIX requires. It
 * grows by doubling up to POSIX_FD_MAX; its memory is charged to the
 * process's tree. */
#include "posix/internal.h"

#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"

#define FDS_FIRST	16u

static size_t table_bytes(unsigned cap)
{
	return cap * sizeof(struct posix_fd);
}

int posix_fds_init(struct posix_fds *t, struct quota *quota)
{
	*t = (struct posix_fds){ .lock = SPINLOCK_INIT("posix fds") };
	if (quota_charge(quota, QUOTA_KMEM, table_bytes(FDS_FIRST)) < 0)
		return -ENOMEM;
	t->fd = kmalloc(table_bytes(FDS_FIRST));
	if (!t->fd) {
		quota_uncharge(quota, QUOTA_KMEM, table_bytes(FDS_FIRST));
		return -ENOMEM;
	}
	t->cap = FDS_FIRST;
	return 0;
}

void posix_fds_destroy(struct posix_fds *t, struct quota *quota)
{
	for (unsigned i = 0; i < t->cap; i++)
		if (t->fd[i].file)
			posix_file_put(t->fd[i].file);
	kfree(t->fd);
	if (t->cap)
		quota_uncharge(quota, QUOTA_KMEM, table_bytes(t->cap));
	*t = (struct posix_fds){ 0 };
}

int posix_fd_get(struct posix_fds *t, int fd, struct posix_file **out)
{
	guard(spinlock)(&t->lock);
	if (fd < 0 || (unsigned)fd >= t->cap || !t->fd[fd].file)
		return -LINUX_EBADF;
	*out = posix_file_get(t->fd[fd].file);
	return 0;
}

/* Makes room for fd `want` (< POSIX_FD_MAX): 0 or -ENOMEM. Called without
 * the lock (it allocates); another thread may have grown it meanwhile. */
static int grow(struct posix_fds *t, struct quota *quota, unsigned want)
{
	unsigned cap;
	{
		guard(spinlock)(&t->lock);
		cap = t->cap;
	}
	if (want < cap)
		return 0;
	while (cap <= want)
		cap *= 2;
	if (cap > POSIX_FD_MAX)
		cap = POSIX_FD_MAX;
	if (quota_charge(quota, QUOTA_KMEM, table_bytes(cap)) < 0)
		return -ENOMEM;
	struct posix_fd *bigger = kmalloc(table_bytes(cap));
	if (!bigger) {
		quota_uncharge(quota, QUOTA_KMEM, table_bytes(cap));
		return -ENOMEM;
	}
	struct posix_fd *old;
	unsigned old_cap;
	{
		guard(spinlock)(&t->lock);
		old = t->fd;
		old_cap = t->cap;
		if (old_cap >= cap) {		/* someone else grew it */
			old = bigger;
		} else {
			memcpy(bigger, t->fd, table_bytes(t->cap));
			t->fd = bigger;
			t->cap = cap;
		}
	}
	kfree(old);
	quota_uncharge(quota, QUOTA_KMEM, table_bytes(old == bigger ? cap : old_cap));
	return 0;
}

int posix_fd_install(struct posix_fds *t, struct quota *quota, struct posix_file *f,
		     bool cloexec, int min)
{
	if (min < 0 || min >= POSIX_FD_MAX) {
		posix_file_put(f);
		return -EINVAL;
	}
	for (;;) {
		unsigned cap;
		{
			guard(spinlock)(&t->lock);
			for (unsigned i = (unsigned)min; i < t->cap; i++) {
				if (!t->fd[i].file) {
					t->fd[i] = (struct posix_fd){ f, cloexec };
					return (int)i;
				}
			}
			cap = t->cap > (unsigned)min ? t->cap : (unsigned)min;
		}
		if (cap >= POSIX_FD_MAX) {
			posix_file_put(f);
			return -EMFILE;
		}
		int rc = grow(t, quota, cap);
		if (rc < 0) {
			posix_file_put(f);
			return rc;
		}
	}
}

int posix_fd_install_at(struct posix_fds *t, struct quota *quota, struct posix_file *f,
			bool cloexec, int fd)
{
	if (fd < 0 || fd >= POSIX_FD_MAX) {
		posix_file_put(f);
		return -LINUX_EBADF;
	}
	int rc = grow(t, quota, (unsigned)fd);
	if (rc < 0) {
		posix_file_put(f);
		return rc;
	}
	struct posix_file *old;
	{
		guard(spinlock)(&t->lock);
		old = t->fd[fd].file;
		t->fd[fd] = (struct posix_fd){ f, cloexec };
	}
	if (old)
		posix_file_put(old);
	return fd;
}

int posix_fd_close(struct posix_fds *t, int fd)
{
	struct posix_file *f;
	{
		guard(spinlock)(&t->lock);
		if (fd < 0 || (unsigned)fd >= t->cap || !t->fd[fd].file)
			return -LINUX_EBADF;
		f = t->fd[fd].file;
		t->fd[fd] = (struct posix_fd){ 0 };
	}
	posix_file_put(f);
	return 0;
}

int posix_fd_cloexec(struct posix_fds *t, int fd, int set)
{
	guard(spinlock)(&t->lock);
	if (fd < 0 || (unsigned)fd >= t->cap || !t->fd[fd].file)
		return -LINUX_EBADF;
	if (set >= 0)
		t->fd[fd].cloexec = set;
	return t->fd[fd].cloexec;
}

int posix_fds_copy(struct posix_fds *dst, struct posix_fds *src, struct quota *quota)
{
	*dst = (struct posix_fds){ .lock = SPINLOCK_INIT("posix fds") };
	for (;;) {
		unsigned cap;
		{
			guard(spinlock)(&src->lock);
			cap = src->cap;
		}
		if (quota_charge(quota, QUOTA_KMEM, table_bytes(cap)) < 0)
			return -EDQUOT;
		struct posix_fd *fd = kmalloc(table_bytes(cap));
		if (!fd) {
			quota_uncharge(quota, QUOTA_KMEM, table_bytes(cap));
			return -ENOMEM;
		}
		{
			guard(spinlock)(&src->lock);
			if (src->cap == cap) {
				for (unsigned i = 0; i < cap; i++) {
					fd[i] = src->fd[i];
					if (fd[i].file)
						posix_file_get(fd[i].file);
				}
				dst->fd = fd;
				dst->cap = cap;
				return 0;
			}
		}
		kfree(fd);		/* it grew meanwhile: again at its new size */
		quota_uncharge(quota, QUOTA_KMEM, table_bytes(cap));
	}
}

void posix_fds_close_on_exec(struct posix_fds *t)
{
	for (unsigned i = 0;; i++) {
		struct posix_file *f = NULL;
		{
			guard(spinlock)(&t->lock);
			if (i >= t->cap)
				return;
			if (t->fd[i].file && t->fd[i].cloexec) {
				f = t->fd[i].file;
				t->fd[i] = (struct posix_fd){ 0 };
			}
		}
		if (f)
			posix_file_put(f);
	}
}
