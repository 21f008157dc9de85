/* Linux system calls about the process itself: exit, its numbers and its
 * one identity, the CPU's thread-local base, limits, randomness. Panda
 * has one user: a Linux process is root (uid 0, gid 0), which grants it
 * nothing, since what it may touch is what its handles reach
 * (docs/posix.md, "Identity"). */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "dev/random.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "sched/sched.h"

/* A Linux exit status is a byte; Panda keeps the whole int, which Linux's
 * wait would have cut to its low 8 bits. */
POSIX_CALL(exit)
{
	process_exit_current((int)(a0 & 0xff), EXIT_NORMAL);
}

/* One thread per Linux process until threads come (part 2): exit and
 * exit_group end the same. */
POSIX_CALL(exit_group)
{
	process_exit_current((int)(a0 & 0xff), EXIT_NORMAL);
}

POSIX_CALL(getpid)
{
	return current_thread()->proc->pid;
}

POSIX_CALL(gettid)
{
	return current_thread()->proc->pid;
}

POSIX_CALL(getppid)
{
	return current_thread()->proc->ppid;
}

/* The one identity: root, in group root. */
POSIX_CALL(getuid)
{
	return 0;
}

POSIX_CALL(geteuid)
{
	return 0;
}

POSIX_CALL(getgid)
{
	return 0;
}

POSIX_CALL(getegid)
{
	return 0;
}

static long put_three_ids(uint64_t a, uint64_t b, uint64_t c)
{
	uint32_t zero = 0;
	int rc = copy_to_user(user_ptr(a), &zero, sizeof(zero));

	if (rc == 0)
		rc = copy_to_user(user_ptr(b), &zero, sizeof(zero));
	if (rc == 0)
		rc = copy_to_user(user_ptr(c), &zero, sizeof(zero));
	return rc;
}

POSIX_CALL(getresuid)
{
	return put_three_ids(a0, a1, a2);
}

POSIX_CALL(getresgid)
{
	return put_three_ids(a0, a1, a2);
}

/* No supplementary groups. */
POSIX_CALL(getgroups)
{
	return (int)a0 < 0 ? -EINVAL : 0;
}

/* Becoming who it already is succeeds; any other identity does not exist. */
POSIX_CALL(setuid)
{
	return (uint32_t)a0 == 0 ? 0 : -EPERM;
}

POSIX_CALL(setgid)
{
	return (uint32_t)a0 == 0 ? 0 : -EPERM;
}

/* Until sessions come (part 2), each process is its own group and
 * session leader. */
POSIX_CALL(getpgrp)
{
	return current_thread()->proc->pid;
}

POSIX_CALL(getpgid)
{
	uint32_t me = current_thread()->proc->pid;

	return a0 == 0 || (uint32_t)a0 == me ? (long)me : -LINUX_ESRCH;
}

POSIX_CALL(getsid)
{
	uint32_t me = current_thread()->proc->pid;

	return a0 == 0 || (uint32_t)a0 == me ? (long)me : -LINUX_ESRCH;
}

/* A Linux program asks uname which kernel it runs on to take its Linux
 * paths (configure scripts, libcs, busybox), so the personality answers
 * as the other Linux personalities do: Linux, of the release whose ABI
 * it follows (Debian 12's 6.1), marked as Panda's. */
#define LINUX_RELEASE	"6.1.0-panda"

static void set_field(char *field, const char *value)
{
	strlcpy(field, value, LINUX_UTS_LEN);
}

POSIX_CALL(uname)
{
	struct linux_utsname u = { 0 };

	set_field(u.sysname, "Linux");
	set_field(u.nodename, "panda");
	set_field(u.release, LINUX_RELEASE);
	set_field(u.version, "Panda OS " PANDA_VERSION);
	set_field(u.machine, "x86_64");
	set_field(u.domainname, "(none)");
	return copy_to_user(user_ptr(a0), &u, sizeof(u));
}

/* The FS base is where a libc keeps its thread's TLS; GS is refused (the
 * kernel's swapgs owns it). Any user address is accepted, as on Linux,
 * where a bad one only faults the program that uses it. */
POSIX_CALL(arch_prctl)
{
	switch (a0) {
	case LINUX_ARCH_SET_FS:
		if (a1 >= USER_TOP)
			return -EPERM;
		sched_set_fs_base(a1);
		return 0;
	case LINUX_ARCH_GET_FS: {
		uint64_t base = current_thread()->fs_base;
		return copy_to_user(user_ptr(a1), &base, sizeof(base));
	}
	default:
		return -EINVAL;
	}
}

/* Kept for the threads of part 2, which clear it and wake a futex there
 * at exit; a single-threaded process has nobody to wake. */
POSIX_CALL(set_tid_address)
{
	c->pp->clear_child_tid = a0;
	return current_thread()->proc->pid;
}

