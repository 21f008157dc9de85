/* Address-space marks for sparse (`make sparse`), as Linux has them. A
 * pointer marked __user holds a user address: the kernel may pass it
 * around and compare it, never dereference it; only the copies of
 * mm/usercopy.h read or write what it points to. sparse reports a
 * dereference, or a pointer that moves between the spaces without a
 * __force cast (the user-copy gate's own, and nowhere else). To the
 * compiler the marks are empty. `make sparse` includes this header first
 * (-include). The user addresses inside lib/abi.h's structures go further:
 * to the kernel they are not pointers at all (PANDA_USER), so the compiler
 * itself refuses a dereference. */
#ifndef CORE_COMPILER_H
#define CORE_COMPILER_H

#ifdef __CHECKER__
#define __user		__attribute__((noderef, address_space(__user)))
#define __kernel	__attribute__((address_space(0)))
#define __force		__attribute__((force))
/* sparse 0.6.4 takes no enum in __atomic builtins ("invalid type for
 * argument 1"), which C and gcc allow (proc/process.c reads thread and
 * process states so); to the checker such a load is the plain read it is.
 * A __user pointer here is still a dereference sparse reports. */
#define __atomic_load_n(ptr, order)	(*(ptr))
#else
#define __user
#define __kernel
#define __force
#endif

#endif
