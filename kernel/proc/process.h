/* Processes: an address space, a handle table and threads, with a pid, a
 * name and, once it ends, an exit status. A process ends by exit, by a
 * fault or by a kill; either way its memory and handles are released at
 * once, and the process object itself lives on, readable, for as long as
 * someone holds a handle to it (DESIGN "Contracts", process lifetime). */
#ifndef PROC_PROCESS_H
#define PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kobj.h"
#include "core/list.h"
#include "core/spinlock.h"
#include "lib/abi.h"
#include "object/handle.h"
#include "sched/sched.h"

struct address_space;
struct message;
struct panda_limits;
struct personality;
struct quota;

#define PROCESS_LOG_BURST (64u << 10)	/* debug_write bytes a process starts with */

enum process_state { PROCESS_LIVE, PROCESS_EXITED };

struct process {
	struct kobj obj;
	uint32_t pid, ppid;
	/* The nearest ancestor still on the process list (list_lock): ppid
	 * until that process is freed, then its own `parent`, so what a
	 * process started stays in its subtree when a middle one is gone. */
	uint32_t parent;
	char name[32];
	struct handle_table handles;
	/* Its tree's quota node (a reference, for the process's life): what
	 * it and its descendants may hold (proc/quota.h). */
	struct quota *quota;
	struct wait_queue exit_wq;	/* waiters for the exit status */
	uint64_t started_at;		/* monotonic ns */

	struct spinlock lock;		/* guards the fields below */
	struct address_space *as;	/* NULL once the process has exited */
	struct list_node threads;
	unsigned live_threads;
	enum process_state state;
	bool dying;			/* the exit status is decided */
	bool oom_exempt;		/* init: never the out-of-memory victim */
	struct panda_exit_status status;
	uint64_t cpu_ns;		/* of threads that have exited */

	struct list_node parked;	/* replies to calls that did not fit */
	uint32_t next_txid;		/* for calls to kernel objects */

	/* proc/personality.h: NULL for a native process; fixed at spawn.
	 * personality_data is the personality's own state. */
	const struct personality *personality;
	void *personality_data;

	uint64_t log_tokens;		/* debug_write rate limit, bytes */
	uint64_t log_refilled_at;
	struct list_node all_link;	/* process list; its own lock */
};

extern const struct kobj_type process_type;

void process_init(void);

/* A live process with an empty address space and handle table and no
 * threads, on the process list, in a new quota node below parent_quota
 * (NULL: the root, for init) narrowed by ask (or NULL); *out gets it, the
 * caller owning one reference. 0, -ENOMEM, or -EDQUOT when the parent's
 * tree has all the processes it may. */
int process_create(const char *name, uint32_t ppid, struct quota *parent_quota,
		   const struct panda_limits *ask, struct process **out);
static inline struct process *process_get(struct process *p)
{
	kobj_get(&p->obj);
	return p;
}
void process_put(struct process *p);
DEFINE_FREE(process_put, struct process *, if (_T) process_put(_T))

/* Ends a process that never got a thread (spawn failed half-way). */
void process_discard(struct process *p);
/* Adds the thread to the process (which must not be dying). */
int process_add_thread(struct process *p, struct thread *t);
const char *process_name(const struct process *p);
/* The name `ps` shows from now on (cut to what the field holds): a Linux
 * program's execve and PR_SET_NAME change it. */
void process_set_name(struct process *p, const char *name);
struct address_space *process_address_space(struct process *p);
struct process *current_process(void);		/* NULL in kernel threads */

/* Ends p (first decision wins): its threads exit before they next run
 * user code. */
void process_kill(struct process *p, uint32_t how);
/* The same with the status's code set to code rather than -1: the Linux
 * personality records there the signal that ended the process. */
void process_kill_code(struct process *p, uint32_t how, int code);
/* process_kill of root and of every descendant it still has (the first 64
 * of them): Ctrl-C stops a script and what it started. */
void process_kill_tree(struct process *root, uint32_t how);
/* The same with the status code (process_kill_code), and the root itself
 * spared when with_root is false. */
void process_kill_tree_code(struct process *root, uint32_t how, int code, bool with_root);
/* Whether p is root itself or one of its descendants (through `parent`
 * links): the processes root may kill by pid (sysinfo "open"). A NULL
 * root is the kernel, which started everything. */
bool process_in_subtree(const struct process *root, struct process *p);
__attribute__((noreturn)) void process_exit_current(int code, uint32_t how);
/* Waits for p to end: 0 with *status filled, -ETIMEDOUT, -ECANCELED. */
int process_wait(struct process *p, uint64_t deadline, struct panda_exit_status *status);
/* Without waiting: true with *status once p has exited (and everything it
 * held is released), else false. */
bool process_exit_status(struct process *p, struct panda_exit_status *status);
/* The last stop before user mode: preemption, and exit if killed. */
void process_before_user_mode(void);
/* A thread of proc that enters user mode at ip with stack sp and arg0 in
 * the first argument register, not yet runnable, in *out: 0, -ENOMEM, or
 * -EDQUOT past proc's tree's thread limit (charged until it is freed). */
int thread_create_user(struct process *proc, uintptr_t ip, uintptr_t sp, uint64_t arg0,
		       struct thread **out);

/* A reply too big for its caller's buffer waits here (keyed by the object
 * called, which it holds a reference to, and the transaction id) for recv
 * with PANDA_RECV_REPLY, or until the process ends. A parked reply and
 * the handles in it are charged to p's tree, not to whoever built it:
 * -EDQUOT (the reply is freed) when that is past p's limits. Consumes m
 * whatever happens. */
int process_park_reply(struct process *p, struct kobj *obj, struct message *m);
struct message *process_take_parked(struct process *p, struct kobj *obj, uint32_t txid);

struct process_counts {
	uint32_t live, exited;		/* exited: still held by a handle */
};
void process_get_counts(struct process_counts *counts);

/* What a process is doing, as sysinfo reports it: from its exit state, or
 * the busiest of its threads (running, then ready, then blocked). */
enum process_activity {
	PROCESS_STARTING,		/* live, no thread yet (spawn is building it) */
	PROCESS_RUNNING,		/* a thread is on a CPU */
	PROCESS_READY,			/* a thread waits for a CPU */
	PROCESS_BLOCKED,		/* every thread waits (sleep, recv, wait...) */
	PROCESS_EXITING,		/* its status is decided, threads still leaving */
	PROCESS_GONE,			/* exited; still referenced (a handle, a waiter) */
};

/* A snapshot of one process, for sysinfo. */
struct process_info {
	uint32_t pid, ppid;
	char name[32];
	enum process_activity activity;
	uint32_t threads;		/* live threads */
	uint64_t resident;		/* user pages with a frame (0 once exited) */
	uint64_t cpu_ns;		/* of all its threads, so far */
	uint64_t started_at;		/* monotonic ns */
};

/* Fills info[0..max) with the processes whose pid is above `after`, in pid
 * order: every live process, and every exited one something still holds.
 * Returns how many; *more says whether others follow the last one. Pids
 * are never reused, so a walk that passes the last pid back as `after`
 * sees each process that exists throughout it exactly once. */
unsigned process_list(uint32_t after, struct process_info *info, unsigned max, bool *more);
/* The process with this pid, live or exited but still held, with a
 * reference for the caller; NULL when there is none (never one whose
 * memory is being freed). */
struct process *process_find(uint32_t pid);
/* Prints a backtrace of each of p's threads to the kernel log (what
 * sysinfo's "stacks" asks for: where a stuck process waits); returns how
 * many threads. */
unsigned process_print_stacks(struct process *p);

#endif
