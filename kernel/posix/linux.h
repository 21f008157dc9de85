/* The Linux x86-64 user ABI as the personality needs it: system-call
 * numbers, errno values, flags and the layouts of the structures that
 * cross the boundary. Written from the Linux UAPI headers and man pages
 * (facts); the names follow Linux's with a LINUX_ prefix so that they never
 * clash with Panda's own (lib/abi.h, lib/errors.h). */
#ifndef POSIX_LINUX_H
#define POSIX_LINUX_H

#include <stdint.h>

/* --- system calls ------------------------------------------------------ */

#define LINUX_SYSCALL_COUNT	451
extern const char *const linux_syscall_names[LINUX_SYSCALL_COUNT];

enum {
	LINUX_SYS_read = 0, LINUX_SYS_write = 1, LINUX_SYS_open = 2, LINUX_SYS_close = 3,
	LINUX_SYS_stat = 4, LINUX_SYS_fstat = 5, LINUX_SYS_lstat = 6, LINUX_SYS_poll = 7,
	LINUX_SYS_lseek = 8, LINUX_SYS_mmap = 9, LINUX_SYS_mprotect = 10,
	LINUX_SYS_munmap = 11, LINUX_SYS_brk = 12, LINUX_SYS_rt_sigaction = 13,
	LINUX_SYS_rt_sigprocmask = 14, LINUX_SYS_ioctl = 16, LINUX_SYS_pread64 = 17,
	LINUX_SYS_pwrite64 = 18, LINUX_SYS_readv = 19, LINUX_SYS_writev = 20,
	LINUX_SYS_access = 21, LINUX_SYS_pipe = 22, LINUX_SYS_select = 23,
	LINUX_SYS_sched_yield = 24,
	LINUX_SYS_mremap = 25, LINUX_SYS_madvise = 28, LINUX_SYS_dup = 32,
	LINUX_SYS_dup2 = 33, LINUX_SYS_nanosleep = 35, LINUX_SYS_getpid = 39,
	LINUX_SYS_sendfile = 40, LINUX_SYS_clone = 56, LINUX_SYS_fork = 57,
	LINUX_SYS_vfork = 58, LINUX_SYS_execve = 59, LINUX_SYS_exit = 60,
	LINUX_SYS_wait4 = 61, LINUX_SYS_kill = 62, LINUX_SYS_uname = 63,
	LINUX_SYS_fcntl = 72, LINUX_SYS_fsync = 74, LINUX_SYS_fdatasync = 75,
	LINUX_SYS_truncate = 76, LINUX_SYS_ftruncate = 77, LINUX_SYS_getcwd = 79,
	LINUX_SYS_chdir = 80, LINUX_SYS_fchdir = 81, LINUX_SYS_rename = 82,
	LINUX_SYS_mkdir = 83, LINUX_SYS_rmdir = 84, LINUX_SYS_creat = 85,
	LINUX_SYS_unlink = 87, LINUX_SYS_readlink = 89, LINUX_SYS_chmod = 90,
	LINUX_SYS_fchmod = 91, LINUX_SYS_chown = 92, LINUX_SYS_fchown = 93,
	LINUX_SYS_lchown = 94, LINUX_SYS_umask = 95, LINUX_SYS_gettimeofday = 96,
	LINUX_SYS_getrlimit = 97, LINUX_SYS_getrusage = 98, LINUX_SYS_sysinfo = 99,
	LINUX_SYS_times = 100, LINUX_SYS_getuid = 102, LINUX_SYS_getgid = 104,
	LINUX_SYS_setuid = 105, LINUX_SYS_setgid = 106, LINUX_SYS_geteuid = 107,
	LINUX_SYS_getegid = 108, LINUX_SYS_setpgid = 109, LINUX_SYS_getppid = 110,
	LINUX_SYS_getpgrp = 111, LINUX_SYS_setsid = 112, LINUX_SYS_getgroups = 115,
	LINUX_SYS_getresuid = 118, LINUX_SYS_getresgid = 120, LINUX_SYS_getpgid = 121,
	LINUX_SYS_getsid = 124, LINUX_SYS_statfs = 137, LINUX_SYS_fstatfs = 138,
	LINUX_SYS_prctl = 157, LINUX_SYS_arch_prctl = 158, LINUX_SYS_setrlimit = 160,
	LINUX_SYS_sync = 162, LINUX_SYS_gettid = 186, LINUX_SYS_tkill = 200, LINUX_SYS_time = 201,
	LINUX_SYS_futex = 202, LINUX_SYS_getdents64 = 217,
	LINUX_SYS_set_tid_address = 218, LINUX_SYS_clock_gettime = 228,
	LINUX_SYS_clock_getres = 229, LINUX_SYS_clock_nanosleep = 230,
	LINUX_SYS_exit_group = 231, LINUX_SYS_tgkill = 234, LINUX_SYS_waitid = 247,
	LINUX_SYS_openat = 257, LINUX_SYS_mkdirat = 258, LINUX_SYS_fchownat = 260,
	LINUX_SYS_newfstatat = 262, LINUX_SYS_unlinkat = 263, LINUX_SYS_renameat = 264,
	LINUX_SYS_readlinkat = 267, LINUX_SYS_fchmodat = 268, LINUX_SYS_faccessat = 269,
	LINUX_SYS_pselect6 = 270, LINUX_SYS_ppoll = 271,
	LINUX_SYS_set_robust_list = 273, LINUX_SYS_utimensat = 280, LINUX_SYS_dup3 = 292,
	LINUX_SYS_pipe2 = 293, LINUX_SYS_prlimit64 = 302, LINUX_SYS_renameat2 = 316,
	LINUX_SYS_getrandom = 318, LINUX_SYS_statx = 332, LINUX_SYS_rseq = 334,
	LINUX_SYS_faccessat2 = 439,
};

