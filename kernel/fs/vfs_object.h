/* Directories and open files as kernel objects: what a directory or file
 * handle names, and the protocols they answer (docs/protocols.md,
 * "directory" and "file"). Rights are the handle's, checked when a request
 * enters; a directory handle's rights bound everything reached through it.
 *
 * Each object holds one reference to its node, so an open file outlives
 * its name (unlink while open) and a directory handle keeps its directory
 * (removing it leaves a handle to an empty, dead directory). */
#ifndef FS_VFS_OBJECT_H
#define FS_VFS_OBJECT_H

#include <stdint.h>

#include "core/kobj.h"
#include "fs/vfs.h"

extern const struct kobj_type vfs_dir_type;
extern const struct kobj_type vfs_file_type;

/* Rights every directory and file handle gets besides read and write. */
#define VFS_HANDLE_RIGHTS	(RIGHT_SEND | RIGHT_DUP | RIGHT_TRANSFER)

/* New objects, taking over the caller's reference to the node; NULL
 * (with the reference dropped) without memory. */
struct kobj *vfs_dir_create(struct vfs_node dir);
struct kobj *vfs_file_create(struct vfs_node file, uint32_t open_flags);

/* The node a directory object stands for (no new reference). */
struct vfs_node vfs_dir_node(struct kobj *dir);

/* Resolves path[0..len) beneath a directory object (docs/paths.md) to a
 * regular file, with a reference in *out: -ENOENT, -ENOTDIR, -EISDIR,
 * -EINVAL, -ENAMETOOLONG. For spawn. */
int vfs_dir_resolve_file(struct kobj *dir, const char *path, size_t len, struct vfs_node *out);

/* Appends the fields of a stat reply for n (docs/protocols.md). */
struct bson_builder;
int vfs_reply_stat(struct vfs_node n, struct bson_builder *b);

/* Live directory and file objects, for leak tests. */
uint64_t vfs_dir_count(void);
uint64_t vfs_file_count(void);

#endif
