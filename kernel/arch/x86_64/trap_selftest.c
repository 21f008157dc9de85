/* Self-tests of exception entry: a handled trap returns with the registers
 * its handler left, and each unhandled exception gives a full report. */
#include "arch/arch.h"
#include "arch/x86_64/trap.h"
#include "core/selftest.h"

static volatile uint64_t seen_vector, seen_rip;	/* the self-test's; one test at a time */

static void breakpoint_handler(struct trap_frame *frame)
{
	seen_vector = frame->vector;
	seen_rip = frame->rip;
	frame->rax = 0x1234abcd;	/* must reach the interrupted code */
}

static void test_trap(void)
{
	uint64_t rax = 0, rbx;

	selftest_case("a handled breakpoint returns to the next instruction");
	trap_set_handler(VEC_BREAKPOINT, breakpoint_handler);
	__asm__ volatile("movq $0x55, %%rbx\n\tint3" : "+a"(rax), "=b"(rbx) : : "memory");
	trap_set_handler(VEC_BREAKPOINT, NULL);
	SELFTEST_CHECK(seen_vector == VEC_BREAKPOINT);
	SELFTEST_CHECK(seen_rip >= (uintptr_t)&test_trap);

	selftest_case("the handler's changes to the frame take effect");
	SELFTEST_CHECK(rax == 0x1234abcd);
	SELFTEST_CHECK(rbx == 0x55);		/* others are preserved */
}
SELFTEST(trap, test_trap);

static void test_fault_ud(void)
{
	selftest_case("invalid opcode is reported");
	__asm__ volatile("ud2");
}
SELFTEST_FATAL(fault-ud, test_fault_ud);

static void test_fault_pf(void)
{
	selftest_case("page fault reports the address in cr2");
	*(volatile uint64_t *)0x1000 = 1;	/* the identity map is gone */
}
SELFTEST_FATAL(fault-pf, test_fault_pf);

static void test_fault_gp(void)
{
	selftest_case("general protection fault is reported");
	*(volatile uint64_t *)0x8000000000000000ull = 1;	/* non-canonical */
}
SELFTEST_FATAL(fault-gp, test_fault_gp);

static void test_fault_de(void)
{
	selftest_case("divide error is reported");
	__asm__ volatile("xorl %%ecx, %%ecx\n\tdivl %%ecx" : : "a"(100), "d"(0) : "ecx");
}
SELFTEST_FATAL(fault-de, test_fault_de);

static void test_double_fault(void)
{
	selftest_case("a fault with an unusable stack lands on the IST stack");
	/* The push faults, and delivering that #PF needs the same unmapped
	 * stack, so the CPU raises #DF, which runs on its own IST stack. */
	__asm__ volatile("movq $0x1000, %%rsp\n\tpushq $0" ::: "memory");
}
SELFTEST_FATAL(double-fault, test_double_fault);
