/* panic() is for broken kernel invariants only, never for anything a user
 * process, a disk or a device can cause (those are errors, returned). */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

struct trap_frame;

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

/* Reports an exception the kernel cannot handle and stops; `frame` is the
 * interrupted state, `title` names the exception. */
__attribute__((noreturn))
void panic_with_frame(const struct trap_frame *frame, const char *title);

#define KASSERT(cond)							\
	do {								\
		if (__builtin_expect(!(cond), 0))			\
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

/* What happens after a panic report: `panic=halt` (default, the screen
 * stays readable) or `panic=exit` (QEMU exits with the panic status, for
 * tests; any `test=` implies it). */
void panic_set_exit_on_panic(void);

#endif
