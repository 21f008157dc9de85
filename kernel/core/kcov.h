/* Kernel coverage for the system-call fuzzer (docs/syscalls.md, "kcov").
 * In the kcov build (`make kcov-kernel`, -DPANDA_KCOV) every function
 * outside the excluded files calls __sanitizer_cov_trace_pc at each basic
 * block; that records the return address into the buffer of the running
 * thread, and only while the thread is inside a system call of its own
 * after it enabled coverage (never in an interrupt, never in a kernel
 * thread). A buffer is a kernel object reached through a handle; the
 * normal kernel refuses every kcov call with -ENOSYS. */
#ifndef CORE_KCOV_H
#define CORE_KCOV_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

/* The system call SYS_KCOV (op, a1, a2, a3); the ops are in lib/abi.h. */
long kcov_syscall(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3);

#ifdef PANDA_KCOV
/* Around a system call's body (syscall_dispatch): recording is on from
 * enter to leave for a thread with an enabled buffer. */
void kcov_syscall_enter(void);
void kcov_syscall_leave(void);
/* Around an interrupt or exception (trap_dispatch): whatever the handler
 * runs is not the interrupted call's coverage. Returns what leave needs. */
bool kcov_irq_enter(void);
void kcov_irq_leave(bool was_recording);
/* A thread is freed: drops its buffer, if any. */
void kcov_thread_free(struct thread *t);
#else	/* the normal kernel: nothing on any path but the call itself */
static inline void kcov_syscall_enter(void) {}
static inline void kcov_syscall_leave(void) {}
static inline bool kcov_irq_enter(void) { return false; }
static inline void kcov_irq_leave(bool was_recording) { (void)was_recording; }
static inline void kcov_thread_free(struct thread *t) { (void)t; }
#endif

#endif
