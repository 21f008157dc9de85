/* The kernel's C entry point (main.c), which boot.S calls. */
#ifndef INIT_MAIN_H
#define INIT_MAIN_H

#include <stdint.h>

/* On the boot stack, in the higher half, with the boot loader's magic and
 * info block address; never returns. */
void kmain(uint32_t magic, uint32_t info_phys);

#endif
