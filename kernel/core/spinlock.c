/* The out-of-line parts of core/spinlock.h: what happens when a lock rule
 * is broken, and in the sanitized kernel the whole of each operation, so
 * the lock-order checker (core/lockdep.c) learns each acquisition's site. */
#include "core/spinlock.h"

#include "core/lockdep.h"
#include "core/panic.h"

void spin_recursion(struct spinlock *l)
{
	panic("spinlock %s: recursive acquisition on CPU %u (it would deadlock)",
	      l->name, arch_cpu_id());
}

void spin_held_at_switch(const char *where)
{
#if KSAN
	if (lockdep_report_held(where))
		return;
#endif
	panic("%s with %u spinlock(s) held", where, spin_held_count());
}

#if KSAN
/* Not instrumented: they run on every lock operation. */
__attribute__((no_sanitize_undefined))
irq_state_t spin_lock(struct spinlock *l)
{
	uintptr_t site = (uintptr_t)__builtin_return_address(0);
	irq_state_t s = arch_irq_save();

	/* Found before spinning, with both sites for the report. */
	if (spin_held(l)) {
		if (lockdep_report_recursion(l, site))
			return s;	/* a self-test asked for it: not taken */
		spin_recursion(l);
	}
	spin_acquire(l);
	lockdep_acquired(l, site, true);
	return s;
}

__attribute__((no_sanitize_undefined))
bool spin_trylock(struct spinlock *l, irq_state_t *s)
{
	unsigned was;

	*s = arch_irq_save();
	if (spin_take(l, spin_self(), &was)) {
		spin_took();
		lockdep_acquired(l, (uintptr_t)__builtin_return_address(0), false);
		return true;
	}
	arch_irq_restore(*s);
	return false;
}

__attribute__((no_sanitize_undefined))
void spin_unlock(struct spinlock *l, irq_state_t s)
{
	KASSERT(spin_held(l));
	spin_gives_back();
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
	lockdep_released(l);
	arch_irq_restore(s);
}
#endif
