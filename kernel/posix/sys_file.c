/* Linux system calls on files and descriptors, mapped onto Panda's
 * directory and file objects (fs/vfs_object.h) through the descriptions of
 * file.c and stream.c. Paths resolve beneath the root handle (path.c).
 * What Panda's file systems do not have is synthesised and documented in
 * docs/posix.md: modes (directories 0755, files 0755: spawn decides by
 * content whether a file runs), one owner (root), no links but the names. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "core/kobj.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/align.h"
#include "lib/errors.h"
#include "lib/path.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/process.h"

#define FILE_MODE	0755
#define DIR_MODE	0755
#define BLOCK_SIZE	4096

/* The description fd names, released at the end of the scope. */
#define FD_OR_RETURN(var, fd)						\
	struct posix_file *var __free(posix_file_put) = NULL;		\
	do {								\
		int rc_ = posix_fd_get(&c->pp->fds, (int)(fd), &var);	\
		if (rc_ < 0)						\
			return rc_;					\
	} while (0)

static bool readable(const struct posix_file *f)
{
	return (f->status & LINUX_O_ACCMODE) != LINUX_O_WRONLY;
}

static bool writable(const struct posix_file *f)
{
	return (f->status & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
}

/* --- reading and writing -------------------------------------------------- */

/* Linux caps one transfer at 0x7ffff000 bytes, returning a short count. */
#define RW_MAX		0x7ffff000ul

static long do_read(struct posix_file *f, uint64_t buf, size_t len, const uint64_t *at)
{
	if (!readable(f))
		return -LINUX_EBADF;
	if (!f->ops->read)
		return -EINVAL;
	return f->ops->read(f, user_ptr(buf), len < RW_MAX ? len : RW_MAX, at);
}

static long do_write(struct posix_file *f, uint64_t buf, size_t len, const uint64_t *at)
{
	if (!writable(f))
		return -LINUX_EBADF;
	if (!f->ops->write)
		return -EINVAL;
	return f->ops->write(f, user_ptr(buf), len < RW_MAX ? len : RW_MAX, at);
}

POSIX_CALL(read)
{
	FD_OR_RETURN(f, a0);
	return do_read(f, a1, a2, NULL);
}

POSIX_CALL(write)
{
	FD_OR_RETURN(f, a0);
	return do_write(f, a1, a2, NULL);
}

/* pread and pwrite need a description with a position of its own to leave
 * alone: a file (ESPIPE for pipes and terminals). */
static int positional(const struct posix_file *f, int64_t off)
{
	if (!f->ops->seek || f->ops == &posix_dir_ops)
		return f->ops == &posix_dir_ops ? -EISDIR : -LINUX_ESPIPE;
	return off < 0 ? -EINVAL : 0;
}

POSIX_CALL(pread64)
{
	FD_OR_RETURN(f, a0);
	uint64_t at = a3;
	int rc = readable(f) ? positional(f, (int64_t)a3) : -LINUX_EBADF;
	return rc < 0 ? rc : do_read(f, a1, a2, &at);
}

/* On a file opened O_APPEND, Linux's pwrite appends whatever the offset
 * (a documented bug it keeps), and so does this. */
POSIX_CALL(pwrite64)
{
	FD_OR_RETURN(f, a0);
	uint64_t at = a3;
	int rc = writable(f) ? positional(f, (int64_t)a3) : -LINUX_EBADF;
	if (rc < 0)
		return rc;
	if (f->status & LINUX_O_APPEND) {
		struct vfs_stat st;
		rc = f->ops->stat(f, &st);
		if (rc < 0)
			return rc;
		at = st.size;
	}
	return do_write(f, a1, a2, &at);
}

/* readv and writev: each piece in turn, stopping at a short one; an error
 * after some bytes returns those bytes, as a single read would. */
static long vectored(struct posix_file *f, uint64_t iov_va, uint64_t count, bool writing)
{
	struct linux_iovec iov[16];
	uint64_t total = 0;
	long done = 0;

	if (count > LINUX_IOV_MAX)
		return -EINVAL;
	if (writing ? !writable(f) : !readable(f))
		return -LINUX_EBADF;
	for (uint64_t i = 0; i < count; i += ARRAY_SIZE(iov)) {
		uint64_t n = count - i < ARRAY_SIZE(iov) ? count - i : ARRAY_SIZE(iov);
		if (copy_from_user(iov, user_ptr(iov_va + i * sizeof(iov[0])), n * sizeof(iov[0])))
			return done ? done : -EFAULT;
		for (uint64_t k = 0; k < n; k++) {
			if ((int64_t)iov[k].len < 0 || (total += iov[k].len) > INT64_MAX)
				return done ? done : -EINVAL;
			if (!iov[k].len)
				continue;
			long got = writing ? do_write(f, iov[k].base, iov[k].len, NULL) :
					     do_read(f, iov[k].base, iov[k].len, NULL);
			if (got < 0)
				return done ? done : got;
			done += got;
			if ((uint64_t)got < iov[k].len)
				return done;
		}
	}
	return done;
}

POSIX_CALL(readv)
{
	FD_OR_RETURN(f, a0);
	return vectored(f, a1, a2, false);
}

POSIX_CALL(writev)
{
	FD_OR_RETURN(f, a0);
	return vectored(f, a1, a2, true);
}

POSIX_CALL(lseek)
{
	FD_OR_RETURN(f, a0);
	if (!f->ops->seek)
		return -LINUX_ESPIPE;
	return f->ops->seek(f, (int64_t)a1, (int)a2);
}

/* sendfile copies through the kernel a chunk at a time: from a file at
 * *offset (or its position) to any writable descriptor. */
POSIX_CALL(sendfile)
{
	FD_OR_RETURN(out, a0);
	FD_OR_RETURN(in, a1);
	uint8_t *buf __free(kfree) = kmalloc(BLOCK_SIZE);
	uint64_t pos = 0, done = 0, len = a3 < RW_MAX ? a3 : RW_MAX;

	if (!readable(in) || !writable(out))
		return -LINUX_EBADF;
	if (!out->ops->write_kernel)
		return -EINVAL;
	if (in->ops != &posix_vfs_file_ops)
		return -EINVAL;
	if (a2 && copy_from_user(&pos, user_ptr(a2), sizeof(pos)) < 0)
		return -EFAULT;
	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done < BLOCK_SIZE ? len - done : BLOCK_SIZE;
		long got = vfs_file_read(in->obj, buf, n, a2 ? &pos : NULL);
		if (got <= 0) {
			if (got < 0 && !done)
				return got;
			break;
		}
		long put = out->ops->write_kernel ? out->ops->write_kernel(out, buf, (size_t)got) :
						    -EINVAL;
		if (put < 0) {
			if (!done)
				return put;
			break;
		}
		done += (uint64_t)put;
		if (a2)
			pos += (uint64_t)put;
		if (put < got)
			break;
	}
	if (a2 && copy_to_user(user_ptr(a2), &pos, sizeof(pos)) < 0)
		return -EFAULT;
	return (long)done;
}

