/* Bring-up of the boot CPU, and the small CPU services arch.h promises. */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"

static struct cpu boot_cpu;	/* per-CPU: the boot CPU's area (GS base) */

/* The legacy 8259 PICs power up delivering IRQs on vectors 8-15, on top of
 * the exceptions. Move them to 0x20-0x2f and mask every line; the IOAPIC
 * takes over interrupts later. */
static void pic_disable(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);	/* ICW1: init, expect ICW4 */
	outb(0x21, 0x20); outb(0xa1, 0x28);	/* ICW2: vector bases */
	outb(0x21, 0x04); outb(0xa1, 0x02);	/* ICW3: cascade on IRQ2 */
	outb(0x21, 0x01); outb(0xa1, 0x01);	/* ICW4: 8086 mode */
	outb(0x21, 0xff); outb(0xa1, 0xff);	/* mask all */
}

void arch_init_cpu(void)
{
	boot_cpu.self = &boot_cpu;
	boot_cpu.id = 0;
	gdt_init(&boot_cpu);
	idt_init();
	wrmsr(MSR_GS_BASE, (uintptr_t)&boot_cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);		/* user GS, for swapgs */
	pic_disable();
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_set_user_fs_base(uint64_t base)
{
	wrmsr(MSR_FS_BASE, base);	/* the caller keeps it canonical */
}

uint32_t arch_cpu_hwcap(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}
