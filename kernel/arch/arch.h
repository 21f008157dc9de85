/* What the rest of the kernel may ask of the CPU architecture. Everything
 * behind this header lives in kernel/arch/<arch>/. */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/layout.h"	/* DIRECT_MAP_BASE, KERNEL_VMA, USER_TOP */
#include "arch/x86_64/percpu.h"	/* CPU_CURRENT, CPU_NEED_RESCHED, ... */
#include "arch/x86_64/pio.h"	/* inb, outb: the devices' port I/O */
#include "arch/x86_64/trap.h"	/* struct trap_frame */
#include "core/compiler.h"	/* __user */

struct boot_info;
struct thread;

/* The page the MMU maps (frames, mappings and the user gate count in it). */
#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ull

/* Early CPU setup: GDT, TSS with IST stacks, IDT, per-CPU area. */
void arch_init_cpu(void);
/* Removes the boot identity map; after this, low addresses fault. */
void arch_drop_identity_map(void);
/* Fills `info` from whatever boot protocol started us. */
void arch_read_boot_info(struct boot_info *info, uint32_t magic, uint32_t info_phys);

/* Physical address to its direct-map alias, and back. */
static inline void *arch_phys_to_virt(uint64_t phys)
{
	return (void *)(phys + DIRECT_MAP_BASE);
}

static inline uint64_t arch_virt_to_phys(const void *virt)
{
	return (uintptr_t)virt - DIRECT_MAP_BASE;
}

/* True for addresses in the direct map (where kernel heap memory lives). */
static inline bool arch_is_direct_map(uintptr_t addr)
{
	return addr >= DIRECT_MAP_BASE && addr < DIRECT_MAP_BASE + DIRECT_MAP_MAX_PHYS;
}

typedef uint64_t irq_state_t;

