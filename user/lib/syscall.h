/* System-call wrappers for user programs: one function per SYS_* number in
 * lib/abi.h, plus a few conveniences built on them. Every call returns what
 * the kernel returned: a non-negative result or a negative error from
 * lib/errors.h (-EFAULT, -EBADHANDLE, ...). */
#ifndef USER_LIB_SYSCALL_H
#define USER_LIB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

/* The raw instruction, for the fuzzer: any number, any six arguments. */
long panda_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

void panda_exit(int code) __attribute__((noreturn));
long panda_yield(void);
long panda_getpid(void);
long panda_spawn(const struct panda_spawn *spawn);
long panda_process_wait(panda_handle_t h, uint64_t deadline,
			struct panda_exit_status *status);
long panda_process_kill(panda_handle_t h);
long panda_debug_write(const char *text, size_t len);
long panda_sleep(uint64_t deadline);
uint64_t panda_clock(void);
long panda_mem_map(void *addr, size_t len, unsigned prot);	/* address or error */
long panda_mem_unmap(void *addr, size_t len);
long panda_mem_protect(void *addr, size_t len, unsigned prot);
long panda_close(panda_handle_t h);

long panda_channel_create(panda_handle_t ends[2]);
long panda_send(panda_handle_t h, const struct panda_msg *msg, unsigned flags);
long panda_recv(panda_handle_t h, struct panda_msg *msg, unsigned flags, uint64_t deadline);
long panda_call(panda_handle_t h, const struct panda_msg *req, struct panda_msg *reply,
		uint64_t deadline);
long panda_wait(struct panda_wait_item *items, uint32_t count, uint64_t deadline);
long panda_dup(panda_handle_t h, uint32_t rights);
/* Sends one document with no handles. */
long panda_send_doc(panda_handle_t h, const void *doc, size_t size);

/* Sleeps ns nanoseconds from now (until panda_clock() + ns). */
long panda_sleep_ns(uint64_t ns);

#endif
