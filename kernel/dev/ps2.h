/* The PS/2 keyboard behind the 8042 controller: scancodes on IRQ 1 become
 * key events for the console (dev/input.h). */
#ifndef DEV_PS2_H
#define DEV_PS2_H

#include <stdbool.h>
#include <stdint.h>

/* Tests and programs the controller, enables the keyboard port with
 * translation (so scancode set 1 arrives) and attaches IRQ 1. Needs the
 * IRQ layer (arch_irq_attach). Returns false, with a warning, when no
 * controller answers or a test fails; every wait on the controller is
 * bounded, so a missing one cannot hang the boot. */
bool ps2_init(void);

/* Key events dropped because the event ring was full. */
uint64_t ps2_overflow_count(void);

/* For the self-test: how far ps2_init got, and what IRQ 1 has seen. */
bool ps2_controller_passed_self_test(void);
bool ps2_irq_attached(void);
uint64_t ps2_bytes_received(void);
/* Puts one byte in the controller's keyboard output buffer (command 0xD2),
 * as if the keyboard had sent it: IRQ 1 then delivers it. */
bool ps2_inject_byte(uint8_t byte);

#endif
