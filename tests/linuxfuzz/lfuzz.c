/* lfuzz: random system calls over the Linux table, made by a static Linux
 * program against Panda's POSIX personality (docs/testing.md, "Fuzzing
 * the Linux table").
 *
 *   lfuzz [-n CALLS] [-t SECONDS] [-s SEED] [-v FROM]
 *
 * Built with musl-gcc -static; in every initrd as /test/lfuzz. The
 * kernel's `test=lfuzz` runs it confined: its "/" is a fresh directory
 * (/tmp/lfuzz), so any path it makes up, ".." and all, can only reach
 * what it made itself, and the kernel checks afterwards that every frame,
 * heap object, file and directory came back (kernel/proc/kfuzz_selftest.c).
 * Run by hand anywhere else it would rename and remove what it finds, so
 * it refuses a root that holds anything but its own names.
 *
 * One process (fork is not there yet), CALLS calls made one after the
 * other with the kernel's own system-call instruction, never through
 * libc. A call is mostly one of the numbers the personality implements
 * with arguments shaped for it, sometimes any number from 0 to 460 or a
 * number far outside the table with arguments of any shape. Arguments
 * come from: descriptors it holds (files, directories, pipes, devices)
 * and numbers near them, -1 and AT_FDCWD; paths made of its own names,
 * ".", "..", 255- and 256-byte names, empty and 4096-byte paths, the
 * devices and /proc/self/exe; lengths at the edges (0, 1, 4095, 4096,
 * 4097, 64 KiB, 0x7ffff000, 2^32, ~0); pointers into its buffers, into
 * pages it maps and unmaps, to a string that runs into an unmapped page,
 * NULL, kernel and non-canonical addresses; flags valid, mixed and random.
 * Every EPOCH calls it closes everything, unmaps what it mapped and
 * removes its tree, so state stays small and the memory it holds bounded;
 * some epochs then start at a limit (every descriptor taken, its tree's
 * kernel memory taken by pipes, or its user memory by touched pages), so
 * that calls meet EMFILE, ENOMEM and EDQUOT on their way.
 *
 * What it never asks, so that it keeps running (the calls the personality
 * does not implement answer ENOSYS today, but must stay harmless when they
 * come):
 *  - calls that end or replace the process: exit, exit_group, execve,
 *    execveat, rt_sigreturn; that make processes or threads: fork, vfork,
 *    clone, clone3; that send signals or arm timers whose default action
 *    ends it: kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
 *    pidfd_send_signal, alarm, setitimer, timer_create, timer_settime,
 *    rt_sigaction (a handler at a random address), rseq (a bad area is
 *    SIGSEGV);
 *  - calls that may wait forever in a single process: pause,
 *    rt_sigsuspend, rt_sigtimedwait, futex, futex_waitv, select, pselect6,
 *    poll, ppoll, epoll_wait, epoll_pwait, epoll_pwait2, io_getevents,
 *    io_pgetevents, io_uring_enter, msgrcv, msgsnd, semop, semtimedop,
 *    mq_timedsend, mq_timedreceive, accept, accept4, connect, recvfrom,
 *    recvmsg, recvmmsg, sendto, sendmsg, sendmmsg, mknod and mknodat
 *    (a FIFO's open waits for its other end);
 *  - calls that change the machine, other processes or its own view of
 *    the file system: reboot, kexec_load, kexec_file_load, init_module,
 *    finit_module, delete_module, settimeofday, clock_settime,
 *    clock_adjtime, adjtimex, sethostname, setdomainname, swapon, swapoff,
 *    mount, umount2, pivot_root, chroot, unshare, setns, ptrace,
 *    process_vm_readv, process_vm_writev, process_madvise, iopl, ioperm,
 *    modify_ldt, sched_setscheduler, sched_setparam, sched_setattr,
 *    seccomp, acct, quotactl, vhangup, shmat, shmdt, remap_file_pages.
 * And it makes these safe rather than leaving them out: every pipe end is
 * O_NONBLOCK (pipe2 always asks for it, a pipe() is made non-blocking at
 * once) and F_SETFL keeps O_NONBLOCK set (FIONBIO is never asked), so no
 * read or write waits for itself; nanosleep and clock_nanosleep get at
 * most 200 us (or an invalid time); munmap, mprotect, madvise, mremap,
 * pkey_mprotect and MAP_FIXED only target its scratch region and the
 * pages it mapped, never its image, stack or buffers; no argument is an
 * address in its image or stack; arch_prctl's FS base is put back after
 * each call (musl keeps errno there); prctl never sets seccomp, the TSC,
 * the memory map or syscall dispatch; setrlimit and prlimit64 only lower
 * limits that cannot kill it or stop its opens; its own output goes to a
 * fresh /dev/tty each time (fds 0 to 2 are closed at the start), and no
 * path it makes is /dev/tty (a console read waits for a key).
 *
 * The calls and their arguments are a function of the seed; what the
 * kernel writes into the buffers (random bytes, times) and then comes back
 * as input is not. It prints `lfuzz: N calls in M ms, seed S`, a line of
 * counts, `lfuzz: done` once its tree is gone, and exits 0 (1 when the
 * cleanup failed, 2 for bad arguments or a root that is not its own). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE		4096ul
#define EPOCH		5000u		/* calls between resets */
#define FD_LIMIT	1024		/* the personality's RLIMIT_NOFILE */
#define FDS_KEPT	48		/* more open than this: the oldest is closed */
#define MAPS_MAX	32
#define SLOW_MS		1000
#define BATCH		256		/* calls timed together */

/* Its own regions, at fixed addresses far from where mmap picks (4 GiB
 * up) and from the image and the stack. B: buffers the kernel reads and
 * writes, with a PROT_NONE guard after it so that a long write stops
 * there; IN, its first part, takes what a call is given (paths, iovecs,
 * times), made afresh for each call. S: a scratch region the memory calls
 * may unmap and protect. E: one page with an unmapped page after it, for
 * strings that run off the end. */
#define B_ADDR		0x600000000000ul
#define B_SIZE		(256ul << 10)
#define IN_SIZE		(64ul << 10)
#define GUARD_SIZE	(64ul << 10)
#define S_ADDR		0x500000000000ul
#define S_SIZE		(4ul << 20)
#define E_ADDR		0x580000000000ul
#define USER_TOP	0x00007ffffffff000ul
#define STACK_LO	(USER_TOP - (8ul << 20) - (64ul << 10))

/* Linux x86-64 numbers (asm/unistd_64.h), written out so that the build
 * does not depend on how new the libc's headers are. */
