/* Extended FPU state: which vector registers user threads may use, and the
 * size and format of the area each thread saves them in.
 *
 * With XSAVE (CPUID.1:ECX bit 26) the kernel enables x87 and SSE state and,
 * where the CPU has them, AVX and AVX-512 state in XCR0, and switches with
 * XSAVE/XRSTOR in their standard (non-compacted) form: offsets are fixed by
 * CPUID leaf 0DH, and the area is what a later signal frame can copy out as
 * it is. Without XSAVE it is FXSAVE's 512 bytes, and AVX stays off: with
 * CR4.OSXSAVE clear every VEX instruction is #UD (SDM Vol. 1 13.1, 14.3),
 * which kills the process that tried, not the kernel. `xsave=off` on the
 * command line forces that fallback. */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "core/log.h"
#include "core/params.h"
#include "lib/string.h"

#define CR0_MP		(1u << 1)
#define CR0_EM		(1u << 2)
#define CR0_TS		(1u << 3)
#define CR0_NE		(1u << 5)
#define CR4_OSFXSR	(1u << 9)
#define CR4_OSXMMEXCPT	(1u << 10)
#define CR4_OSXSAVE	(1u << 18)

#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID_LEAF_XSAVE	0xd

/* XCR0 state components (SDM Vol. 1 13.1). MPX (3, 4), PKRU (9) and AMX
 * (17, 18; needs a per-process permission protocol) stay off. */
#define XFEATURE_X87		(1ull << 0)
#define XFEATURE_SSE		(1ull << 1)
#define XFEATURE_AVX		(1ull << 2)
#define XFEATURE_OPMASK		(1ull << 5)
#define XFEATURE_ZMM_HI256	(1ull << 6)
#define XFEATURE_HI16_ZMM	(1ull << 7)
#define XFEATURE_AVX512		(XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

/* The legacy region (FXSAVE's layout, SDM Vol. 1 10.5.1) and the XSAVE
 * header after it (13.4.2). */
#define FXSAVE_SIZE		512
#define FX_FCW			0	/* uint16_t */
#define FX_MXCSR		24	/* uint32_t */
#define XSAVE_HEADER_SIZE	64
#define XSAVE_XSTATE_BV		512	/* uint64_t */
/* After FNINIT (SDM Vol. 1 8.1.5): round to nearest, every exception masked;
 * MXCSR's power-on value: the same for SSE. */
#define FCW_DEFAULT		0x037f
#define MXCSR_DEFAULT		0x1f80

/* Set once at boot by fpu_init and read by fpu.S on every switch. */
uint8_t fpu_use_xsave;
static uint64_t xfeatures;		/* XCR0 when fpu_use_xsave, else 0 */
static size_t state_size = FXSAVE_SIZE;
static bool xsave_disabled;		/* xsave=off */

static bool parse_xsave(const char *value)
{
	if (strcmp(value, "off") == 0)
		xsave_disabled = true;
	else if (strcmp(value, "on") != 0) {
		log_warn("cmdline: xsave=%s: expected on or off\n", value);
		return false;
	}
	return true;
}
PARAM("xsave", parse_xsave);

static void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v));
}

/* What to enable in XCR0 of what the CPU can save. AVX-512's three
 * components go together: XSETBV refuses a part of them (SDM Vol. 1 13.3). */
static uint64_t xfeatures_wanted(uint64_t supported)
{
	uint64_t want = XFEATURE_X87 | XFEATURE_SSE;

	if (!(supported & XFEATURE_AVX))
		return want;
	want |= XFEATURE_AVX;
	if ((supported & XFEATURE_AVX512) == XFEATURE_AVX512)
		want |= XFEATURE_AVX512;
	return want;
}

/* Turns XSAVE on when the CPU has it; false to stay with FXSAVE. */
static bool xsave_enable(void)
{
	uint32_t max_leaf, a, b, c, d;

	cpuid(0, 0, &max_leaf, &b, &c, &d);
	if (max_leaf < CPUID_LEAF_XSAVE)
		return false;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & CPUID1_ECX_XSAVE))
		return false;
	cpuid(CPUID_LEAF_XSAVE, 0, &a, &b, &c, &d);
	uint64_t want = xfeatures_wanted(((uint64_t)d << 32) | a);

	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(0, want);
	/* EBX: the size of the standard-form area for what XCR0 holds now. */
	cpuid(CPUID_LEAF_XSAVE, 0, &a, &b, &c, &d);
	if (b < FXSAVE_SIZE + XSAVE_HEADER_SIZE) {
		log_warn("fpu: CPUID says the XSAVE area is %u bytes; using FXSAVE\n", b);
		xsetbv(0, XFEATURE_X87 | XFEATURE_SSE);
		write_cr4(read_cr4() & ~(uint64_t)CR4_OSXSAVE);
		return false;
	}
	xfeatures = want;
	state_size = b;
	return true;
}

static void report(void)
{
	if (!fpu_use_xsave) {
		log_info("fpu: fxsave, %zu-byte state (%s)\n", state_size,
			 xsave_disabled ? "xsave=off" : "no xsave");
		return;
	}
	log_info("fpu: xsave, %zu-byte state, xcr0 %#lx (x87 sse%s%s)\n", state_size,
		 (unsigned long)xfeatures, xfeatures & XFEATURE_AVX ? " avx" : "",
		 xfeatures & XFEATURE_AVX512 ? " avx512" : "");
}

void fpu_init(void)
{
	uint64_t cr0 = read_cr0();

	/* FPU instructions run (no EM), never trap lazily (no TS), and report
	 * their exceptions as #MF (NE); SSE is on with #XM (SDM Vol. 3A 13.1). */
	cr0 = (cr0 & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	fpu_use_xsave = !xsave_disabled && xsave_enable();
	fpu_reset();
	report();
}

size_t arch_fpu_state_size(void)
{
	return state_size;
}

uint64_t arch_fpu_xfeatures(void)
{
	return xfeatures;
}

/* The state a new thread starts with, written out rather than saved from
 * the boot CPU, so nothing the firmware left in a register leaks into it:
 * x87 and SSE as FNINIT and reset leave them (all registers empty or zero)
 * and, with XSAVE, XSTATE_BV naming only those two, so XRSTOR puts every
 * other component (the upper halves of ymm, zmm, opmask) in its init
 * state (SDM Vol. 1 13.8.1). */
void arch_fpu_init_state(void *state)
{
	uint8_t *p = state;
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	memset(p, 0, state_size);
	memcpy(p + FX_FCW, &fcw, sizeof(fcw));
	memcpy(p + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	if (fpu_use_xsave) {
		uint64_t bv = XFEATURE_X87 | XFEATURE_SSE;
		memcpy(p + XSAVE_XSTATE_BV, &bv, sizeof(bv));
	}
}