/* --- opening and closing ------------------------------------------------- */

struct open_ctx {
	struct posix_proc *pp;
	const struct posix_path *where;
	uint32_t status;		/* O_ACCMODE | O_APPEND | O_NONBLOCK */
	bool cloexec;
	int fd;				/* the result */
};

/* A directory's path beneath the root when it was reached from the root
 * (so relative paths from it can be joined), else NULL. */
static const char *known_dir_path(const struct open_ctx *o, char *buf, size_t size)
{
	if (o->where->dir != o->pp->root || strlcpy(buf, o->where->path, size) >= size)
		return NULL;
	size_t n = strlen(buf);
	if (n > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
	return buf;
}

/* vfs_dir_open's accept: the descriptor is installed before the open is
 * final, so running out of descriptors undoes it (a file it created is
 * removed again), as EMFILE must leave nothing behind. */
static int install_opened(void *ctx, const struct vfs_opened *op)
{
	struct open_ctx *o = ctx;
	struct quota *quota = current_thread()->proc->quota;
	char path[PATH_MAX_LEN + 2];
	struct posix_file *f;

	if (op->type == VFS_DIR)
		f = posix_file_for(op->obj, op->rights, known_dir_path(o, path, sizeof(path)), false,
				   quota);
	else
		f = posix_file_new(&posix_vfs_file_ops, op->obj, op->rights, o->status, quota);
	if (!f)
		return -ENOMEM;
	if (op->type == VFS_DIR)
		f->status = LINUX_O_RDONLY | (o->status & LINUX_O_NONBLOCK);
	int fd = posix_fd_install(&o->pp->fds, quota, f, o->cloexec, 0);
	if (fd < 0)
		return fd;
	o->fd = fd;
	return 0;
}

/* True when p lies beneath the device abs ("/dev/null/", "/dev/null/x"). */
static bool beneath(const struct posix_path *p, const struct posix_proc *pp, const char *abs)
{
	size_t n = strlen(abs);

	return p->dir == pp->root && strncmp(p->path, abs, n) == 0 && p->path[n] == '/';
}

/* The devices a Linux program expects under /dev: a new description in
 * *out; -ENOTDIR for a path beneath one (a device has no entries, as on
 * Linux), -ENOENT when the path is none of them. */
static int special_file(struct posix_call *c, const struct posix_path *p, uint32_t flags,
			struct posix_file **out)
{
	static const struct {
		const char *path;
		const struct posix_file_ops *ops;
	} devices[] = {
		{ "/dev/null", &posix_null_ops }, { "/dev/zero", &posix_zero_ops },
		{ "/dev/urandom", &posix_random_ops }, { "/dev/random", &posix_random_ops },
	};
	static const char *const standard[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	struct quota *quota = current_thread()->proc->quota;

	for (unsigned i = 0; i < ARRAY_SIZE(devices); i++)
		if (posix_path_is(p, c->pp, devices[i].path)) {
			*out = posix_file_new(devices[i].ops, NULL, RIGHT_READ | RIGHT_WRITE,
					      flags & (LINUX_O_ACCMODE | LINUX_O_NONBLOCK), quota);
			return *out ? 0 : -ENOMEM;
		}
	/* On Linux a new description of the same object; here the same
	 * description, which differs only in sharing the position. */
	for (int fd = 0; fd < 3; fd++)
		if (posix_path_is(p, c->pp, standard[fd]))
			return posix_fd_get(&c->pp->fds, fd, out) < 0 ? -ENOENT : 0;
	if (posix_path_is(p, c->pp, "/dev/tty")) {
		if (!c->pp->console)
			return -LINUX_ENXIO;
		*out = posix_stream_for(c->pp->console, c->pp->console_rights, true, quota);
		return *out ? 0 : -ENOMEM;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(devices); i++)
		if (beneath(p, c->pp, devices[i].path))
			return -ENOTDIR;
	if (beneath(p, c->pp, "/dev/tty"))
		return -ENOTDIR;
	for (int fd = 0; fd < 3; fd++) {
		struct posix_file *f;
		if (beneath(p, c->pp, standard[fd]) && posix_fd_get(&c->pp->fds, fd, &f) == 0) {
			bool dir = f->ops == &posix_dir_ops;	/* its entries are not reached here */
			posix_file_put(f);
			return dir ? -ENOENT : -ENOTDIR;
		}
	}
	return -ENOENT;
}

static bool is_special(const struct posix_path *p, const struct posix_proc *pp)
{
	return p->dir == pp->root && (strncmp(p->path, "/dev/", 5) == 0 ||
				      strcmp(p->path, "/dev") == 0);
}

/* A device is no directory: O_DIRECTORY is ENOTDIR, as on Linux (and
 * chdir, which opens with it, must never make one the working directory). */
static long open_special(struct posix_call *c, const struct posix_path *p, uint32_t flags,
			 bool cloexec)
{
	struct posix_file *f;
	int rc = special_file(c, p, flags, &f);

	if (rc < 0)
		return rc;
	if (flags & LINUX_O_DIRECTORY && f->ops != &posix_dir_ops) {
		posix_file_put(f);
		return -ENOTDIR;
	}
	return posix_fd_install(&c->pp->fds, current_thread()->proc->quota, f, cloexec, 0);
}

static long open_at(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t flags)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	uint32_t acc = flags & LINUX_O_ACCMODE;
	bool cloexec = flags & LINUX_O_CLOEXEC;
	int rc;

	if (acc == 3 || (flags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE)
		return acc == 3 ? -EINVAL : -LINUX_EOPNOTSUPP;
	rc = posix_path_get(c->pp, dirfd, user_ptr(path_va), false, &p);
	if (rc < 0)
		return rc;
	if (posix_path_is(&p, c->pp, "/proc/self/exe")) {
		posix_path_done(&p);
		p.dir = posix_file_get(c->pp->root);
		p.len = strlcpy(p.path, c->pp->exe, sizeof(p.path));
	}
	if (is_special(&p, c->pp))
		return open_special(c, &p, (uint32_t)flags, cloexec);

	uint32_t open = 0;
	if (acc != LINUX_O_WRONLY || (flags & LINUX_O_PATH))
		open |= OPEN_READ;
	if (acc != LINUX_O_RDONLY && !(flags & LINUX_O_PATH))
		open |= OPEN_WRITE;
	if (flags & LINUX_O_CREAT)
		open |= OPEN_CREATE;
	if ((flags & (LINUX_O_CREAT | LINUX_O_EXCL)) == (LINUX_O_CREAT | LINUX_O_EXCL))
		open |= OPEN_EXCLUSIVE;
	if ((flags & LINUX_O_TRUNC) && (open & OPEN_WRITE))
		open |= OPEN_TRUNCATE;
	if (flags & LINUX_O_APPEND)
		open |= OPEN_APPEND;
	if (flags & LINUX_O_DIRECTORY)
		open |= OPEN_DIRECTORY;

	struct open_ctx o = {
		.pp = c->pp, .where = &p, .cloexec = cloexec,
		.status = (flags & (LINUX_O_ACCMODE | LINUX_O_APPEND | LINUX_O_NONBLOCK)),
	};
	if (flags & LINUX_O_PATH)
		o.status = LINUX_O_RDONLY;
	struct vfs_opened opened;
	rc = vfs_dir_open(p.dir->obj, p.dir->rights, p.path, p.len, open, install_opened, &o,
			  &opened);
	/* A directory opened for reading without O_DIRECTORY is still a
	 * directory (open(".") then getdents64). */
	if (rc == -EISDIR && (open & ~OPEN_READ) == 0)
		rc = vfs_dir_open(p.dir->obj, p.dir->rights, p.path, p.len,
				  OPEN_READ | OPEN_DIRECTORY, install_opened, &o, &opened);
	if (rc < 0)
		return rc;
	kobj_put(opened.obj);		/* the descriptor holds its own */
	return o.fd;
}

POSIX_CALL(open)
{
	return open_at(c, LINUX_AT_FDCWD, a0, a1);
}

POSIX_CALL(openat)
{
	return open_at(c, (int)a0, a1, a2);
}

POSIX_CALL(creat)
{
	return open_at(c, LINUX_AT_FDCWD, a0, LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC);
}

POSIX_CALL(close)
{
	return posix_fd_close(&c->pp->fds, (int)a0);
}

/* --- descriptors --------------------------------------------------------- */

POSIX_CALL(dup)
{
	FD_OR_RETURN(f, a0);
	return posix_fd_install(&c->pp->fds, current_thread()->proc->quota, posix_file_get(f),
				false, 0);
}

static long dup_to(struct posix_call *c, int from, int to, bool cloexec)
{
	FD_OR_RETURN(f, from);
	if (to < 0 || to >= POSIX_FD_MAX)
		return -LINUX_EBADF;
	return posix_fd_install_at(&c->pp->fds, current_thread()->proc->quota,
				   posix_file_get(f), cloexec, to);
}

POSIX_CALL(dup2)
{
	if ((int)a0 == (int)a1) {	/* a no-op on an open fd */
		FD_OR_RETURN(f, a0);
		return (int)a1;
	}
	return dup_to(c, (int)a0, (int)a1, false);
}

POSIX_CALL(dup3)
{
	if (a2 & ~(uint64_t)LINUX_O_CLOEXEC || (int)a0 == (int)a1)
		return -EINVAL;
	return dup_to(c, (int)a0, (int)a1, a2 & LINUX_O_CLOEXEC);
}

/* F_SETFL changes O_APPEND and O_NONBLOCK; the access mode stays. */
POSIX_CALL(fcntl)
{
	FD_OR_RETURN(f, a0);
	struct quota *quota = current_thread()->proc->quota;

	switch (a1) {
	case LINUX_F_DUPFD:
	case LINUX_F_DUPFD_CLOEXEC:
		if ((int64_t)a2 < 0 || a2 >= POSIX_FD_MAX)
			return -EINVAL;
		return posix_fd_install(&c->pp->fds, quota, posix_file_get(f),
					a1 == LINUX_F_DUPFD_CLOEXEC, (int)a2);
	case LINUX_F_GETFD:
		return posix_fd_cloexec(&c->pp->fds, (int)a0, -1);
	case LINUX_F_SETFD:
		return posix_fd_cloexec(&c->pp->fds, (int)a0, (a2 & LINUX_FD_CLOEXEC) != 0);
	case LINUX_F_GETFL: {
		guard(spinlock)(&f->lock);
		return f->status;
	}
	case LINUX_F_SETFL: {
		uint32_t keep = LINUX_O_APPEND | LINUX_O_NONBLOCK;
		guard(spinlock)(&f->lock);
		f->status = (f->status & ~keep) | ((uint32_t)a2 & keep);
		if (f->ops == &posix_vfs_file_ops)
			vfs_file_set_append(f->obj, f->status & LINUX_O_APPEND);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

POSIX_CALL(ioctl)
{
	FD_OR_RETURN(f, a0);
	switch (a1) {
	case LINUX_FIOCLEX:
		return posix_fd_cloexec(&c->pp->fds, (int)a0, 1);
	case LINUX_FIONCLEX:
		return posix_fd_cloexec(&c->pp->fds, (int)a0, 0);
	}
	return f->ops->ioctl ? f->ops->ioctl(f, (unsigned)a1, a2) : -LINUX_ENOTTY;
}

/* --- metadata ------------------------------------------------------------ */

void posix_fill_stat(const struct vfs_stat *st, uint32_t mode, struct linux_stat *out)
{
	uint32_t type = mode & LINUX_S_IFMT;

	if (!type)
		type = st->type == VFS_DIR ? LINUX_S_IFDIR : LINUX_S_IFREG;
	uint32_t perms = mode & ~(uint32_t)LINUX_S_IFMT;
	if (!perms)
		perms = type == LINUX_S_IFDIR ? DIR_MODE : FILE_MODE;
	*out = (struct linux_stat){
		.st_dev = 1, .st_ino = st->ino, .st_nlink = st->nlink,
		.st_mode = type | perms,
		.st_size = type == LINUX_S_IFREG ? (int64_t)st->size : 0,
		.st_blksize = BLOCK_SIZE, .st_blocks = (int64_t)st->blocks * (BLOCK_SIZE / 512),
		.st_atime_sec = st->atime / 1000000000, .st_atime_nsec = st->atime % 1000000000,
		.st_mtime_sec = st->mtime / 1000000000, .st_mtime_nsec = st->mtime % 1000000000,
		.st_ctime_sec = st->ctime / 1000000000, .st_ctime_nsec = st->ctime % 1000000000,
	};
	if (type == LINUX_S_IFDIR)
		out->st_size = BLOCK_SIZE;	/* as ext4 and tmpfs report a directory */
}

static int stat_file(struct posix_file *f, struct linux_stat *out)
{
	struct vfs_stat st;
	int rc = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;

	if (rc == 0)
		posix_fill_stat(&st, f->ops->mode, out);
	return rc;
}

/* What a path names, as stat sees it: the devices by their description,
 * the rest through the directory it lies beneath. */
static int stat_path(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t flags,
		     struct linux_stat *out)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	bool empty_ok = flags & LINUX_AT_EMPTY_PATH;
	int rc;

	if (flags & ~(uint64_t)(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW |
				LINUX_AT_NO_AUTOMOUNT | LINUX_AT_STATX_SYNC_TYPE))
		return -EINVAL;
	rc = posix_path_get(c->pp, dirfd, user_ptr(path_va), empty_ok, &p);
	if (rc < 0)
		return rc;
	if (!p.dir) {			/* "" names dirfd itself, of any kind */
		if (dirfd == LINUX_AT_FDCWD) {
			guard(spinlock)(&c->pp->lock);
			if (!c->pp->cwd)
				return -ENOENT;
			p.dir = posix_file_get(c->pp->cwd);
		} else {
			rc = posix_fd_get(&c->pp->fds, dirfd, &p.dir);
			if (rc < 0)
				return rc;
		}
		return stat_file(p.dir, out);
	}
	if (is_special(&p, c->pp)) {
		struct posix_file *f;
		rc = special_file(c, &p, LINUX_O_RDONLY, &f);
		if (rc == 0) {
			rc = stat_file(f, out);
			posix_file_put(f);
		}
		return rc;
	}
	struct vfs_stat st;
	rc = vfs_dir_stat(p.dir->obj, p.path, p.len, &st);
	if (rc == 0)
		posix_fill_stat(&st, 0, out);
	return rc;
}

POSIX_CALL(fstat)
{
	FD_OR_RETURN(f, a0);
	struct linux_stat st;
	int rc = stat_file(f, &st);
	return rc < 0 ? rc : copy_to_user(user_ptr(a1), &st, sizeof(st));
}

static long stat_call(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t st_va,
		      uint64_t flags)
{
	struct linux_stat st;
	int rc = stat_path(c, dirfd, path_va, flags, &st);
	return rc < 0 ? rc : copy_to_user(user_ptr(st_va), &st, sizeof(st));
}

POSIX_CALL(stat)
{
	return stat_call(c, LINUX_AT_FDCWD, a0, a1, 0);
}

/* No symbolic links yet: lstat is stat. */
POSIX_CALL(lstat)
{
	return stat_call(c, LINUX_AT_FDCWD, a0, a1, 0);
}

POSIX_CALL(newfstatat)
{
	return stat_call(c, (int)a0, a1, a2, a3);
}

static struct linux_statx_timestamp statx_time(uint64_t sec, uint64_t nsec)
{
	return (struct linux_statx_timestamp){ (int64_t)sec, (uint32_t)nsec, 0 };
}

POSIX_CALL(statx)
{
	struct linux_stat st;
	int rc = stat_path(c, (int)a0, a1, a2, &st);

	if (rc < 0)
		return rc;
	struct linux_statx sx = {
		.stx_mask = LINUX_STATX_BASIC_STATS, .stx_blksize = (uint32_t)st.st_blksize,
		.stx_nlink = (uint32_t)st.st_nlink, .stx_mode = (uint16_t)st.st_mode,
		.stx_ino = st.st_ino, .stx_size = (uint64_t)st.st_size,
		.stx_blocks = (uint64_t)st.st_blocks,
		.stx_atime = statx_time(st.st_atime_sec, st.st_atime_nsec),
		.stx_mtime = statx_time(st.st_mtime_sec, st.st_mtime_nsec),
		.stx_ctime = statx_time(st.st_ctime_sec, st.st_ctime_nsec),
		.stx_dev_major = 0, .stx_dev_minor = 1,
	};
	return copy_to_user(user_ptr(a4), &sx, sizeof(sx));
}

/* access: what exists may be read, written and run (one identity, no
 * modes); what a read-only handle reaches cannot be written (EROFS). */
static long access_at(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t mode,
		      uint64_t flags)
{
	struct linux_stat st;

	if (mode & ~7ull || flags & ~(uint64_t)(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW |
						LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	int rc = stat_path(c, dirfd, path_va, flags & LINUX_AT_EMPTY_PATH, &st);
	return rc < 0 ? rc : 0;
}

POSIX_CALL(access)
{
	return access_at(c, LINUX_AT_FDCWD, a0, a1, 0);
}

POSIX_CALL(faccessat)
{
	return access_at(c, (int)a0, a1, a2, 0);
}

POSIX_CALL(faccessat2)
{
	return access_at(c, (int)a0, a1, a2, a3);
}

/* Modes, owners and times are not kept (part 2 keeps them): the calls
 * succeed on what exists, so that tools like cp -p and touch carry on. */
static long accept_on_path(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t flags)
{
	struct linux_stat st;

	return stat_path(c, dirfd, path_va, flags & LINUX_AT_EMPTY_PATH, &st);
}

static long accept_on_fd(struct posix_call *c, uint64_t fd)
{
	FD_OR_RETURN(f, fd);
	return 0;
}

POSIX_CALL(chmod)
{
	return accept_on_path(c, LINUX_AT_FDCWD, a0, 0);
}

POSIX_CALL(fchmod)
{
	return accept_on_fd(c, a0);
}

POSIX_CALL(fchmodat)
{
	return accept_on_path(c, (int)a0, a1, 0);
}

POSIX_CALL(chown)
{
	return accept_on_path(c, LINUX_AT_FDCWD, a0, 0);
}

POSIX_CALL(lchown)
{
	return accept_on_path(c, LINUX_AT_FDCWD, a0, 0);
}

POSIX_CALL(fchown)
{
	return accept_on_fd(c, a0);
}

POSIX_CALL(fchownat)
{
	return accept_on_path(c, (int)a0, a1, a4);
}

/* utimensat(fd, NULL, ...) is futimens(fd). */
POSIX_CALL(utimensat)
{
	return a1 ? accept_on_path(c, (int)a0, a1, a3) : accept_on_fd(c, a0);
}

POSIX_CALL(umask)
{
	guard(spinlock)(&c->pp->lock);
	uint32_t old = c->pp->umask;
	c->pp->umask = (uint32_t)a0 & 0777;
	return old;
}

/* There are no symbolic links: readlink of anything that exists is
 * EINVAL, as for a file on Linux; /proc/self/exe names the executable. */
static long readlink_at(struct posix_call *c, int dirfd, uint64_t path_va, uint64_t buf,
			uint64_t size)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	int rc;

	if ((int64_t)size <= 0)
		return -EINVAL;
	rc = posix_path_get(c->pp, dirfd, user_ptr(path_va), false, &p);
	if (rc < 0)
		return rc;
	if (posix_path_is(&p, c->pp, "/proc/self/exe")) {
		size_t n = strlen(c->pp->exe);
		n = n < size ? n : size;	/* no NUL, cut to fit: as Linux */
		return copy_to_user(user_ptr(buf), c->pp->exe, n) < 0 ? -EFAULT : (long)n;
	}
	struct linux_stat st;
	rc = stat_path(c, dirfd, path_va, 0, &st);
	return rc < 0 ? rc : -EINVAL;
}

POSIX_CALL(readlink)
{
	return readlink_at(c, LINUX_AT_FDCWD, a0, a1, a2);
}

POSIX_CALL(readlinkat)
{
	return readlink_at(c, (int)a0, a1, a2, a3);
}

/* --- data on disk --------------------------------------------------------- */

static int truncate_file(struct posix_file *f, int64_t size)
{
	if (size < 0)
		return -EINVAL;
	if (f->ops == &posix_dir_ops)
		return -EISDIR;
	if (f->ops != &posix_vfs_file_ops || !writable(f))
		return -EINVAL;
	struct vfs_node n = vfs_file_node(f->obj);
	int rc = n.fs->ops->truncate(n.fs, n.node, (uint64_t)size);
	return rc == -EINVAL ? -LINUX_EFBIG : rc;
}

POSIX_CALL(ftruncate)
{
	FD_OR_RETURN(f, a0);
	return truncate_file(f, (int64_t)a1);
}

POSIX_CALL(truncate)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	struct vfs_opened o;
	int rc = posix_path_get(c->pp, LINUX_AT_FDCWD, user_ptr(a0), false, &p);

	if (rc == 0)
		rc = vfs_dir_open(p.dir->obj, p.dir->rights, p.path, p.len, OPEN_WRITE, NULL, NULL,
				  &o);
	if (rc < 0)
		return rc;
	struct posix_file *f = posix_file_new(&posix_vfs_file_ops, o.obj, o.rights, LINUX_O_WRONLY,
					      current_thread()->proc->quota);
	kobj_put(o.obj);
	if (!f)
		return -ENOMEM;
	rc = truncate_file(f, (int64_t)a1);
	posix_file_put(f);
	return rc;
}

static long sync_file(struct posix_file *f)
{
	if (f->ops != &posix_vfs_file_ops)
		return f->ops == &posix_dir_ops ? 0 : -EINVAL;
	struct vfs_node n = vfs_file_node(f->obj);
	return n.fs->ops->sync ? n.fs->ops->sync(n.fs, n.node) : 0;
}

POSIX_CALL(fsync)
{
	FD_OR_RETURN(f, a0);
	return sync_file(f);
}

POSIX_CALL(fdatasync)
{
	FD_OR_RETURN(f, a0);
	return sync_file(f);
}

/* Every file system Panda has today is in memory: nothing to write out. */
POSIX_CALL(sync)
{
	return 0;
}

static void fill_statfs(struct linux_statfs *out)
{
	*out = (struct linux_statfs){
		.f_type = LINUX_TMPFS_MAGIC, .f_bsize = BLOCK_SIZE, .f_frsize = BLOCK_SIZE,
		.f_namelen = PATH_NAME_MAX,
	};
	struct linux_sysinfo si = { 0 };
	posix_fill_sysinfo(&si);
	out->f_blocks = si.totalram;
	out->f_bfree = out->f_bavail = si.freeram;
}

POSIX_CALL(statfs)
{
	struct linux_stat st;
	struct linux_statfs sf;
	int rc = stat_path(c, LINUX_AT_FDCWD, a0, 0, &st);

	if (rc < 0)
		return rc;
	fill_statfs(&sf);
	return copy_to_user(user_ptr(a1), &sf, sizeof(sf));
}

POSIX_CALL(fstatfs)
{
	FD_OR_RETURN(f, a0);
	struct linux_statfs sf;
	fill_statfs(&sf);
	return copy_to_user(user_ptr(a1), &sf, sizeof(sf));
}

/* --- directories --------------------------------------------------------- */

static uint8_t dirent_type(enum vfs_type type)
{
	return type == VFS_DIR ? LINUX_DT_DIR : LINUX_DT_REG;
}

/* Entries from the description's cursor, as many whole records as fit;
 * EINVAL when not even one does. "." and ".." come first, as Unix
 * programs expect (cursors 0 and 1; the file system's own start at 2). */
POSIX_CALL(getdents64)
{
	FD_OR_RETURN(f, a0);
	size_t cap = a2 < (64u << 10) ? a2 : (64u << 10), used = 0;
	struct vfs_dirent *e __free(kfree) = kmalloc(sizeof(*e));
	uint8_t *out __free(kfree) = kmalloc(cap ? cap : 1);
	uint64_t cursor;

	if (f->ops != &posix_dir_ops)
		return -ENOTDIR;
	if (!e || !out)
		return -ENOMEM;
	{
		guard(spinlock)(&f->lock);
		cursor = f->cursor;
	}
	for (;;) {
		uint64_t next = cursor + 1;
		if (cursor < 2) {
			*e = (struct vfs_dirent){ .name_len = (uint32_t)cursor + 1, .type = VFS_DIR };
			memcpy(e->name, "..", cursor + 1);
		} else {
			uint64_t fs_cursor = cursor - 2;
			int n = vfs_dir_readdir(f->obj, &fs_cursor, e, 1);
			if (n < 0 && !used)
				return n;
			if (n <= 0)
				break;
			next = fs_cursor + 2;
		}
		size_t reclen = ALIGN_UP(sizeof(struct linux_dirent64_head) + e->name_len + 1, 8);
		if (used + reclen > cap) {
			if (!used)
				return -EINVAL;
			break;
		}
		struct linux_dirent64_head h = {
			.d_ino = e->ino ? e->ino : 1, .d_off = (int64_t)next,
			.d_reclen = (uint16_t)reclen, .d_type = dirent_type(e->type),
		};
		memset(out + used, 0, reclen);
		memcpy(out + used, &h, sizeof(h));
		memcpy(out + used + sizeof(h), e->name, e->name_len);
		used += reclen;
		cursor = next;
	}
	if (copy_to_user(user_ptr(a1), out, used) < 0)
		return -EFAULT;
	guard(spinlock)(&f->lock);
	f->cursor = cursor;
	return (long)used;
}

/* The working directory's path, or "(unreachable)" before a path it
 * was reached by is known, as Linux answers for a directory outside the
 * process's root. */
POSIX_CALL(getcwd)
{
	char path[PATH_MAX_LEN + 16];
	{
		guard(spinlock)(&c->pp->lock);
		const char *cwd = c->pp->cwd && c->pp->cwd->path ? c->pp->cwd->path :
								   "(unreachable)";
		strlcpy(path, cwd, sizeof(path));
	}
	size_t n = strlen(path) + 1;
	if (a1 < n)
		return -ERANGE;
	return copy_to_user(user_ptr(a0), path, n) < 0 ? -EFAULT : (long)n;
}

static long set_cwd(struct posix_proc *pp, struct posix_file *dir)
{
	struct posix_file *old;

	{
		guard(spinlock)(&pp->lock);
		old = pp->cwd;
		pp->cwd = dir;
	}
	if (old)
		posix_file_put(old);
	return 0;
}

POSIX_CALL(chdir)
{
	long fd = open_at(c, LINUX_AT_FDCWD, a0, LINUX_O_RDONLY | LINUX_O_DIRECTORY |
			  LINUX_O_CLOEXEC);
	struct posix_file *dir;

	if (fd < 0)
		return fd;
	int rc = posix_fd_get(&c->pp->fds, (int)fd, &dir);
	posix_fd_close(&c->pp->fds, (int)fd);
	if (rc == 0 && dir->ops != &posix_dir_ops) {
		posix_file_put(dir);
		return -ENOTDIR;
	}
	return rc < 0 ? rc : set_cwd(c->pp, dir);
}

POSIX_CALL(fchdir)
{
	struct posix_file *dir;
	int rc = posix_fd_get(&c->pp->fds, (int)a0, &dir);

	if (rc < 0)
		return rc;
	if (dir->ops != &posix_dir_ops) {
		posix_file_put(dir);
		return -ENOTDIR;
	}
	return set_cwd(c->pp, dir);
}

/* Writing to a directory (making, removing, renaming entries) needs the
 * handle's write right; without it the tree is read-only to the process. */
static int writable_dir(const struct posix_path *p)
{
	return p->dir->rights & RIGHT_WRITE ? 0 : -LINUX_EROFS;
}

static long mkdir_at(struct posix_call *c, int dirfd, uint64_t path_va)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	int rc = posix_path_get(c->pp, dirfd, user_ptr(path_va), false, &p);

	if (rc == 0 && (is_special(&p, c->pp) || p.last_dots))
		rc = -EEXIST;
	if (rc == 0)
		rc = writable_dir(&p);
	return rc < 0 ? rc : vfs_dir_mkdir(p.dir->obj, p.path, p.len);
}

POSIX_CALL(mkdir)
{
	return mkdir_at(c, LINUX_AT_FDCWD, a0);
}

POSIX_CALL(mkdirat)
{
	return mkdir_at(c, (int)a0, a1);
}

static long remove_at(struct posix_call *c, int dirfd, uint64_t path_va, bool is_rmdir)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	int rc = posix_path_get(c->pp, dirfd, user_ptr(path_va), false, &p);

	if (rc == 0 && is_special(&p, c->pp))
		rc = -EPERM;
	/* As Linux: rmdir of "." is EINVAL and of ".." ENOTEMPTY; unlink
	 * of either names a directory. */
	if (rc == 0 && p.last_dots)
		rc = !is_rmdir ? -EISDIR : p.last_dots == 1 ? -EINVAL : -ENOTEMPTY;
	if (rc == 0)
		rc = writable_dir(&p);
	if (rc < 0)
		return rc;
	rc = vfs_dir_remove(p.dir->obj, p.path, p.len, is_rmdir);
	if (rc == -EINVAL && is_rmdir)
		rc = -EBUSY;		/* the root: it has no name to remove */
	return rc;
}

POSIX_CALL(rmdir)
{
	return remove_at(c, LINUX_AT_FDCWD, a0, true);
}

POSIX_CALL(unlink)
{
	return remove_at(c, LINUX_AT_FDCWD, a0, false);
}

POSIX_CALL(unlinkat)
{
	if (a2 & ~(uint64_t)LINUX_AT_REMOVEDIR)
		return -EINVAL;
	return remove_at(c, (int)a0, a1, a2 & LINUX_AT_REMOVEDIR);
}

/* Both paths must lie beneath one directory object: the root, in the
 * usual case; across two directories of unknown path, EXDEV. */
static long rename_at(struct posix_call *c, int from_fd, uint64_t from_va, int to_fd,
		      uint64_t to_va, uint64_t flags)
{
	struct posix_path from __free(posix_path_done) = { 0 };
	struct posix_path to __free(posix_path_done) = { 0 };
	int rc;

	if (flags & ~(uint64_t)LINUX_RENAME_NOREPLACE)
		return flags & ~(uint64_t)(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE |
					   LINUX_RENAME_WHITEOUT) ? -EINVAL : -LINUX_EOPNOTSUPP;
	rc = posix_path_get(c->pp, from_fd, user_ptr(from_va), false, &from);
	if (rc == 0)
		rc = posix_path_get(c->pp, to_fd, user_ptr(to_va), false, &to);
	if (rc == 0 && (is_special(&from, c->pp) || is_special(&to, c->pp)))
		rc = -EXDEV;
	if (rc == 0 && (from.last_dots || to.last_dots))
		rc = -EBUSY;
	if (rc == 0 && from.dir->obj != to.dir->obj)
		rc = -EXDEV;
	if (rc == 0)
		rc = writable_dir(&from);
	if (rc < 0)
		return rc;
	return vfs_dir_rename(from.dir->obj, from.path, from.len, to.path, to.len,
			      !(flags & LINUX_RENAME_NOREPLACE));
}

POSIX_CALL(rename)
{
	return rename_at(c, LINUX_AT_FDCWD, a0, LINUX_AT_FDCWD, a1, 0);
}

POSIX_CALL(renameat)
{
	return rename_at(c, (int)a0, a1, (int)a2, a3, 0);
}

POSIX_CALL(renameat2)
{
	return rename_at(c, (int)a0, a1, (int)a2, a3, a4);
}