enum {
	NR_read = 0, NR_write = 1, NR_open = 2, NR_close = 3, NR_stat = 4, NR_fstat = 5,
	NR_lstat = 6, NR_poll = 7, NR_lseek = 8, NR_mmap = 9, NR_mprotect = 10,
	NR_munmap = 11, NR_brk = 12, NR_rt_sigaction = 13, NR_rt_sigprocmask = 14,
	NR_rt_sigreturn = 15, NR_ioctl = 16, NR_pread64 = 17, NR_pwrite64 = 18,
	NR_readv = 19, NR_writev = 20, NR_access = 21, NR_pipe = 22, NR_select = 23,
	NR_sched_yield = 24, NR_mremap = 25, NR_madvise = 28, NR_shmat = 30,
	NR_dup = 32, NR_dup2 = 33, NR_pause = 34, NR_nanosleep = 35, NR_alarm = 37,
	NR_setitimer = 38, NR_getpid = 39, NR_sendfile = 40, NR_connect = 42,
	NR_accept = 43, NR_sendto = 44, NR_recvfrom = 45, NR_sendmsg = 46,
	NR_recvmsg = 47, NR_clone = 56, NR_fork = 57, NR_vfork = 58, NR_execve = 59,
	NR_exit = 60, NR_wait4 = 61, NR_kill = 62, NR_uname = 63, NR_semop = 65,
	NR_shmdt = 67, NR_msgsnd = 69, NR_msgrcv = 70, NR_fcntl = 72, NR_fsync = 74,
	NR_fdatasync = 75, NR_truncate = 76, NR_ftruncate = 77, NR_getcwd = 79,
	NR_chdir = 80, NR_fchdir = 81, NR_rename = 82, NR_mkdir = 83, NR_rmdir = 84,
	NR_creat = 85, NR_unlink = 87, NR_readlink = 89, NR_chmod = 90, NR_fchmod = 91,
	NR_chown = 92, NR_fchown = 93, NR_lchown = 94, NR_umask = 95,
	NR_gettimeofday = 96, NR_getrlimit = 97, NR_getrusage = 98, NR_sysinfo = 99,
	NR_times = 100, NR_ptrace = 101, NR_getuid = 102, NR_getgid = 104,
	NR_setuid = 105, NR_setgid = 106, NR_geteuid = 107, NR_getegid = 108,
	NR_getppid = 110, NR_getpgrp = 111, NR_getgroups = 115, NR_getresuid = 118,
	NR_getresgid = 120, NR_getpgid = 121, NR_getsid = 124, NR_rt_sigtimedwait = 128,
	NR_rt_sigqueueinfo = 129, NR_rt_sigsuspend = 130, NR_mknod = 133,
	NR_statfs = 137, NR_fstatfs = 138, NR_sched_setparam = 142,
	NR_sched_setscheduler = 144, NR_vhangup = 153, NR_modify_ldt = 154,
	NR_pivot_root = 155, NR_prctl = 157, NR_arch_prctl = 158, NR_adjtimex = 159,
	NR_setrlimit = 160, NR_chroot = 161, NR_sync = 162, NR_acct = 163,
	NR_settimeofday = 164, NR_mount = 165, NR_umount2 = 166, NR_swapon = 167,
	NR_swapoff = 168, NR_reboot = 169, NR_sethostname = 170, NR_setdomainname = 171,
	NR_iopl = 172, NR_ioperm = 173, NR_init_module = 175, NR_delete_module = 176,
	NR_quotactl = 179, NR_gettid = 186, NR_tkill = 200, NR_time = 201, NR_futex = 202,
	NR_io_getevents = 208, NR_remap_file_pages = 216, NR_getdents64 = 217,
	NR_set_tid_address = 218, NR_semtimedop = 220, NR_timer_create = 222,
	NR_timer_settime = 223, NR_clock_settime = 227, NR_clock_gettime = 228,
	NR_clock_getres = 229, NR_clock_nanosleep = 230, NR_exit_group = 231,
	NR_epoll_wait = 232, NR_tgkill = 234, NR_mq_timedsend = 242,
	NR_mq_timedreceive = 243, NR_kexec_load = 246, NR_waitid = 247, NR_openat = 257,
	NR_mkdirat = 258, NR_mknodat = 259, NR_fchownat = 260, NR_newfstatat = 262,
	NR_unlinkat = 263, NR_renameat = 264, NR_readlinkat = 267, NR_fchmodat = 268,
	NR_faccessat = 269, NR_pselect6 = 270, NR_ppoll = 271, NR_unshare = 272,
	NR_set_robust_list = 273, NR_utimensat = 280, NR_epoll_pwait = 281,
	NR_accept4 = 288, NR_dup3 = 292, NR_pipe2 = 293, NR_rt_tgsigqueueinfo = 297,
	NR_recvmmsg = 299, NR_prlimit64 = 302, NR_clock_adjtime = 305, NR_sendmmsg = 307,
	NR_setns = 308, NR_process_vm_readv = 310, NR_process_vm_writev = 311,
	NR_finit_module = 313, NR_sched_setattr = 314, NR_renameat2 = 316,
	NR_seccomp = 317, NR_getrandom = 318, NR_kexec_file_load = 320, NR_execveat = 322,
	NR_pkey_mprotect = 329, NR_statx = 332, NR_io_pgetevents = 333, NR_rseq = 334,
	NR_pidfd_send_signal = 424, NR_io_uring_enter = 426, NR_clone3 = 435,
	NR_close_range = 436, NR_faccessat2 = 439, NR_process_madvise = 440,
	NR_epoll_pwait2 = 441, NR_futex_waitv = 449,
	NR_TABLE_END = 461,
};

static const uint16_t excluded[] = {
	NR_exit, NR_exit_group, NR_execve, NR_execveat, NR_rt_sigreturn, NR_fork, NR_vfork,
	NR_clone, NR_clone3, NR_kill, NR_tkill, NR_tgkill, NR_rt_sigqueueinfo,
	NR_rt_tgsigqueueinfo, NR_pidfd_send_signal, NR_alarm, NR_setitimer, NR_timer_create,
	NR_timer_settime, NR_rt_sigaction, NR_rseq,
	NR_pause, NR_rt_sigsuspend, NR_rt_sigtimedwait, NR_futex, NR_futex_waitv, NR_select,
	NR_pselect6, NR_poll, NR_ppoll, NR_epoll_wait, NR_epoll_pwait, NR_epoll_pwait2,
	NR_io_getevents, NR_io_pgetevents, NR_io_uring_enter, NR_msgrcv, NR_msgsnd, NR_semop,
	NR_semtimedop, NR_mq_timedsend, NR_mq_timedreceive, NR_accept, NR_accept4,
	NR_connect, NR_recvfrom, NR_recvmsg, NR_recvmmsg, NR_sendto, NR_sendmsg,
	NR_sendmmsg, NR_mknod, NR_mknodat,
	NR_reboot, NR_kexec_load, NR_kexec_file_load, NR_init_module, NR_finit_module,
	NR_delete_module, NR_settimeofday, NR_clock_settime, NR_clock_adjtime, NR_adjtimex,
	NR_sethostname, NR_setdomainname, NR_swapon, NR_swapoff, NR_mount, NR_umount2,
	NR_pivot_root, NR_chroot, NR_unshare, NR_setns, NR_ptrace, NR_process_vm_readv,
	NR_process_vm_writev, NR_process_madvise, NR_iopl, NR_ioperm, NR_modify_ldt,
	NR_sched_setscheduler, NR_sched_setparam, NR_sched_setattr, NR_seccomp, NR_acct,
	NR_quotactl, NR_vhangup, NR_shmat, NR_shmdt, NR_remap_file_pages,
};

/* What the personality implements (kernel/posix/sys.h), less the
 * excluded: most calls are one of these, with arguments shaped for it. */
static const uint16_t implemented[] = {
	NR_read, NR_write, NR_open, NR_close, NR_stat, NR_fstat, NR_lstat, NR_lseek,
	NR_ioctl, NR_pread64, NR_pwrite64, NR_readv, NR_writev, NR_access, NR_dup,
	NR_dup2, NR_fcntl, NR_fsync, NR_fdatasync, NR_ftruncate, NR_truncate, NR_getcwd,
	NR_chdir, NR_fchdir, NR_rename, NR_mkdir, NR_rmdir, NR_creat, NR_unlink,
	NR_readlink, NR_chmod, NR_fchmod, NR_chown, NR_fchown, NR_lchown, NR_umask,
	NR_statfs, NR_fstatfs, NR_getdents64, NR_openat, NR_mkdirat, NR_fchownat,
	NR_newfstatat, NR_unlinkat, NR_renameat, NR_readlinkat, NR_fchmodat, NR_faccessat,
	NR_utimensat, NR_dup3, NR_renameat2, NR_statx, NR_faccessat2, NR_sendfile, NR_sync,
	NR_pipe, NR_pipe2,
	NR_getpid, NR_getppid, NR_gettid, NR_getuid, NR_geteuid, NR_getgid, NR_getegid,
	NR_getresuid, NR_getresgid, NR_getgroups, NR_setuid, NR_setgid, NR_getpgrp,
	NR_getpgid, NR_getsid, NR_uname, NR_arch_prctl, NR_set_tid_address,
	NR_set_robust_list, NR_prlimit64, NR_getrlimit, NR_setrlimit, NR_getrandom,
	NR_sched_yield, NR_prctl, NR_sysinfo,
	NR_clock_gettime, NR_clock_getres, NR_gettimeofday, NR_time, NR_nanosleep,
	NR_clock_nanosleep, NR_times, NR_getrusage,
	NR_brk, NR_mmap, NR_munmap, NR_mprotect, NR_madvise, NR_mremap,
	/* wait4 and waitid answer at once (ECHILD: the fuzzer has no children);
	 * close_range is not in the table (ENOSYS) */
	NR_wait4, NR_waitid, NR_close_range,
};

