/* The system-call ABI: numbers, rights, and the structures that cross the
 * user/kernel boundary. Shared by the kernel and user space; the numbers are
 * part of the ABI, so never renumber, only add (docs/syscalls.md).
 *
 * Calling convention (x86-64 `syscall`): number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, r9; the result comes back in rax, a negative value is
 * an error from lib/errors.h. rcx and r11 are clobbered, nothing else. */
#ifndef LIB_ABI_H
#define LIB_ABI_H

#include <stdint.h>

/* A user address inside these structures: PANDA_USER(T) is a T * to user
 * space, and to the kernel (built with -DPANDA_IN_KERNEL) an integer in a
 * struct of its own, with the pointer's size, alignment and place. So in
 * the kernel *p, p[i], p->f, a cast to a kernel pointer or an integer, and
 * passing it where a pointer goes do not compile, with plain gcc: the
 * only way in is uaddr_ptr() (mm/usercopy.h), which gives the __user
 * pointer that the copies take. */
#ifdef PANDA_IN_KERNEL
struct panda_uaddr {
	uint64_t addr;
};
#define PANDA_USER(type)	struct panda_uaddr
#else
#define PANDA_USER(type)	type *
#endif

enum {
	SYS_EXIT = 0,		/* (int code) never returns */
	SYS_YIELD = 1,		/* () -> 0 */
	SYS_GETPID = 2,		/* () -> pid */
	SYS_SPAWN = 3,		/* (const struct panda_spawn *) -> process handle */
	SYS_PROCESS_WAIT = 4,	/* (h, u64 deadline, struct panda_exit_status *) -> 0 */
	SYS_PROCESS_KILL = 5,	/* (h) -> 0 */
	SYS_DEBUG_WRITE = 6,	/* (const char *, size_t) -> bytes written */
	SYS_SLEEP = 7,		/* (u64 deadline) -> 0 */
	SYS_CLOCK = 8,		/* () -> monotonic ns since boot */
	SYS_MEM_MAP = 9,	/* (void *addr or 0, size_t len, unsigned prot) -> address */
	SYS_MEM_UNMAP = 10,	/* (void *addr, size_t len) -> 0 */
	SYS_MEM_PROTECT = 11,	/* (void *addr, size_t len, unsigned prot) -> 0 */
	SYS_CLOSE = 12,		/* (h) -> 0 */
	SYS_CHANNEL_CREATE = 13,	/* (panda_handle_t ends[2]) -> 0 */
	SYS_SEND = 14,		/* (h, const struct panda_msg *, flags) -> 0 */
	SYS_RECV = 15,		/* (h, struct panda_msg *, flags, deadline) -> size */
	SYS_CALL = 16,		/* (h, const struct panda_msg *req, struct panda_msg *reply,
				 *  deadline) -> reply size */
	SYS_WAIT = 17,		/* (struct panda_wait_item *, count, deadline) -> ready count */
	SYS_DUP = 18,		/* (h, rights) -> new handle */
	SYS_KCOV = 19,		/* (op, a1, a2, a3): kernel coverage, kcov build only */
	SYS_COUNT
};

/* SYS_KCOV ops (docs/syscalls.md, "kcov"); the normal kernel answers
 * every one with -ENOSYS. */
enum {
	KCOV_OPEN = 0,		/* (capacity in PCs) -> handle to a new buffer */
	KCOV_ENABLE = 1,	/* (h) -> 0: record this thread's calls into it */
	KCOV_DISABLE = 2,	/* () -> 0 */
	KCOV_READ = 3,		/* (h, u64 *pcs, max) -> PCs copied; empties it */
};
#define KCOV_PCS_MAX		65536u	/* a buffer's capacity, at most */

/* Deadlines are absolute monotonic times in ns (SYS_CLOCK). */
#define PANDA_DEADLINE_POLL	0ull
#define PANDA_DEADLINE_NEVER	UINT64_MAX

/* Handles: never 0 (PANDA_HANDLE_NONE), meaningful only in one process. */
typedef uint32_t panda_handle_t;
#define PANDA_HANDLE_NONE	0u

/* Rights a handle carries (DESIGN "Handles and messages"). */
enum {
	RIGHT_READ = 1u << 0,
	RIGHT_WRITE = 1u << 1,
	RIGHT_SEND = 1u << 2,
	RIGHT_RECV = 1u << 3,
	RIGHT_DUP = 1u << 4,
	RIGHT_TRANSFER = 1u << 5,
	RIGHT_WAIT = 1u << 6,
	RIGHT_KILL = 1u << 7,
	RIGHT_SPAWN = 1u << 8,		/* start executables beneath a directory */
	RIGHT_MANAGE = 1u << 9,		/* settings every holder shares: the console's
					 * foreground process */
	RIGHTS_ALL = (1u << 10) - 1,
};

/* Messages (DESIGN "Contracts"): one BSON document plus handles. */
#define PANDA_MSG_MAX		65536	/* bytes in one document */
#define PANDA_MSG_HANDLES	64	/* handles in one message */
#define PANDA_WAIT_MAX		64	/* items in one wait */
#define PANDA_QUEUE_MAX		64	/* messages queued on one endpoint */
#define PANDA_DEPTH_MAX		100	/* document nesting */

/* A message going out (send, call's request) or coming in (recv, call's
 * reply). Coming in, size and handle_count say how much room there is and
 * come back as what arrived (also on -ETOOSMALL: what is needed). */
