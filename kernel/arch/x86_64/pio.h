/* Port I/O: the PC's devices (serial, PS/2, RTC, VGA, ACPI's registers,
 * QEMU's debug exit) are programmed through the x86 I/O ports. arch/arch.h
 * includes this, so drivers need no other architecture header. */
#ifndef ARCH_X86_64_PIO_H
#define ARCH_X86_64_PIO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
