/* Linux processes making processes: fork (and vfork, and the clone a libc
 * forks with), wait4 and waitid, kill. A forked child is a new Panda
 * process of the same personality whose address space is a
 * copy-on-write clone of its parent's (mm/vm.h, as_clone), whose
 * descriptors share their open file descriptions with the parent's, and
 * whose one thread resumes from the parent's registers with rax 0. The
 * parent keeps its children on a list, each with a reference, so that an
 * exit status stays until it is waited for (a zombie); children of a
 * parent that exits are let go. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "sched/sched.h"
#include "sched/wait.h"

struct posix_child {
	struct list_node link;		/* on the parent's children; its lock */
	struct process *proc;		/* a reference */
};

/* --- fork ---------------------------------------------------------------- */

enum {
	LINUX_CSIGNAL = 0xff, LINUX_CLONE_VM = 0x100, LINUX_CLONE_VFORK = 0x4000,
	LINUX_CLONE_SETTLS = 0x80000, LINUX_CLONE_PARENT_SETTID = 0x100000,
	LINUX_CLONE_CHILD_CLEARTID = 0x200000, LINUX_CLONE_CHILD_SETTID = 0x1000000,
};

/* The child's personality state: the same descriptions behind the same
 * descriptors, the same directories, break, limits and names. */
static int copy_state(struct posix_proc *from, struct process *child)
{
	struct quota *quota = child->quota;

	if (quota_charge(quota, QUOTA_KMEM, sizeof(struct posix_proc)) < 0)
		return -EDQUOT;
	struct posix_proc *pp = kmalloc(sizeof(*pp));
	if (!pp) {
		quota_uncharge(quota, QUOTA_KMEM, sizeof(struct posix_proc));
		return -ENOMEM;
	}
	child->personality_data = pp;	/* posix_release frees it from here on */
	{
		guard(spinlock)(&from->lock);
		*pp = (struct posix_proc){
			.lock = SPINLOCK_INIT("posix proc"),
			.root = from->root ? posix_file_get(from->root) : NULL,
			.cwd = from->cwd ? posix_file_get(from->cwd) : NULL,
			.console = from->console ? kobj_get(from->console) : NULL,
			.console_rights = from->console_rights,
			.brk_base = from->brk_base, .brk = from->brk, .umask = from->umask,
		};
		memcpy(pp->rlimits, from->rlimits, sizeof(pp->rlimits));
		memcpy(pp->comm, from->comm, sizeof(pp->comm));
		memcpy(pp->exe, from->exe, sizeof(pp->exe));
		memcpy(pp->actions, from->actions, sizeof(pp->actions));
		pp->sig_ignored = from->sig_ignored;
		pp->sig_mask = from->sig_mask;
	}
	list_init(&pp->children);
	return posix_fds_copy(&pp->fds, &from->fds, quota);
}

static int add_child(struct posix_proc *pp, struct process *child)
{
	struct quota *quota = current_thread()->proc->quota;

	if (quota_charge(quota, QUOTA_KMEM, sizeof(struct posix_child)) < 0)
		return -EDQUOT;
	struct posix_child *c = kmalloc(sizeof(*c));
	if (!c) {
		quota_uncharge(quota, QUOTA_KMEM, sizeof(struct posix_child));
		return -ENOMEM;
	}
	c->proc = process_get(child);
	guard(spinlock)(&pp->lock);
	list_add_tail(&pp->children, &c->link);
	return 0;
}

static void drop_child(struct posix_child *c, struct quota *quota)
{
	process_put(c->proc);
	kfree(c);
	quota_uncharge(quota, QUOTA_KMEM, sizeof(struct posix_child));
}

void posix_children_release(struct posix_proc *pp, struct quota *quota)
{
	while (!list_empty(&pp->children)) {
		struct posix_child *c = list_entry(pp->children.next, struct posix_child, link);
		list_del(&c->link);
		drop_child(c, quota);
	}
}

void posix_forget_child(struct posix_proc *pp, struct process *child)
{
	struct posix_child *found = NULL;

	{
		guard(spinlock)(&pp->lock);
		list_for_each(pos, &pp->children) {
			struct posix_child *c = list_entry(pos, struct posix_child, link);
			if (c->proc == child) {
				found = c;
				break;
			}
		}
		if (found)
			list_del(&found->link);
	}
	if (found)
		drop_child(found, current_thread()->proc->quota);
}

