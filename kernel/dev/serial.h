/* The 16550 UART on COM1: the kernel log's first output. */
#ifndef DEV_SERIAL_H
#define DEV_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

/* Programs COM1 for 115200 8N1; returns false when no UART answers. */
bool serial_init(void);
/* Writes n bytes, turning "\n" into "\r\n". Never blocks forever. */
void serial_write(const char *text, size_t n);

#endif