/* --- poll ---------------------------------------------------------------- */

struct linux_pollfd {
	int32_t fd;
	int16_t events, revents;
};

enum {
	LINUX_POLLIN = 0x001, LINUX_POLLPRI = 0x002, LINUX_POLLOUT = 0x004,
	LINUX_POLLERR = 0x008, LINUX_POLLHUP = 0x010, LINUX_POLLNVAL = 0x020,
	LINUX_POLLRDNORM = 0x040, LINUX_POLLRDBAND = 0x080, LINUX_POLLWRNORM = 0x100,
	LINUX_POLLWRBAND = 0x200, LINUX_POLLRDHUP = 0x2000,
};

#define LINUX_FD_SETSIZE	1024

/* --- errno values Panda's lib/errors.h does not have (1..199 agree) ----- */

enum {
	LINUX_ESRCH = 3, LINUX_EINTR = 4, LINUX_ENXIO = 6, LINUX_EBADF = 9,
	LINUX_ECHILD = 10, LINUX_EACCES = 13, LINUX_ENODEV = 19, LINUX_ENOTBLK = 15, LINUX_ENFILE = 23,
	LINUX_ENOTTY = 25, LINUX_EFBIG = 27, LINUX_ESPIPE = 29, LINUX_EROFS = 30,
	LINUX_EMLINK = 31, LINUX_ELOOP = 40, LINUX_EOVERFLOW = 75, LINUX_EOPNOTSUPP = 95,
};

/* --- files ---------------------------------------------------------------- */

#define LINUX_AT_FDCWD		(-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR	0x200
#define LINUX_AT_EACCESS	0x200
#define LINUX_AT_SYMLINK_FOLLOW	0x400
#define LINUX_AT_NO_AUTOMOUNT	0x800
#define LINUX_AT_EMPTY_PATH	0x1000
#define LINUX_AT_STATX_SYNC_TYPE 0x6000

enum {
	LINUX_O_ACCMODE = 03, LINUX_O_RDONLY = 0, LINUX_O_WRONLY = 01, LINUX_O_RDWR = 02,
	LINUX_O_CREAT = 0100, LINUX_O_EXCL = 0200, LINUX_O_NOCTTY = 0400,
	LINUX_O_TRUNC = 01000, LINUX_O_APPEND = 02000, LINUX_O_NONBLOCK = 04000,
	LINUX_O_DSYNC = 010000, LINUX_O_ASYNC = 020000, LINUX_O_DIRECT = 040000,
	LINUX_O_LARGEFILE = 0100000, LINUX_O_DIRECTORY = 0200000,
	LINUX_O_NOFOLLOW = 0400000, LINUX_O_NOATIME = 01000000,
	LINUX_O_CLOEXEC = 02000000, LINUX_O_SYNC = 04010000, LINUX_O_PATH = 010000000,
	LINUX_O_TMPFILE = 020200000,
};

