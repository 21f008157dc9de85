/* tmpfs as a VFS filesystem (kernel/fs/tmpfs.h is the storage itself). */
#ifndef FS_TMPFS_VFS_H
#define FS_TMPFS_VFS_H

#include <stdint.h>

#include "fs/vfs.h"

/* A new, empty tmpfs of at most max_bytes (0: as much as memory allows).
 * Filesystems are never destroyed (vfs.h, "Mounts"). */
int tmpfs_vfs_create(uint64_t max_bytes, struct vfs_fs **out);

/* tmpfs_limit_room under the filesystem's lock. */
void tmpfs_vfs_limit_room(struct vfs_fs *vfs, uint64_t room);

/* tmpfs_check under the filesystem's lock: NULL when consistent. */
const char *tmpfs_vfs_check(struct vfs_fs *vfs);

#endif
