/* Spinlocks that disable interrupts while held, so a lock taken in thread
 * context can also be taken by an interrupt handler on the same CPU without
 * deadlock. Written for SMP from the start; never hold one across a switch. */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <stdbool.h>

#include "arch/arch.h"
#include "core/cleanup.h"

struct spinlock {
	volatile int locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n) }

static inline irq_state_t spin_lock(struct spinlock *l)
{
	irq_state_t s = arch_irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	return s;
}

/* For paths that must not wait (the panic path): true if taken. */
static inline bool spin_trylock(struct spinlock *l, irq_state_t *s)
{
	*s = arch_irq_save();
	if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return true;
	arch_irq_restore(*s);
	return false;
}

static inline void spin_unlock(struct spinlock *l, irq_state_t s)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(s);
}

/* guard(spinlock)(&lock): held until the end of the scope. */
DEFINE_GUARD(spinlock, struct spinlock *, irq_state_t,
	     _G->state = spin_lock(_G->lock), spin_unlock(_G->lock, _G->state))

#endif
