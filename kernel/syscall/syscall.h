/* The handlers of the system-call table, by file. Each gets the raw
 * argument registers; the table is in syscall.c. */
#ifndef SYSCALL_SYSCALL_H
#define SYSCALL_SYSCALL_H

#include <stdint.h>

struct trap_frame;

/* syscall.S calls this with the caller's registers, interrupts on; the
 * result goes back in the frame's rax. */
void syscall_dispatch(struct trap_frame *f);

#define SYSCALL_ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4

/* sys_ipc.c: handles and messages */
long sys_close(SYSCALL_ARGS);
long sys_dup(SYSCALL_ARGS);
long sys_channel_create(SYSCALL_ARGS);
long sys_send(SYSCALL_ARGS);
long sys_recv(SYSCALL_ARGS);
long sys_call(SYSCALL_ARGS);
long sys_wait(SYSCALL_ARGS);

#endif
