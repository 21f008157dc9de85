/* The syscall ABI promise: a system call changes rax (the result), rcx and
 * r11, and nothing else. Loads a distinct pattern into every other general
 * register, makes syscalls (a cheap one, one that blocks and switches, one
 * that fails), and checks every register afterwards. Exits 0 when all kept. */
#include "panda.h"

struct probe {
	uint64_t nr;
	uint64_t in[12];	/* rdi rbp rbx rdx rsi r8 r9 r10 r12 r13 r14 r15 */
	uint64_t out[12];
};

/* Runs one syscall with every register but rax, rcx and r11 loaded from
 * p->in and stores what they hold afterwards in p->out. Only the pointer
 * in rax (then rcx, which the syscall clobbers anyway) addresses memory. */
static void probe(struct probe *p)
{
	__asm__ volatile(
		"pushq %%rbp\n\t"
		"pushq %%rbx\n\t"
		"pushq %%r12\n\t"
		"pushq %%r13\n\t"
		"pushq %%r14\n\t"
		"pushq %%r15\n\t"
		"pushq %%rax\n\t"
		"movq 8(%%rax), %%rdi\n\t"
		"movq 16(%%rax), %%rbp\n\t"
		"movq 24(%%rax), %%rbx\n\t"
		"movq 32(%%rax), %%rdx\n\t"
		"movq 40(%%rax), %%rsi\n\t"
		"movq 48(%%rax), %%r8\n\t"
		"movq 56(%%rax), %%r9\n\t"
		"movq 64(%%rax), %%r10\n\t"
		"movq 72(%%rax), %%r12\n\t"
		"movq 80(%%rax), %%r13\n\t"
		"movq 88(%%rax), %%r14\n\t"
		"movq 96(%%rax), %%r15\n\t"
		"movq 0(%%rax), %%rax\n\t"
		"syscall\n\t"
		"movq (%%rsp), %%rcx\n\t"
		"movq %%rdi, 104(%%rcx)\n\t"
		"movq %%rbp, 112(%%rcx)\n\t"
		"movq %%rbx, 120(%%rcx)\n\t"
		"movq %%rdx, 128(%%rcx)\n\t"
		"movq %%rsi, 136(%%rcx)\n\t"
		"movq %%r8, 144(%%rcx)\n\t"
		"movq %%r9, 152(%%rcx)\n\t"
		"movq %%r10, 160(%%rcx)\n\t"
		"movq %%r12, 168(%%rcx)\n\t"
		"movq %%r13, 176(%%rcx)\n\t"
		"movq %%r14, 184(%%rcx)\n\t"
		"movq %%r15, 192(%%rcx)\n\t"
		"addq $8, %%rsp\n\t"
		"popq %%r15\n\t"
		"popq %%r14\n\t"
		"popq %%r13\n\t"
		"popq %%r12\n\t"
		"popq %%rbx\n\t"
		"popq %%rbp"
		: "+a"(p)
		:
		: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}

static const char *const names[12] = {
	"rdi", "rbp", "rbx", "rdx", "rsi", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
};

static int check(const char *what, long nr, long arg0)
{
	struct probe p = { .nr = (uint64_t)nr };
	int bad = 0;

	p.in[0] = (uint64_t)arg0;
	for (int i = 1; i < 12; i++)
		p.in[i] = 0x1111111111111111ull * (uint64_t)i + 0x0102030405060708ull;
	probe(&p);
	for (int i = 0; i < 12; i++) {
		if (p.in[i] != p.out[i]) {
			printf("syscall-regs: %s changed %s: %#lx became %#lx\n", what, names[i],
			       p.in[i], p.out[i]);
			bad = 1;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	(void)argc, (void)argv;
	bad |= check("getpid", SYS_GETPID, 0);
	bad |= check("yield", SYS_YIELD, 0);
	bad |= check("sleep", SYS_SLEEP, (long)(panda_clock() + 2000000));
	bad |= check("an unknown syscall", 999, 0);
	bad |= check("a bad handle", SYS_CLOSE, 12345);
	if (!bad)
		printf("syscall-regs: every register kept across 5 kinds of syscall\n");
	return bad;
}
