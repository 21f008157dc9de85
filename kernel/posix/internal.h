/* The Linux personality's own state: open file descriptions, the
 * descriptor table and the per-process data, shared by the files of
 * kernel/posix/ and by nothing else.
 *
 * A descriptor names an open file description (struct posix_file), as in
 * POSIX: dup'd descriptors and forked processes share one, with its
 * status flags and position. A description wraps the Panda object it
 * reaches (a VFS file or directory, the console, a channel) with the
 * rights of the handle it came from, so a Linux process holds nothing a
 * handle could not give it. */
#ifndef POSIX_INTERNAL_H
#define POSIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cleanup.h"
#include "core/list.h"
#include "core/compiler.h"
#include "core/spinlock.h"
#include "fs/vfs.h"
#include "posix/linux.h"

#define POSIX_POLL_QUEUES	2	/* a pipe: readable, writable */

/* Every description kind fills the whole ops table and every handler
 * takes the whole argument list, whatever it uses of it (as syscall.h):
 * only kernel/posix/ includes this header. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct kobj;
struct process;
struct wait_queue;
struct quota;
struct posix_file;
struct posix_pipe;
struct posix_vfork;

/* What a description of one kind does; NULL entries answer as Linux does
 * for a file that cannot (EINVAL, ESPIPE, ENOTTY). `at` NULL means the
 * description's position (and moves it). buf is a user address. */
struct posix_file_ops {
	const char *name;		/* for the log and docs: "file", "tty" */
	long (*read)(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at);
	long (*write)(struct posix_file *f, const void __user *buf, size_t len,
		      const uint64_t *at);
	/* The same from kernel memory (sendfile's destination). */
	long (*write_kernel)(struct posix_file *f, const void *kbuf, size_t len);
	long (*seek)(struct posix_file *f, int64_t off, int whence);
	/* Fills the type, size, ino, nlink and times; the caller the rest. */
	int (*stat)(struct posix_file *f, struct vfs_stat *st);
	uint32_t mode;			/* S_IFMT and permission bits stat reports */
	long (*ioctl)(struct posix_file *f, unsigned cmd, uint64_t arg);
	/* Output still held back (a partial line): written out now. */
	void (*flush)(struct posix_file *f);
	/* Which of LINUX_POLL* hold now, with the (up to POSIX_POLL_QUEUES)
	 * queues woken when that changes put in q, the rest left NULL. NULL:
	 * always ready to read and write, as a regular file is. */
	uint32_t (*poll)(struct posix_file *f, struct wait_queue **q);
	void (*release)(struct posix_file *f);	/* optional */
};

struct posix_file {
	uint32_t refs;			/* atomic: descriptors sharing it */
	const struct posix_file_ops *ops;
	uint32_t status;		/* O_ACCMODE | O_APPEND | O_NONBLOCK bits */
	struct kobj *obj;		/* a reference, or NULL (/dev/null) */
	uint32_t rights;		/* of the handle it came from */
	char *path;			/* a directory's path beneath the root, or NULL */
	struct quota *quota;		/* pays for it (a reference) */
	struct posix_pipe *pipe;	/* a pipe's end (pipe.c), or NULL */
	struct spinlock lock;		/* guards what follows */
	uint64_t cursor;		/* a directory's readdir place */
	/* Byte streams over record objects (console, channels): the bytes
	 * of the message read last that no read has taken yet. */
	uint8_t *in;
	uint32_t in_len, in_off;
	bool in_eof;
	/* Output to a record channel: the line not yet ended. */
	uint8_t *out;
	uint32_t out_len;
};

/* A new description of ops over obj (a reference taken) with rights,
 * charged to quota: NULL without memory or past the tree's limit. */
struct posix_file *posix_file_new(const struct posix_file_ops *ops, struct kobj *obj,
				  uint32_t rights, uint32_t status, struct quota *quota);
static inline struct posix_file *posix_file_get(struct posix_file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}
void posix_file_put(struct posix_file *f);
DEFINE_FREE(posix_file_put, struct posix_file *, if (_T) posix_file_put(_T))

