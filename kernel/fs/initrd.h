/* The initrd as a read-only directory object: until the VFS exists, the
 * one directory a process can be handed, and what spawn resolves executable
 * paths beneath (DESIGN "Contracts", spawn). */
#ifndef FS_INITRD_H
#define FS_INITRD_H

#include <stddef.h>
#include <stdint.h>

#include "core/kobj.h"

extern const struct kobj_type initrd_dir_type;

/* Checks the archive once; a corrupt one is reported and the members
 * before the damage stay reachable. */
void initrd_init(void);
/* The root directory object (one more reference for the caller), or NULL
 * when there is no initrd. */
struct kobj *initrd_root(void);

/* Finds a regular file beneath dir. Paths are relative to dir even when
 * they start with '/'; empty, "." and ".." components are refused.
 * When several members have the path, the last one wins (as in tar).
 * 0 with data/size set, -ENOENT, -EINVAL, -ENAMETOOLONG or -EISDIR. */
int initrd_lookup(struct kobj *dir, const char *path, const uint8_t **data, size_t *size);

#endif