enum {
	LINUX_F_DUPFD = 0, LINUX_F_GETFD = 1, LINUX_F_SETFD = 2, LINUX_F_GETFL = 3,
	LINUX_F_SETFL = 4, LINUX_F_DUPFD_CLOEXEC = 1030, LINUX_FD_CLOEXEC = 1,
};

enum { LINUX_SEEK_SET = 0, LINUX_SEEK_CUR = 1, LINUX_SEEK_END = 2 };

enum {
	LINUX_S_IFMT = 0170000, LINUX_S_IFDIR = 0040000, LINUX_S_IFCHR = 0020000,
	LINUX_S_IFREG = 0100000, LINUX_S_IFIFO = 0010000,
};

enum { LINUX_DT_FIFO = 1, LINUX_DT_CHR = 2, LINUX_DT_DIR = 4, LINUX_DT_REG = 8 };

enum { LINUX_RENAME_NOREPLACE = 1, LINUX_RENAME_EXCHANGE = 2, LINUX_RENAME_WHITEOUT = 4 };

struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;		/* blocks of 512 bytes */
	uint64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec;
	uint64_t st_ctime_sec, st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "Linux's struct stat");

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};
_Static_assert(sizeof(struct linux_statx) == 256, "Linux's struct statx");

/* statx's mask bits: what a reply fills in. */
#define LINUX_STATX_BASIC_STATS	0x7ffu

struct linux_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "Linux's struct statfs");

#define LINUX_TMPFS_MAGIC	0x01021994

struct linux_dirent64_head {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	/* d_name follows, NUL-terminated, the record padded to 8 bytes */
} __attribute__((packed));

struct linux_iovec {
	uint64_t base;		/* a user address */
	uint64_t len;
};
#define LINUX_IOV_MAX		1024

/* --- terminals -------------------------------------------------------- */

enum {
	LINUX_TCGETS = 0x5401, LINUX_TCSETS = 0x5402, LINUX_TCSETSW = 0x5403,
	LINUX_TCSETSF = 0x5404, LINUX_TIOCGPGRP = 0x540f, LINUX_TIOCSPGRP = 0x5410,
	LINUX_TIOCGWINSZ = 0x5413, LINUX_TIOCSWINSZ = 0x5414, LINUX_FIONREAD = 0x541b,
	LINUX_FIONBIO = 0x5421, LINUX_FIOCLEX = 0x5451, LINUX_FIONCLEX = 0x5450,
};

#define LINUX_NCCS		19
struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};

enum { LINUX_ISIG = 0x1, LINUX_ICANON = 0x2, LINUX_ECHO = 0x8 };	/* c_lflag */

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* --- memory ------------------------------------------------------------ */

enum { LINUX_PROT_READ = 1, LINUX_PROT_WRITE = 2, LINUX_PROT_EXEC = 4 };

enum {
	LINUX_MAP_SHARED = 0x01, LINUX_MAP_PRIVATE = 0x02, LINUX_MAP_SHARED_VALIDATE = 0x03,
	LINUX_MAP_TYPE = 0x0f, LINUX_MAP_FIXED = 0x10, LINUX_MAP_ANONYMOUS = 0x20,
	LINUX_MAP_GROWSDOWN = 0x100, LINUX_MAP_DENYWRITE = 0x800,
	LINUX_MAP_EXECUTABLE = 0x1000, LINUX_MAP_LOCKED = 0x2000,
	LINUX_MAP_NORESERVE = 0x4000, LINUX_MAP_POPULATE = 0x8000,
	LINUX_MAP_NONBLOCK = 0x10000, LINUX_MAP_STACK = 0x20000,
	LINUX_MAP_HUGETLB = 0x40000, LINUX_MAP_FIXED_NOREPLACE = 0x100000,
};

enum { LINUX_MREMAP_MAYMOVE = 1, LINUX_MREMAP_FIXED = 2 };

enum {
	LINUX_MADV_NORMAL = 0, LINUX_MADV_RANDOM = 1, LINUX_MADV_SEQUENTIAL = 2,
	LINUX_MADV_WILLNEED = 3, LINUX_MADV_DONTNEED = 4, LINUX_MADV_FREE = 8,
};

/* --- processes and the CPU ---------------------------------------------- */

