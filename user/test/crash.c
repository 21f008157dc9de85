/* Commits the fault named by argv[1] and should be killed for it by the
 * kernel: null, write-null, gpf (hlt), ud (ud2), de (divide by zero), stack
 * (unbounded recursion), write-text, exec-stack (NX), kernel-read,
 * kernel-write, int3, noncanonical. Exits 1 if it survives the fault and 2
 * for an unknown kind. fault-test runs every kind. */
#include "panda.h"

/* Hides a constant address from the optimizer, which would otherwise turn
 * a null dereference into ud2 or drop a store it can prove pointless. */
static uintptr_t opaque(uintptr_t value)
{
	__asm__ volatile("" : "+r"(value) : : "memory");
	return value;
}

static volatile long recursion_limit = 1l << 40;
static volatile int dividend = 1, divisor = 0;

static long recurse(long depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = (char)depth;
	if (depth >= recursion_limit)
		return 0;
	return recurse(depth + 1) + frame[0] + frame[sizeof(frame) - 1];
}

static void do_null(void) { (void)*(volatile int *)opaque(0); }
static void do_write_null(void) { *(volatile int *)opaque(0) = 1; }
static void do_gpf(void) { __asm__ volatile("hlt"); }
static void do_ud(void) { __asm__ volatile("ud2"); }
/* Dividing by zero is the point. */
/* cppcheck-suppress zerodiv */
static void do_de(void) { volatile int result = dividend / divisor; (void)result; }
static void do_stack(void) { (void)recurse(0); }
static void do_write_text(void) { *(volatile unsigned char *)opaque((uintptr_t)&main) = 0xc3; }
static void do_kernel_read(void) { (void)*(volatile long *)opaque(0xffffffff80000000ul); }
static void do_kernel_write(void) { *(volatile long *)opaque(0xffffffff80000000ul) = 1; }
static void do_int3(void) { __asm__ volatile("int3"); }
static void do_noncanonical(void) { (void)*(volatile long *)opaque(0x8000000000000000ul); }

static void do_exec_stack(void)
{
	volatile unsigned char code[16];

	code[0] = 0xc3;		/* ret */
	((void (*)(void))opaque((uintptr_t)code))();
}

/* Touches far more demand-zero memory than the machine has: the fault
 * that finds no free frame kills the process, and the kernel lives on. */
static void do_oom(void)
{
	size_t len = 64ul << 30;
	long base = panda_mem_map(0, len, PROT_READ | PROT_WRITE);

	if (base < 0)
		return;
	for (size_t off = 0; off < len; off += 4096)
		/* base is checked above. */
		/* cppcheck-suppress nullPointerRedundantCheck */
		((volatile char *)base)[off] = 1;
}

static const struct {
	const char *name;
	void (*commit)(void);
} kinds[] = {
	{ "null", do_null },
	{ "write-null", do_write_null },
	{ "gpf", do_gpf },
	{ "ud", do_ud },
	{ "de", do_de },
	{ "stack", do_stack },
	{ "write-text", do_write_text },
	{ "exec-stack", do_exec_stack },
	{ "kernel-read", do_kernel_read },
	{ "kernel-write", do_kernel_write },
	{ "int3", do_int3 },
	{ "noncanonical", do_noncanonical },
	{ "oom", do_oom },
};

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kind, kinds[i].name) == 0) {
			kinds[i].commit();
			printf("crash: survived %s\n", kind);
			return 1;
		}
	}
	printf("crash: unknown fault kind \"%s\"\n", kind);
	return 2;
}
