/* FPU/SSE state survives preemption and system calls. Two children
 * (`fpu-test child A` and `... child B`, different seeds) and the parent each
 * run a long double-precision and single-precision workload twice: once
 * straight through, once yielding every 1000 iterations so the processes
 * interleave, and require bit-identical results. At each yield xmm6 and
 * xmm15 hold a pattern that must come back unchanged (the syscall ABI
 * clobbers only rcx and r11). Exit 0 when everything matched. */
#include "panda.h"

#define ITERATIONS 3000000
#define YIELD_EVERY 1000

struct result {
	double x;
	float f;
	int vector_errors;
};

/* Yields with a pattern held in two vector registers across the syscall. */
static int vector_state_survives_yield(uint64_t pattern)
{
	uint64_t out[4];

	__asm__ volatile("movq %[p], %%xmm6\n\t"
			 "pshufd $0x44, %%xmm6, %%xmm6\n\t"
			 "movdqa %%xmm6, %%xmm15\n\t"
			 "movl %[nr], %%eax\n\t"
			 "syscall\n\t"
			 "movdqu %%xmm6, 0(%[out])\n\t"
			 "movdqu %%xmm15, 16(%[out])"
			 :
			 : [p] "r"(pattern), [nr] "i"(SYS_YIELD), [out] "r"(out)
			 : "rax", "rcx", "r11", "xmm6", "xmm15", "memory");
	return out[0] == pattern && out[1] == pattern && out[2] == pattern &&
	       out[3] == pattern;
}

static __attribute__((noinline)) struct result workload(double seed, int yield)
{
	struct result r = { 1.0, 0.0f, 0 };

	for (long i = 0; i < ITERATIONS; i++) {
		r.x = r.x * 1.0000001 + seed * 1e-9;
		r.f += (float)(i & 255) * 0.001f;
		if (yield && i % YIELD_EVERY == 0 &&
		    !vector_state_survives_yield(0x5a5a000000000000ull ^ (uint64_t)i))
			r.vector_errors++;
	}
	return r;
}

/* Runs the workload both ways; returns 0 when they agree bit for bit. */
static int check(const char *who, double seed)
{
	struct result straight = workload(seed, 0);
	struct result interleaved = workload(seed, 1);
	uint64_t x;

	memcpy(&x, &straight.x, sizeof(x));
	if (interleaved.vector_errors) {
		printf("fpu-test: %s: vector registers changed across %d yields\n",
		       who, interleaved.vector_errors);
		return 1;
	}
	if (memcmp(&straight.x, &interleaved.x, sizeof(double)) != 0 ||
	    memcmp(&straight.f, &interleaved.f, sizeof(float)) != 0) {
		printf("fpu-test: %s: results differ after preemption\n", who);
		return 1;
	}
	printf("fpu-test: %s matched (x bits %#lx)\n", who, (unsigned long)x);
	return 0;
}

static int run_children(void)
{
	static const char *const names[] = { "A", "B" };
	long handles[2];
	int failures = 0;

	for (int i = 0; i < 2; i++) {
		const char *argv[] = { "/test/fpu-test", "child", names[i] };

		handles[i] = panda_spawn_simple(panda_startup_handle(0), "/test/fpu-test", 3, argv);
		if (handles[i] < 0) {
			printf("fpu-test: cannot spawn child %s: %s\n", names[i],
			       error_name((int)handles[i]));
			failures++;
		}
	}
	failures += check("parent", 3.0);
	for (int i = 0; i < 2; i++) {
		struct panda_exit_status status;
		long err;

		if (handles[i] < 0)
			continue;
		err = panda_process_wait((panda_handle_t)handles[i], PANDA_DEADLINE_NEVER, &status);
		panda_close((panda_handle_t)handles[i]);
		if (err < 0 || status.how != EXIT_NORMAL || status.code != 0) {
			printf("fpu-test: child %s failed (%s, code %d)\n", names[i],
			       err < 0 ? error_name((int)err) : panda_exit_how_name(status.how),
			       err < 0 ? -1 : status.code);
			failures++;
		}
	}
	if (failures)
		return 1;
	printf("fpu-test: all 3 computations matched\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0) {
		char who[16];

		snprintf(who, sizeof(who), "child %s", argv[2]);
		return check(who, 1.0 + (argv[2][0] - 'A') * 0.75);
	}
	return run_children();
}
