/* Open file descriptions over VFS files and directories, and the devices
 * that are no object at all (/dev/null, /dev/zero, /dev/urandom). Data
 * moves between user memory and the filesystem through a bounce buffer a
 * chunk at a time: a filesystem holds its lock around each operation, and
 * a page fault must never be taken under it. */
#include "posix/internal.h"

#include "core/kobj.h"
#include "dev/random.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"
#include "mm/usercopy.h"

#define IO_CHUNK	(16u << 10)	/* bytes a read or write moves at a time */

struct posix_file *posix_file_new(const struct posix_file_ops *ops, struct kobj *obj,
				  uint32_t rights, uint32_t status, struct quota *quota)
{
	if (quota_charge(quota, QUOTA_KMEM, sizeof(struct posix_file)) < 0)
		return NULL;
	struct posix_file *f = kmalloc(sizeof(*f));
	if (!f) {
		quota_uncharge(quota, QUOTA_KMEM, sizeof(struct posix_file));
		return NULL;
	}
	*f = (struct posix_file){
		.refs = 1, .ops = ops, .status = status, .rights = rights,
		.obj = obj ? kobj_get(obj) : NULL, .quota = quota_get(quota),
		.lock = SPINLOCK_INIT("posix file"),
	};
	return f;
}

void posix_file_put(struct posix_file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (f->ops->flush)
		f->ops->flush(f);
	if (f->ops->release)
		f->ops->release(f);
	if (f->obj)
		kobj_put(f->obj);
	kfree(f->path);
	kfree(f->in);
	kfree(f->out);
	quota_uncharge(f->quota, QUOTA_KMEM, sizeof(struct posix_file));
	quota_put(f->quota);
	kfree(f);
}

/* --- moving bytes ------------------------------------------------------- */

/* Reads up to len bytes into user memory by calls of fill(f, kbuf, n, at)
 * a chunk at a time: the destination is given its frames first, so that
 * once fill has moved a position the copy out cannot fail for want of
 * memory. Stops at a short fill; an error after some bytes returns them. */
static long read_chunks(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at,
			long (*fill)(struct posix_file *f, void *kbuf, size_t n, const uint64_t *at))
{
	size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
	uint8_t *k __free(kfree) = chunk ? kmalloc_uninit(chunk) : NULL;
	uint64_t pos = at ? *at : 0;
	size_t done = 0;

	if (chunk && !k)
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		void __user *to = (char __user *)buf + done;
		long got = user_prefault_write(to, n);
		if (got == 0)
			got = fill(f, k, n, at ? &pos : NULL);
		if (got > 0 && copy_to_user(to, k, (size_t)got) < 0)
			got = -EFAULT;
		if (got < 0)
			return done ? (long)done : got;
		done += (size_t)got;
		pos += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	return (long)done;
}

/* The same for writes: each chunk copied in, then put(f, kbuf, n, at). */
static long write_chunks(struct posix_file *f, const void __user *buf, size_t len,
			 const uint64_t *at,
			 long (*put)(struct posix_file *f, const void *kbuf, size_t n,
				     const uint64_t *at))
{
	size_t chunk = len < IO_CHUNK ? len : IO_CHUNK;
	uint8_t *k __free(kfree) = chunk ? kmalloc_uninit(chunk) : NULL;
	uint64_t pos = at ? *at : 0;
	size_t done = 0;

	if (chunk && !k)
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		long put_n = copy_from_user(k, (const char __user *)buf + done, n);
		if (put_n == 0)
			put_n = put(f, k, n, at ? &pos : NULL);
		if (put_n < 0)
			return done ? (long)done : put_n;
		done += (size_t)put_n;
		pos += (uint64_t)put_n;
		if ((size_t)put_n < n)
			break;
	}
	return (long)done;
}

/* --- VFS files ---------------------------------------------------------- */

static long file_fill(struct posix_file *f, void *k, size_t n, const uint64_t *at)
{
	return vfs_file_read(f->obj, k, n, at);
}

static long file_put(struct posix_file *f, const void *k, size_t n, const uint64_t *at)
{
	return vfs_file_write(f->obj, k, n, at);
}

static long file_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	return read_chunks(f, buf, len, at, file_fill);
}

static long file_write(struct posix_file *f, const void __user *buf, size_t len,
		       const uint64_t *at)
{
	return write_chunks(f, buf, len, at, file_put);
}

static long file_seek(struct posix_file *f, int64_t off, int whence)
{
	static const enum vfs_whence map[] = {
		[LINUX_SEEK_SET] = VFS_SEEK_SET, [LINUX_SEEK_CUR] = VFS_SEEK_CUR,
		[LINUX_SEEK_END] = VFS_SEEK_END,
	};
	uint64_t at;

	if (whence < 0 || whence > LINUX_SEEK_END)
		return -EINVAL;
	int rc = vfs_file_seek(f->obj, off, map[whence], &at);
	return rc < 0 ? rc : (long)at;
}

