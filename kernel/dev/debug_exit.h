/* QEMU's isa-debug-exit device (iobase 0xf4): writing v makes QEMU exit with
 * status (v << 1) | 1. Harmless where the device does not exist. */
#ifndef DEV_DEBUG_EXIT_H
#define DEV_DEBUG_EXIT_H

#include <stdint.h>

void debug_exit(uint8_t value);
/* Makes system_exit end QEMU through the device (core/shutdown.h). */
void debug_exit_init(void);

#endif
