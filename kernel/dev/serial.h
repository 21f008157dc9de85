/* The 16550 UART on COM1: the kernel log's first output, and keyboard input
 * from the terminal at the other end. */
#ifndef DEV_SERIAL_H
#define DEV_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Programs COM1 for 115200 8N1; returns false when no UART answers. */
bool serial_init(void);
/* Writes n bytes, turning "\n" into "\r\n". Never blocks forever. */
void serial_write(const char *text, size_t n);

/* Interrupt-driven receive on IRQ 4: bytes from the terminal are decoded
 * (escape sequences, UTF-8, CR/LF) into key events for console_input().
 * Call once the IRQ layer is up (arch_irq_attach); false, with a warning,
 * when there is no UART or no interrupt. */
bool serial_input_init(void);
/* Key events dropped because the event ring was full. */
uint64_t serial_input_overflow_count(void);
/* For the self-test. */
bool serial_input_irq_attached(void);
uint64_t serial_input_bytes_received(void);

#endif