/* The kinds (file.c, stream.c, pipe.c). */
extern const struct posix_file_ops posix_vfs_file_ops, posix_dir_ops, posix_null_ops,
	posix_zero_ops, posix_random_ops, posix_tty_ops, posix_records_in_ops,
	posix_records_out_ops, posix_pipe_read_ops, posix_pipe_write_ops;

/* A description for a Panda object of any type a process can be handed:
 * a file, a directory (with its path, or NULL), the console, a channel
 * end (reading: records in; writing: records out). NULL without memory
 * or for an object no descriptor can stand for. */
struct posix_file *posix_file_for(struct kobj *obj, uint32_t rights, const char *path,
				  bool writer, struct quota *quota);

/* stream.c: the console (a tty) or a channel end (records in, or records
 * out for a writer); NULL for any other object or without memory. */
struct posix_file *posix_stream_for(struct kobj *obj, uint32_t rights, bool writer,
				    struct quota *quota);

/* --- the descriptor table (fd.c) ---------------------------------------- */

#define POSIX_FD_MAX		1024	/* RLIMIT_NOFILE, soft and hard */

struct posix_fd {
	struct posix_file *file;	/* NULL: free */
	bool cloexec;
};

struct posix_fds {
	struct spinlock lock;
	struct posix_fd *fd;		/* cap entries */
	unsigned cap;
};

int posix_fds_init(struct posix_fds *t, struct quota *quota);
void posix_fds_destroy(struct posix_fds *t, struct quota *quota);
/* The description fd names, with a reference: -EBADF when none. */
int posix_fd_get(struct posix_fds *t, int fd, struct posix_file **out);
/* Puts f (the caller's reference moves in) at the lowest free fd >= min:
 * the fd, or -EMFILE (f is then put). */
int posix_fd_install(struct posix_fds *t, struct quota *quota, struct posix_file *f,
		     bool cloexec, int min);
/* Puts f at exactly fd, closing what was there: fd or -EBADF. */
int posix_fd_install_at(struct posix_fds *t, struct quota *quota, struct posix_file *f,
			bool cloexec, int fd);
int posix_fd_close(struct posix_fds *t, int fd);
/* dst (uninitialised) as a copy of src, sharing its descriptions (fork). */
int posix_fds_copy(struct posix_fds *dst, struct posix_fds *src, struct quota *quota);
/* Closes every descriptor marked close-on-exec (execve). */
void posix_fds_close_on_exec(struct posix_fds *t);
int posix_fd_cloexec(struct posix_fds *t, int fd, int set);	/* set -1: query */

/* --- per process ---------------------------------------------------- */

struct posix_proc {
	struct posix_fds fds;
	struct spinlock lock;		/* guards cwd, brk, umask */
	struct posix_file *root;	/* the directory "/" is (path "/") */
	struct posix_file *cwd;		/* a directory */
	uint64_t brk_base, brk;		/* [brk_base, page_up(brk)) is mapped */
	uint32_t umask;
	uint64_t clear_child_tid;	/* set_tid_address */
	struct kobj *console;		/* /dev/tty's object (a reference), or NULL */
	uint32_t console_rights;
	char comm[16];			/* prctl(PR_SET_NAME) */
	/* Signal dispositions and the mask (sys_signal.c): bit sig-1 of
	 * ignored is SIG_IGN; actions keep what rt_sigaction was given. */
	uint64_t sig_ignored;		/* atomic: kill reads it under the process's lock */
	uint64_t sig_mask;
	struct linux_sigaction actions[LINUX_NSIG];
	/* Children from fork not yet waited for (sys_child.c), guarded by
	 * lock: each holds a reference, so an exit status outlives the
	 * child until wait4 takes it. */
	struct list_node children;
	struct posix_vfork *vfork;	/* a vfork child: its parent's handshake */
	uint32_t enosys_logged;		/* atomic: unsupported calls logged */
	struct linux_rlimit rlimits[LINUX_RLIM_NLIMITS];	/* as setrlimit left them */
	char exe[PATH_MAX_LEN + 1];	/* /proc/self/exe, beneath the root */
};

