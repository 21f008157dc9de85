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
	SYS_COUNT
};

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
	RIGHTS_ALL = (1u << 9) - 1,
};

/* SYS_MEM_MAP / SYS_MEM_PROTECT protections. Writable and executable at
 * once is refused (W^X). */
enum { PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

/* Limits on spawn's arguments (docs/syscalls.md). */
#define PANDA_PATH_MAX		256	/* bytes with the NUL */
#define PANDA_ARGS_MAX		64	/* argv entries */
#define PANDA_ARGS_BYTES	16384	/* all argument strings with NULs */
#define PANDA_SPAWN_HANDLES	64

struct panda_spawn {
	panda_handle_t dir;		/* RIGHT_SPAWN; the path resolves beneath it */
	uint32_t handle_count;		/* entries in handles[] */
	const char *path;		/* NUL-terminated */
	const char *const *argv;	/* argc strings; argv[0] names the program */
	uint64_t argc;
	const panda_handle_t *handles;	/* copied into the child, in this order */
};

/* How a process ended. */
enum { EXIT_NORMAL = 0, EXIT_KILLED = 1, EXIT_FAULT = 2 };

struct panda_exit_status {
	int32_t code;			/* exit(code); -1 when killed or faulted */
	uint32_t how;			/* EXIT_* */
};

/* What a new process finds at its first instruction: rdi points to this
 * block, on its stack. The strings and arrays it points to follow it. */
struct panda_startup {
	uint64_t argc;
	char **argv;			/* argc entries, then NULL */
	uint64_t handle_count;
	panda_handle_t *handles;	/* granted handles, in spawn's order */
	uint32_t pid;
	uint32_t reserved;
};

#endif
