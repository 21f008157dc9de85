/* The handlers of the system-call table, by file. Each gets the raw
 * argument registers; the table and the dispatch are in syscall.c. */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame;

/* syscall.S calls this with the caller's registers, interrupts on; the
 * result goes back in the frame's rax. */
bool syscall_dispatch(struct trap_frame *f);	/* true: restore every register */

#define SYSCALL_ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4

/* Every handler takes the five registers whatever it uses of them (the
 * table has one type), so an unused one is no mistake in these files,
 * the only ones that include this header: no (void)aN lines. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* sys_proc.c: processes */
long sys_exit(SYSCALL_ARGS);
long sys_yield(SYSCALL_ARGS);
long sys_getpid(SYSCALL_ARGS);
long sys_spawn(SYSCALL_ARGS);
long sys_process_wait(SYSCALL_ARGS);
long sys_process_kill(SYSCALL_ARGS);

/* sys_mem.c: the caller's address space */
long sys_mem_map(SYSCALL_ARGS);
long sys_mem_unmap(SYSCALL_ARGS);
long sys_mem_protect(SYSCALL_ARGS);

/* sys_misc.c: time and the log */
long sys_debug_write(SYSCALL_ARGS);
long sys_sleep(SYSCALL_ARGS);
long sys_clock(SYSCALL_ARGS);

/* sys_ipc.c: handles and messages */
long sys_close(SYSCALL_ARGS);
long sys_dup(SYSCALL_ARGS);
long sys_channel_create(SYSCALL_ARGS);
long sys_send(SYSCALL_ARGS);
long sys_recv(SYSCALL_ARGS);
long sys_call(SYSCALL_ARGS);
long sys_wait(SYSCALL_ARGS);

#endif
