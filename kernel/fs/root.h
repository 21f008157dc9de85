/* The file tree at boot: the root filesystem (a tmpfs seeded from the
 * initrd) and a separate, size-limited tmpfs mounted on /tmp. */
#ifndef FS_ROOT_H
#define FS_ROOT_H

#include "core/kobj.h"

/* Builds the tree; problems are reported, never fatal (without an initrd
 * the root is empty but for /tmp). */
void fs_init(void);

/* The root directory object, with one more reference for the caller, or
 * NULL before fs_init or without memory for it. */
struct kobj *fs_root_dir(void);

#endif
