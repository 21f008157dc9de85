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

#include <stdbool.h>
#include <stddef.h>
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

/* The file object's I/O for kernel callers (the POSIX personality),
 * what its requests do: buf is kernel memory; `at` NULL uses and moves
 * the object's offset (or appends, for an appending file), else reads or
 * writes at *at. Rights are the caller's to check. */
long vfs_file_read(struct kobj *file, void *buf, size_t len, const uint64_t *at);
long vfs_file_write(struct kobj *file, const void *buf, size_t len, const uint64_t *at);
enum vfs_whence { VFS_SEEK_SET, VFS_SEEK_CUR, VFS_SEEK_END };
/* Moves the offset to delta from whence: *result gets it; -EINVAL
 * before 0 or past INT64_MAX. */
int vfs_file_seek(struct kobj *file, int64_t delta, enum vfs_whence whence, uint64_t *result);
struct vfs_node vfs_file_node(struct kobj *file);	/* no new reference */
bool vfs_file_appends(struct kobj *file);
void vfs_file_set_append(struct kobj *file, bool append);

/* What a directory's requests do, for kernel callers (the POSIX
 * personality): paths are (pointer, length) in kernel memory, resolved
 * beneath dir by docs/paths.md; the errors are the requests'. Only
 * vfs_dir_open checks rights (they depend on its flags); the others'
 * rights (docs/protocols.md, "directory") are the caller's to check. */
struct vfs_opened {
	struct kobj *obj;		/* the new directory or file object */
	uint32_t rights;		/* what a handle to it may have */
	enum vfs_type type;
};
/* OPEN_* flags as checked by the open request. `accept` (or NULL) sees
 * the new object before the open is final: an error from it undoes the
 * open (a file it created is removed) and is returned. *out gets the
 * object, with a reference for the caller. */
int vfs_dir_open(struct kobj *dir, uint32_t rights, const char *path, size_t len,
		 uint32_t flags, int (*accept)(void *ctx, const struct vfs_opened *o), void *ctx,
		 struct vfs_opened *out);
int vfs_dir_mkdir(struct kobj *dir, const char *path, size_t len);
int vfs_dir_remove(struct kobj *dir, const char *path, size_t len, bool is_rmdir);
/* replace false: -EEXIST when `to` exists (RENAME_NOREPLACE). */
int vfs_dir_rename(struct kobj *dir, const char *from, size_t from_len, const char *to,
		   size_t to_len, bool replace);
int vfs_dir_stat(struct kobj *dir, const char *path, size_t len, struct vfs_stat *st);
int vfs_dir_readdir(struct kobj *dir, uint64_t *cursor, struct vfs_dirent *out, unsigned max);
struct vfs_fs *vfs_dir_fs(struct kobj *dir);

/* Appends the fields of a stat reply (docs/protocols.md). */
struct bson_builder;
int vfs_append_stat(const struct vfs_stat *st, struct bson_builder *b);
int vfs_reply_stat(struct vfs_node n, struct bson_builder *b);

/* Live directory and file objects, for leak tests. */
uint64_t vfs_dir_count(void);
uint64_t vfs_file_count(void);

#endif
