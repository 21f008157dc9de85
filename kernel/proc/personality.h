/* Personalities other than the native one: a process's system-call table
 * and startup conventions, fixed when it is spawned (DESIGN, "The POSIX
 * subsystem"). The native personality is the absence of one. A
 * personality lives above proc (kernel/posix/ is the Linux one) and
 * registers itself at boot; proc calls it only through this table. */
#ifndef PROC_PERSONALITY_H
#define PROC_PERSONALITY_H

#include <stdbool.h>
#include <stdint.h>

struct elf_image;
struct process;
struct spawn_request;
struct trap_frame;

struct personality {
	const char *name;		/* "linux" */
	/* Sets up a fresh process whose segments are loaded and whose
	 * granted handles are in its table (handles[i] is grant i): its
	 * state, stack and startup data. Returns the initial stack pointer,
	 * or a negative error (spawn then discards the process). */
	long (*start)(struct process *p, const struct spawn_request *req,
		      const struct elf_image *img, const uint32_t *handles);
	/* One system call of a process of this personality (the syscall
	 * layer's dispatch hands the whole frame over): the result goes in
	 * the frame's rax. True when the call gave the thread new registers
	 * (an exec): the return to user mode then restores them all. */
	bool (*syscall)(struct trap_frame *f);
	/* Frees the state once the process has ended (or spawn failed),
	 * before its handles and memory go. */
	void (*release)(struct process *p);
};

/* The personality that runs executables without the native mark (an ELF
 * note, lib/elf.h), or NULL to refuse them: kernel/posix/ sets it at boot
 * unless it is built out (POSIX=0) or refused (posix=off). */
void spawn_set_foreign(const struct personality *p);

#endif
