/* FPU set-up inside kernel/arch/x86_64; the rest of the kernel sees
 * arch_fpu_* in arch/arch.h. */
#ifndef ARCH_X86_64_FPU_H
#define ARCH_X86_64_FPU_H

#include <stdint.h>

/* On the boot CPU, before any thread's state is made or switched: enables
 * the FPU, SSE and, with XSAVE, the extended state, and logs the result. */
void fpu_init(void);
/* The power-on x87 state and the default MXCSR in the registers (fpu.S). */
void fpu_reset(void);

/* Set once by fpu_init: arch_fpu_save/restore use XSAVE/XRSTOR, not
 * FXSAVE/FXRSTOR. */
extern uint8_t fpu_use_xsave;

#endif