struct panda_msg {
	PANDA_USER(void) data;		/* the document */
	uint32_t size;
	uint32_t handle_count;
	PANDA_USER(panda_handle_t) handles;
	uint32_t txid;			/* recv: the call to reply to (0: none);
					 * send: nonzero makes this the reply */
	uint32_t reserved;
};

/* send/recv flags */
#define PANDA_NONBLOCK		1u	/* -EAGAIN instead of waiting */
#define PANDA_RECV_REPLY	2u	/* recv: take the parked reply to msg->txid
					 * (a call that got -ETOOSMALL) */

/* Signals for SYS_WAIT. */
enum {
	SIGNAL_READABLE = 1u << 0,	/* a message (or parked reply) is waiting */
	SIGNAL_WRITABLE = 1u << 1,	/* the peer's queue has room */
	SIGNAL_PEER_CLOSED = 1u << 2,	/* the other endpoint has no handles left */
	SIGNAL_EXITED = 1u << 3,	/* a process ended */
};

struct panda_wait_item {
	panda_handle_t handle;
	uint32_t want;			/* SIGNAL_* to wait for */
	uint32_t got;			/* out: the wanted signals that are set */
	uint32_t reserved;
};

/* dup: keep every right the handle has. */
#define RIGHTS_SAME		0xffffffffu

/* SYS_MEM_MAP / SYS_MEM_PROTECT protections. Writable and executable at
 * once is refused (W^X). */
enum { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

/* Limits on spawn's arguments (docs/syscalls.md). */
#define PANDA_PATH_MAX		1025	/* bytes with the NUL (lib/path.h: 1024) */
#define PANDA_ARGS_MAX		64	/* argv entries */
#define PANDA_ARGS_BYTES	16384	/* all argument strings with NULs */
#define PANDA_SPAWN_HANDLES	64
#define PANDA_STARTUP_DOC_MAX	16384	/* bytes in spawn's startup document */

struct panda_spawn {
	panda_handle_t dir;		/* RIGHT_SPAWN; the path resolves beneath it */
	uint32_t handle_count;		/* entries in handles[] */
	PANDA_USER(const char) path;	/* NUL-terminated */
	PANDA_USER(const char *const) argv;	/* argc strings; argv[0] names
						 * the program */
	uint64_t argc;
	PANDA_USER(const panda_handle_t) handles;	/* copied into the child, in order */
	PANDA_USER(const void) doc;	/* optional startup document (BSON), or NULL: */
	uint64_t doc_size;		/* copied for the child to decode */
	PANDA_USER(const struct panda_limits) limits;	/* narrower limits for the child, or NULL */
};

/* Limits a spawn may ask for the child's tree (docs/memory.md, "Quotas"),
 * in the order of sysinfo's "limits" record. 0 keeps the default share
 * (seven eighths of the parent's limit); a value above the share gets the
 * share: a child's limits are only ever narrower than its parent's. */
struct panda_limits {
	uint64_t processes, threads, handles, mappings;
	uint64_t kernel_memory;		/* bytes */
	uint64_t user_memory;		/* bytes, in whole pages */
};

/* How a process ended. */
enum {
	EXIT_NORMAL = 0,
	EXIT_KILLED = 1,		/* process_kill */
	EXIT_FAULT = 2,			/* an exception in user mode */
	EXIT_INTERRUPTED = 3,		/* Ctrl-C on the console it was foreground of */
};

struct panda_exit_status {
	int32_t code;			/* exit(code); -1 when killed or faulted */
	uint32_t how;			/* EXIT_* */
};

/* Where programs find their well-known handles among the startup handles
 * (init gets all five from the kernel; programs pass root, console,
 * working directory and sysinfo on in these places; the power handle stays
 * with init). */
enum {
	STARTUP_ROOT = 0,
	STARTUP_CONSOLE = 1,
	STARTUP_CWD = 2,
	STARTUP_SYSINFO = 3,
	STARTUP_POWER = 4,
};
/* Programs pass the first STARTUP_STANDARD on; handles of their own
 * follow them, from index STARTUP_STANDARD. */
#define STARTUP_STANDARD	4

/* Directory `open` flags (docs/protocols.md, "directory"). */
enum {
	OPEN_READ = 1u << 0,		/* the handle may read (needs RIGHT_READ) */
	OPEN_WRITE = 1u << 1,		/* the handle may write (needs RIGHT_WRITE) */
	OPEN_CREATE = 1u << 2,		/* create a file that does not exist */
	OPEN_EXCLUSIVE = 1u << 3,	/* with OPEN_CREATE: EEXIST if it does */
	OPEN_TRUNCATE = 1u << 4,	/* empty the file (needs OPEN_WRITE) */
	OPEN_APPEND = 1u << 5,		/* every write goes to the end */
	OPEN_DIRECTORY = 1u << 6,	/* open a directory: a directory handle */
	OPEN_FLAGS_ALL = (1u << 7) - 1,
};

/* What a new process finds at its first instruction: rdi points to this
 * block, on its stack. The strings, arrays and document it points to follow
 * it. The document is the parent's, checked to be valid BSON; libpanda
 * reads the environment and the names of extra handles from it
 * (docs/protocols.md, "The startup message"). */
struct panda_startup {
	uint64_t argc;
	PANDA_USER(char *) argv;	/* argc entries, then NULL */
	uint64_t handle_count;
	PANDA_USER(panda_handle_t) handles;	/* granted handles, in spawn's order */
	uint32_t pid;
	uint32_t reserved;
	PANDA_USER(const void) doc;	/* spawn's startup document, or NULL */
	uint64_t doc_size;
};

#endif
