/* The initrd: a ustar archive the boot loader hands over, copied once at
 * boot into the root filesystem (its /bin, /etc, ...). */
#ifndef FS_INITRD_H
#define FS_INITRD_H

#include "fs/vfs.h"

/* Copies every directory and regular file of the archive beneath root.
 * Members that cannot be copied (a damaged archive, a name that is not
 * UTF-8 or breaks docs/paths.md's rules, other member types, no memory)
 * are reported and skipped; what comes before them stays. Like tar, a
 * later member of the same name replaces an earlier one. Returns the
 * number of files copied, or -ENOENT when there is no initrd. */
int initrd_populate(struct vfs_node root);

#endif
