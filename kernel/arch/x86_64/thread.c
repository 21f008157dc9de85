/* What a thread needs from the CPU: its first stack frames, the kernel
 * stack that entries from user mode land on, FPU state, and the SYSCALL
 * machinery (SDM Vol. 3A 5.8.8). */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"

#define MSR_STAR	0xC0000081
#define MSR_LSTAR	0xC0000082
#define MSR_FMASK	0xC0000084
#define EFER_SCE	(1u << 0)

/* RFLAGS bits: interrupt enable, and the always-one bit 1. */
#define RFLAGS_USER	(RFLAGS_IF | 0x2)
/* Cleared on SYSCALL: TF, IF, DF, NT, AC. */
#define SYSCALL_FMASK	0x47700

extern char syscall_entry[];
extern char arch_kernel_thread_trampoline[], arch_user_thread_trampoline[];

/* arch_switch pops these, then returns to `ret`. */
struct switch_frame {
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
};

void arch_init_threads(void)
{
	fpu_init();

	/* SYSRET loads CS from STAR[63:48] + 16 and SS from + 8 (gdt.h). */
	wrmsr(MSR_STAR, ((uint64_t)GDT_USER_BASE << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void arch_set_kernel_stack(uintptr_t top)
{
	struct cpu *cpu = this_cpu();

	cpu->tss.rsp[0] = top;
	cpu->kernel_rsp = top;
}

uint64_t arch_thread_stack_init(uintptr_t top, void (*start)(void *), void *arg)
{
	struct switch_frame *sf = (struct switch_frame *)(top - 16) - 1;

	*sf = (struct switch_frame){
		.r12 = (uintptr_t)start,
		.r13 = (uintptr_t)arg,
		.ret = (uintptr_t)arch_kernel_thread_trampoline,
	};
	return (uintptr_t)sf;
}

struct trap_frame *arch_user_frame(uintptr_t top)
{
	return (struct trap_frame *)top - 1;
}

uint64_t arch_user_stack_init(uintptr_t top, void (*start)(void *), void *arg,
			      uintptr_t ip, uintptr_t sp, uint64_t arg0)
{
	struct trap_frame *tf = arch_user_frame(top);
	struct switch_frame *sf = (struct switch_frame *)tf - 1;

	*tf = (struct trap_frame){
		.rip = ip, .cs = GDT_USER_CODE, .rflags = RFLAGS_USER,
		.rsp = sp, .ss = GDT_USER_DATA, .rdi = arg0,
	};
	*sf = (struct switch_frame){
		.r12 = (uintptr_t)start,
		.r13 = (uintptr_t)arg,
		.ret = (uintptr_t)arch_user_thread_trampoline,
	};
	return (uintptr_t)sf;
}

void arch_idle(void)
{
	/* sti takes effect after the next instruction, so an interrupt that
	 * is already pending wakes the hlt instead of being lost before it. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

bool arch_frame_is_user(const struct trap_frame *frame)
{
	return frame->cs & 3;
}