/* Linux's flags and requests, as the UAPI headers have them. */
enum {
	O_ACC = 03, F_CREAT = 0100, F_EXCL = 0200, F_NOCTTY = 0400, F_TRUNC = 01000,
	F_APPEND = 02000, F_NONBLOCK = 04000, F_DSYNC = 010000, F_ASYNC = 020000,
	F_DIRECT = 040000, F_LARGEFILE = 0100000, F_DIRECTORY = 0200000,
	F_NOFOLLOW = 0400000, F_NOATIME = 01000000, F_CLOEXEC = 02000000,
	F_SYNC = 04010000, F_PATH = 010000000, F_TMPFILE = 020200000,
};
#define AT_FDCWD_	(-100)
#define CMD_F_SETFL	4
#define CMD_FIONBIO	0x5421
#define ARCH_SET_FS_	0x1002
#define ARCH_GET_FS_	0x1003

/* --- the raw call ------------------------------------------------------- */

static inline long sys6(uint64_t nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			uint64_t e, uint64_t f)
{
	register uint64_t r10 __asm__("r10") = d;
	register uint64_t r8 __asm__("r8") = e;
	register uint64_t r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n)			sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)		sys6(n, (uint64_t)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)		sys6(n, (uint64_t)(a), (uint64_t)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)	sys6(n, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)	\
	sys6(n, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0, 0)

static bool failed(long r)
{
	return r < 0 && r > -4096;
}

/* --- output ------------------------------------------------------------ */

static int fillers[FD_LIMIT], nfillers;		/* held to fill a limit (press()) */

/* Each line on a fresh /dev/tty: the fuzzer closes and replaces its
 * descriptors at random, so it keeps none for itself. */
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	long fd = sys3(NR_open, "/dev/tty", 1 | F_CLOEXEC, 0);
	if (fd == -24 && nfillers) {		/* EMFILE, on purpose (press()) */
		sys1(NR_close, fillers[--nfillers]);
		fd = sys3(NR_open, "/dev/tty", 1 | F_CLOEXEC, 0);
	}
	if (fd < 0)
		return;
	sys3(NR_write, fd, line, n);
	sys1(NR_close, fd);
}

static uint64_t now_ms(void)
{
	struct { int64_t sec, nsec; } ts = { 0, 0 };

	sys2(NR_clock_gettime, 1, &ts);		/* CLOCK_MONOTONIC */
	return (uint64_t)ts.sec * 1000 + (uint64_t)ts.nsec / 1000000;
}

/* --- random numbers ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

#define PICK(arr)	((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* --- what it holds ------------------------------------------------------- */

extern char __executable_start[], _end[];	/* GNU ld's, around the image */

static uint8_t *const B = (uint8_t *)B_ADDR;
static size_t in_used;				/* of IN, this call */
static int fds[FD_LIMIT], nfds;			/* descriptors it may hold */
static int fd_slot[FD_LIMIT];			/* index in fds + 1, or 0 */
static int dirfds[16], ndirfds;			/* some that are directories */
static struct { uint64_t addr, len; } maps[MAPS_MAX];
static unsigned nmaps, map_next;
static uint64_t brk_base;
static uint64_t fs_base;			/* musl's thread pointer */
static uint64_t stats_ok, stats_err, stats_enosys, stats_numbers;
static uint8_t tried[NR_TABLE_END];

static void fd_add(long fd)
{
	if (fd < 0 || fd >= FD_LIMIT || fd_slot[fd])
		return;
	fds[nfds++] = (int)fd;
	fd_slot[fd] = nfds;
}

static void fd_drop(long fd)
{
	if (fd < 0 || fd >= FD_LIMIT || !fd_slot[fd])
		return;
	int i = fd_slot[fd] - 1, last = fds[--nfds];
	fds[i] = last;
	fd_slot[last] = i + 1;
	fd_slot[fd] = 0;
	for (int k = 0; k < ndirfds; k++)
		if (dirfds[k] == fd)
			dirfds[k] = dirfds[--ndirfds];
}

static void dirfd_add(long fd)
{
	if (fd >= 0 && fd < FD_LIMIT && ndirfds < (int)(sizeof(dirfds) / sizeof(dirfds[0])))
		dirfds[ndirfds++] = (int)fd;
}

static void map_add(uint64_t addr, uint64_t len)
{
	len = (len + PAGE - 1) & ~(PAGE - 1);
	if (!len || addr & (PAGE - 1))
		return;
	if (nmaps == MAPS_MAX) {	/* the oldest goes: once its, never ours */
		sys2(NR_munmap, maps[map_next].addr, maps[map_next].len);
		maps[map_next].addr = addr;
		maps[map_next].len = len;
		map_next = (map_next + 1) % MAPS_MAX;
		return;
	}
	maps[nmaps].addr = addr;
	maps[nmaps++].len = len;
}

/* True when [v, v+1) is the fuzzer's own: its image, its stack. */
static bool is_self(uint64_t v)
{
	return (v >= (uint64_t)__executable_start - PAGE && v < (uint64_t)_end + 16 * PAGE) ||
	       (v >= STACK_LO && v < USER_TOP);
}

/* An argument that names none of the fuzzer's own memory: moved 16 TiB
 * away when it did. */
static uint64_t off_self(uint64_t v)
{
	return is_self(v) ? v ^ (1ull << 44) : v;
}

/* --- values -------------------------------------------------------------- */

static const uint64_t lengths[] = {
	0, 1, 2, 7, 8, 15, 16, 24, 64, 100, 255, 256, 511, 512, 4095, 4096, 4097, 8192,
	65535, 65536, 65537, 1ul << 20, 0x7ffff000ul, 0x7fffffff, 0x80000000ul,
	0xfffffffful, 1ul << 32, ~0ul, ~0ul >> 1, -4096ul, 1ul << 47,
};

static uint64_t any_len(void)
{
	return chance(30) ? below(8192) : PICK(lengths);
}

static const uint64_t offsets[] = {
	0, 1, 100, 4095, 4096, 4097, 65536, 1ul << 20, (1ul << 30) - 1, 1ul << 30,
	1ul << 31, 1ul << 40, ~0ul >> 1, ~0ul, -4096ul, 1ul << 63,
};

static uint64_t any_off(void)
{
	return chance(50) ? below(70000) : PICK(offsets);
}

static const uint64_t ints[] = {
	0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 1023, 1024,
	4095, 4096, 0x7fffffff, 0x80000000ul, 0xfffffffful, 1ul << 32, ~0ul, ~0ul - 99,
	~0ul >> 1, 1ul << 63, (uint64_t)AT_FDCWD_,
};

static uint64_t any_int(void)
{
	return chance(50) ? below(70) : PICK(ints);
}

/* Addresses where nothing of the fuzzer's can be. */
static const uint64_t hostile[] = {
	0, 1, 8, 0xfff, 0x1000, 0xfff8, USER_TOP, USER_TOP + 0xff8, 0x7fffffffffffful,
	0x800000000000ul, 0x0000800000000000ul - 8, 0xffff800000000000ul,
	0xffff888000000000ul, 0xffffffff80000000ul, 0xffffffff80100000ul,
	0xfffffffffffff000ul, ~0ul, 1ul << 63, B_ADDR + B_SIZE, E_ADDR + PAGE,
};

static uint64_t map_addr(void)
{
	if (!nmaps)
		return S_ADDR;
	unsigned i = (unsigned)below(nmaps);
	return maps[i].addr + (below(maps[i].len) & ~(PAGE - 1));
}

/* A pointer for the kernel to read or write. */
static uint64_t any_ptr(void)
{
	uint64_t r = below(100);

	if (r < 45)
		return B_ADDR + IN_SIZE + (chance(70) ? below(B_SIZE - IN_SIZE) & ~7ul :
						       below(B_SIZE - IN_SIZE));
	if (r < 52)
		return B_ADDR + B_SIZE - below(64);		/* runs into the guard */
	if (r < 60)
		return B_ADDR + below(IN_SIZE);
	if (r < 68)
		return S_ADDR + below(S_SIZE);
	if (r < 74)
		return map_addr() + below(64);
	if (r < 78)
		return E_ADDR + PAGE - below(32);	/* runs off the mapped page */
	if (r < 82)
		return off_self(rnd() & 0x7ffffffff000ul);
	return PICK(hostile);
}

/* Room in IN for what a call is given; falls back to the general part of
 * B when IN is used up. */
static uint8_t *in_alloc(size_t n)
{
	if (in_used + n > IN_SIZE)
		return B + IN_SIZE + below(B_SIZE - IN_SIZE - n);
	uint8_t *p = B + in_used;
	in_used += (n + 7) & ~7ul;
	return p;
}

/* --- descriptors --------------------------------------------------------- */

