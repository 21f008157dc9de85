/* The only way the kernel touches user memory. Each function checks that the
 * user range lies wholly in user space, then copies; a fault on an address
 * no region backs becomes -EFAULT, never a kernel crash, and a page of a
 * region that gets no frame (memory is out) -ENOMEM. User addresses are
 * __user pointers (core/compiler.h): sparse (`make sparse`) reports any
 * other dereference of one. */
#ifndef MM_USERCOPY_H
#define MM_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/compiler.h"
#include "lib/abi.h"

int copy_from_user(void *dst, const void __user *user_src, size_t n);
int copy_to_user(void __user *user_dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most size-1 characters; returns its
 * length, -ENAMETOOLONG, -EFAULT or -ENOMEM. */
long copy_string_from_user(char *dst, const char __user *user_src, size_t size);

/* Makes the n bytes at user_dst writable without a fault, now: a later
 * copy_to_user there cannot fail for want of memory (only if the process
 * unmaps them meanwhile). For work that must not be done unless its
 * result can be delivered. 0, -EFAULT, -ENOMEM or -EDQUOT. */
int user_prefault_write(void __user *user_dst, size_t n);

/* A user address that arrived in an integer (a system call's argument
 * register), as the pointer the copies take. Any value will do: the copies
 * check it. */
static inline void __user *user_ptr(uint64_t addr)
{
	return (void __user *)(uintptr_t)addr;
}

/* A user address from an ABI structure (lib/abi.h's PANDA_USER), as the
 * pointer the copies take. */
static inline void __user *uaddr_ptr(struct panda_uaddr a)
{
	return user_ptr(a.addr);
}

#endif
