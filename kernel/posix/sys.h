/* The Linux system calls the personality has, by subject (sys_*.c), and
 * the shape every one of them takes. A call gets the six argument
 * registers as Linux passes them (rdi, rsi, rdx, r10, r8, r9) and returns
 * a result or a negative error; Panda's errors are turned into Linux's on
 * the way out (posix_errno). A call that is not listed answers ENOSYS. */
#ifndef POSIX_SYS_H
#define POSIX_SYS_H

#include <stdbool.h>
#include <stdint.h>

struct elf_image;
struct posix_proc;
struct process;
struct spawn_request;
struct trap_frame;

struct posix_call {
	struct trap_frame *frame;	/* the caller's registers */
	struct posix_proc *pp;		/* the caller's personality state */
	bool new_registers;		/* the frame was rewritten (execve) */
};

typedef long (*posix_syscall_fn)(struct posix_call *c, uint64_t a0, uint64_t a1, uint64_t a2,
				 uint64_t a3, uint64_t a4, uint64_t a5);

/* Defines the handler of Linux's call `name`. */
#define POSIX_CALL(name)						\
	long posix_sys_##name(struct posix_call *c, uint64_t a0, uint64_t a1, uint64_t a2, \
			      uint64_t a3, uint64_t a4, uint64_t a5)

/* sys_file.c */
#define POSIX_FILE_CALLS(X)						\
	X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(lseek)	\
	X(ioctl) X(pread64) X(pwrite64) X(readv) X(writev) X(access) X(dup)	\
	X(dup2) X(fcntl) X(fsync) X(fdatasync) X(ftruncate) X(truncate)		\
	X(getcwd) X(chdir) X(fchdir) X(rename) X(mkdir) X(rmdir) X(creat)	\
	X(unlink) X(readlink) X(chmod) X(fchmod) X(chown) X(fchown) X(lchown)	\
	X(umask) X(statfs) X(fstatfs) X(getdents64) X(openat) X(mkdirat)	\
	X(fchownat) X(newfstatat) X(unlinkat) X(renameat) X(readlinkat)		\
	X(fchmodat) X(faccessat) X(utimensat) X(dup3) X(renameat2) X(statx)	\
	X(faccessat2) X(sendfile) X(sync)

/* pipe.c */
#define POSIX_PIPE_CALLS(X)	X(pipe) X(pipe2)

/* sys_poll.c */
#define POSIX_POLL_CALLS(X)	X(poll) X(ppoll) X(select) X(pselect6)

/* sys_proc.c */
#define POSIX_PROC_CALLS(X)						\
	X(exit) X(exit_group) X(getpid) X(getppid) X(gettid) X(getuid)		\
	X(geteuid) X(getgid) X(getegid) X(getresuid) X(getresgid)		\
	X(getgroups) X(setuid) X(setgid) X(getpgrp) X(getpgid) X(getsid)	\
	X(uname) X(arch_prctl) X(set_tid_address) X(set_robust_list)		\
	X(prlimit64) X(getrlimit) X(setrlimit) X(getrandom) X(sched_yield)	\
	X(prctl) X(sysinfo)

/* sys_child.c, sys_exec.c */
#define POSIX_CHILD_CALLS(X)						\
	X(fork) X(vfork) X(clone) X(execve) X(wait4) X(waitid) X(kill) X(tgkill) X(tkill)

/* sys_signal.c */
#define POSIX_SIGNAL_CALLS(X)	X(rt_sigaction) X(rt_sigprocmask)

/* sys_time.c */
#define POSIX_TIME_CALLS(X)						\
	X(clock_gettime) X(clock_getres) X(gettimeofday) X(time)		\
	X(nanosleep) X(clock_nanosleep) X(times) X(getrusage)

/* sys_mem.c */
#define POSIX_MEM_CALLS(X)						\
	X(brk) X(mmap) X(munmap) X(mprotect) X(madvise) X(mremap)

#define POSIX_ALL_CALLS(X)						\
	POSIX_FILE_CALLS(X) POSIX_PIPE_CALLS(X) POSIX_POLL_CALLS(X) POSIX_CHILD_CALLS(X) POSIX_SIGNAL_CALLS(X) \
	POSIX_PROC_CALLS(X) POSIX_TIME_CALLS(X) POSIX_MEM_CALLS(X)

#define POSIX_DECLARE(name)	POSIX_CALL(name);
POSIX_ALL_CALLS(POSIX_DECLARE)
#undef POSIX_DECLARE

/* start.c: the personality's start and release (proc/personality.h). */
long posix_start(struct process *p, const struct spawn_request *req, const struct elf_image *img,
		 const uint32_t *handles);
void posix_release(struct process *p);

#endif
