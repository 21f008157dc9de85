/* AVX state (all 16 ymm registers, both halves) survives preemption and
 * yields, per process, and AVX is there only when the kernel enabled it.
 *
 *   avx-test          three workers (this process and `avx-test worker 1`,
 *                     `... worker 2`) each load all ymm registers with a
 *                     pattern of their own, spin long enough to be preempted
 *                     (every fourth round yields too), store them and
 *                     compare; exit 0 when every round matched. Exits 1
 *                     when AVX is not usable.
 *   avx-test gated    asks CPUID and XGETBV whether AVX is usable, runs
 *                     `avx-test raw` and requires it to run (usable) or to be
 *                     killed by a fault (not usable); exit 0 when it agreed.
 *   avx-test raw      executes AVX instructions without asking first.
 *
 * The registers are written and read in one asm statement, with nothing
 * but integer code and system calls between, so only the kernel's context
 * switches can change them. A kernel that saves only FXSAVE state keeps
 * the lower 128 bits of each and lets the upper ones leak from the process
 * that ran before: the comparison catches it. */
#include "panda.h"

#define ROUNDS 1500
#define SPINS 100000
#define YIELD_EVERY 4
#define WORKERS 3
#define YMM_COUNT 16
#define YMM_BYTES 32

#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID7_EBX_AVX2 (1u << 5)
#define XCR0_SSE_AVX 0x6u

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* Whether AVX may be used: the CPU has it, and the kernel set CR4.OSXSAVE
 * and XCR0's SSE and AVX bits (SDM Vol. 1 14.3). AVX2 adds instructions,
 * no state: it is reported, not required. */
static int avx_usable(char *why, size_t n)
{
	uint32_t r[4];
	uint32_t xcr0 = 0, hi;

	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	cpuid(1, 0, r);
	int osxsave = !!(r[2] & CPUID1_ECX_OSXSAVE), avx = !!(r[2] & CPUID1_ECX_AVX);
	int avx2 = 0;
	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		avx2 = !!(r[1] & CPUID7_EBX_AVX2);
	}
	if (osxsave)
		__asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
	snprintf(why, n, "osxsave=%d avx=%d avx2=%d xcr0=%#x", osxsave, avx, avx2, xcr0);
	return osxsave && avx && (xcr0 & XCR0_SSE_AVX) == XCR0_SSE_AVX;
}

/* Loads ymm0-15 from in, yields when asked, spins, and stores them to out. */
static void hold_ymm(const uint8_t *in, uint8_t *out, long spins, int yield)
{
	__asm__ volatile(
		"vmovdqu 0(%[in]), %%ymm0\n\t"
		"vmovdqu 32(%[in]), %%ymm1\n\t"
		"vmovdqu 64(%[in]), %%ymm2\n\t"
		"vmovdqu 96(%[in]), %%ymm3\n\t"
		"vmovdqu 128(%[in]), %%ymm4\n\t"
		"vmovdqu 160(%[in]), %%ymm5\n\t"
		"vmovdqu 192(%[in]), %%ymm6\n\t"
		"vmovdqu 224(%[in]), %%ymm7\n\t"
		"vmovdqu 256(%[in]), %%ymm8\n\t"
		"vmovdqu 288(%[in]), %%ymm9\n\t"
		"vmovdqu 320(%[in]), %%ymm10\n\t"
		"vmovdqu 352(%[in]), %%ymm11\n\t"
		"vmovdqu 384(%[in]), %%ymm12\n\t"
		"vmovdqu 416(%[in]), %%ymm13\n\t"
		"vmovdqu 448(%[in]), %%ymm14\n\t"
		"vmovdqu 480(%[in]), %%ymm15\n\t"
		"testl %[yield], %[yield]\n\t"
		"jz 1f\n\t"
		"movl %[nr], %%eax\n\t"
		"syscall\n"
		"1:\n\t"
		"decq %[spins]\n\t"
		"jnz 1b\n\t"
		"vmovdqu %%ymm0, 0(%[out])\n\t"
		"vmovdqu %%ymm1, 32(%[out])\n\t"
		"vmovdqu %%ymm2, 64(%[out])\n\t"
		"vmovdqu %%ymm3, 96(%[out])\n\t"
		"vmovdqu %%ymm4, 128(%[out])\n\t"
		"vmovdqu %%ymm5, 160(%[out])\n\t"
		"vmovdqu %%ymm6, 192(%[out])\n\t"
		"vmovdqu %%ymm7, 224(%[out])\n\t"
		"vmovdqu %%ymm8, 256(%[out])\n\t"
		"vmovdqu %%ymm9, 288(%[out])\n\t"
		"vmovdqu %%ymm10, 320(%[out])\n\t"
		"vmovdqu %%ymm11, 352(%[out])\n\t"
		"vmovdqu %%ymm12, 384(%[out])\n\t"
		"vmovdqu %%ymm13, 416(%[out])\n\t"
		"vmovdqu %%ymm14, 448(%[out])\n\t"
		"vmovdqu %%ymm15, 480(%[out])\n\t"
		"vzeroupper"
		: [spins] "+r"(spins)
		: [in] "r"(in), [out] "r"(out), [yield] "r"(yield), [nr] "i"(SYS_YIELD)
		: "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		  "xmm13", "xmm14", "xmm15");
}

/* Every 64-bit lane of every register differs, within a round and between
 * workers and rounds, the upper halves from the lower ones too. */
static void fill(uint64_t *lanes, unsigned worker, unsigned round)
{
	for (unsigned i = 0; i < YMM_COUNT * YMM_BYTES / 8; i++)
		lanes[i] = 0xa5c3000000000000ull ^ ((uint64_t)worker << 44) ^
			   ((uint64_t)i << 32) ^ round * 0x9e3779b1u;
}

static int work(unsigned worker)
{
	static uint64_t in[YMM_COUNT * YMM_BYTES / 8], out[YMM_COUNT * YMM_BYTES / 8];
	static uint64_t took[ROUNDS];
	uint64_t fastest = UINT64_MAX;
	int bad = 0, yields = 0, preempted = 0;

	for (unsigned r = 0; r < ROUNDS; r++) {
		int yield = r % YIELD_EVERY == 0;
		uint64_t start = panda_clock();

		fill(in, worker, r);
		hold_ymm((const uint8_t *)in, (uint8_t *)out, SPINS, yield);
		took[r] = panda_clock() - start;
		yields += yield;
		if (!yield && took[r] < fastest)
			fastest = took[r];
		for (unsigned i = 0; i < YMM_COUNT * YMM_BYTES / 8; i++) {
			if (in[i] == out[i])
				continue;
			if (bad++ < 4)
				printf("avx-test: worker %u round %u: ymm%u bits %u-%u are %#lx, "
				       "not %#lx\n", worker, r, i / 4, i % 4 * 64, i % 4 * 64 + 63,
				       (unsigned long)out[i], (unsigned long)in[i]);
		}
	}
	/* A round that took four times the fastest without yielding was
	 * switched away from in the middle: a preemption. */
	for (unsigned r = 0; r < ROUNDS; r++)
		preempted += r % YIELD_EVERY != 0 && took[r] > 4 * fastest;
	printf("avx-test: worker %u: %d rounds, %d yields, %d preempted, %d lanes changed\n",
	       worker, ROUNDS, yields, preempted, bad);
	return bad ? 1 : 0;
}

static long wait_child(long h, struct panda_exit_status *status)
{
	long err = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, status);

	panda_close((panda_handle_t)h);
	return err;
}