/* vfork's handshake: the parent sleeps until its child, which runs in the
 * parent's own memory, has exec'd or ended (posix_vfork_release). */
struct posix_vfork {
	uint32_t refs;			/* atomic: the parent and the child */
	bool done;			/* atomic */
	struct wait_queue wq;
};

static struct posix_vfork *vfork_new(void)
{
	struct posix_vfork *v = kmalloc(sizeof(*v));

	if (v) {
		v->refs = 2;
		wait_queue_init(&v->wq);
	}
	return v;
}

static void vfork_put(struct posix_vfork *v)
{
	if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(v);
}

void posix_vfork_release(struct posix_proc *pp)
{
	struct posix_vfork *v = pp->vfork;

	if (!v)
		return;
	pp->vfork = NULL;
	__atomic_store_n(&v->done, true, __ATOMIC_RELEASE);
	wait_queue_wake_all(&v->wq, 0);
	vfork_put(v);
}

static bool vfork_done(void *arg)
{
	struct posix_vfork *v = arg;

	return __atomic_load_n(&v->done, __ATOMIC_ACQUIRE);
}

/* The new process's one thread: the caller's registers, rax 0 (fork's
 * result in the child), the stack at sp when clone gives one, the FPU
 * state and the FS base (or tls) as they are now. */
static int start_child(struct process *child, const struct trap_frame *f, uint64_t sp,
		       uint64_t fs_base)
{
	struct thread *me = current_thread(), *t;
	int rc = thread_create_user(child, f->rip, sp ? sp : f->rsp, 0, &t);

	if (rc < 0)
		return rc;
	struct trap_frame *cf = arch_user_frame(t->stack.top);
	*cf = *f;
	cf->rax = 0;
	if (sp)
		cf->rsp = sp;
	arch_fpu_save(me->fpu);
	memcpy(t->fpu, me->fpu, arch_fpu_state_size());
	t->fs_base = fs_base;
	rc = process_add_thread(child, t);
	if (rc < 0) {
		thread_put(t);
		return rc;
	}
	thread_start(t);
	return 0;
}

