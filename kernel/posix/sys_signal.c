/* Signals as far as part 1 needs them (docs/posix.md, "Signals"): each
 * signal's default action (most end the process, recorded for wait; a few
 * are ignored), SIG_IGN set by rt_sigaction, and the mask kept and reported
 * by rt_sigprocmask. Handlers, delivery on return to user mode, pending
 * signals and the mask's effect come with part 2: a handler is refused
 * (EINVAL, logged once), so that a program is told rather than left
 * believing one is installed. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "core/log.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "proc/process.h"

#define SIG_BIT(sig)	(1ull << ((sig) - 1))

/* The signals whose default is to be ignored, or (the stop signals,
 * until job control) to do nothing. */
bool posix_signal_ignored_by_default(int sig)
{
	switch (sig) {
	case LINUX_SIGCHLD:
	case 18:	/* SIGCONT */
	case LINUX_SIGSTOP:
	case 20:	/* SIGTSTP */
	case 21:	/* SIGTTIN */
	case 22:	/* SIGTTOU */
	case 23:	/* SIGURG */
	case 28:	/* SIGWINCH */
		return true;
	default:
		return false;
	}
}

void posix_signal(struct process *p, int sig)
{
	uint64_t ignored = 0;

	if (sig <= 0 || sig > LINUX_NSIG || posix_signal_ignored_by_default(sig))
		return;
	{
		guard(spinlock)(&p->lock);
		struct posix_proc *pp = p->personality ? p->personality_data : NULL;
		if (pp)
			ignored = __atomic_load_n(&pp->sig_ignored, __ATOMIC_RELAXED);
	}
	/* SIGKILL cannot be ignored; rt_sigaction never lets its bit be set. */
	if (!(ignored & SIG_BIT(sig)))
		process_kill_code(p, EXIT_KILLED, sig);
}

long posix_epipe(long rc)
{
	if (rc == -EPIPE)
		posix_signal(current_thread()->proc, LINUX_SIGPIPE);
	return rc;
}

POSIX_CALL(rt_sigaction)
{
	int sig = (int)a0;
	struct linux_sigaction act, old;
	struct posix_proc *pp = c->pp;

	if (a3 != sizeof(uint64_t) || sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	if (a1 && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
		return -EINVAL;
	if (a1 && copy_from_user(&act, user_ptr(a1), sizeof(act)) < 0)
		return -EFAULT;
	if (a1 && act.handler != LINUX_SIG_DFL && act.handler != LINUX_SIG_IGN) {
		if (__atomic_fetch_add(&pp->enosys_logged, 1, __ATOMIC_RELAXED) < 8)
			log_info("posix: pid %u (%s): signal handlers are not supported yet "
				 "(signal %d)\n", current_thread()->proc->pid,
				 process_name(current_thread()->proc), sig);
		return -EINVAL;
	}
	{
		guard(spinlock)(&pp->lock);
		old = pp->actions[sig - 1];
		if (a1) {
			pp->actions[sig - 1] = act;
			uint64_t ignored = pp->sig_ignored & ~SIG_BIT(sig);
			if (act.handler == LINUX_SIG_IGN)
				ignored |= SIG_BIT(sig);
			__atomic_store_n(&pp->sig_ignored, ignored, __ATOMIC_RELAXED);
		}
	}
	return a2 ? copy_to_user(user_ptr(a2), &old, sizeof(old)) : 0;
}

POSIX_CALL(rt_sigprocmask)
{
	uint64_t set = 0, old;
	struct posix_proc *pp = c->pp;

	if (a3 != sizeof(uint64_t))
		return -EINVAL;
	if (a1 && copy_from_user(&set, user_ptr(a1), sizeof(set)) < 0)
		return -EFAULT;
	if (a1 && a0 > LINUX_SIG_SETMASK)
		return -EINVAL;
	set &= ~(SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP));
	{
		guard(spinlock)(&pp->lock);
		old = pp->sig_mask;
		if (a1)
			pp->sig_mask = a0 == LINUX_SIG_BLOCK ? old | set :
				       a0 == LINUX_SIG_UNBLOCK ? old & ~set : set;
	}
	return a2 ? copy_to_user(user_ptr(a2), &old, sizeof(old)) : 0;
}