enum {
	LINUX_ARCH_SET_GS = 0x1001, LINUX_ARCH_SET_FS = 0x1002,
	LINUX_ARCH_GET_FS = 0x1003, LINUX_ARCH_GET_GS = 0x1004,
};

enum { LINUX_PR_SET_NAME = 15, LINUX_PR_GET_NAME = 16 };
enum { LINUX_GRND_NONBLOCK = 1, LINUX_GRND_RANDOM = 2, LINUX_GRND_INSECURE = 4 };

/* The System V auxiliary vector's keys. */
enum {
	LINUX_AT_NULL = 0, LINUX_AT_PHDR = 3, LINUX_AT_PHENT = 4, LINUX_AT_PHNUM = 5,
	LINUX_AT_PAGESZ = 6, LINUX_AT_BASE = 7, LINUX_AT_FLAGS = 8, LINUX_AT_ENTRY = 9,
	LINUX_AT_UID = 11, LINUX_AT_EUID = 12, LINUX_AT_GID = 13, LINUX_AT_EGID = 14,
	LINUX_AT_PLATFORM = 15, LINUX_AT_HWCAP = 16, LINUX_AT_CLKTCK = 17,
	LINUX_AT_SECURE = 23, LINUX_AT_RANDOM = 25, LINUX_AT_HWCAP2 = 26,
	LINUX_AT_EXECFN = 31,
};

#define LINUX_UTS_LEN		65
struct linux_utsname {
	char sysname[LINUX_UTS_LEN], nodename[LINUX_UTS_LEN], release[LINUX_UTS_LEN];
	char version[LINUX_UTS_LEN], machine[LINUX_UTS_LEN], domainname[LINUX_UTS_LEN];
};

struct linux_timespec {
	int64_t tv_sec, tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec, tv_usec;
};

enum {
	LINUX_CLOCK_REALTIME = 0, LINUX_CLOCK_MONOTONIC = 1,
	LINUX_CLOCK_PROCESS_CPUTIME_ID = 2, LINUX_CLOCK_THREAD_CPUTIME_ID = 3,
	LINUX_CLOCK_MONOTONIC_RAW = 4, LINUX_CLOCK_REALTIME_COARSE = 5,
	LINUX_CLOCK_MONOTONIC_COARSE = 6, LINUX_CLOCK_BOOTTIME = 7,
};
#define LINUX_TIMER_ABSTIME	1

struct linux_rlimit {
	uint64_t rlim_cur, rlim_max;
};
#define LINUX_RLIM_INFINITY	(~0ull)
enum {
	LINUX_RLIMIT_CPU = 0, LINUX_RLIMIT_FSIZE = 1, LINUX_RLIMIT_DATA = 2,
	LINUX_RLIMIT_STACK = 3, LINUX_RLIMIT_CORE = 4, LINUX_RLIMIT_RSS = 5,
	LINUX_RLIMIT_NPROC = 6, LINUX_RLIMIT_NOFILE = 7, LINUX_RLIMIT_MEMLOCK = 8,
	LINUX_RLIMIT_AS = 9, LINUX_RLIM_NLIMITS = 16,
};

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "Linux's struct sysinfo");

struct linux_rusage {
	struct linux_timeval ru_utime, ru_stime;
	int64_t rest[14];
};

struct linux_tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

/* Signals part 1 knows: the numbers kill and wait statuses use. */
enum {
	LINUX_SIGHUP = 1, LINUX_SIGINT = 2, LINUX_SIGQUIT = 3, LINUX_SIGILL = 4,
	LINUX_SIGABRT = 6, LINUX_SIGBUS = 7, LINUX_SIGFPE = 8, LINUX_SIGKILL = 9,
	LINUX_SIGSEGV = 11, LINUX_SIGPIPE = 13, LINUX_SIGTERM = 15, LINUX_SIGCHLD = 17,
	LINUX_NSIG = 64,
};

struct linux_sigaction {
	uint64_t handler;		/* SIG_DFL 0, SIG_IGN 1, else a function */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};
enum { LINUX_SIG_DFL = 0, LINUX_SIG_IGN = 1 };
enum { LINUX_SIG_BLOCK = 0, LINUX_SIG_UNBLOCK = 1, LINUX_SIG_SETMASK = 2 };
enum { LINUX_SIGSTOP = 19 };

#endif