static long fork_process(struct posix_call *c, uint64_t flags, uint64_t sp, uint64_t ptid_va,
			 uint64_t ctid_va, uint64_t tls)
{
	struct process *me = current_thread()->proc, *child;
	uint64_t fs_base = flags & LINUX_CLONE_SETTLS ? tls : current_thread()->fs_base;

	if ((flags & LINUX_CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	int rc = process_create(process_name(me), me->pid, me->quota, NULL, &child);
	if (rc < 0)
		return rc == -EDQUOT ? -EAGAIN : rc;
	child->personality = me->personality;
	rc = copy_state(c->pp, child);
	/* vfork and CLONE_VM|CLONE_VFORK: the child runs in the parent's
	 * memory, and the parent waits for its exec or end. */
	bool shared = flags & LINUX_CLONE_VFORK;
	struct posix_vfork *v = NULL;
	struct address_space *copy = NULL;
	if (rc == 0 && shared) {
		v = vfork_new();
		if (v) {
			posix_of(child)->vfork = v;	/* the child's reference */
			copy = me->as;
			kobj_get(&copy->obj);
		} else
			rc = -ENOMEM;
	} else if (rc == 0)
		rc = as_clone(me->as, child->quota, &copy);
	if (rc == 0) {
		struct address_space *empty;
		{
			guard(spinlock)(&child->lock);
			empty = child->as;
			child->as = copy;
		}
		as_put(empty);
	}
	uint32_t tid = child->pid;
	if (rc == 0 && (flags & LINUX_CLONE_CHILD_SETTID))
		rc = as_write(copy, ctid_va, &tid, sizeof(tid)) < 0 ? -EFAULT : 0;
	if (rc == 0 && (flags & LINUX_CLONE_CHILD_CLEARTID))
		posix_of(child)->clear_child_tid = ctid_va;
	if (rc == 0 && (flags & LINUX_CLONE_PARENT_SETTID))
		rc = copy_to_user(user_ptr(ptid_va), &tid, sizeof(tid));
	if (rc == 0)
		rc = add_child(c->pp, child);
	if (rc == 0)
		rc = start_child(child, c->frame, sp, fs_base);
	if (rc < 0) {
		posix_forget_child(c->pp, child);
		process_discard(child);	/* its release lets v go */
		process_put(child);
		if (v)
			vfork_put(v);
		return rc == -EDQUOT ? -EAGAIN : rc;
	}
	process_put(child);		/* the children list holds it */
	if (v) {
		wait_event(&v->wq, vfork_done, v, UINT64_MAX);	/* a kill ends it too */
		vfork_put(v);
	}
	return tid;
}

POSIX_CALL(fork)
{
	return fork_process(c, 0, 0, 0, 0, 0);
}

/* The child runs in the parent's memory, on its stack, while the parent
 * waits: as Linux's, good for nothing but an exec or _exit. */
POSIX_CALL(vfork)
{
	return fork_process(c, LINUX_CLONE_VM | LINUX_CLONE_VFORK, 0, 0, 0, 0);
}

/* clone as the libcs use it to fork (glibc's fork: SIGCHLD with the tid
 * flags) and to spawn (CLONE_VM|CLONE_VFORK on a stack of its own, then
 * exec: a vfork onto that stack). Threads (CLONE_THREAD and friends)
 * come in part 2. */
POSIX_CALL(clone)
{
	uint64_t known = LINUX_CSIGNAL | LINUX_CLONE_VM | LINUX_CLONE_VFORK | LINUX_CLONE_SETTLS |
			 LINUX_CLONE_PARENT_SETTID | LINUX_CLONE_CHILD_CLEARTID |
			 LINUX_CLONE_CHILD_SETTID;

	if (a0 & ~known)
		return -EINVAL;
	if ((a0 & LINUX_CLONE_VM) && !(a0 & LINUX_CLONE_VFORK))
		return -EINVAL;		/* a thread: part 2 */
	if ((a0 & LINUX_CSIGNAL) != 0 && (a0 & LINUX_CSIGNAL) != LINUX_SIGCHLD)
		return -EINVAL;		/* only SIGCHLD tells a parent of an end */
	return fork_process(c, a0, a1, a2, a3, a4);
}

/* --- wait ---------------------------------------------------------------- */

enum {
	LINUX_WNOHANG = 1, LINUX_WUNTRACED = 2, LINUX_WEXITED = 4, LINUX_WCONTINUED = 8,
	LINUX_WNOWAIT = 0x01000000, LINUX_WNOTHREAD = 0x20000000, LINUX_WALL = 0x40000000,
	LINUX_WCLONE = (int)0x80000000,
};
enum { LINUX_P_ALL = 0, LINUX_P_PID = 1, LINUX_P_PGID = 2 };
enum { LINUX_CLD_EXITED = 1, LINUX_CLD_KILLED = 2 };

/* Which children a wait is for: pid > 0 that one, -1 any, 0 or -pgid the
 * caller's group, which is every child (children stay in their parent's
 * group until job control). */
static bool matches(const struct posix_child *c, int64_t pid)
{
	uint32_t me = current_thread()->proc->pid;

	if (pid > 0)
		return c->proc->pid == (uint64_t)pid;
	return pid == -1 || pid == 0 || (uint64_t)-pid == me;
}

/* The signal that ended a process, or 0 when it exited. */
static int end_signal(const struct panda_exit_status *st)
{
	switch (st->how) {
	case EXIT_NORMAL:
		return 0;
	case EXIT_KILLED:
		return st->code > 0 && st->code < LINUX_NSIG ? st->code : LINUX_SIGKILL;
	case EXIT_INTERRUPTED:
		return LINUX_SIGINT;
	default:			/* a fault */
		return LINUX_SIGSEGV;
	}
}

/* The wait status word: exit code in bits 8-15, or the signal in 0-6. */
static int status_word(const struct panda_exit_status *st)
{
	int sig = end_signal(st);

	return sig ? sig : (st->code & 0xff) << 8;
}

struct reaped {
	uint32_t pid;
	struct panda_exit_status status;
	uint64_t cpu_ns;
};

/* One pass over the children: an ended one that matches (taken off the
 * list unless keep), 0 when none has ended yet, -ECHILD when none
 * matches at all. */
static int find_ended(struct posix_proc *pp, int64_t pid, bool keep, struct reaped *out)
{
	struct posix_child *found = NULL;
	bool any = false;

	{
		guard(spinlock)(&pp->lock);
		list_for_each(pos, &pp->children) {
			struct posix_child *c = list_entry(pos, struct posix_child, link);
			if (!matches(c, pid))
				continue;
			any = true;
			if (process_exit_status(c->proc, &out->status)) {
				found = c;
				break;
			}
		}
		if (found && !keep)
			list_del(&found->link);
	}
	if (!found)
		return any ? 0 : -LINUX_ECHILD;
	out->pid = found->proc->pid;
	out->cpu_ns = found->proc->cpu_ns;
	if (!keep)
		drop_child(found, current_thread()->proc->quota);
	return 1;
}

/* Blocks until a matching child has ended (or the caller is killed). The
 * thread waits on every matching child's exit queue at once, as the
 * native wait does on many handles. */
static int wait_for_end(struct posix_proc *pp, int64_t pid)
{
	struct thread *t = current_thread();
	unsigned n = 0, cap = 0;
	struct process **procs __free(kfree) = NULL;
	struct waiter *w __free(kfree) = NULL;

	{
		guard(spinlock)(&pp->lock);
		list_for_each(pos, &pp->children)
			cap += matches(list_entry(pos, struct posix_child, link), pid);
	}
	if (!cap)
		return -LINUX_ECHILD;
	procs = kmalloc(cap * sizeof(*procs));
	w = kmalloc(cap * sizeof(*w));
	if (!procs || !w)
		return -ENOMEM;
	{
		guard(spinlock)(&pp->lock);
		list_for_each(pos, &pp->children) {
			struct posix_child *c = list_entry(pos, struct posix_child, link);
			if (n < cap && matches(c, pid))
				procs[n++] = process_get(c->proc);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		w[i] = (struct waiter){ .thread = t };
		list_init(&w[i].link);
	}
	int rc = 0;
	for (;;) {
		irq_state_t irq = arch_irq_save();
		sched_block_prepare(UINT64_MAX);
		bool ended = false;
		struct panda_exit_status st;
		for (unsigned i = 0; i < n; i++) {
			wait_queue_add(&procs[i]->exit_wq, &w[i]);
			ended = ended || process_exit_status(procs[i], &st);
		}
		if (ended || t->killed) {
			sched_block_cancel();
			arch_irq_restore(irq);
			rc = ended ? 0 : -LINUX_EINTR;
			break;
		}
		arch_irq_restore(irq);
		sched_block();
	}
	for (unsigned i = 0; i < n; i++) {
		wait_queue_remove(&procs[i]->exit_wq, &w[i]);
		process_put(procs[i]);
	}
	return rc;
}

static int reap(struct posix_proc *pp, int64_t pid, bool nohang, bool keep, struct reaped *out)
{
	for (;;) {
		int rc = find_ended(pp, pid, keep, out);
		if (rc != 0 || nohang)
			return rc;
		rc = wait_for_end(pp, pid);
		if (rc < 0)
			return rc;
	}
}

static int put_rusage(uint64_t va, uint64_t cpu_ns)
{
	struct linux_rusage ru = { 0 };

	ru.ru_utime.tv_sec = (int64_t)(cpu_ns / 1000000000);
	ru.ru_utime.tv_usec = (int64_t)(cpu_ns % 1000000000 / 1000);
	return va ? copy_to_user(user_ptr(va), &ru, sizeof(ru)) : 0;
}

POSIX_CALL(wait4)
{
	int64_t pid = (int32_t)a0;
	struct reaped r;

	if ((int64_t)(int32_t)a0 == INT32_MIN || a2 & ~(uint64_t)(LINUX_WNOHANG | LINUX_WUNTRACED |
			LINUX_WCONTINUED | LINUX_WNOTHREAD | LINUX_WALL | (uint32_t)LINUX_WCLONE))
		return -EINVAL;
	int rc = reap(c->pp, pid, a2 & LINUX_WNOHANG, false, &r);
	if (rc <= 0)
		return rc;
	int word = status_word(&r.status);
	if (a1 && copy_to_user(user_ptr(a1), &word, sizeof(word)) < 0)
		return -EFAULT;
	if (put_rusage(a3, r.cpu_ns) < 0)
		return -EFAULT;
	return r.pid;
}

struct linux_siginfo_child {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status;
	uint8_t rest[128 - 28];
};
_Static_assert(sizeof(struct linux_siginfo_child) == 128, "Linux's siginfo_t");

POSIX_CALL(waitid)
{
	uint64_t options = a3;
	int64_t pid;
	struct reaped r;

	if (options & ~(uint64_t)(LINUX_WNOHANG | LINUX_WEXITED | LINUX_WUNTRACED |
				  LINUX_WCONTINUED | LINUX_WNOWAIT | LINUX_WNOTHREAD | LINUX_WALL |
				  (uint32_t)LINUX_WCLONE) ||
	    !(options & (LINUX_WEXITED | LINUX_WUNTRACED | LINUX_WCONTINUED)))
		return -EINVAL;
	switch (a0) {
	case LINUX_P_ALL:
		pid = -1;
		break;
	case LINUX_P_PID:
		if ((int32_t)a1 <= 0)
			return -EINVAL;
		pid = (int32_t)a1;
		break;
	case LINUX_P_PGID:
		pid = (int32_t)a1 > 0 ? -(int64_t)(int32_t)a1 : 0;
		break;
	default:
		return -EINVAL;
	}
	if (!(options & LINUX_WEXITED))
		return -LINUX_ECHILD;	/* stops and continues come with job control */
	int rc = reap(c->pp, pid, options & LINUX_WNOHANG, options & LINUX_WNOWAIT, &r);
	if (rc < 0)
		return rc;
	struct linux_siginfo_child si = { 0 };
	if (rc > 0) {
		int sig = end_signal(&r.status);
		si.si_signo = LINUX_SIGCHLD;
		si.si_code = sig ? LINUX_CLD_KILLED : LINUX_CLD_EXITED;
		si.si_pid = (int32_t)r.pid;
		si.si_status = sig ? sig : r.status.code & 0xff;
	}
	if (a2 && copy_to_user(user_ptr(a2), &si, sizeof(si)) < 0)
		return -EFAULT;
	return put_rusage(a4, rc > 0 ? r.cpu_ns : 0);
}

/* --- kill ---------------------------------------------------------------- */

/* A Linux process may signal itself and what it started (its subtree, as
 * the native sysinfo kill allows; docs/protocols.md, "Who may kill
 * whom"); another pid is EPERM, one that does not exist ESRCH. Process
 * groups are the caller's subtree: 0 and -(its pid) send to it and all
 * below, -1 to all below. */
POSIX_CALL(kill)
{
	struct process *me = current_thread()->proc;
	int64_t pid = (int32_t)a0;
	int sig = (int)a1;

	if ((int64_t)a1 < 0 || a1 > LINUX_NSIG)
		return -EINVAL;
	if (pid > 0) {
		struct process *p = process_find((uint32_t)pid);
		if (!p)
			return -LINUX_ESRCH;
		bool mine = p == me || process_in_subtree(me, p);
		if (mine)
			posix_signal(p, sig);
		process_put(p);
		return mine ? 0 : -EPERM;
	}
	if (pid < -1 && (uint64_t)-pid != me->pid)
		return -LINUX_ESRCH;	/* no other group exists */
	/* A group's members are signalled with the default action, whatever
	 * they ignore: kill(0) and kill(-1) are for ending a job. */
	if (sig && !posix_signal_ignored_by_default(sig))
		process_kill_tree_code(me, EXIT_KILLED, sig, pid != -1);
	return 0;
}

POSIX_CALL(tgkill)
{
	if ((int32_t)a0 <= 0 || (int32_t)a1 <= 0 || a0 != a1)
		return (int32_t)a0 <= 0 || (int32_t)a1 <= 0 ? -EINVAL : -LINUX_ESRCH;
	return posix_sys_kill(c, a1, a2, 0, 0, 0, 0);
}

POSIX_CALL(tkill)
{
	if ((int32_t)a0 <= 0)
		return -EINVAL;
	return posix_sys_kill(c, a0, a1, 0, 0, 0, 0);
}
