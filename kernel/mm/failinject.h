/* Allocation fault injection (docs/memory.md, "Fault injection"): makes
 * chosen frame, slab-cache or kmalloc allocations fail, as Linux's failslab
 * and fail_page_alloc do, so that tests reach every error path on demand.
 *
 * A plan says which allocations fail: of the kinds it names, counted from
 * 1 in the order they happen within its scope, the `nth` and the `times - 1`
 * after it (times 0: every one from the nth on), optionally only those with
 * a given function on the call stack. Its scope is one of
 *   - every allocation (the command line, `failinject=`, without pid=),
 *   - those made by the threads of one process (the command line's pid=P),
 *   - those made during one thread's next system call of a given number
 *     (a privileged request: the failinject object, proc/failsweep.c),
 *     which starts with the caches drained so that it allocates cold.
 * One plan at a time; arming replaces the last one and zeroes its counts.
 *
 * Syntax, for `failinject=` and the object's "arm" request alike:
 *	KINDS[:N][,times=T][,site=FUNCTION][,pid=P]
 * KINDS is frame, slab, kmalloc or any, or several joined by '+'; N is
 * nth (1 when left out). Examples: `failinject=kmalloc:5`,
 * `failinject=frame,site=populate,times=0,pid=1` (every page-in of init),
 * `failinject=any:3,pid=1`. */
#ifndef MM_FAILINJECT_H
#define MM_FAILINJECT_H

#include <stdbool.h>
#include <stdint.h>

enum failinject_kind {
	FAILINJECT_FRAME = 1 << 0,	/* frame_alloc */
	FAILINJECT_SLAB = 1 << 1,	/* kcache_alloc */
	FAILINJECT_KMALLOC = 1 << 2,	/* kmalloc, kmalloc_uninit */
	FAILINJECT_ANY = (1 << 3) - 1,
};

#define FAILINJECT_SITE_MAX 48

struct failinject_plan {
	unsigned kinds;			/* enum failinject_kind bits; 0 = none */
	uint64_t nth;			/* >= 1 */
	uint64_t times;			/* 0: all from nth on */
	char site[FAILINJECT_SITE_MAX];	/* "" or a function on the stack */
	uint32_t pid;			/* 0: any process (or none) */
};

struct failinject_counts {
	uint64_t seen;			/* allocations that matched the plan */
	uint64_t injected;		/* of them, failed on purpose */
};

/* Parses the syntax above; false (and *plan untouched) for a bad spec. */
bool failinject_parse(const char *spec, struct failinject_plan *plan);

/* Arms a plan for every allocation (one process's with p->pid), as
 * `failinject=` does but without logging each failure: for self-tests,
 * which narrow it with p->site to the function they test. */
void failinject_arm(const struct failinject_plan *plan);
/* Arms a plan for the calling thread's next system call numbered
 * `syscall_nr` only (the plan's pid is ignored). */
void failinject_arm_next_call(const struct failinject_plan *plan, unsigned syscall_nr);
/* Disarms; *counts (if not NULL) gets the plan's counts. */
void failinject_disarm(struct failinject_counts *counts);
/* The armed (or last) plan's counts so far. */
void failinject_get_counts(struct failinject_counts *counts);

/* Whether a plan is armed: the hooks below cost this one load and a
 * branch, inline, when none is. */
extern bool failinject_armed;

bool failinject_decide(enum failinject_kind kind);
void failinject_enter(unsigned nr);
void failinject_exit(void);

/* The allocators' hook, first thing in each allocation function: true
 * means fail this allocation as if memory had run out. */
static inline bool failinject_should_fail(enum failinject_kind kind)
{
	return __atomic_load_n(&failinject_armed, __ATOMIC_ACQUIRE) && failinject_decide(kind);
}

/* syscall_dispatch's hooks, around each system call. */
static inline void failinject_syscall_enter(unsigned nr)
{
	if (__atomic_load_n(&failinject_armed, __ATOMIC_ACQUIRE))
		failinject_enter(nr);
}

static inline void failinject_syscall_exit(void)
{
	if (__atomic_load_n(&failinject_armed, __ATOMIC_ACQUIRE))
		failinject_exit();
}

/* How to tell the running thread's pid (0: a kernel thread); the process
 * layer registers it (process_init), since proc sits above mm. */
void failinject_set_pid_source(uint32_t (*fn)(void));

#endif
