/* The only way the kernel touches user memory. Each function checks that the
 * user range lies wholly in user space, then copies; a fault on an address
 * no region backs becomes -EFAULT, never a kernel crash, and a page of a
 * region that gets no frame (memory is out) -ENOMEM. */
#ifndef MM_USERCOPY_H
#define MM_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

int copy_from_user(void *dst, uintptr_t user_src, size_t n);
int copy_to_user(uintptr_t user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most size-1 characters; returns its
 * length, -ENAMETOOLONG, -EFAULT or -ENOMEM. */
long copy_string_from_user(char *dst, uintptr_t user_src, size_t size);

#endif
