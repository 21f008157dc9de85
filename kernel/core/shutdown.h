/* Ending the machine. Under QEMU the isa-debug-exit device turns the status
 * into QEMU's exit code, which tools/qemu-run maps for tests (docs/testing.md).
 * Elsewhere the CPU halts. */
#ifndef CORE_SHUTDOWN_H
#define CORE_SHUTDOWN_H

#include <stdint.h>

enum system_exit_status {
	EXIT_TESTS_PASSED = 0x10,	/* QEMU exits 33 */
	EXIT_TESTS_FAILED = 0x11,	/* 35 */
	EXIT_PANIC = 0x12,		/* 37 */
	EXIT_POWEROFF = 0x13,		/* 39 */
};

/* Ends the machine: QEMU's debug-exit device when there is one, else the
 * registered power-off (for anything but a panic), else a halt. */
__attribute__((noreturn)) void system_exit(enum system_exit_status status);
/* How to power the machine off where there is no debug-exit device (ACPI
 * registers it); returns only when it failed. */
void system_set_poweroff(int (*fn)(void));
/* The device that ends the machine with a status (QEMU's debug exit:
 * dev/debug_exit.c registers it first thing in kmain); returns when the
 * device is not there. */
void system_set_exit_device(void (*fn)(uint8_t status));

#endif
