/* tmpfs behind the VFS: the kernel's memory and clock for it, and one
 * spinlock per filesystem around every call (tmpfs.h, "Concurrency").
 * Data pages are whole frames, so file data is on the frame allocator's
 * books; everything else comes from kmalloc. */
#include "fs/tmpfs_vfs.h"

#include "core/spinlock.h"
#include "dev/rtc.h"
#include "fs/tmpfs.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"

struct tmpfs_mount {
	struct vfs_fs vfs;
	struct spinlock lock;		/* around every call into fs */
	struct tmpfs *fs;
};

static struct tmpfs_mount *mount_of(struct vfs_fs *vfs)
{
	return (struct tmpfs_mount *)vfs;
}

static void *page_alloc(void)
{
	uint64_t phys = frame_alloc(0, OWNER_KERNEL, FRAME_ZERO | FRAME_USER_REQUEST);

	return phys ? phys_to_virt(phys) : NULL;
}

static void page_free(void *p)
{
	frame_free(virt_to_phys(p), 0);
}

static const struct tmpfs_env kernel_env = {
	.alloc = kmalloc,
	.free = kfree,
	.alloc_page = page_alloc,
	.free_page = page_free,
	.now_ns = rtc_now_ns,
};

static void *t_root(struct vfs_fs *vfs)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_root(m->fs);
}

static void t_get(struct vfs_fs *vfs, void *node)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	tmpfs_node_get(m->fs, node);
}

static void t_put(struct vfs_fs *vfs, void *node)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	tmpfs_node_put(m->fs, node);
}

static enum vfs_type t_type(struct vfs_fs *vfs, void *node)
{
	(void)vfs;		/* a node's type never changes: no lock */
	return tmpfs_node_type(node) == TMPFS_DIR ? VFS_DIR : VFS_FILE;
}

static int t_lookup(struct vfs_fs *vfs, void *dir, const char *name, size_t len, void **out)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_lookup(m->fs, dir, name, len, (struct tmpfs_node **)out);
}

static int t_create(struct vfs_fs *vfs, void *dir, const char *name, size_t len,
		    enum vfs_type type, bool exclusive, void **out)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_create_node(m->fs, dir, name, len, type == VFS_DIR ? TMPFS_DIR : TMPFS_FILE,
				 exclusive, (struct tmpfs_node **)out);
}

static int t_unlink(struct vfs_fs *vfs, void *dir, const char *name, size_t len)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_unlink(m->fs, dir, name, len);
}

static int t_rmdir(struct vfs_fs *vfs, void *dir, const char *name, size_t len)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_rmdir(m->fs, dir, name, len);
}

static int t_rename(struct vfs_fs *vfs, void *from_dir, const char *from, size_t from_len,
		    void *to_dir, const char *to, size_t to_len)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_rename(m->fs, from_dir, from, from_len, to_dir, to, to_len);
}

static long t_read(struct vfs_fs *vfs, void *file, uint64_t off, void *buf, size_t len)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_read(m->fs, file, off, buf, len);
}

static long t_write(struct vfs_fs *vfs, void *file, uint64_t off, const void *buf, size_t len,
		    uint64_t *end)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	if (off == VFS_APPEND) {
		struct tmpfs_stat st;
		int rc = tmpfs_stat(m->fs, file, &st);
		if (rc < 0)
			return rc;
		off = st.size;
	}
	long n = tmpfs_write(m->fs, file, off, buf, len);
	if (n >= 0 && end)
		*end = off + (uint64_t)n;
	return n;
}

static int t_truncate(struct vfs_fs *vfs, void *file, uint64_t size)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_truncate(m->fs, file, size);
}

static int t_stat(struct vfs_fs *vfs, void *node, struct vfs_stat *out)
{
	struct tmpfs_stat st;
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	int rc = tmpfs_stat(m->fs, node, &st);

	if (rc < 0)
		return rc;
	*out = (struct vfs_stat){
		.type = st.type == TMPFS_DIR ? VFS_DIR : VFS_FILE,
		.nlink = st.nlink, .ino = st.ino, .size = st.size, .blocks = st.blocks,
		.atime = st.atime, .mtime = st.mtime, .ctime = st.ctime,
	};
	return 0;
}

/* tmpfs fills its own entries: a few at a time, then into the caller's. */
static int t_readdir(struct vfs_fs *vfs, void *dir, uint64_t *cursor, struct vfs_dirent *out,
		     unsigned max)
{
	struct tmpfs_dirent *batch __free(kfree) = kmalloc(max * sizeof(*batch) + 1);

	if (!batch)
		return -ENOMEM;
	int n;
	{
		struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
		n = tmpfs_readdir(m->fs, dir, cursor, batch, max);
	}
	for (int i = 0; i < n; i++) {
		struct vfs_dirent *d = &out[i];
		memcpy(d->name, batch[i].name, batch[i].name_len + 1);
		d->name_len = batch[i].name_len;
		d->type = batch[i].type == TMPFS_DIR ? VFS_DIR : VFS_FILE;
		d->ino = batch[i].ino;
		d->size = batch[i].size;
		d->cookie = batch[i].cookie;
	}
	return n;
}

static void t_statfs(struct vfs_fs *vfs, struct vfs_statfs *out)
{
	struct tmpfs_statfs st;
	{
		struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
		tmpfs_statfs(m->fs, &st);
	}
	*out = (struct vfs_statfs){ st.max_bytes, st.used_bytes, st.nodes };
}

static const struct vfs_ops tmpfs_ops = {
	.root = t_root, .get = t_get, .put = t_put, .type = t_type,
	.lookup = t_lookup, .create = t_create, .unlink = t_unlink, .rmdir = t_rmdir,
	.rename = t_rename, .read = t_read, .write = t_write, .truncate = t_truncate,
	.stat = t_stat, .readdir = t_readdir, .statfs = t_statfs,
};

int tmpfs_vfs_create(uint64_t max_bytes, struct vfs_fs **out)
{
	struct tmpfs_mount *m __free(kfree) = kmalloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	int rc = tmpfs_create(&m->fs, &kernel_env, max_bytes);
	if (rc < 0)
		return rc;
	m->vfs = (struct vfs_fs){ .ops = &tmpfs_ops, .name = "tmpfs" };
	m->lock = (struct spinlock)SPINLOCK_INIT("tmpfs");
	*out = &take_ptr(m)->vfs;
	return 0;
}

void tmpfs_vfs_limit_room(struct vfs_fs *vfs, uint64_t room)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	tmpfs_limit_room(m->fs, room);
}

const char *tmpfs_vfs_check(struct vfs_fs *vfs)
{
	struct tmpfs_mount *m = mount_of(vfs);
	guard(spinlock)(&m->lock);
	return tmpfs_check(m->fs);
}
