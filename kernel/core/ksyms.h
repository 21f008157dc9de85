/* The kernel's own symbol table, embedded at build time (tools/gen-ksyms),
 * so backtraces name functions without any help from the boot loader. */
#ifndef CORE_KSYMS_H
#define CORE_KSYMS_H

#include <stdint.h>

/* The function containing `addr`, or NULL; *offset receives addr - start. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);

#endif
