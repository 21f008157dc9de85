/* Spinlocks that disable interrupts while held, so a lock taken in thread
 * context can also be taken by an interrupt handler on the same CPU without
 * deadlock. Written for SMP from the start.
 *
 * Checked rules (docs/architecture.md, "Locking"):
 *  - A held lock's word is its owner: the holder's CPU id + 1 (0: free),
 *    written by the same exchange that takes it, so recording the owner
 *    costs nothing. spin_held(l) says whether this CPU holds it
 *    (spin_assert_held(&x->lock) in place of "caller holds the lock"),
 *    and taking a lock this CPU already holds is a recursive acquisition,
 *    a panic naming the lock (it would deadlock silently). That check
 *    runs only when the lock is found taken, before spinning.
 *  - In the test build (the sanitized kernel, KSAN=1, where the whole
 *    system suite runs) each CPU also counts the spinlocks it holds, and
 *    the count must be zero at schedule() and on the way back to user
 *    mode: never hold a spinlock across a switch; the caller-holds
 *    assertions are live; and the operations are out of line and feed the
 *    lock-order checker (core/lockdep.c): each lock's name is its class,
 *    and the first inversion of two classes is a KSAN: report. The normal
 *    kernel keeps the owner only: the count and the assertions cost
 *    instructions on every lock, which the benchmarks would pay. */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/cleanup.h"
#include "core/ksan.h"
#include "core/panic.h"

struct spinlock {
	volatile unsigned owner;	/* the holder's CPU id + 1; 0 while free */
	const char *name;		/* also its class for the order checker */
	/* 16 bytes in every build: the sanitized kernel keeps where each
	 * lock was taken in its per-CPU list of held locks (lockdep.c). */
};

#define SPINLOCK_INIT(n) { .owner = 0, .name = (n) }

/* A recursive acquisition of l, found before spinning on it: panics. (The
 * sanitized kernel's spin_lock looks first, and in a self-test that
 * expects it reports and returns without taking the lock.) */
__attribute__((noreturn, cold)) void spin_recursion(struct spinlock *l);

/* A switch or a return to user mode (`where`) with spinlocks held:
 * panics (in the sanitized kernel's expect mode it reports and returns,
 * and the caller must then not switch). */
void spin_held_at_switch(const char *where);

static inline unsigned spin_self(void)
{
	return arch_cpu_id() + 1;
}

/* True when this CPU holds l: only the holder's exchange writes its id
 * there, and its release clears it. */
static inline bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == spin_self();
}

/* "Caller holds l", checked where the comment used to be. A check in
 * the sanitized kernel only (like its other checks): in the normal kernel
 * the hot ones (handle lookup, the scheduler's accounting) would cost a
 * test and a branch each, and change what the compiler inlines. */
#if KSAN
#define spin_assert_held(l) KASSERT(spin_held(l))
#else
#define spin_assert_held(l) ((void)(l))
#endif

/* Spinlocks this CPU holds: counted in the test build only (0 in the
 * normal kernel, which checks nothing with it). */
static inline unsigned spin_held_count(void)
{
	return KSAN ? arch_spin_count() : 0;
}

/* The test build's count around taking and giving back. */
static inline void spin_took(void)
{
	if (KSAN)
		arch_spin_count_inc();
}

static inline void spin_gives_back(void)
{
	if (KSAN)
		arch_spin_count_dec();
}

/* One attempt: true when l was free and is now this CPU's; else *was
 * says who holds it. */
static inline bool spin_take(struct spinlock *l, unsigned self, unsigned *was)
{
	*was = 0;
	return __atomic_compare_exchange_n(&l->owner, was, self, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/* Takes l with interrupts already off. */
static inline void spin_acquire(struct spinlock *l)
{
	unsigned self = spin_self(), was;

	while (!spin_take(l, self, &was)) {
		if (was == self)
			spin_recursion(l);
		while (__atomic_load_n(&l->owner, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
	spin_took();
}

#if KSAN
/* Out of line, so each knows its caller: the checker's acquisition site. */
irq_state_t spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l, irq_state_t *s);
void spin_unlock(struct spinlock *l, irq_state_t s);
#else
static inline irq_state_t spin_lock(struct spinlock *l)
{
	irq_state_t s = arch_irq_save();

	spin_acquire(l);
	return s;
}

/* For paths that must not wait (the panic path): true if taken. */
static inline bool spin_trylock(struct spinlock *l, irq_state_t *s)
{
	unsigned was;

	*s = arch_irq_save();
	if (spin_take(l, spin_self(), &was)) {
		spin_took();
		return true;
	}
	arch_irq_restore(*s);
	return false;
}

static inline void spin_unlock(struct spinlock *l, irq_state_t s)
{
	spin_gives_back();
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
	arch_irq_restore(s);
}
#endif

/* guard(spinlock)(&lock): held until the end of the scope. */
DEFINE_GUARD(spinlock, struct spinlock *, irq_state_t,
	     _G->state = spin_lock(_G->lock), spin_unlock(_G->lock, _G->state))

#endif
