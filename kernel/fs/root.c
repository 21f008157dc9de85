#include "fs/root.h"

#include "core/log.h"
#include "core/params.h"
#include "fs/initrd.h"
#include "fs/tmpfs_vfs.h"
#include "fs/vfs_object.h"
#include "lib/errors.h"
#include "mm/frame.h"

/* /tmp's limit: `tmp_size=N` bytes, with an optional K, M or G suffix;
 * by default a quarter of memory, so a full /tmp leaves room to run. */
static uint64_t tmp_size;

static bool parse_tmp_size(const char *value)
{
	uint64_t v = 0;
	const char *c = value;

	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - 9) / 10)
			break;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	unsigned shift = *c == 'K' ? 10 : *c == 'M' ? 20 : *c == 'G' ? 30 : 0;
	if (c == value || (shift && *++c) || *c || v == 0 || v > (UINT64_MAX >> shift)) {
		log_warn("cmdline: tmp_size= needs a size in bytes (K, M or G allowed), not \"%s\"\n",
			 value);
		return false;
	}
	tmp_size = v << shift;
	return true;
}
PARAM("tmp_size", parse_tmp_size);

static struct kobj *root_dir;

static void mount_tmp(struct vfs_node root)
{
	struct vfs_fs *tmp;
	void *node;
	struct frame_stats fs;

	frame_get_stats(&fs);
	uint64_t limit = tmp_size ? tmp_size : fs.total * PAGE_SIZE / 4;
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
	mount_tmp(root);
	root_dir = vfs_dir_create(vfs_node_take(&root));	/* the kernel's, forever */
	if (!root_dir)
		log_error("fs: no memory for the root directory object\n");
}

struct kobj *fs_root_dir(void)
{
	return root_dir ? kobj_get(root_dir) : NULL;
}
