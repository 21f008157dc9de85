/* Starting a program: a new process from a static ELF executable found
 * beneath a directory object (a VFS directory), with arguments and granted
 * handles. */
#ifndef PROC_SPAWN_H
#define PROC_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "core/kobj.h"
#include "lib/abi.h"

struct process;
struct quota;

/* User address space layout (docs/syscalls.md). */
#define USER_IMAGE_LO		0x10000ull		/* lowest program address */
#define USER_MMAP_LO		0x100000000ull		/* mem_map picks from here */
#define USER_STACK_SIZE		(1ull << 20)		/* demand-zero */
#define USER_STACK_GUARD	(64ull << 10)		/* unmapped, below the stack */
#define USER_STACK_TOP		USER_TOP
#define USER_STACK_LO		(USER_STACK_TOP - USER_STACK_SIZE - USER_STACK_GUARD)

struct spawn_grant {
	struct kobj *obj;		/* the request holds a reference */
	uint32_t rights;
};

/* Everything spawn needs, already copied out of the caller's memory. */
struct spawn_request {
	struct kobj *dir;		/* beneath which path resolves */
	const char *path;
	const char *args;		/* argc NUL-terminated strings, back to back */
	size_t args_len;
	uint32_t argc;
	const void *doc;		/* validated startup document, or NULL */
	size_t doc_size;
	uint32_t grant_count;
	struct spawn_grant grants[PANDA_SPAWN_HANDLES];
	uint32_t ppid;
	struct quota *parent_quota;	/* the spawner's (NULL: init, the root) */
	const struct panda_limits *limits;	/* narrower limits asked for, or NULL */
	bool oom_exempt;		/* init: never the out-of-memory victim */
};

/* Starts the program; *out gets the process (a reference). 0, or -ENOENT,
 * -EISDIR, -EINVAL, -ENOEXEC (with the reason logged), -ENOMEM, -EMFILE,
 * -EDQUOT (past a limit of the spawner's tree). */
int spawn_process(const struct spawn_request *req, struct process **out);

/* Loads the executable at path beneath the directory object dir into the
 * empty address space as (execve's new image), checking it as spawn does:
 * *img gets its facts (native or not among them). 0 or spawn's errors. */
struct address_space;
struct elf_image;
int spawn_load_image(struct kobj *dir, const char *path, struct address_space *as,
		     struct elf_image *img);

#endif