/* Inline: every spinlock takes and gives back through these. */
static inline irq_state_t arch_irq_save(void)	/* disables interrupts */
{
	irq_state_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_irq_restore(irq_state_t state)
{
	if (state & (1u << 9))		/* RFLAGS.IF */
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

void arch_irq_enable(void);
__attribute__((noreturn)) void arch_halt_forever(void);

/* True when `addr` is mapped in the current address space. */
bool arch_addr_is_mapped(uintptr_t addr);

/* Page tables. A root is the physical address of a top-level table; every
 * root shares the kernel half. Protections are arch-neutral. */
enum { MAP_READ = 0, MAP_WRITE = 1 << 0, MAP_EXEC = 1 << 1, MAP_USER = 1 << 2 };

/* Page-table pages needed to map RAM up to max_phys in the direct map, and
 * mapping it with those pages (physically contiguous at table_phys). */
uint64_t arch_direct_map_tables_needed(uint64_t max_phys);
void arch_direct_map_extend(uint64_t max_phys, uint64_t table_phys);
/* Gives the kernel half every page-table page of [start, start+size) now,
 * down to the last level: every root created later shares them, and
 * mapping a page there never needs a table (so it cannot fail for one,
 * and leak checks see the same count of table pages whatever the most
 * stacks ever used was). Returns 0 or -ENOMEM. */
int arch_kernel_area_init(uintptr_t start, uint64_t size);

uint64_t arch_kernel_root(void);
uint64_t arch_pt_create(void);			/* 0 when out of memory */
/* Frees the user half's tables, calling release(pa) for each mapped page. */
void arch_pt_destroy(uint64_t root, void (*release)(uint64_t pa));
int arch_pt_map(uint64_t root, uintptr_t va, uint64_t pa, unsigned prot);
uint64_t arch_pt_unmap(uint64_t root, uintptr_t va);	/* old pa, or 0 */
int arch_pt_protect(uint64_t root, uintptr_t va, unsigned prot);
/* The first page-aligned address in [va, end) that has a last-level table
 * (so may have a page), or end: loops over a range skip whatever was never
 * touched, so their cost follows the tables, not the range's size. */
uintptr_t arch_pt_next_table(uint64_t root, uintptr_t va, uintptr_t end);
/* The frame mapped at va, or 0; either way *missing gets how many table
 * pages arch_pt_map at va would allocate (they stay until
 * arch_pt_destroy): what a caller charges for them beforehand. */
uint64_t arch_pt_probe(uint64_t root, uintptr_t va, unsigned *missing);
/* True when va has a page that user mode may write. */
bool arch_pt_user_writable(uint64_t root, uintptr_t va);
void arch_pt_activate(uint64_t root);
uint64_t arch_pt_active(void);
void arch_tlb_flush_page(uintptr_t va);

/* The cycle counter and its frequency (calibrated on first use). */
uint64_t arch_tsc(void);
uint64_t arch_tsc_hz(void);

/* The CPU's random-number instructions: which it has (CPUID, asked once),
 * and one 64-bit value from each. A read retries a failure (carry clear:
 * the unit had nothing ready) up to ARCH_RNG_RETRIES times, as Intel's DRNG
 * guide advises, and returns false only when every try failed or the CPU
 * lacks the instruction (*v is then 0). RDSEED gives conditioned entropy straight from
 * the source (for seeding), RDRAND the output of the CPU's own DRBG. */
enum { ARCH_RNG_RDRAND = 1 << 0, ARCH_RNG_RDSEED = 1 << 1 };
#define ARCH_RNG_RETRIES 10
unsigned arch_rng_features(void);		/* ARCH_RNG_* */
bool arch_rdrand(uint64_t *v);
bool arch_rdseed(uint64_t *v);

/* Device interrupts. An ISA IRQ (0-15) is routed through the IOAPIC (with
 * the MADT's interrupt source overrides, once ACPI has told them) to a
 * vector of its own; handler(ctx) runs in interrupt context and the
 * interrupt is acknowledged for it. 0, -EBUSY (taken), -EINVAL. */
int arch_irq_attach(unsigned isa_irq, void (*handler)(void *ctx), void *ctx);
/* Interrupt controllers as ACPI's MADT describes them; without a call the
 * kernel assumes one IOAPIC at 0xfec00000 and identity-mapped ISA IRQs. */
struct irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags: polarity, trigger */
};
void arch_irq_configure(uint64_t ioapic_phys, uint32_t gsi_base,
			const struct irq_override *overrides, unsigned count);
uint64_t arch_irq_spurious_count(void);

/* Monotonic time in ns since arch_clock_init(), from the TSC. */
void arch_clock_init(void);
uint64_t arch_clock_ns(void);

/* The per-CPU one-shot timer: handler() runs in interrupt context when a
 * deadline armed with arch_timer_oneshot(ns from now; 0 disarms) passes. */
void arch_timer_init(void (*handler)(void));
void arch_timer_oneshot(uint64_t ns);

/* Threads. A thread's kernel stack holds, when it is not running, the
 * frame arch_switch left; a user thread's entry frame sits at the top. */
void arch_init_threads(void);		/* FPU, SYSCALL MSRs */
/* A thread's FPU/SSE/AVX state: arch_fpu_state_size() bytes (known once
 * arch_init_threads has run; fixed after), ARCH_FPU_STATE_ALIGN-aligned.
 * Its format is XSAVE's standard form with the components of XCR0 =
 * arch_fpu_xfeatures() when that is not 0, else FXSAVE's 512 bytes
 * (SDM Vol. 1 13.4, 10.5.1). */
#define ARCH_FPU_STATE_ALIGN 64
size_t arch_fpu_state_size(void);
uint64_t arch_fpu_xfeatures(void);
void arch_fpu_init_state(void *state);	/* a new thread's: clean registers */
void arch_fpu_save(void *state);
void arch_fpu_restore(const void *state);
/* The FS segment base user code addresses its thread-local storage by
 * (Linux's arch_prctl(ARCH_SET_FS)); the scheduler sets it on a switch to
 * a thread whose base differs. */
void arch_set_user_fs_base(uint64_t base);
/* What CPUID leaf 1 says in EDX: the System V auxiliary vector's AT_HWCAP. */
uint32_t arch_cpu_hwcap(void);
/* Saves the running context, stores its stack pointer in *from_sp and
 * resumes the context saved at to_sp. Returns when switched back to. */
void arch_switch(uint64_t *from_sp, uint64_t to_sp);
/* A stack on which the first switch calls start(arg), which must not return. */
uint64_t arch_thread_stack_init(uintptr_t top, void (*start)(void *), void *arg);
/* A stack on which the first switch calls start(arg), then enters user
 * mode at ip with stack sp and arg0 in the first argument register. */
uint64_t arch_user_stack_init(uintptr_t top, void (*start)(void *), void *arg,
			      uintptr_t ip, uintptr_t sp, uint64_t arg0);
/* The user-mode registers of the thread whose kernel stack ends at top. */
struct trap_frame *arch_user_frame(uintptr_t top);
bool arch_frame_is_user(const struct trap_frame *frame);
/* Where entries from user mode land: the running thread's stack top. */
void arch_set_kernel_stack(uintptr_t top);
/* The running thread and the "switch soon" flag live in the per-CPU area:
 * one %gs-relative access each, on every return to user mode. */
static inline struct thread *arch_current_thread(void)
{
	struct thread *t;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(CPU_CURRENT));
	return t;
}