static uint64_t any_fd(void)
{
	uint64_t r = below(100);

	if (r < 75 && nfds)
		return (uint64_t)fds[below(nfds)];
	if (r < 80 && ndirfds)
		return (uint64_t)dirfds[below(ndirfds)];
	static const int64_t odd[] = { -1, AT_FDCWD_, 0, 1, 2, 3, 63, 64, 1023, 1024, 4096,
				       0x7fffffff, -0x7fffffff - 1 };
	if (r < 95)
		return (uint64_t)PICK(odd);
	/* the low 32 bits of a held one, with high bits set */
	return (nfds ? (uint64_t)fds[below(nfds)] : 3) | (1ul << (32 + below(31)));
}

static uint64_t any_dirfd(void)
{
	uint64_t r = below(100);

	if (r < 40)
		return (uint64_t)AT_FDCWD_;
	if (r < 75 && ndirfds)
		return (uint64_t)dirfds[below(ndirfds)];
	return any_fd();
}

/* --- paths --------------------------------------------------------------- */

static const char *const names[] = {
	"f0", "f1", "f2", "f3", "d0", "d1", "d2", "d3", "p", ".", "..", "...", "", "x y",
};

static const char *const whole_paths[] = {
	"/", "", ".", "..", "/..", "/../..", "//", "/.", "/dev", "/dev/", "/dev/null",
	"/dev/zero", "/dev/urandom", "/dev/random", "/dev/stdin", "/dev/stdout",
	"/dev/stderr", "/dev/nope", "/dev/null/", "/dev/null/x", "/dev/./null",
	"/dev/../dev/zero", "/proc", "/proc/self", "/proc/self/exe", "/proc/self/exe/",
	"/tmp", "f0/", "d0/..", "d0/../f0", "../../d0/f1", "/d0/d1/d2/d3/f0",
};

/* What populate() makes, so that many paths name something. */
static const char *const made_paths[] = {
	"/f0", "/f1", "/d0", "/d1", "/d0/f2", "/d0/d2", "/d0/d2/d3", "/d0/d2/f3", "f0", "f1",
	"d0", "d1", "d0/f2", "d0/d2", "d0/d2/f3", "d0/d2/d3", "/d1/f0", "/d0/d2/d3/f1",
};

/* Appends one path component to p (at most cap bytes in all). */
static size_t add_name(char *p, size_t at, size_t cap)
{
	uint64_t r = below(100);
	size_t n;

	if (r < 80) {
		const char *s = PICK(names);
		n = strlen(s);
		if (at + n < cap)
			memcpy(p + at, s, n);
		else
			n = 0;
		return at + n;
	}
	if (r < 88)
		n = chance(50) ? 255 : 256;		/* NAME_MAX and one past */
	else
		n = 1 + below(12);
	if (at + n >= cap)
		n = cap - at - 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = r < 88 ? (uint8_t)('a' + i % 26) : (uint8_t)(1 + below(255));
		p[at + i] = c == '/' && chance(50) ? '_' : (char)c;
	}
	return at + n;
}

/* No path is /dev/tty, whatever its spelling: a read there waits for a key. */
static void not_a_tty(char *p)
{
	for (char *t; (t = strstr(p, "tty"));)
		t[2] = 'x';
}

/* A NUL-terminated path of up to cap - 1 bytes at p. */
static void make_path(char *p, size_t cap)
{
	uint64_t r = below(100);
	size_t at = 0;

	if (r < 40) {
		strncpy(p, r < 30 ? PICK(made_paths) : PICK(whole_paths), cap - 1);
		p[cap - 1] = '\0';
		return;
	}
	if (r < 43) {		/* as long as a path may be, and one past */
		size_t n = PICK(((const size_t[]){ 1022, 1023, 1024, 1025, 4095, 4096, 4097 }));
		n = n < cap - 1 ? n : cap - 1;
		size_t step = PICK(((const size_t[]){ 2, 8, 64, 256, 5000 }));
		for (size_t i = 0; i < n; i++)
			p[i] = i % step == step - 1 ? '/' : 'a';
		p[n] = '\0';
		return;
	}
	if (r < 48) {		/* deep: d0/d0/.../d0, around the 64 components kept */
		size_t k = 1 + below(70);
		for (size_t i = 0; i < k && at + 4 < cap; i++, at += 3)
			memcpy(p + at, "d0/", 3);
		p[at - 1] = '\0';
		return;
	}
	if (chance(35))
		p[at++] = '/';
	unsigned parts = 1 + (unsigned)below(4);
	for (unsigned i = 0; i < parts && at < cap - 300; i++) {
		if (i)
			p[at++] = '/';
		if (chance(4))
			p[at++] = '/';
		at = add_name(p, at, cap);
	}
	if (chance(8) && at < cap - 1)
		p[at++] = '/';
	p[at] = '\0';
	not_a_tty(p);
}

/* A pointer to a path: mostly a fresh one in IN; sometimes one that runs
 * off the end of E's page unterminated, or a hostile address. */
static uint64_t any_path(void)
{
	uint64_t r = below(100);

	if (r < 88) {
		char *p = (char *)in_alloc(4200);
		make_path(p, 4200);
		return (uint64_t)p;
	}
	if (r < 93) {
		size_t n = 1 + below(40);
		char *p = (char *)E_ADDR + PAGE - n;
		for (size_t i = 0; i < n; i++)
			p[i] = (char)('a' + below(3));
		return (uint64_t)p;
	}
	if (r < 96)
		return any_ptr();
	return PICK(hostile);
}

/* --- flags ----------------------------------------------------------------- */

static uint64_t open_flags(void)
{
	static const uint32_t bits[] = {
		F_CREAT, F_EXCL, F_NOCTTY, F_TRUNC, F_APPEND, F_NONBLOCK, F_DSYNC, F_ASYNC,
		F_DIRECT, F_LARGEFILE, F_DIRECTORY, F_NOFOLLOW, F_NOATIME, F_CLOEXEC, F_SYNC,
		F_PATH, F_TMPFILE,
	};
	if (chance(4))
		return chance(50) ? (uint32_t)rnd() : rnd();
	uint64_t f = chance(90) ? below(3) : 3;	/* O_RDONLY, O_WRONLY, O_RDWR; 3 is invalid */
	if (chance(40))
		f |= F_CREAT;
	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (chance(7))
			f |= bits[i];
	return f;
}

static uint64_t at_flags(void)
{
	static const uint64_t bits[] = { 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000 };
	if (chance(5))
		return rnd();
	uint64_t f = 0;
	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (chance(15))
			f |= bits[i];
	return f;
}

static uint64_t any_mode(void)
{
	static const uint64_t modes[] = { 0, 0644, 0755, 0777, 07777, 0170000, 0x10000, ~0ul };
	return chance(10) ? rnd() : PICK(modes);
}

/* --- structures given to a call ----------------------------------------- */

static uint64_t iovecs(void)
{
	static const uint64_t counts[] = { 0, 1, 2, 3, 16, 17, 1024, 1025 };
	uint64_t n = chance(80) ? 1 + below(4) : PICK(counts);

	if (chance(8))
		return any_ptr();
	uint64_t *v = (uint64_t *)in_alloc(16 * (n ? n : 1));
	for (uint64_t i = 0; i < n; i++) {
		v[2 * i] = chance(85) ? any_ptr() : off_self(rnd());
		v[2 * i + 1] = chance(70) ? below(5000) : any_len();
	}
	return (uint64_t)v;
}

static uint64_t iov_count(void)
{
	static const uint64_t counts[] = { 0, 1, 2, 3, 4, 16, 17, 1024, 1025, ~0ul, 1ul << 32 };
	return PICK(counts);
}

/* A time to sleep: at most 200 us when valid, or one Linux refuses. */
static uint64_t short_time(void)
{
	int64_t *ts = (int64_t *)in_alloc(16);
	uint64_t r = below(100);

	if (r < 8)
		return PICK(hostile);
	ts[0] = 0;
	ts[1] = (int64_t)below(200000);
	if (r < 15)
		ts[1] = -1;
	else if (r < 22)
		ts[1] = 1000000000;
	else if (r < 26)
		ts[0] = -1;
	else if (r < 30) {
		ts[0] = INT64_MAX;	/* a huge time, refused by its nanoseconds */
		ts[1] = 1000000000 + (int64_t)below(1000);
	}
	return (uint64_t)ts;
}

/* --- memory targets ----------------------------------------------------- */