/* The initial stack (start.c): 8 MiB as Linux's default RLIMIT_STACK, with
 * an unmapped guard below. */
#define LINUX_STACK_TOP		USER_TOP
#define LINUX_STACK_SIZE	(8ull << 20)
#define LINUX_STACK_GUARD	(64ull << 10)

/* Bytes of argument and environment strings an exec may pass (Linux's
 * ARG_MAX is a quarter of the stack limit: the same 2 MiB). */
#define LINUX_ARGS_MAX		(LINUX_STACK_SIZE / 4)

/* What a new image's initial stack holds besides the auxv (start.c): argc
 * strings back to back, and envc "KEY=value" strings back to back. */
struct posix_exec_args {
	const char *args, *env;
	size_t args_len, env_len;
	uint32_t argc, envc;
};
struct address_space;
struct elf_image;
/* Maps the stack (and its guard) in as and writes the System V initial
 * stack there: the stack pointer, or an error (E2BIG past
 * LINUX_ARGS_MAX). */
long posix_write_stack(struct address_space *as, const struct posix_exec_args *a,
		       const struct elf_image *img, const char *execfn);
/* /proc/self/exe: path (beneath the root) made absolute. */
void posix_set_exe(struct posix_proc *pp, const char *path);

struct posix_proc *posix_current(void);
struct process;
struct posix_proc *posix_of(struct process *p);

/* --- paths (path.c) ---------------------------------------------------- */

/* A Linux path argument resolved to where it lies: a directory object
 * and a path beneath it in kernel memory. For a path from the root or
 * from a directory whose path is known, dir is the root and path is the
 * clean absolute path; otherwise dir is that directory and path is
 * relative to it (and may not climb out of it). */
struct posix_path {
	struct posix_file *dir;		/* a reference; NULL for "" (empty_ok) */
	char path[PATH_MAX_LEN + 2];
	size_t len;
	uint8_t last_dots;		/* the path as given ended in "." (1), ".." (2) */
};
void posix_path_done(struct posix_path *p);
DEFINE_FREE(posix_path_done, struct posix_path, posix_path_done(&_T))
/* dirfd is LINUX_AT_FDCWD or a descriptor; empty_ok lets "" through
 * (AT_EMPTY_PATH: it names dirfd itself), with dir NULL and len 0. */
int posix_path_get(struct posix_proc *pp, int dirfd, const char __user *user_path,
		   bool empty_ok, struct posix_path *out);
/* The same for a path in kernel memory (raw_len bytes, no NUL needed). */
int posix_path_resolve(struct posix_proc *pp, int dirfd, const char *raw, size_t raw_len,
		       bool empty_ok, struct posix_path *out);

/* True when p is the absolute path abs beneath the root ("/dev/null"). */
void posix_rlimits_init(struct posix_proc *pp);
/* A signal to a process, with its default action or its SIG_IGN (there
 * are no handlers yet): it may end the process (sys_signal.c). */
void posix_signal(struct process *p, int sig);
bool posix_signal_ignored_by_default(int sig);
/* The signal a failed write raises at its writer: SIGPIPE on EPIPE. */
long posix_epipe(long rc);
/* sys_child.c: lets every child go (the parent's end); takes one child
 * off the list if it is there (a fork that failed). */
void posix_children_release(struct posix_proc *pp, struct quota *quota);
void posix_forget_child(struct posix_proc *pp, struct process *child);
/* A vfork child has exec'd or ended: its parent runs on. */
void posix_vfork_release(struct posix_proc *pp);
/* Uptime, memory and load as sysinfo(2) reports them (sys_time.c). */
struct linux_sysinfo;
void posix_fill_sysinfo(struct linux_sysinfo *si);

bool posix_path_is(const struct posix_path *p, const struct posix_proc *pp, const char *abs);

/* --- helpers -------------------------------------------------------- */

/* Panda's errors as Linux's: the numbers below 200 agree; the rest map
 * to the nearest Linux meaning. */
long posix_errno(long rc);
/* The stat a Linux program sees of a Panda node. */
void posix_fill_stat(const struct vfs_stat *st, uint32_t mode, struct linux_stat *out);

#endif
