/* The sanitized kernel's lock-order checker (core/lockdep.c), fed by the
 * out-of-line spinlock operations of a KSAN=1 build (core/spinlock.c).
 * Each lock's name string is its class. Taking B while A is held records
 * the edge A -> B; taking B while holding A when B -> ... -> A was seen
 * before is an inversion, which two CPUs (or an interrupt) can turn into a
 * deadlock: reported once per pair as a KSAN: line naming both classes and
 * the sites of each acquisition. In the normal kernel none of this exists. */
#ifndef CORE_LOCKDEP_H
#define CORE_LOCKDEP_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock;

#if KSAN
/* After taking l at site: checks and records the order against the locks
 * this CPU holds (unless !waited: a trylock never waits, so it orders
 * nothing), and adds l to them. An inversion found is printed once this
 * CPU holds no lock (printing takes the log's). */
void lockdep_acquired(const struct spinlock *l, uintptr_t site, bool waited);
/* After giving l back. */
void lockdep_released(const struct spinlock *l);
/* The report for a recursive acquisition and for a switch or a return to
 * user mode with spinlocks held: true when a test expected it (the caller
 * then carries on), false when the caller must panic. */
bool lockdep_report_recursion(const struct spinlock *l, uintptr_t again);
bool lockdep_report_held(const char *where);
#endif

#endif
