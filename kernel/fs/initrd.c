#include "fs/initrd.h"

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "lib/ustar.h"

/* Creates (or opens) each of the first `count` components as a directory,
 * like mkdir -p; *out gets the last one with a reference. */
static int make_dirs(struct vfs_node root, const char *path, const struct path *p,
		     unsigned count, struct vfs_node *out)
{
	struct vfs_node at = vfs_node_get(root);

	for (unsigned i = 0; i < count; i++) {
		void *next;
		int rc = at.fs->ops->create(at.fs, at.node, path + p->part[i].offset,
					    p->part[i].len, VFS_DIR, false, &next);
		vfs_node_put(at);
		if (rc < 0)
			return rc;
		at.node = next;
	}
	*out = at;
	return 0;
}

static int copy_member(struct vfs_node root, const struct ustar_entry *e)
{
	size_t len = strlen(e->path);
	struct path p;
	unsigned parents;
	struct path_component last;
	struct vfs_node dir __free(vfs_node_put) = { 0 };
	void *file;

	if (!bson_utf8_valid((const uint8_t *)e->path, len, false))
		return -EINVAL;		/* could never be named in a request */
	int rc = path_parse(e->path, len, &p);
	if (rc < 0 || p.count == 0)
		return rc;		/* the archive's own "." is the root */
	if (e->type == USTAR_DIRECTORY)
		return make_dirs(root, e->path, &p, p.count, &dir);
	path_split_last(&p, &parents, &last);
	rc = make_dirs(root, e->path, &p, parents, &dir);
	if (rc == 0)
		rc = dir.fs->ops->create(dir.fs, dir.node, e->path + last.offset, last.len,
					 VFS_FILE, false, &file);
	if (rc < 0)
		return rc;
	struct vfs_node f __free(vfs_node_put) = { dir.fs, file };
	rc = f.fs->ops->truncate(f.fs, f.node, 0);	/* a later member replaces */
	if (rc < 0)
		return rc;
	long n = f.fs->ops->write(f.fs, f.node, 0, e->data, e->size, NULL);
	return n < 0 ? (int)n : (uint64_t)n == e->size ? 0 : -ENOSPC;
}

int initrd_populate(struct vfs_node root)
{
	const struct boot_module *m = boot_initrd();
	struct ustar_reader r;
	struct ustar_entry e;
	int files = 0;

	if (!m)
		return -ENOENT;
	ustar_open(&r, arch_phys_to_virt(m->phys_start), m->phys_end - m->phys_start);
	int more;
	while ((more = ustar_next(&r, &e)) == 1) {
		if (e.type == USTAR_OTHER) {
			log_debug("initrd: %s is neither a file nor a directory; skipped\n", e.path);
			continue;
		}
		int rc = copy_member(root, &e);
		if (rc < 0)
			log_warn("initrd: cannot copy %s: %s\n", e.path, error_name(rc));
		else
			files += e.type == USTAR_FILE;
	}
	if (more < 0)
		log_error("initrd: damaged archive (%s at byte %zu); only the members before it "
			  "were copied\n", r.error, r.offset);
	return files;
}
