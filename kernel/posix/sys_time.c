/* Linux system calls about time: the clocks, sleeping, CPU time. The
 * monotonic clocks are the kernel's (arch_clock_ns, from boot); the real
 * time is the RTC's reading at boot carried on by the monotonic clock
 * (dev/rtc.h). Resolution: 1 ns as reported, the TSC's in fact. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "dev/rtc.h"
#include "lib/errors.h"
#include "mm/frame.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "sched/sched.h"

#define NS_PER_S	1000000000ull
#define CLK_TCK		100		/* AT_CLKTCK: times() counts in 1/100 s */

static uint64_t process_cpu_ns(void)
{
	struct thread *t = current_thread();
	struct process *p = t->proc;
	guard(spinlock)(&p->lock);
	return p->cpu_ns + thread_cpu_ns(t);
}

/* Nanoseconds on a Linux clock: -EINVAL for one Linux does not have. */
static int64_t clock_ns(uint64_t clock)
{
	switch (clock) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_REALTIME_COARSE:
		return (int64_t)rtc_now_ns();
	case LINUX_CLOCK_MONOTONIC:
	case LINUX_CLOCK_MONOTONIC_RAW:
	case LINUX_CLOCK_MONOTONIC_COARSE:
	case LINUX_CLOCK_BOOTTIME:
		return (int64_t)arch_clock_ns();
	case LINUX_CLOCK_PROCESS_CPUTIME_ID:
	case LINUX_CLOCK_THREAD_CPUTIME_ID:	/* one thread */
		return (int64_t)process_cpu_ns();
	default:
		return -EINVAL;
	}
}

static struct linux_timespec timespec_of(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / NS_PER_S), (int64_t)(ns % NS_PER_S) };
}

static struct linux_timeval timeval_of(uint64_t ns)
{
	return (struct linux_timeval){ (int64_t)(ns / NS_PER_S), (int64_t)(ns % NS_PER_S / 1000) };
}

POSIX_CALL(clock_gettime)
{
	int64_t ns = clock_ns(a0);

	if (ns < 0)
		return ns;
	struct linux_timespec ts = timespec_of((uint64_t)ns);
	return copy_to_user(user_ptr(a1), &ts, sizeof(ts));
}

POSIX_CALL(clock_getres)
{
	struct linux_timespec res = { 0, 1 };

	if (clock_ns(a0) < 0)
		return -EINVAL;
	return a1 ? copy_to_user(user_ptr(a1), &res, sizeof(res)) : 0;
}

/* The time zone argument is obsolete; Linux fills it with zeros. */
POSIX_CALL(gettimeofday)
{
	struct linux_timeval tv = timeval_of(rtc_now_ns());
	uint32_t tz[2] = { 0, 0 };

	if (a0 && copy_to_user(user_ptr(a0), &tv, sizeof(tv)) < 0)
		return -EFAULT;
	return a1 ? copy_to_user(user_ptr(a1), tz, sizeof(tz)) : 0;
}

POSIX_CALL(time)
{
	int64_t now = (int64_t)(rtc_now_ns() / NS_PER_S);

	if (a0 && copy_to_user(user_ptr(a0), &now, sizeof(now)) < 0)
		return -EFAULT;
	return now;
}

/* A relative or absolute sleep on one of the clocks. Nothing interrupts
 * it but a kill, which ends the process anyway (signals come in part 2),
 * so the remaining time is never asked for. */
static long sleep_on(uint64_t clock, bool absolute, uint64_t req_va)
{
	struct linux_timespec ts;

	if (copy_from_user(&ts, user_ptr(req_va), sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS_PER_S)
		return -EINVAL;
	int64_t now = clock_ns(clock);
	if (now < 0 || clock == LINUX_CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (clock == LINUX_CLOCK_PROCESS_CPUTIME_ID)
		return -LINUX_EOPNOTSUPP;
	uint64_t want = (uint64_t)ts.tv_sec > (UINT64_MAX / 2) / NS_PER_S ? UINT64_MAX / 2 :
		(uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	uint64_t delta = absolute ? (want > (uint64_t)now ? want - (uint64_t)now : 0) : want;
	uint64_t start = arch_clock_ns();
	uint64_t deadline = delta > UINT64_MAX - start ? UINT64_MAX - 1 : start + delta;
	int rc = sched_sleep_until(deadline);
	return rc == -ECANCELED ? -LINUX_EINTR : 0;
}

POSIX_CALL(nanosleep)
{
	return sleep_on(LINUX_CLOCK_MONOTONIC, false, a0);
}

POSIX_CALL(clock_nanosleep)
{
	if (a1 & ~(uint64_t)LINUX_TIMER_ABSTIME)
		return -EINVAL;
	/* Linux returns the error itself here, not -1 and errno; the libc
	 * turns it around, so the sign convention is the same. */
	return sleep_on(a0, a1 & LINUX_TIMER_ABSTIME, a2);
}

/* CPU time is all user time: the kernel does not tell the two apart. */
POSIX_CALL(times)
{
	uint64_t ticks = process_cpu_ns() / (NS_PER_S / CLK_TCK);
	struct linux_tms t = { .tms_utime = (int64_t)ticks };

	if (a0 && copy_to_user(user_ptr(a0), &t, sizeof(t)) < 0)
		return -EFAULT;
	return (long)(arch_clock_ns() / (NS_PER_S / CLK_TCK));
}

enum { LINUX_RUSAGE_SELF = 0, LINUX_RUSAGE_CHILDREN = -1, LINUX_RUSAGE_THREAD = 1 };

POSIX_CALL(getrusage)
{
	struct linux_rusage ru = { 0 };

	switch ((int)a0) {
	case LINUX_RUSAGE_SELF:
	case LINUX_RUSAGE_THREAD:
		ru.ru_utime = timeval_of(process_cpu_ns());
		break;
	case LINUX_RUSAGE_CHILDREN:	/* children's time is not summed yet */
		break;
	default:
		return -EINVAL;
	}
	return copy_to_user(user_ptr(a1), &ru, sizeof(ru));
}

void posix_fill_sysinfo(struct linux_sysinfo *si)
{
	struct frame_stats fs;

	frame_get_stats(&fs);
	si->uptime = (int64_t)(arch_clock_ns() / NS_PER_S);
	si->totalram = fs.total;
	si->freeram = fs.free;
	si->mem_unit = PAGE_SIZE;
}