/* An address and length for munmap and friends: inside the scratch region
 * or a mapping it made, or a hostile address, or a length no range can
 * have. Never anything of its own. */
static void mem_target(uint64_t *addr, uint64_t *len)
{
	uint64_t r = below(100), base, size;

	if (r < 45 || !nmaps) {
		base = S_ADDR;
		size = S_SIZE;
	} else if (r < 85) {
		unsigned i = (unsigned)below(nmaps);
		base = maps[i].addr;
		size = maps[i].len;
	} else if (r < 88) {		/* below where mappings may be */
		*addr = chance(50) ? 0 : PAGE;
		*len = PAGE;
		return;
	} else {			/* past user space: any length */
		static const uint64_t outside[] = {
			USER_TOP, USER_TOP + PAGE, 0x800000000000ul, 0xffff800000000000ul,
			0xffffffff80000000ul, 0xfffffffffffff000ul, 1ul << 63,
		};
		*addr = PICK(outside);
		*len = chance(50) ? PAGE : any_len();
		return;
	}
	uint64_t off = below(size / PAGE) * PAGE;
	*addr = base + off;
	*len = 1 + below(size - off);		/* rounds up to at most the rest */
	if (chance(10))
		*len = PAGE;
	if (chance(5))
		*addr += 1 + below(PAGE - 1);	/* unaligned: EINVAL */
	if (chance(4))
		*len = 0;
	if (chance(4))
		*len = PICK(((const uint64_t[]){ 1ul << 47, ~0ul, -4096ul, 1ul << 63 }));
}

/* --- making a call -------------------------------------------------------- */

struct call {
	uint64_t nr, a[6];
};

static uint64_t any_arg(void)
{
	uint64_t r = below(100);

	if (r < 20)
		return below(65);
	if (r < 30)
		return PICK(ints);
	if (r < 45)
		return any_fd();
	if (r < 70)
		return any_ptr();
	if (r < 78)
		return any_path();
	if (r < 86)
		return any_len();
	if (r < 93)
		return (uint32_t)rnd();
	return rnd();
}

static void args_for(struct call *c)
{
	uint64_t *a = c->a;

	for (int i = 0; i < 6; i++)
		a[i] = any_arg();
	switch (c->nr) {
	case NR_read: case NR_write:
		a[0] = any_fd(); a[1] = any_ptr(); a[2] = any_len();
		break;
	case NR_pread64: case NR_pwrite64:
		a[0] = any_fd(); a[1] = any_ptr(); a[2] = any_len(); a[3] = any_off();
		break;
	case NR_readv: case NR_writev:
		a[0] = any_fd(); a[1] = iovecs(); a[2] = iov_count();
		break;
	case NR_open:
		a[0] = any_path(); a[1] = open_flags(); a[2] = any_mode();
		break;
	case NR_openat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = open_flags(); a[3] = any_mode();
		break;
	case NR_creat: case NR_mkdir: case NR_chmod:
		a[0] = any_path(); a[1] = any_mode();
		break;
	case NR_close: case NR_dup: case NR_fsync: case NR_fdatasync:
		a[0] = any_fd();
		break;
	case NR_fchdir:
		a[0] = chance(60) ? any_dirfd() : any_fd();
		break;
	case NR_close_range:
		a[0] = any_fd(); a[1] = chance(50) ? a[0] + below(8) : any_fd();
		a[2] = chance(70) ? 0 : any_int();
		break;
	case NR_stat: case NR_lstat: case NR_statfs:
		a[0] = any_path(); a[1] = any_ptr();
		break;
	case NR_fstat: case NR_fstatfs:
		a[0] = any_fd(); a[1] = any_ptr();
		break;
	case NR_lseek:
		a[0] = any_fd(); a[1] = any_off();
		a[2] = chance(85) ? below(3) : PICK(((const uint64_t[]){ 3, 4, 5, ~0ul, 1ul << 32 }));
		break;
	case NR_ioctl: {
		static const uint64_t cmds[] = { 0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x540f,
						 0x5410, 0x541b, 0x5450, 0x5451, 0, 1, ~0ul,
						 0x80045430, 0x5414 };
		a[0] = any_fd(); a[1] = chance(90) ? PICK(cmds) : rnd(); a[2] = any_ptr();
		break;
	}
	case NR_access:
		a[0] = any_path(); a[1] = chance(80) ? below(8) : any_int();
		break;
	case NR_faccessat: case NR_faccessat2:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = chance(80) ? below(8) : any_int();
		a[3] = at_flags();
		break;
	case NR_pipe:
		a[0] = chance(85) ? B_ADDR + IN_SIZE + below(B_SIZE - IN_SIZE - 8) : PICK(hostile);
		break;
	case NR_pipe2:
		a[0] = chance(85) ? B_ADDR + IN_SIZE + below(B_SIZE - IN_SIZE - 8) : PICK(hostile);
		a[1] = chance(70) ? (chance(50) ? F_CLOEXEC : 0) : any_int();
		break;
	case NR_dup2:
		a[0] = any_fd(); a[1] = chance(60) ? any_fd() : below(70);
		break;
	case NR_dup3:
		a[0] = any_fd(); a[1] = chance(60) ? any_fd() : below(70);
		a[2] = chance(70) ? (chance(50) ? F_CLOEXEC : 0) : any_int();
		break;
	case NR_fcntl: {
		static const uint64_t cmds[] = { 0, 1, 2, 3, 4, 5, 6, 7, 1030, 1024, 1025, 1026,
						 ~0ul, 1ul << 32 | 4 };
		a[0] = any_fd(); a[1] = PICK(cmds);
		a[2] = chance(50) ? below(1100) : chance(50) ? open_flags() : any_ptr();
		break;
	}
	case NR_truncate:
		a[0] = any_path(); a[1] = chance(60) ? below(70000) : any_off();
		break;
	case NR_ftruncate:
		a[0] = any_fd(); a[1] = chance(60) ? below(70000) : any_off();
		break;
	case NR_getcwd:
		a[0] = any_ptr(); a[1] = chance(70) ? below(300) : any_len();
		break;
	case NR_chdir: case NR_rmdir: case NR_unlink:
		a[0] = any_path();
		break;
	case NR_rename:
		a[0] = any_path(); a[1] = any_path();
		break;
	case NR_readlink:
		a[0] = any_path(); a[1] = any_ptr(); a[2] = any_len();
		break;
	case NR_readlinkat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_ptr(); a[3] = any_len();
		break;
	case NR_fchmod:
		a[0] = any_fd(); a[1] = any_mode();
		break;
	case NR_chown: case NR_lchown:
		a[0] = any_path(); a[1] = any_int(); a[2] = any_int();
		break;
	case NR_fchown:
		a[0] = any_fd(); a[1] = any_int(); a[2] = any_int();
		break;
	case NR_umask:
		a[0] = any_mode();
		break;
	case NR_getdents64:
		a[0] = chance(60) && ndirfds ? (uint64_t)dirfds[below(ndirfds)] : any_fd();
		a[1] = any_ptr();
		a[2] = chance(60) ? PICK(((const uint64_t[]){ 0, 1, 24, 25, 32, 280, 512, 4096,
							      65536, 1ul << 20 })) : any_len();
		break;
	case NR_mkdirat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_mode();
		break;
	case NR_fchownat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_int(); a[3] = any_int();
		a[4] = at_flags();
		break;
	case NR_newfstatat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_ptr(); a[3] = at_flags();
		break;
	case NR_unlinkat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = chance(80) ? (chance(50) ? 0x200 : 0)
								       : at_flags();
		break;
	case NR_renameat: case NR_renameat2:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_dirfd(); a[3] = any_path();
		a[4] = chance(80) ? below(2) : chance(70) ? below(8) : any_int();
		break;
	case NR_fchmodat:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = any_mode(); a[3] = at_flags();
		break;
	case NR_utimensat:
		a[0] = any_dirfd(); a[1] = chance(25) ? 0 : any_path(); a[2] = any_ptr();
		a[3] = at_flags();
		break;
	case NR_statx:
		a[0] = any_dirfd(); a[1] = any_path(); a[2] = at_flags();
		a[3] = chance(70) ? 0x7ff : any_int(); a[4] = any_ptr();
		break;
	case NR_sendfile: {
		int64_t *off = (int64_t *)in_alloc(8);
		*off = (int64_t)any_off();
		a[0] = any_fd(); a[1] = any_fd();
		a[2] = chance(40) ? 0 : chance(80) ? (uint64_t)off : any_ptr();
		a[3] = chance(70) ? below(70000) : any_len();
		break;
	}
	case NR_getresuid: case NR_getresgid:
		a[0] = any_ptr(); a[1] = any_ptr(); a[2] = any_ptr();
		break;
	case NR_getgroups:
		a[0] = any_int(); a[1] = any_ptr();
		break;
	case NR_setuid: case NR_setgid: case NR_getpgid: case NR_getsid:
		a[0] = chance(30) ? 0 : any_int();
		break;
	case NR_uname: case NR_sysinfo: case NR_times: case NR_time:
	case NR_set_tid_address:
		a[0] = any_ptr();
		break;
	case NR_arch_prctl: {
		static const uint64_t codes[] = { 0x1001, 0x1002, 0x1003, 0x1004, 0x1011,
						  0x1012, 0x1021, 0x1022, 0, ~0ul };
		a[0] = PICK(codes);
		a[1] = a[0] == ARCH_GET_FS_ && chance(70) ? B_ADDR + IN_SIZE + below(1000) * 8 :
		       chance(50) ? any_ptr() : PICK(hostile);
		break;
	}
	case NR_set_robust_list:
		a[0] = any_ptr(); a[1] = chance(60) ? 24 : any_len();
		break;
	case NR_prlimit64: {
		uint64_t *lim = (uint64_t *)in_alloc(16);
		lim[0] = any_len();
		lim[1] = chance(50) ? ~0ul : any_len();
		a[0] = chance(70) ? 0 : any_int(); a[1] = below(18);
		a[2] = chance(50) ? 0 : chance(80) ? (uint64_t)lim : any_ptr();
		a[3] = chance(30) ? 0 : any_ptr();
		break;
	}
	case NR_getrlimit:
		a[0] = chance(90) ? below(18) : any_int(); a[1] = any_ptr();
		break;
	case NR_setrlimit: {
		uint64_t *lim = (uint64_t *)in_alloc(16);
		lim[0] = any_len();
		lim[1] = chance(50) ? ~0ul : any_len();
		a[0] = chance(90) ? below(18) : any_int();
		a[1] = chance(80) ? (uint64_t)lim : any_ptr();
		break;
	}
	case NR_getrandom:
		a[0] = any_ptr(); a[1] = chance(95) ? below(70000) : any_len();
		a[2] = chance(70) ? below(8) : any_int();
		break;
	case NR_prctl:
		a[0] = chance(60) ? PICK(((const uint64_t[]){ 15, 16 })) : any_int();
		a[1] = a[0] == 15 && chance(70) ? any_path() : any_ptr();
		break;
	case NR_clock_gettime: case NR_clock_getres:
		a[0] = chance(80) ? below(12) : any_int();
		a[1] = chance(10) ? 0 : any_ptr();
		break;
	case NR_gettimeofday:
		a[0] = chance(20) ? 0 : any_ptr(); a[1] = chance(50) ? 0 : any_ptr();
		break;
	case NR_nanosleep:
		a[0] = short_time(); a[1] = chance(50) ? 0 : any_ptr();
		break;
	case NR_clock_nanosleep:
		a[0] = chance(80) ? below(12) : any_int();
		a[1] = chance(80) ? (chance(50) ? 1 : 0) : any_int();
		a[2] = short_time(); a[3] = chance(50) ? 0 : any_ptr();
		break;
	case NR_getrusage:
		a[0] = PICK(((const uint64_t[]){ 0, 1, ~0ul, 2, ~1ul, 1ul << 32 }));
		a[1] = any_ptr();
		break;
	case NR_brk: {
		uint64_t cur = (uint64_t)sys1(NR_brk, 0);
		static const int64_t moves[] = { 0, 1, 4096, 4097, -4096, -1, 1 << 20, -(1 << 20),
						 1 << 30, 1l << 40, -(1l << 40) };
		a[0] = chance(85) ? cur + (uint64_t)PICK(moves) : chance(50) ? brk_base : any_arg();
		break;
	}
	case NR_mmap: {
		static const uint64_t flags[] = { 0x22, 0x21, 0x23, 0x02, 0x01, 0x03, 0x32, 0x12,
						  0x100022, 0x2022, 0x8022, 0x20022, 0x40022,
						  0x122, 0x0, 0x20, 0xf22 };
		uint64_t len;
		mem_target(&a[0], &len);
		if (chance(40))
			a[0] = chance(50) ? 0 : off_self(rnd() & 0x7ffffffff000ul);
		a[1] = chance(60) ? 1 + below(64 * PAGE) : chance(50) ? len : any_len();
		a[2] = chance(85) ? below(8) : any_int();
		a[3] = chance(90) ? PICK(flags) : rnd();
		a[4] = chance(30) ? ~0ul : any_fd();
		a[5] = chance(70) ? 0 : any_off();
		break;
	}
	case NR_munmap: case NR_mprotect: case NR_madvise:
		mem_target(&a[0], &a[1]);
		a[2] = c->nr == NR_mprotect ? (chance(85) ? below(8) | (chance(5) ? 0x01000000 : 0)
							  : any_int()) :
		       chance(85) ? PICK(((const uint64_t[]){ 0, 1, 2, 3, 4, 8, 9, 10, 14, 100 }))
				  : any_int();
		break;
	case NR_mremap:
		mem_target(&a[0], &a[1]);
		a[2] = chance(50) ? a[1] + below(8) * PAGE : chance(50) ? below(a[1] + 1) : any_len();
		a[3] = chance(70) ? below(4) : any_int();
		a[4] = S_ADDR + below(S_SIZE / PAGE) * PAGE;
		break;
	case NR_wait4:
		a[0] = PICK(((const uint64_t[]){ ~0ul, 0, 1, 1ul << 31 }));
		a[1] = any_ptr(); a[2] = chance(50) ? 1 : any_int(); a[3] = any_ptr();
		break;
	case NR_waitid:
		a[0] = below(4); a[1] = any_int(); a[2] = any_ptr();
		a[3] = chance(50) ? 5 : any_int(); a[4] = any_ptr();
		break;
	default:
		break;
	}
}