static int node_stat(struct vfs_node n, struct vfs_stat *st)
{
	return n.fs->ops->stat(n.fs, n.node, st);
}

static int file_stat(struct posix_file *f, struct vfs_stat *st)
{
	return node_stat(vfs_file_node(f->obj), st);
}

static long file_write_kernel(struct posix_file *f, const void *buf, size_t len)
{
	return vfs_file_write(f->obj, buf, len, NULL);
}

const struct posix_file_ops posix_vfs_file_ops = {
	.name = "file", .read = file_read, .write = file_write,
	.write_kernel = file_write_kernel, .seek = file_seek,
	.stat = file_stat, .mode = LINUX_S_IFREG,
};

/* --- directories -------------------------------------------------------- */

static long dir_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	return -EISDIR;
}

/* lseek on a directory: 0 rewinds readdir; other places are refused. */
static long dir_seek(struct posix_file *f, int64_t off, int whence)
{
	if (whence != LINUX_SEEK_SET || off != 0)
		return -EINVAL;
	guard(spinlock)(&f->lock);
	f->cursor = 0;
	return 0;
}

static int dir_stat(struct posix_file *f, struct vfs_stat *st)
{
	return node_stat(vfs_dir_node(f->obj), st);
}

const struct posix_file_ops posix_dir_ops = {
	.name = "directory", .read = dir_read, .seek = dir_seek, .stat = dir_stat,
	.mode = LINUX_S_IFDIR,
};

/* --- devices without an object ------------------------------------------ */

static int device_stat(struct posix_file *f, struct vfs_stat *st)
{
	*st = (struct vfs_stat){ .type = VFS_FILE, .nlink = 1 };
	return 0;
}

static long null_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	return 0;
}

static long sink_write(struct posix_file *f, const void __user *buf, size_t len,
		       const uint64_t *at)
{
	return (long)len;
}

static long sink_write_kernel(struct posix_file *f, const void *buf, size_t len)
{
	return (long)len;
}

static long device_seek(struct posix_file *f, int64_t off, int whence)
{
	return 0;
}

const struct posix_file_ops posix_null_ops = {
	.name = "null", .read = null_read, .write = sink_write,
	.write_kernel = sink_write_kernel, .seek = device_seek,
	.stat = device_stat, .mode = LINUX_S_IFCHR | 0666,
};

static long zero_fill(struct posix_file *f, void *k, size_t n, const uint64_t *at)
{
	memset(k, 0, n);
	return (long)n;
}

static long zero_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	return read_chunks(f, buf, len, NULL, zero_fill);
}

const struct posix_file_ops posix_zero_ops = {
	.name = "zero", .read = zero_read, .write = sink_write,
	.write_kernel = sink_write_kernel, .seek = device_seek,
	.stat = device_stat, .mode = LINUX_S_IFCHR | 0666,
};

static long random_fill(struct posix_file *f, void *k, size_t n, const uint64_t *at)
{
	random_bytes(k, n);
	return (long)n;
}

static long random_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	return read_chunks(f, buf, len, NULL, random_fill);
}

const struct posix_file_ops posix_random_ops = {
	.name = "urandom", .read = random_read, .write = sink_write,
	.write_kernel = sink_write_kernel, .seek = device_seek,
	.stat = device_stat, .mode = LINUX_S_IFCHR | 0666,
};

/* --- any object ------------------------------------------------------- */

struct posix_file *posix_file_for(struct kobj *obj, uint32_t rights, const char *path,
				  bool writer, struct quota *quota)
{
	const struct posix_file_ops *ops;
	uint32_t access = (rights & RIGHT_READ ? 1 : 0) | (rights & RIGHT_WRITE ? 2 : 0);
	uint32_t status = access == 3 ? LINUX_O_RDWR : access == 2 ? LINUX_O_WRONLY :
								  LINUX_O_RDONLY;

	if (obj->type == &vfs_file_type)
		ops = &posix_vfs_file_ops;
	else if (obj->type == &vfs_dir_type)
		ops = &posix_dir_ops;
	else
		return posix_stream_for(obj, rights, writer, quota);
	if (ops == &posix_vfs_file_ops && vfs_file_appends(obj))
		status |= LINUX_O_APPEND;
	struct posix_file *f = posix_file_new(ops, obj, rights, status, quota);
	size_t path_size = path ? strlen(path) + 1 : 0;
	if (f && path && !(f->path = kmalloc(path_size))) {
		posix_file_put(f);
		return NULL;
	}
	if (f && path)
		memcpy(f->path, path, path_size);
	return f;
}
