/* Threads and the scheduler that runs them. The policy (who runs next) is
 * eevdf.c, plain C; this layer owns the mechanism: run queue, blocking and
 * waking, timers, preemption, the idle thread and the reaper. One CPU for
 * now; every lock is written for SMP (DESIGN "Contracts", CPUs). */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/kobj.h"
#include "core/list.h"
#include "core/spinlock.h"
#include "mm/kstack.h"
#include "sched/eevdf.h"
#include "sched/wait.h"

struct address_space;
struct process;

enum thread_state {
	THREAD_READY,		/* runnable, waiting for the CPU */
	THREAD_RUNNING,		/* on the CPU */
	THREAD_BLOCKED,		/* waiting for a wakeup, a deadline or a kill */
	THREAD_DEAD,		/* finished; the reaper frees it */
};

struct thread {
	void *fpu;			/* FPU state (arch.h), in this object's tail */
	struct kobj obj;
	char name[32];
	struct process *proc;		/* a reference; NULL for kernel threads */
	struct kstack stack;
	uint64_t saved_sp;		/* while switched out */
	struct address_space *active_as; /* while switched out */
	uint64_t fs_base;		/* user FS base (TLS); sched_set_fs_base */
	void (*fn)(void *);		/* kernel threads: what to run */
	void *arg;

	/* Guarded by the run-queue lock. */
	struct sched_entity se;
	enum thread_state state;
	uint64_t charged_at;		/* clock of the last CPU-time charge */
	uint64_t wake_at;		/* deadline while blocked, else UINT64_MAX */
	struct list_node timer_link;	/* on the timer list while wake_at is set */
	int wake_result;		/* 0, -ETIMEDOUT or -ECANCELED */

	struct list_node proc_link;	/* process's thread list; process lock */
	struct list_node reap_link;	/* reaper's list; reaper lock */
	bool killed;			/* set once; checked before user mode */
	/* Messages a channel is freeing further up this thread's stack
	 * (object/channel.c), NULL when none; only the thread touches it. */
	struct list_node *freeing;
	/* Coverage (core/kcov.c): the buffer this thread records into (a
	 * reference, or NULL) and whether it records now; only the thread
	 * itself touches them, except kcov_thread_free. */
	struct kcov *kcov;
	bool kcov_recording;
};

/* The pieces wait_event is made of, for waits on several queues. With
 * interrupts off: sched_block_prepare() marks the running thread blocked
 * (with a deadline timer); the caller then registers its waiters and checks
 * its conditions; then either sched_block_cancel(), or interrupts back on
 * and sched_block(). A wakeup anywhere in between is never lost: it makes
 * the thread runnable again and sched_block() returns at once. */
void sched_block_prepare(uint64_t deadline);
void sched_block_cancel(void);
void sched_block(void);

void sched_init(void);			/* the caller becomes the idle thread */
/* Idles forever; the boot CPU's last call after starting its threads. */
__attribute__((noreturn)) void sched_idle_loop(void);

static inline struct thread *current_thread(void)
{
	return arch_current_thread();
}
/* A kernel thread that runs fn(arg) and then exits; NULL without memory. */
struct thread *thread_create_kernel(const char *name, void (*fn)(void *), void *arg);
/* A thread that enters user mode in address space as at ip with stack sp
 * and arg0 in the first argument register, not yet runnable; NULL without
 * memory. The process layer makes its threads with this
 * (thread_create_user, proc/process.h) and sets t->proc. */
struct thread *thread_alloc_user(const char *name, struct address_space *as, uintptr_t ip,
				 uintptr_t sp, uint64_t arg0);
/* What the process layer does for its threads, which the scheduler calls
 * (proc sits above sched; process_init registers it): enter_user is a new
 * user thread's way out to user mode, release drops what a thread with
 * t->proc set holds of its process when the thread is freed. */
struct thread_owner_ops {
	void (*enter_user)(void);
	void (*release)(struct thread *t);
};
void sched_set_owner_ops(const struct thread_owner_ops *ops);
void thread_start(struct thread *t);	/* makes a new thread runnable */
/* The running thread's user FS base, loaded at once and on every switch
 * back to it. The caller checks that base is a user address. */
void sched_set_fs_base(uint64_t base);
void thread_put(struct thread *t);
__attribute__((noreturn)) void thread_exit(void);

/* Marks t killed and wakes it if it is blocked; it exits before it next
 * returns to user mode. */
void thread_kill(struct thread *t);
/* Wakes a blocked thread with result; nothing if it is not blocked. */
void thread_wake(struct thread *t, int result);
/* Prints where t is in the kernel (a backtrace from its saved stack) when
 * it is switched out; says so when it is running. One CPU: t cannot run
 * while this reads its stack. */
void thread_print_stack(struct thread *t);

void thread_yield(void);
/* Sleeps until the monotonic deadline; 0, or -ECANCELED when killed. */
int sched_sleep_until(uint64_t deadline);
/* Switches to the next thread if the running one should give way. */
void sched_preempt_point(void);
/* Threads that exist, dead ones not yet reaped included (for leak tests). */
uint32_t thread_count(void);
/* For process statistics: real ns the thread has run. */
uint64_t thread_cpu_ns(const struct thread *t);

#endif
