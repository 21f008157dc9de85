/* The file tree at boot: the root filesystem (a tmpfs seeded from the
 * initrd) and a separate, size-limited tmpfs mounted on /tmp. */
#ifndef FS_ROOT_H
#define FS_ROOT_H

#include <stdint.h>

#include "core/kobj.h"

/* Builds the tree; problems are reported, never fatal (without an initrd
 * the root is empty but for /tmp). */
void fs_init(void);

/* The root directory object, with one more reference for the caller, or
 * NULL before fs_init or without memory for it. */
struct kobj *fs_root_dir(void);

/* Lets the root grow `room` bytes past what it holds now (UINT64_MAX: as
 * far as memory goes; 0: root_room=, or a quarter of memory). For tests
 * that exhaust memory with a file. */
void fs_root_set_room(uint64_t room);

#endif
