/* System calls on time and on the log: sleep, clock, debug_write (the
 * table is in syscall.c). */
#include "syscall/syscall.h"

#include "arch/arch.h"
#include "core/log.h"
#include "lib/errors.h"
#include "mm/usercopy.h"
#include "proc/process.h"

/* debug_write: a burst of PROCESS_LOG_BURST bytes, refilled at this rate. */
#define LOG_BYTES_PER_S	(64u << 10)

/* How many bytes p may log now (a token bucket). */
static size_t log_allowance(struct process *p, size_t want)
{
	uint64_t now = arch_clock_ns();
	guard(spinlock)(&p->lock);
	uint64_t refill = (now - p->log_refilled_at) * LOG_BYTES_PER_S / 1000000000ull;

	if (refill) {
		p->log_tokens = p->log_tokens + refill > PROCESS_LOG_BURST ? PROCESS_LOG_BURST
									 : p->log_tokens + refill;
		p->log_refilled_at = now;
	}
	if (want > p->log_tokens)
		want = p->log_tokens;
	p->log_tokens -= want;
	return want;
}

long sys_debug_write(uint64_t a0, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
	const char __user *ubuf = user_ptr(a0);
	char chunk[256];
	size_t done = 0;

	if (len > PROCESS_LOG_BURST)
		return -E2BIG;
	len = log_allowance(current_process(), len);
	while (done < len) {
		size_t n = len - done < 256 ? len - done : 256;
		if (copy_from_user(chunk, ubuf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		log_write_text(chunk, n);
		done += n;
	}
	return (long)done;
}

long sys_sleep(uint64_t deadline, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return sched_sleep_until(deadline);
}

long sys_clock(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return (long)arch_clock_ns();
}