/* The robust futex list matters only to threads that die holding a lock
 * another thread waits on; accepted for the size Linux knows. */
POSIX_CALL(set_robust_list)
{
	return a1 == 24 ? 0 : -EINVAL;
}

/* --- limits -------------------------------------------------------------- */

void posix_rlimits_init(struct posix_proc *pp)
{
	for (unsigned i = 0; i < LINUX_RLIM_NLIMITS; i++)
		pp->rlimits[i] = (struct linux_rlimit){ LINUX_RLIM_INFINITY, LINUX_RLIM_INFINITY };
	pp->rlimits[LINUX_RLIMIT_STACK].rlim_cur = LINUX_STACK_SIZE;
	pp->rlimits[LINUX_RLIMIT_CORE].rlim_cur = 0;
	pp->rlimits[LINUX_RLIMIT_NOFILE] = (struct linux_rlimit){ POSIX_FD_MAX, POSIX_FD_MAX };
}

/* Limits are kept and reported; what bounds a process in fact is its
 * tree's quota (docs/memory.md), and NOFILE's hard limit the descriptor
 * table's size. A soft limit may move below its hard one, a hard one only
 * down. */
static long prlimit(struct posix_proc *pp, unsigned resource, uint64_t new_va, uint64_t old_va)
{
	struct linux_rlimit want, old;

	if (resource >= LINUX_RLIM_NLIMITS)
		return -EINVAL;
	if (new_va && copy_from_user(&want, user_ptr(new_va), sizeof(want)) < 0)
		return -EFAULT;
	if (new_va && want.rlim_cur > want.rlim_max)
		return -EINVAL;
	{
		guard(spinlock)(&pp->lock);
		old = pp->rlimits[resource];
		if (new_va && want.rlim_max > old.rlim_max)
			return -EPERM;
		if (new_va)
			pp->rlimits[resource] = want;
	}
	return old_va ? copy_to_user(user_ptr(old_va), &old, sizeof(old)) : 0;
}

POSIX_CALL(prlimit64)
{
	if (a0 != 0 && (uint32_t)a0 != current_thread()->proc->pid)
		return -LINUX_ESRCH;	/* another process's limits: not ours to see */
	return prlimit(c->pp, (unsigned)a1, a2, a3);
}

POSIX_CALL(getrlimit)
{
	return prlimit(c->pp, (unsigned)a0, 0, a1);
}

POSIX_CALL(setrlimit)
{
	return prlimit(c->pp, (unsigned)a0, a1, 0);
}

/* --- the rest ------------------------------------------------------------ */

/* GRND_NONBLOCK and GRND_RANDOM change nothing: the generator is seeded
 * before any process runs. At most 32 MiB a call, as Linux. */
POSIX_CALL(getrandom)
{
	uint8_t buf[256];
	size_t len = a1 < (32u << 20) ? a1 : (32u << 20), done = 0;

	if (a2 & ~(uint64_t)(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
		return -EINVAL;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		random_bytes(buf, n);
		if (copy_to_user(user_ptr(a0 + done), buf, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

POSIX_CALL(sched_yield)
{
	thread_yield();
	return 0;
}

/* The thread's name (PR_SET_NAME, PR_GET_NAME): at most 15 bytes, kept
 * zero-padded as Linux keeps it (PR_GET_NAME copies all 16), and the name
 * `ps` shows. Other options: EINVAL. */
static long set_name(struct posix_proc *pp, uint64_t va)
{
	char name[sizeof(pp->comm)] = { 0 };

	/* Linux takes the first 15 bytes, ending the string or not. */
	for (size_t i = 0; i < sizeof(name) - 1; i++) {
		if (copy_from_user(&name[i], user_ptr(va + i), 1) < 0)
			return -EFAULT;
		if (!name[i])
			break;
	}
	{
		guard(spinlock)(&pp->lock);
		memcpy(pp->comm, name, sizeof(name));
	}
	process_set_name(current_thread()->proc, name);
	return 0;
}

static long get_name(struct posix_proc *pp, uint64_t va)
{
	char name[sizeof(pp->comm)];

	{
		guard(spinlock)(&pp->lock);
		memcpy(name, pp->comm, sizeof(name));
	}
	return copy_to_user(user_ptr(va), name, sizeof(name));
}

POSIX_CALL(prctl)
{
	switch (a0) {
	case LINUX_PR_SET_NAME:
		return set_name(c->pp, a1);
	case LINUX_PR_GET_NAME:
		return get_name(c->pp, a1);
	default:
		return -EINVAL;
	}
}

POSIX_CALL(sysinfo)
{
	struct linux_sysinfo si = { 0 };
	struct process_counts counts;

	posix_fill_sysinfo(&si);
	process_get_counts(&counts);
	si.procs = counts.live > 0xffff ? 0xffff : (uint16_t)counts.live;
	return copy_to_user(user_ptr(a0), &si, sizeof(si));
}
