/* Self-tests of the lock checks in the sanitized kernel (`test=lockdep`,
 * core/spinlock.h, core/lockdep.c): each case breaks one locking rule on
 * purpose and checks that exactly the expected report came, in the
 * checkers' expect mode, so the run goes on. In the sched layer because
 * one case sleeps holding a lock. Absent from the normal kernel. */
#if KSAN
#include "core/ksan.h"
#include "core/selftest.h"
#include "core/spinlock.h"
#include "sched/sched.h"

/* Test locks: classes of their own, so the edges they leave in the order
 * checker's graph touch no real lock's. */
static struct spinlock lock_a = SPINLOCK_INIT("lockdep-test-a");
static struct spinlock lock_b = SPINLOCK_INIT("lockdep-test-b");
static struct spinlock lock_c = SPINLOCK_INIT("lockdep-test-c");
static struct spinlock lock_d = SPINLOCK_INIT("lockdep-test-d");
static struct spinlock lock_e = SPINLOCK_INIT("lockdep-test-e");

/* Takes outer, then inner, and gives both back. */
static void nest(struct spinlock *outer, struct spinlock *inner)
{
	irq_state_t so = spin_lock(outer);
	irq_state_t si = spin_lock(inner);

	spin_unlock(inner, si);
	spin_unlock(outer, so);
}

static void test_lockdep(void)
{
	unsigned base = spin_held_count();
	irq_state_t s;

	selftest_case("a held lock knows its CPU and is counted");
	s = spin_lock(&lock_a);
	SELFTEST_CHECK(spin_held(&lock_a) && !spin_held(&lock_b));
	SELFTEST_CHECK(spin_held_count() == base + 1);
	spin_unlock(&lock_a, s);
	SELFTEST_CHECK(!spin_held(&lock_a) && spin_held_count() == base);

	selftest_case("taking a held lock again is reported before spinning");
	s = spin_lock(&lock_a);
	ksan_expect_begin();
	(void)spin_lock(&lock_a);	/* reported and not taken: no unlock */
	SELFTEST_CHECK(ksan_expect_end() == 1);
	SELFTEST_CHECK(spin_held(&lock_a) && spin_held_count() == base + 1);
	spin_unlock(&lock_a, s);

	selftest_case("sleeping with a spinlock held is reported at schedule()");
	s = spin_lock(&lock_a);
	ksan_expect_begin();
	thread_yield();			/* reported; schedule() does not switch */
	SELFTEST_CHECK(ksan_expect_end() == 1);
	spin_unlock(&lock_a, s);

	selftest_case("nesting in one order is not reported");
	ksan_expect_begin();
	nest(&lock_a, &lock_b);
	nest(&lock_a, &lock_b);
	SELFTEST_CHECK(ksan_expect_end() == 0);

	selftest_case("the other order is reported once");
	ksan_expect_begin();
	nest(&lock_b, &lock_a);
	nest(&lock_b, &lock_a);
	SELFTEST_CHECK(ksan_expect_end() == 1);

	selftest_case("a cycle through three classes is reported");
	ksan_expect_begin();
	nest(&lock_c, &lock_d);
	nest(&lock_d, &lock_e);
	SELFTEST_CHECK(ksan_expect_end() == 0);
	ksan_expect_begin();
	nest(&lock_e, &lock_c);
	SELFTEST_CHECK(ksan_expect_end() == 1);
	SELFTEST_CHECK(spin_held_count() == base);
}
SELFTEST(lockdep, test_lockdep);
#endif