static inline void arch_set_current_thread(struct thread *t)
{
	__asm__ volatile("movq %0, %%gs:%c1" : : "r"(t), "i"(CPU_CURRENT) : "memory");
}

static inline unsigned arch_cpu_id(void)
{
	unsigned id;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(CPU_ID));
	return id;
}

static inline bool arch_need_resched(void)
{
	uint32_t v;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(v) : "i"(CPU_NEED_RESCHED));
	return v;
}

static inline void arch_set_need_resched(bool on)
{
	__asm__ volatile("movl %0, %%gs:%c1" : : "r"((uint32_t)on), "i"(CPU_NEED_RESCHED)
			 : "memory");
}

/* How many spinlocks this CPU holds: one %gs-relative instruction each,
 * run with interrupts off (inside the lock), so no atomicity is needed.
 * No memory clobber: only these (volatile, so kept in order) touch the
 * count, and the lock's own atomics order everything else. */
static inline uint32_t arch_spin_count(void)
{
	uint32_t v;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(v) : "i"(CPU_SPIN_COUNT));
	return v;
}

static inline void arch_spin_count_inc(void)
{
	__asm__ volatile("incl %%gs:%c0" : : "i"(CPU_SPIN_COUNT) : "cc");
}

static inline void arch_spin_count_dec(void)
{
	__asm__ volatile("decl %%gs:%c0" : : "i"(CPU_SPIN_COUNT) : "cc");
}

/* Waits for an interrupt with interrupts enabled; returns with them off. */
void arch_idle(void);

/* Page-fault and double-fault handling (the handlers below registered). */
void arch_init_faults(void);
/* How the memory manager serves the CPU (arch sits below mm, so mm
 * registers these in vm_init and frame_init): page_fault resolves a fault
 * in the user half of the current address space (0: retry the access, or
 * -errno); is_stack_guard tells a double fault's report whether addr is a
 * kernel stack's guard page. */
void arch_set_page_fault_handler(int (*fn)(uintptr_t addr, bool write, bool fetch));
void arch_set_stack_guard_check(bool (*fn)(uintptr_t addr));
/* Where page-table pages come from: alloc returns a zeroed page's physical
 * address or 0; set before the first page table is made (frame_init). */
void arch_set_page_table_pages(uint64_t (*alloc)(void), void (*free)(uint64_t phys));

/* Why user code faulted: the process layer decides on this (reclaim and
 * retry, or kill), the name only goes into the report. */
enum user_fault_reason {
	USER_FAULT_PAGE,	/* an access the address space does not allow */
	USER_FAULT_NOMEM,	/* a page it allows, but no frame was left */
	USER_FAULT_QUOTA,	/* a page it allows, over its tree's memory limit */
	USER_FAULT_TRAP,	/* any other exception (no address) */
};
/* Who handles an exception raised in user mode (the process layer kills
 * the process). `what` names it; addr is the faulting address or 0. */
void arch_set_user_fault_handler(void (*fn)(struct trap_frame *frame,
					    enum user_fault_reason reason,
					    const char *what, uintptr_t addr));
/* Inside arch (trap.c, fault.c): hands a user-mode exception to that handler. */
void arch_user_fault(struct trap_frame *frame, enum user_fault_reason reason,
		     const char *what, uintptr_t addr);
/* Called before an interrupt or exception returns to the code it
 * interrupted: the scheduler's preemption point. */
void arch_set_trap_exit_hook(void (*fn)(struct trap_frame *frame));

/* Raw user copies (uaccess.S; the two directions are one routine); the
 * checked versions are in mm/usercopy.h. */
long arch_copy_from_user(void *dst, const void __user *src, size_t n);
long arch_copy_to_user(void __user *dst, const void *src, size_t n);
long arch_copy_user_string(char *dst, const char __user *src, size_t size);

/* Captures the caller's registers into a trap frame (vector = ~0). */
void arch_capture_frame(struct trap_frame *frame);
/* Writes every register of `frame` to the log. */
void arch_dump_frame(const struct trap_frame *frame);
/* Fills pcs[] with the return addresses of the frame chain starting at
 * `frame` (its own pc first). Stops at the first invalid frame pointer, so
 * a corrupted stack cannot fault the walk. Returns how many it stored. */
size_t arch_stack_trace(const struct trap_frame *frame, uintptr_t *pcs, size_t max);

#endif
