/* The Linux personality's entry points: its registration with spawn (or
 * its refusal, posix=off), the system-call table, and the translation of
 * Panda's errors into Linux's. The calls themselves are in sys_*.c by
 * subject. */
#include "posix/posix.h"

#include "arch/arch.h"
#include "core/log.h"
#include "core/params.h"
#include "lib/align.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "posix/internal.h"
#include "posix/sys.h"
#include "proc/personality.h"
#include "proc/process.h"
#include "sched/sched.h"

static bool refused;			/* posix=off */

static bool parse_posix(const char *value)
{
	if (strcmp(value, "off") == 0)
		refused = true;
	else if (strcmp(value, "on") != 0) {
		log_warn("cmdline: posix=%s: expected on or off\n", value);
		return false;
	}
	return true;
}
PARAM("posix", parse_posix);

/* posix.trace=NAME logs every Linux system call of the processes called
 * NAME, with its arguments and result, as strace would: for finding what a
 * program wants that the personality lacks. */
static char trace_name[32];

static bool parse_trace(const char *value)
{
	if (strlen(value) >= sizeof(trace_name)) {
		log_warn("cmdline: posix.trace=%s: a process name is shorter\n", value);
		return false;
	}
	strlcpy(trace_name, value, sizeof(trace_name));
	return true;
}
PARAM("posix.trace", parse_trace);

struct posix_proc *posix_of(struct process *p)
{
	return p->personality_data;
}

struct posix_proc *posix_current(void)
{
	return posix_of(current_thread()->proc);
}

long posix_errno(long rc)
{
	if (rc >= 0 || rc > -EBADHANDLE)
		return rc;		/* below 200 the numbers agree */
	switch (-rc) {
	case EBADHANDLE:
		return -LINUX_EBADF;
	case EACCES:			/* the handle lacks the right */
	case EOUTSIDE:
		return -LINUX_EACCES;
	case ETOOSMALL:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

/* --- the table ----------------------------------------------------------- */

#define ENTRY(name)	[LINUX_SYS_##name] = posix_sys_##name,

static const posix_syscall_fn table[LINUX_SYSCALL_COUNT] = { POSIX_ALL_CALLS(ENTRY) };

/* The first few calls a process makes that the personality has not got
 * are logged with the program's name (so that a user can tell what a
 * program lacks); after that it stays quiet. */
#define ENOSYS_LOGGED	8

static const char *call_name(uint64_t nr)
{
	return nr < LINUX_SYSCALL_COUNT && linux_syscall_names[nr] ? linux_syscall_names[nr] :
								      "unknown";
}

static void log_unsupported(struct process *p, uint64_t nr)
{
	struct posix_proc *pp = posix_of(p);

	if (__atomic_fetch_add(&pp->enosys_logged, 1, __ATOMIC_RELAXED) >= ENOSYS_LOGGED)
		return;
	log_info("posix: pid %u (%s): system call %lu (%s) is not supported\n", p->pid,
		 process_name(p), (unsigned long)nr, call_name(nr));
}

/* Calls a libc tries and does without, so quietly ENOSYS: rseq (glibc
 * registers it at startup and carries on without). */
static bool expected_missing(uint64_t nr)
{
	return nr == LINUX_SYS_rseq;
}

static void trace(const struct trap_frame *f, uint64_t nr, uint64_t result)
{
	struct process *p = current_thread()->proc;

	if (strcmp(process_name(p), trace_name) != 0)
		return;
	log_info("posix: pid %u (%s): %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n", p->pid,
		 process_name(p), call_name(nr), (unsigned long)f->rdi, (unsigned long)f->rsi,
		 (unsigned long)f->rdx, (unsigned long)f->r10, (unsigned long)f->r8,
		 (unsigned long)f->r9, (long)result);
}

static bool dispatch(struct trap_frame *f, uint64_t nr)
{
	posix_syscall_fn fn = nr < LINUX_SYSCALL_COUNT ? table[nr] : NULL;

	if (!fn && expected_missing(nr)) {
		f->rax = -(uint64_t)ENOSYS;
		return false;
	}
	if (!fn) {
		log_unsupported(current_thread()->proc, nr);
		f->rax = -(uint64_t)ENOSYS;
		return false;
	}
	struct posix_call c = { .frame = f, .pp = posix_current() };
	f->rax = (uint64_t)posix_errno(fn(&c, f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9));
	return c.new_registers;
}

static bool linux_syscall(struct trap_frame *f)
{
	uint64_t nr = f->rax;

	if (!trace_name[0])
		return dispatch(f, nr);
	struct trap_frame args = *f;	/* execve rewrites them */
	bool rewritten = dispatch(f, nr);
	trace(&args, nr, f->rax);
	return rewritten;
}

static const struct personality linux_personality = {
	.name = "linux",
	.start = posix_start,
	.syscall = linux_syscall,
	.release = posix_release,
};

void posix_init(void)
{
	if (refused) {
		log_info("posix: the Linux personality is off (posix=off)\n");
		return;
	}
	spawn_set_foreign(&linux_personality);
}
