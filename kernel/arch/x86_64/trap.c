/* The IDT, trap dispatch, and the reports a dead kernel prints about itself:
 * register dumps and frame-pointer backtraces. */
#include "arch/x86_64/trap.h"

#include <stdbool.h>

#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/layout.h"
#include "core/kcov.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/format.h"

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

#define GATE_INTERRUPT	0x8e	/* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static trap_handler_fn handlers[256];	/* set at boot, before the vector can fire */
static void (*trap_exit_hook)(struct trap_frame *frame);	/* set once at boot */
extern const uint64_t isr_stub_table[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "non-maskable interrupt", "breakpoint",
	"overflow", "bound range exceeded", "invalid opcode",
	"device not available", "double fault", "coprocessor segment overrun",
	"invalid TSS", "segment not present", "stack-segment fault",
	"general protection fault", "page fault", "reserved",
	"x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization exception",
	"control protection exception",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exception_names[vector] ? exception_names[vector] : "reserved";
	return "interrupt";
}

static void set_gate(unsigned vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = KERNEL_CS,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

void idt_init(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {
		sizeof(idt) - 1, (uintptr_t)idt,
	};

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	/* These may strike when the current stack is unusable (overflowed,
	 * or mid-switch), so they get known-good stacks of their own. */
	set_gate(VEC_DOUBLE_FAULT, isr_stub_table[VEC_DOUBLE_FAULT], IST_DOUBLE_FAULT);
	set_gate(VEC_NMI, isr_stub_table[VEC_NMI], IST_NMI);
	set_gate(VEC_MACHINE_CHECK, isr_stub_table[VEC_MACHINE_CHECK], IST_MACHINE_CHECK);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_set_handler(unsigned vector, trap_handler_fn handler)
{
	handlers[vector] = handler;
}

void arch_set_trap_exit_hook(void (*fn)(struct trap_frame *frame))
{
	trap_exit_hook = fn;
}

static void handle(struct trap_frame *frame, unsigned vector)
{
	char title[96];

	if (handlers[vector]) {
		handlers[vector](frame);
		return;
	}
	if (vector >= VEC_FIRST_IRQ) {
		/* Nothing should be routed here yet: note it and carry on. */
		log_warn("trap: unexpected interrupt %u ignored\n", vector);
		return;
	}
	if (frame->cs & 3) {
		/* Whatever user code did, it is the process's problem. */
		arch_user_fault(frame, USER_FAULT_TRAP, trap_name(vector), 0);
		return;
	}
	fmt_snprintf(title, sizeof(title), "unexpected exception #%u (%s)",
		     vector, trap_name(vector));
	panic_with_frame(frame, title);
}

void trap_dispatch(struct trap_frame *frame)
{
	unsigned vector = (unsigned)frame->vector;
	/* An interrupt's work is not the interrupted call's coverage; a
	 * fault inside a call (a user copy) is. */
	bool recording = vector >= VEC_FIRST_IRQ && kcov_irq_enter();

	handle(frame, vector);
	/* Never switch threads from an IST stack: it belongs to the CPU. */
	if (trap_exit_hook && vector != VEC_NMI && vector != VEC_DOUBLE_FAULT &&
	    vector != VEC_MACHINE_CHECK)
		trap_exit_hook(frame);
	kcov_irq_leave(recording);
}

void arch_dump_frame(const struct trap_frame *f)
{
	if (f->vector == TRAP_VECTOR_SYSCALL)
		kprintf("system call %lu\n", f->rax);
	else if (f->vector != TRAP_VECTOR_NONE)
		kprintf("vector %lu (%s) error code %#lx\n", f->vector,
			trap_name((unsigned)f->vector), f->error);
	kprintf("rip %016lx cs %04lx rflags %08lx\n", f->rip, f->cs, f->rflags);
	kprintf("rsp %016lx ss %04lx\n", f->rsp, f->ss);
	kprintf("rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("rbp %016lx r8  %016lx r9  %016lx\n", f->rbp, f->r8, f->r9);
	kprintf("r10 %016lx r11 %016lx r12 %016lx\n", f->r10, f->r11, f->r12);
	kprintf("r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
	kprintf("cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx\n",
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

/* Frame layout with -fno-omit-frame-pointer: [rbp] = caller's rbp,
 * [rbp + 8] = return address. Frames of kernel code only go up the stack. */
size_t arch_stack_trace(const struct trap_frame *frame, uintptr_t *pcs, size_t max)
{
	uintptr_t rbp = frame->rbp;
	size_t n = 0;

	if (max == 0)
		return 0;
	pcs[n++] = frame->rip;
	while (n < max) {
		if (rbp < DIRECT_MAP_BASE || rbp & 7 || !arch_addr_is_mapped(rbp) ||
		    !arch_addr_is_mapped(rbp + 15))
			break;
		const uintptr_t *fp = (const uintptr_t *)rbp;
		uintptr_t ret = fp[1], next = fp[0];
		if (ret < KERNEL_VMA)
			break;
		pcs[n++] = ret;
		if (next <= rbp || next - rbp > 1024 * 1024)
			break;
		rbp = next;
	}
	return n;
}
