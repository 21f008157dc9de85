/* Scope-based ownership for C, in the spirit of Linux's cleanup.h.
 *
 *	void *buf __free(kfree) = kmalloc(n);	// freed on every return path
 *	if (!buf)
 *		return -ENOMEM;
 *	...
 *	return_ptr(buf);			// ownership leaves: no free
 *
 *	guard(spinlock)(&lock);			// unlocked at scope end
 *
 * A type opts in with DEFINE_FREE(name, type, release-expression), where
 * the expression sees the owned value as `_T` and must accept NULL. */
#ifndef CORE_CLEANUP_H
#define CORE_CLEANUP_H

#include <stddef.h>

#define DEFINE_FREE(name, type, release)				\
	static inline void __free_##name(void *p)			\
	{								\
		type _T = *(type *)p;					\
		release;						\
	}

#define __free(name) __attribute__((cleanup(__free_##name)))

/* Moves ownership out of a guarded variable: the cleanup then sees NULL. */
#define take_ptr(p)							\
	({								\
		__auto_type __taken = (p);				\
		(p) = NULL;						\
		__taken;						\
	})
#define return_ptr(p) return take_ptr(p)

/* Lock guards: DEFINE_GUARD(name, type, lock-statement, unlock-statement),
 * where the statements see the guard as `_G` with `_G->lock` the object. */
#define DEFINE_GUARD(name, type, state_type, lock_stmt, unlock_stmt)	\
	struct guard_##name { type lock; state_type state; };		\
	static inline void guard_##name##_exit(struct guard_##name *_G) \
	{ unlock_stmt; }						\
	static inline struct guard_##name guard_##name##_enter(type l)	\
	{								\
		struct guard_##name g = { .lock = l };			\
		struct guard_##name *_G = &g;				\
		lock_stmt;						\
		return g;						\
	}

#define __GUARD_ID(a, b) a##b
#define __GUARD_VAR(n) __GUARD_ID(__guard_, n)
#define guard(name)							\
	struct guard_##name __GUARD_VAR(__COUNTER__)			\
	__attribute__((cleanup(guard_##name##_exit), unused)) =	\
		guard_##name##_enter

#endif