static bool is_excluded(uint64_t nr)
{
	uint32_t low = (uint32_t)nr & ~0x40000000u;	/* x32's bit, and truncation */

	for (unsigned i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		if (low == excluded[i])
			return true;
	return false;
}

static void choose(struct call *c)
{
	uint64_t r = below(100);

	do {
		if (r < 86)
			c->nr = PICK(implemented);
		else if (r < 96)
			c->nr = below(NR_TABLE_END);
		else
			c->nr = PICK(((const uint64_t[]){ NR_TABLE_END + below(600),
							 below(1ul << 32), 0x40000000 | below(550),
							 (1ul << 32) | below(NR_TABLE_END), ~0ul,
							 1ul << 63, -(uint64_t)below(10) - 1 }));
	} while (is_excluded(c->nr));
	in_used = 0;
	if (r < 80 || (r >= 86 && r < 96 && chance(50)))
		args_for(c);			/* shaped */
	else
		for (int i = 0; i < 6; i++)
			c->a[i] = any_arg();	/* any shape */
}

/* The rules that keep the fuzzer running whatever the arguments came to
 * (the list at the top of the file). */
static void make_safe(struct call *c)
{
	uint64_t *a = c->a;
	uint32_t nr = (uint32_t)c->nr & ~0x40000000u;

	for (int i = 0; i < 6; i++)
		a[i] = off_self(a[i]);
	switch (nr) {
	case NR_pipe:
		if (!(a[0] >= B_ADDR + IN_SIZE && a[0] < B_ADDR + B_SIZE - 8))
			a[0] = PICK(hostile);
		break;
	case NR_pipe2:
		a[1] |= F_NONBLOCK;
		if (!(a[0] >= B_ADDR + IN_SIZE && a[0] < B_ADDR + B_SIZE - 8))
			a[0] = PICK(hostile);
		break;
	case NR_fcntl:
		if ((uint32_t)a[1] == CMD_F_SETFL)
			a[2] |= F_NONBLOCK;
		break;
	case NR_ioctl:
		if ((uint32_t)a[1] == CMD_FIONBIO)
			a[1] = 0x541b;		/* FIONREAD */
		break;
	case NR_nanosleep:
		a[0] = short_time();
		break;
	case NR_clock_nanosleep:
		a[2] = short_time();
		break;
	case NR_munmap: case NR_mprotect: case NR_madvise: case NR_pkey_mprotect:
	case NR_mremap: {
		uint64_t addr = a[0], len = a[1], page = addr & ~(PAGE - 1);
		bool inside = addr >= S_ADDR && addr < S_ADDR + S_SIZE &&
			      len <= S_ADDR + S_SIZE - page;
		for (unsigned i = 0; i < nmaps && !inside; i++)
			inside = addr >= maps[i].addr && addr < maps[i].addr + maps[i].len &&
				 len <= maps[i].addr + maps[i].len - page;
		if (!inside)
			mem_target(&a[0], &a[1]);
		if (nr == NR_mremap) {	/* MREMAP_FIXED's target: inside S too */
			a[4] = S_ADDR + below(S_SIZE / PAGE) * PAGE;
			if (a[3] & 2 && a[2] > S_ADDR + S_SIZE - a[4])
				a[2] = S_ADDR + S_SIZE - a[4];
		}
		break;
	}
	case NR_mmap:
		if (a[3] & 0x100010) {		/* MAP_FIXED, MAP_FIXED_NOREPLACE */
			uint64_t len;
			mem_target(&a[0], &len);
			if (!(a[1] >= (1ul << 47)))
				a[1] = len;
		}
		break;
	case NR_arch_prctl:
		if (a[0] >= 0x2000 && a[0] < 0x3000)	/* ARCH_MAP_VDSO_*: maps at a[1] */
			a[0] = ARCH_GET_FS_;
		if (a[0] == ARCH_GET_FS_ && !(a[1] >= B_ADDR && a[1] < B_ADDR + B_SIZE - 8))
			a[1] = PICK(hostile);
		break;
	case NR_prctl:
		if (a[0] == 22 || a[0] == 26 || a[0] == 35 || a[0] == 59)
			a[0] = 16;		/* PR_GET_NAME */
		break;
	case NR_setrlimit:
		if ((uint32_t)a[0] <= 3 || (uint32_t)a[0] == 6 || (uint32_t)a[0] == 7 ||
		    (uint32_t)a[0] == 8 || (uint32_t)a[0] == 9 || (uint32_t)a[0] == 15)
			a[0] = 4;		/* RLIMIT_CORE */
		break;
	case NR_prlimit64:
		if (a[2]) {
			a[0] = 0;
			if ((uint32_t)a[1] <= 3 || (uint32_t)a[1] == 6 || (uint32_t)a[1] == 7 ||
			    (uint32_t)a[1] == 8 || (uint32_t)a[1] == 9 || (uint32_t)a[1] == 15)
				a[1] = 4;
		}
		break;
	default:
		break;
	}
}

/* What a call did to what the fuzzer holds. */
static void account(const struct call *c, long r)
{
	uint32_t nr = (uint32_t)c->nr;
	const uint64_t *a = c->a;

	if (((uint32_t)c->nr & ~0x40000000u) == NR_arch_prctl)
		sys2(NR_arch_prctl, ARCH_SET_FS_, fs_base);
	if (c->nr < NR_TABLE_END && !tried[c->nr]) {
		tried[c->nr] = 1;
		stats_numbers++;
	}
	if (r == -38)
		stats_enosys++;
	else if (failed(r))
		stats_err++;
	else
		stats_ok++;
	if (failed(r) || c->nr != nr)
		return;
	switch (nr) {
	case NR_open: case NR_openat: case NR_creat: case NR_dup: case NR_dup2: case NR_dup3:
		fd_add(r);
		if ((nr == NR_openat && a[2] & F_DIRECTORY) || (nr == NR_open && a[1] & F_DIRECTORY))
			dirfd_add(r);
		break;
	case NR_fcntl:
		if (a[1] == 0 || a[1] == 1030)
			fd_add(r);
		break;
	case NR_pipe: case NR_pipe2: {
		const int *p = (const int *)a[0];
		for (int i = 0; i < 2; i++) {
			fd_add(p[i]);
			if (nr == NR_pipe)
				sys3(NR_fcntl, p[i], CMD_F_SETFL, F_NONBLOCK);
		}
		break;
	}
	case NR_close:
		fd_drop((long)a[0]);
		break;
	case NR_close_range:
		if (!(a[2] & 4))	/* CLOSE_RANGE_CLOEXEC only marks them */
			for (uint64_t fd = a[0]; fd <= a[1] && fd < FD_LIMIT; fd++)
				fd_drop((long)fd);
		break;
	case NR_mmap:
		map_add((uint64_t)r, a[1]);
		break;
	case NR_mremap:
		map_add((uint64_t)r, a[2]);
		break;
	default:
		if (c->nr >= NR_TABLE_END || r >= FD_LIMIT)
			break;
		bool known = false;	/* a call it knows returns no descriptor */
		for (unsigned i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
			known |= implemented[i] == nr;
		if (!known)
			fd_add(r);		/* a call to come may have made one */
	}
	while (nfds > FDS_KEPT) {
		int fd = fds[below(nfds)];
		sys1(NR_close, fd);
		fd_drop(fd);
	}
}

/* --- setting up and cleaning up --------------------------------------- */

static char *const SET_PATH = (char *)B_ADDR;		/* IN, between calls */

static long path_call(long nr, const char *path, uint64_t b, uint64_t c)
{
	strcpy(SET_PATH, path);
	return sys3(nr, SET_PATH, b, c);
}

/* Removes everything beneath the directory dirfd, one entry at a time:
 * it rewinds after each removal, since a removal may move the others,
 * and skips what it could not remove. Returns how many entries are left. */
static int remove_below(long dirfd, int depth)
{
	struct dent { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; };
	uint8_t *buf = B + IN_SIZE;
	int left = 0;

	for (;;) {
		sys3(NR_lseek, dirfd, 0, 0);
		long n = sys3(NR_getdents64, dirfd, buf, 8192);
		if (n < 0)
			return left + 1;
		char name[256] = "";
		int seen = 0;
		for (long at = 0; at < n && !name[0]; at += ((struct dent *)(buf + at))->reclen) {
			const char *e = ((struct dent *)(buf + at))->name;
			if (strcmp(e, ".") && strcmp(e, "..") && seen++ == left)
				strncpy(name, e, sizeof(name) - 1);
		}
		if (!name[0])
			return left + (n > 4096);	/* a full buffer of ones it could not remove */
		strcpy(SET_PATH, name);
		if (sys3(NR_unlinkat, dirfd, SET_PATH, 0) == 0)
			continue;
		long sub = sys4(NR_openat, dirfd, SET_PATH, F_DIRECTORY | F_CLOEXEC, 0);
		if (sub >= 0) {
			int below_left = depth < 900 ? remove_below(sub, depth + 1) : 1;
			sys1(NR_close, sub);
			strcpy(SET_PATH, name);
			if (!below_left && sys3(NR_unlinkat, dirfd, SET_PATH, 0x200) == 0)
				continue;
			left += below_left;
		}
		left++;
	}
}

static void close_all(void)
{
	while (nfds) {
		int fd = fds[nfds - 1];
		sys1(NR_close, fd);
		fd_drop(fd);
	}
	ndirfds = 0;
}

/* Back to nothing: no descriptor, no mapping of its own making, the break
 * where it started, no file or directory. Returns what could not go. */
static int reset(void)
{
	for (unsigned i = 0; i < nmaps; i++)
		sys2(NR_munmap, maps[i].addr, maps[i].len);
	nmaps = map_next = 0;
	sys6(NR_mmap, S_ADDR, S_SIZE, 3, 0x32, ~0ul, 0);	/* RW, PRIVATE|ANON|FIXED */
	sys1(NR_brk, brk_base);
	close_all();
	while (nfillers)
		sys1(NR_close, fillers[--nfillers]);
	sys1(NR_umask, 022);
	path_call(NR_chdir, "/", 0, 0);
	long root = path_call(NR_open, "/", F_DIRECTORY | F_CLOEXEC, 0);
	if (root < 0)
		return 1;
	int left = remove_below(root, 0);
	sys1(NR_close, root);
	return left;
}

/* A few things to work on: files with bytes in, directories, pipes, the
 * devices, held open. */
static void populate(void)
{
	static const char *const dirs[] = { "/d0", "/d1", "/d0/d2", "/d0/d2/d3" };
	static const char *const files[] = { "/f0", "/f1", "/d0/f2", "/d0/d2/f3" };
	static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/urandom" };

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		path_call(NR_mkdir, dirs[i], 0755, 0);
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		long fd = path_call(NR_open, files[i], 2 | F_CREAT, 0644);
		if (fd < 0)
			continue;
		sys3(NR_write, fd, B + IN_SIZE, below(3) * 3000 + i);
		fd_add(fd);
	}
	for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		fd_add(path_call(NR_open, devices[i], 2, 0));
	for (unsigned i = 0; i < 2; i++) {
		long dir = path_call(NR_open, i ? dirs[0] : "/", F_DIRECTORY, 0);
		fd_add(dir);
		if (dir >= 0)
			dirfd_add(dir);
	}
	int *p = (int *)(B + IN_SIZE);
	for (unsigned i = 0; i < 2; i++)
		if (sys2(NR_pipe2, p, F_NONBLOCK) == 0) {
			fd_add(p[0]);
			fd_add(p[1]);
			sys3(NR_write, p[1], B + IN_SIZE + 64, 100);
		}
}

/* Some epochs run against a limit reached at their start, so that the
 * calls meet its errors: every descriptor taken (EMFILE), the tree's
 * kernel memory taken by pipes, or its user memory by pages touched in a
 * mapping of its own (which the fuzzing may unmap again). */
static void press(void)
{
	uint64_t r = below(100);
	int *p = (int *)(B + IN_SIZE);

	if (r < 60)
		return;
	if (r < 75) {			/* every descriptor */
		long fd = path_call(NR_open, "/dev/null", 2, 0);
		while (fd >= 0 && nfillers < FD_LIMIT) {
			fillers[nfillers++] = (int)fd;
			fd = sys3(NR_fcntl, fd, 0, 0);		/* F_DUPFD */
		}
	} else if (r < 90) {		/* kernel memory, a pipe at a time */
		while (nfillers < FD_LIMIT - 2 && sys2(NR_pipe2, p, F_NONBLOCK) == 0) {
			fillers[nfillers++] = p[0];
			fillers[nfillers++] = p[1];
			sys3(NR_write, p[1], B + IN_SIZE + 64, 4096);
		}
	} else {			/* user memory */
		uint64_t len = 32ul << 20;
		long m = sys6(NR_mmap, 0, len, 3, 0x22, ~0ul, 0);
		long zero = path_call(NR_open, "/dev/zero", 0, 0);
		if (!failed(m)) {
			map_add((uint64_t)m, len);
			for (uint64_t at = 0; zero >= 0 && at < len; at += 1ul << 20)
				if (sys3(NR_read, zero, m + at, 1ul << 20) != 1l << 20)
					break;
		}
		if (zero >= 0)
			sys1(NR_close, zero);
	}
	/* One slot back, so that a few calls may still get a descriptor. */
	if (nfillers && chance(50))
		sys1(NR_close, fillers[--nfillers]);
}

/* The root must be empty: run anywhere but in a directory of its own,
 * it would remove what it finds. */
static bool root_is_empty(void)
{
	long root = path_call(NR_open, "/", F_DIRECTORY | F_CLOEXEC, 0);
	long n = root >= 0 ? sys3(NR_getdents64, root, B + IN_SIZE, 4096) : -1;

	if (root >= 0)
		sys1(NR_close, root);
	/* "." and ".." alone take 48 bytes */
	if (n < 0 || n > 48) {
		say("lfuzz: the root directory is not empty: run me confined (test=lfuzz)");
		return false;
	}
	return true;
}

/* Touches the stack it will use, so that no later page fault of its own
 * meets a quota the fuzzing has used up. */
static __attribute__((noinline)) void touch_stack(void)
{
	volatile char room[256 << 10];

	for (size_t i = 0; i < sizeof(room); i += PAGE)
		room[i] = 0;
}

static bool setup_regions(void)
{
	long b = sys6(NR_mmap, B_ADDR, B_SIZE, 3, 0x32, ~0ul, 0);
	long g = sys6(NR_mmap, B_ADDR + B_SIZE, GUARD_SIZE, 0, 0x32, ~0ul, 0);
	long s = sys6(NR_mmap, S_ADDR, S_SIZE, 3, 0x32, ~0ul, 0);
	long e = sys6(NR_mmap, E_ADDR, PAGE, 3, 0x32, ~0ul, 0);

	if (b != (long)B_ADDR || g != (long)(B_ADDR + B_SIZE) || s != (long)S_ADDR ||
	    e != (long)E_ADDR) {
		say("lfuzz: cannot map its buffers (%ld %ld %ld %ld)", b, g, s, e);
		return false;
	}
	for (size_t i = 0; i < B_SIZE; i += 8)
		*(uint64_t *)(B + i) = rnd();
	touch_stack();
	return true;
}

static uint64_t parse(const char *s)
{
	return strtoull(s, NULL, 0);
}

int main(int argc, char **argv)
{
	uint64_t ncalls = 10000, seconds = 600, seed = 1, verbose_from = ~0ul;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "-n"))
			ncalls = parse(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-t"))
			seconds = parse(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-s"))
			seed = parse(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "-v"))
			verbose_from = parse(argv[++i]);
		else {
			say("usage: lfuzz [-n CALLS] [-t SECONDS] [-s SEED] [-v FROM]");
			return 2;
		}
	}
	rng_state = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	for (int fd = 0; fd < 3; fd++)
		sys1(NR_close, fd);
	sys2(NR_arch_prctl, ARCH_GET_FS_, &fs_base);
	if (!setup_regions() || !root_is_empty())
		return 2;
	/* When signals come, a write to a pipe without readers, or past a
	 * file size limit, must not end it: SIGPIPE, SIGXCPU and SIGXFSZ are
	 * ignored (handler SIG_IGN, no flags, no mask). */
	static const int quiet[] = { 13, 24, 25 };
	uint64_t *ignore = (uint64_t *)B;
	for (unsigned i = 0; i < 3; i++) {
		ignore[0] = 1, ignore[1] = ignore[2] = ignore[3] = 0;
		sys4(NR_rt_sigaction, quiet[i], ignore, 0, 8);
	}
	brk_base = (uint64_t)sys1(NR_brk, 0);
	say("lfuzz: %lu calls, seed %lu, at most %lu s", (unsigned long)ncalls,
	    (unsigned long)seed, (unsigned long)seconds);

	uint64_t start = now_ms(), batch_start = start, done = 0;
	reset();
	populate();
	for (; done < ncalls; done++) {
		if (done % BATCH == 0 && done) {
			uint64_t t = now_ms();
			if (t - batch_start > SLOW_MS)
				say("lfuzz: slow: calls %lu to %lu took %lu ms",
				    (unsigned long)(done - BATCH), (unsigned long)done,
				    (unsigned long)(t - batch_start));
			batch_start = t;
			if (t - start > seconds * 1000)
				break;
			if (done % (BATCH * 200) == 0)
				say("lfuzz: %lu calls, %lu ms", (unsigned long)done,
				    (unsigned long)(t - start));
		}
		if (done % EPOCH == 0 && done) {
			reset();	/* what it left, the last reset tries again */
			populate();
			press();
		}
		struct call c;
		choose(&c);
		make_safe(&c);
		if (done >= verbose_from)
			say("lfuzz: #%lu %lu(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)",
			    (unsigned long)done, (unsigned long)c.nr, (unsigned long)c.a[0],
			    (unsigned long)c.a[1], (unsigned long)c.a[2], (unsigned long)c.a[3],
			    (unsigned long)c.a[4], (unsigned long)c.a[5]);
		uint64_t t0 = done >= verbose_from ? now_ms() : 0;
		long r = sys6(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
		account(&c, r);
		if (done >= verbose_from)
			say("lfuzz: #%lu = %ld (%lu ms)", (unsigned long)done, r,
			    (unsigned long)(now_ms() - t0));
	}
	uint64_t ms = now_ms() - start;
	int leftovers = reset();
	say("lfuzz: %lu calls in %lu ms, seed %lu", (unsigned long)done, (unsigned long)ms,
	    (unsigned long)seed);
	say("lfuzz: %lu table numbers tried; %lu succeeded, %lu failed, %lu ENOSYS",
	    (unsigned long)stats_numbers, (unsigned long)stats_ok, (unsigned long)stats_err,
	    (unsigned long)stats_enosys);
	if (leftovers) {
		say("lfuzz: %d entries could not be removed", leftovers);
		return 1;
	}
	say("lfuzz: done");
	return 0;
}
