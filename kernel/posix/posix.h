/* The Linux x86-64 personality (DESIGN, "The POSIX subsystem";
 * docs/posix.md): static Linux executables run unmodified, each Linux
 * system call mapped onto Panda's own objects. What the rest of the
 * kernel sees of it is this header. */
#ifndef POSIX_POSIX_H
#define POSIX_POSIX_H

#include <stdbool.h>

struct trap_frame;

/* Registers the personality with spawn, unless the command line says
 * posix=off (then executables without the native mark are refused). */
void posix_init(void);
bool posix_enabled(void);

/* One system call of a Linux process: the number in rax, the arguments
 * in rdi, rsi, rdx, r10, r8, r9; the result (or -errno) goes back in
 * rax. Called by the syscall layer with interrupts on. */
void posix_syscall(struct trap_frame *f);

#endif
