#include "fs/root.h"

#include "core/log.h"
#include "core/params.h"
#include "fs/initrd.h"
#include "fs/tmpfs_vfs.h"
#include "fs/vfs_object.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/frame.h"

/* How much each tmpfs may grow: /tmp by `tmp_size=N` bytes, the root past
 * the initrd's files by `root_room=N` (an optional K, M or G suffix); by
 * default a quarter of memory each, so full filesystems leave room to run.
 * File pages outlive the process that wrote them, so they are bounded per
 * filesystem rather than charged to a tree (docs/memory.md, "Quotas"). */
static uint64_t tmp_size, root_room;	/* set once at boot */

static bool parse_size(const char *name, const char *value, uint64_t *out)
{
	uint64_t v;
	const char *c = value;
	bool number = parse_u64(&c, &v);
	unsigned shift = *c == 'K' ? 10 : *c == 'M' ? 20 : *c == 'G' ? 30 : 0;

	if (shift)
		c++;
	if (!number || *c || v == 0 || v > (UINT64_MAX >> shift)) {
		log_warn("cmdline: %s= needs a size in bytes (K, M or G allowed), not \"%s\"\n",
			 name, value);
		return false;
	}
	*out = v << shift;
	return true;
}

static bool parse_tmp_size(const char *value)
{
	return parse_size("tmp_size", value, &tmp_size);
}
PARAM("tmp_size", parse_tmp_size);

static bool parse_root_room(const char *value)
{
	return parse_size("root_room", value, &root_room);
}
PARAM("root_room", parse_root_room);

static struct kobj *root_dir;	/* set once at boot */
static struct vfs_fs *root_fs;	/* set once at boot */

static uint64_t fs_room(void)
{
	struct frame_stats fs;

	frame_get_stats(&fs);
	return fs.total * PAGE_SIZE / 4;
}

static void mount_tmp(struct vfs_node root)
{
	struct vfs_fs *tmp;
	void *node;
	uint64_t limit = tmp_size ? tmp_size : fs_room();
	int rc = root.fs->ops->create(root.fs, root.node, "tmp", 3, VFS_DIR, false, &node);
	if (rc == 0) {
		struct vfs_node at __free(vfs_node_put) = { root.fs, node };
		rc = tmpfs_vfs_create(limit, &tmp);
		if (rc == 0)
			rc = vfs_mount(at, tmp);
	}
	if (rc < 0)
		log_warn("fs: no tmpfs on /tmp (%s); it is part of the root\n", error_name(rc));
	else
		log_info("fs: tmpfs of %lu KiB on /tmp\n", limit >> 10);
}

void fs_init(void)
{
	struct vfs_fs *fs;
	int rc = tmpfs_vfs_create(0, &fs);

	if (rc < 0) {
		log_error("fs: no root filesystem: %s\n", error_name(rc));
		return;
	}
	struct vfs_node root __free(vfs_node_put) = vfs_fs_root(fs);
	int files = initrd_populate(root);
	if (files >= 0)
		log_info("fs: root is a tmpfs with the initrd's %d files\n", files);
	root_fs = fs;
	fs_root_set_room(0);
	mount_tmp(root);
	root_dir = vfs_dir_create(vfs_node_take(&root));	/* the kernel's, forever */
	if (!root_dir)
		log_error("fs: no memory for the root directory object\n");
}

struct kobj *fs_root_dir(void)
{
	return root_dir ? kobj_get(root_dir) : NULL;
}

void fs_root_set_room(uint64_t room)
{
	if (root_fs)
		tmpfs_vfs_limit_room(root_fs, room ? room : root_room ? root_room : fs_room());
}
