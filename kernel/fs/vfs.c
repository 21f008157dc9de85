#include "fs/vfs.h"

#include "lib/errors.h"

#define VFS_MOUNTS_MAX 8

/* Written at boot before user space runs, read without a lock after. */
static struct mount {
	struct vfs_node at;		/* the covered directory (a reference) */
	struct vfs_fs *fs;
} mounts[VFS_MOUNTS_MAX];
static unsigned mount_count;	/* it and mounts[]: set at boot (fs_init) */

struct vfs_node vfs_fs_root(struct vfs_fs *fs)
{
	return (struct vfs_node){ fs, fs->ops->root(fs) };
}

static const struct mount *mount_at(struct vfs_node n)
{
	for (unsigned i = 0; i < mount_count; i++)
		if (vfs_same(mounts[i].at, n))
			return &mounts[i];
	return NULL;
}

bool vfs_is_mount_point(struct vfs_node n)
{
	return mount_at(n) != NULL;
}

int vfs_mount(struct vfs_node at, struct vfs_fs *fs)
{
	if (vfs_type(at) != VFS_DIR)
		return -ENOTDIR;
	if (mount_at(at) || mount_count == VFS_MOUNTS_MAX)
		return -EBUSY;
	mounts[mount_count++] = (struct mount){ vfs_node_get(at), fs };
	return 0;
}

int vfs_lookup(struct vfs_node dir, const char *name, size_t len, struct vfs_node *out)
{
	void *node;
	int rc = dir.fs->ops->lookup(dir.fs, dir.node, name, len, &node);

	if (rc < 0)
		return rc;
	*out = (struct vfs_node){ dir.fs, node };
	const struct mount *m = mount_count ? mount_at(*out) : NULL;
	if (m) {
		vfs_node_put(*out);
		*out = vfs_fs_root(m->fs);
	}
	return 0;
}

int vfs_walk(struct vfs_node start, const char *path, const struct path *p, unsigned count,
	     struct vfs_node *out)
{
	struct vfs_node at = vfs_node_get(start);

	for (unsigned i = 0; i < count; i++) {
		struct vfs_node next;
		int rc = vfs_lookup(at, path + p->part[i].offset, p->part[i].len, &next);
		vfs_node_put(at);
		if (rc < 0)
			return rc;
		at = next;
	}
	*out = at;
	return 0;
}