static int run_workers(void)
{
	long handles[WORKERS];
	char why[96];
	int failures = 0;

	if (!avx_usable(why, sizeof(why))) {
		printf("avx-test: AVX is not usable here (%s)\n", why);
		return 1;
	}
	printf("avx-test: AVX usable (%s)\n", why);
	for (unsigned w = 1; w < WORKERS; w++) {
		char id[4] = { (char)('0' + w), 0 };
		const char *argv[] = { "/test/avx-test", "worker", id };

		handles[w] = panda_spawn_simple(panda_startup_handle(0), "/test/avx-test", 3, argv);
		if (handles[w] < 0) {
			printf("avx-test: cannot spawn worker %u: %s\n", w,
			       error_name((int)handles[w]));
			failures++;
		}
	}
	failures += work(0);
	for (unsigned w = 1; w < WORKERS; w++) {
		struct panda_exit_status status;

		if (handles[w] < 0)
			continue;
		if (wait_child(handles[w], &status) < 0 || status.how != EXIT_NORMAL ||
		    status.code != 0) {
			printf("avx-test: worker %u failed (%s)\n", w, panda_exit_how_name(status.how));
			failures++;
		}
	}
	if (failures)
		return 1;
	printf("avx-test: %d workers kept all %d ymm registers\n", WORKERS, YMM_COUNT);
	return 0;
}

static int run_raw(void)
{
	uint64_t lanes[4] = { 1, 2, 3, 4 }, back[4];

	__asm__ volatile("vmovdqu %[in], %%ymm3\n\t"
			 "vpaddq %%ymm3, %%ymm3, %%ymm3\n\t"
			 "vmovdqu %%ymm3, %[out]\n\t"
			 "vzeroupper"
			 : [out] "=m"(back) : [in] "m"(lanes) : "xmm3");
	printf("avx-test: raw AVX ran: %lu %lu %lu %lu\n", (unsigned long)back[0],
	       (unsigned long)back[1], (unsigned long)back[2], (unsigned long)back[3]);
	return back[3] == 8 ? 0 : 1;
}

/* AVX instructions work exactly when CPUID and XGETBV say they may. */
static int run_gated(void)
{
	const char *argv[] = { "/test/avx-test", "raw" };
	struct panda_exit_status status;
	char why[96];
	int usable = avx_usable(why, sizeof(why));
	long h = panda_spawn_simple(panda_startup_handle(0), "/test/avx-test", 2, argv);

	if (h < 0 || wait_child(h, &status) < 0) {
		printf("avx-test: cannot run avx-test raw\n");
		return 1;
	}
	printf("avx-test: AVX %s (%s); the child that used it ended: %s\n",
	       usable ? "usable" : "not usable", why, panda_exit_how_name(status.how));
	if (usable ? status.how == EXIT_NORMAL && status.code == 0 : status.how == EXIT_FAULT)
		return 0;
	printf("avx-test: that is wrong\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "worker") == 0)
		return work((unsigned)(argv[2][0] - '0'));
	if (argc > 1 && strcmp(argv[1], "raw") == 0)
		return run_raw();
	if (argc > 1 && strcmp(argv[1], "gated") == 0)
		return run_gated();
	return run_workers();
}
