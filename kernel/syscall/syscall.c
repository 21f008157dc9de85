/* The system-call table: the one place that decodes user arguments. Every
 * pointer goes through the checked copies of mm/usercopy.h, every handle
 * through the caller's table with the rights it needs; below this layer
 * nothing trusts or re-checks user input (lib/abi.h, docs/syscalls.md).
 * The handlers are in sys_*.c by subject (syscall.h). */
#include "syscall/syscall.h"

#include "arch/arch.h"
#include "core/kcov.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "mm/failinject.h"
#include "proc/personality.h"
#include "proc/process.h"

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

static long sys_kcov(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return kcov_syscall(op, a1, a2, a3);
}

static const syscall_fn table[SYS_COUNT] = {
	[SYS_EXIT] = sys_exit,
	[SYS_YIELD] = sys_yield,
	[SYS_GETPID] = sys_getpid,
	[SYS_SPAWN] = sys_spawn,
	[SYS_PROCESS_WAIT] = sys_process_wait,
	[SYS_PROCESS_KILL] = sys_process_kill,
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_SLEEP] = sys_sleep,
	[SYS_CLOCK] = sys_clock,
	[SYS_MEM_MAP] = sys_mem_map,
	[SYS_MEM_UNMAP] = sys_mem_unmap,
	[SYS_MEM_PROTECT] = sys_mem_protect,
	[SYS_CLOSE] = sys_close,
	[SYS_CHANNEL_CREATE] = sys_channel_create,
	[SYS_SEND] = sys_send,
	[SYS_RECV] = sys_recv,
	[SYS_CALL] = sys_call,
	[SYS_WAIT] = sys_wait,
	[SYS_DUP] = sys_dup,
	[SYS_KCOV] = sys_kcov,
};

/* What every return to user mode from a call checks (the normal kernel's
 * syscalls pay only the two flag tests). */
static void before_return(void)
{
	/* Every return in the sanitized kernel; process_before_user_mode
	 * checks the rest. */
	if (KSAN && spin_held_count() != 0)
		spin_held_at_switch("return to user mode");
	if (arch_need_resched() || current_thread()->killed)
		process_before_user_mode();
}

/* A process of another personality (proc/personality.h): its own table
 * gets the whole frame. Out of line, so the native path stays short. */
static __attribute__((noinline)) bool foreign_syscall(const struct personality *persona,
						      struct trap_frame *f)
{
	failinject_syscall_enter(SYS_COUNT);
	kcov_syscall_enter();
	bool rewritten = persona->syscall(f);
	kcov_syscall_leave();
	failinject_syscall_exit();
	before_return();
	return rewritten;
}

/* Called from syscall.S with interrupts on; the result goes back in rax.
 * True when the call rewrote the frame's registers (syscall.S then
 * restores all of them). */
bool syscall_dispatch(struct trap_frame *f)
{
	const struct personality *persona = current_thread()->proc->personality;
	uint64_t nr = f->rax;

	if (__builtin_expect(persona != NULL, 0))
		return foreign_syscall(persona, f);
	failinject_syscall_enter(nr < SYS_COUNT ? (unsigned)nr : SYS_COUNT);
	if (nr == SYS_KCOV) {		/* never its own coverage */
		f->rax = sys_kcov(f->rdi, f->rsi, f->rdx, f->r10, f->r8);
	} else if (nr < SYS_COUNT && table[nr]) {
		kcov_syscall_enter();
		f->rax = table[nr](f->rdi, f->rsi, f->rdx, f->r10, f->r8);
		kcov_syscall_leave();
	} else
		f->rax = -ENOSYS;
	failinject_syscall_exit();
	before_return();
	return false;
}
