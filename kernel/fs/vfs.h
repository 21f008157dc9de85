/* The virtual filesystem: what every filesystem offers the kernel, the
 * mount table, and path walks beneath a starting directory.
 *
 * A filesystem (tmpfs today, FAT later) is a `struct vfs_fs` with an
 * operations table. Its nodes are opaque pointers with reference counts it
 * keeps itself; a `struct vfs_node` names one node of one filesystem and,
 * wherever this header hands one out, carries one reference that its owner
 * drops with vfs_node_put. The operations work on one name in one
 * directory at a time: paths are the VFS's business (lib/path.h checks
 * them, vfs_walk follows them), so a filesystem never sees a '/'.
 *
 * Locking is the filesystem's: each operation is atomic with respect to
 * the others on the same filesystem (tmpfs holds one spinlock around each;
 * a disk filesystem will hold a sleeping lock). The VFS itself keeps no
 * lock on the path: a walk takes a reference on each directory it passes.
 *
 * Mounts: another filesystem's root can cover a directory. A walk that
 * arrives at a covered directory continues in the mounted root. Mounts are
 * made at boot and never undone, so the table is read without a lock once
 * user space runs; removing or renaming a covered directory is -EBUSY, and
 * a rename between filesystems is -EXDEV.
 *
 * There is no name cache: tmpfs looks names up by binary search in memory,
 * which a cache would only duplicate. A disk filesystem may keep its own. */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"
#include "lib/path.h"

enum vfs_type {
	VFS_FILE = 1,
	VFS_DIR = 2,
};

struct vfs_stat {
	enum vfs_type type;
	uint32_t nlink;
	uint64_t ino;		/* unique within the filesystem */
	uint64_t size;		/* bytes of a file; entries of a directory */
	uint64_t blocks;	/* 4 KiB blocks the file holds */
	uint64_t atime, mtime, ctime;	/* ns since the Unix epoch */
};

struct vfs_dirent {
	char name[PATH_NAME_MAX + 1];	/* NUL-terminated */
	uint32_t name_len;
	enum vfs_type type;
	uint64_t ino;
	uint64_t size;			/* as vfs_stat.size */
	uint64_t cookie;		/* readdir's cursor just past this entry */
};

struct vfs_statfs {
	uint64_t max_bytes;		/* 0: no limit but memory */
	uint64_t used_bytes;
	uint64_t nodes;
};

/* Write at the end of the file, wherever that is when the write happens. */
#define VFS_APPEND UINT64_MAX

struct vfs_fs;

/* Every operation takes the filesystem and node(s) it works on. Names are
 * (pointer, length) and already pass path_name_valid, except in lookup,
 * which checks again. Errors are those of lib/errors.h; each operation's
 * errors are tmpfs.h's for the same function. */
struct vfs_ops {
	void *(*root)(struct vfs_fs *fs);			/* with a reference */
	void (*get)(struct vfs_fs *fs, void *node);
	void (*put)(struct vfs_fs *fs, void *node);
	enum vfs_type (*type)(struct vfs_fs *fs, void *node);
	int (*lookup)(struct vfs_fs *fs, void *dir, const char *name, size_t len, void **out);
	/* Open-or-create; -EEXIST when exclusive or of the other type. */
	int (*create)(struct vfs_fs *fs, void *dir, const char *name, size_t len,
		      enum vfs_type type, bool exclusive, void **out);
	int (*unlink)(struct vfs_fs *fs, void *dir, const char *name, size_t len);
	int (*rmdir)(struct vfs_fs *fs, void *dir, const char *name, size_t len);
	int (*rename)(struct vfs_fs *fs, void *from_dir, const char *from, size_t from_len,
		      void *to_dir, const char *to, size_t to_len);
	long (*read)(struct vfs_fs *fs, void *file, uint64_t off, void *buf, size_t len);
	/* off may be VFS_APPEND; *end (if not NULL) gets the offset just past
	 * the bytes written. */
	long (*write)(struct vfs_fs *fs, void *file, uint64_t off, const void *buf, size_t len,
		      uint64_t *end);
	int (*truncate)(struct vfs_fs *fs, void *file, uint64_t size);
	int (*stat)(struct vfs_fs *fs, void *node, struct vfs_stat *out);
	/* Up to max entries after *cursor (0 to start), advancing it. */
	int (*readdir)(struct vfs_fs *fs, void *dir, uint64_t *cursor, struct vfs_dirent *out,
		       unsigned max);
	/* Makes a file's data durable (optional: memory filesystems have
	 * nothing to do). */
	int (*sync)(struct vfs_fs *fs, void *file);
	void (*statfs)(struct vfs_fs *fs, struct vfs_statfs *out);
};

struct vfs_fs {
	const struct vfs_ops *ops;
	const char *name;		/* "tmpfs" */
};

/* One node of one filesystem: where handed out, one reference. */
struct vfs_node {
	struct vfs_fs *fs;
	void *node;
};

static inline struct vfs_node vfs_node_get(struct vfs_node n)
{
	n.fs->ops->get(n.fs, n.node);
	return n;
}

static inline void vfs_node_put(struct vfs_node n)
{
	if (n.fs)
		n.fs->ops->put(n.fs, n.node);
}

/* `struct vfs_node n __free(vfs_node_put) = {0};` drops the reference on
 * every return path; vfs_node_take moves it out. */
DEFINE_FREE(vfs_node_put, struct vfs_node, vfs_node_put(_T))

static inline struct vfs_node vfs_node_take(struct vfs_node *n)
{
	struct vfs_node taken = *n;

	*n = (struct vfs_node){ 0 };
	return taken;
}

static inline enum vfs_type vfs_type(struct vfs_node n)
{
	return n.fs->ops->type(n.fs, n.node);
}

static inline bool vfs_same(struct vfs_node a, struct vfs_node b)
{
	return a.fs == b.fs && a.node == b.node;
}

/* A filesystem's root, with a reference. */
struct vfs_node vfs_fs_root(struct vfs_fs *fs);

/* Covers directory `at` with fs's root. -ENOTDIR, -EBUSY (already covered,
 * or the table is full). For boot only: mounts are never undone. */
int vfs_mount(struct vfs_node at, struct vfs_fs *fs);
/* True when n is covered by a mount (its own filesystem's view of it). */
bool vfs_is_mount_point(struct vfs_node n);

/* One step: the node named name[0..len) in dir, crossing into a mounted
 * root, with a reference in *out. */
int vfs_lookup(struct vfs_node dir, const char *name, size_t len, struct vfs_node *out);

/* Follows components [0, count) of p (parsed from path) from start; *out
 * gets the node with a reference (start itself, with a new one, when count
 * is 0). Every component but the last must be a directory (-ENOTDIR). */
int vfs_walk(struct vfs_node start, const char *path, const struct path *p, unsigned count,
	     struct vfs_node *out);

#endif
