#include "dev/serial.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"

#define COM1		0x3f8
#define REG_DATA	0	/* DLAB=0: transmit/receive */
#define REG_IER		1	/* DLAB=0: interrupt enable */
#define REG_DLL		0	/* DLAB=1: divisor low */
#define REG_DLM		1	/* DLAB=1: divisor high */
#define REG_FCR		2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR_RTS_OUT2 0x0b
#define MCR_LOOPBACK	0x10
#define LSR_THR_EMPTY	0x20

/* A transmitter that never drains (unplugged real hardware) must not hang
 * the kernel: give up on a byte after this many polls. */
#define TX_SPIN_LIMIT	100000

static bool serial_present;

bool serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DLL, 1);		/* 115200 baud */
	outb(COM1 + REG_DLM, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, 0xc7);		/* enable and clear FIFOs */

	/* A loopback round trip proves a UART is there. */
	outb(COM1 + REG_MCR, MCR_LOOPBACK | MCR_DTR_RTS_OUT2);
	outb(COM1 + REG_DATA, 0xa5);
	serial_present = inb(COM1 + REG_DATA) == 0xa5;
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
	return serial_present;
}

static void put_byte(char c)
{
	for (int i = 0; i < TX_SPIN_LIMIT; i++)
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *text, size_t n)
{
	if (!serial_present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			put_byte('\r');
		put_byte(text[i]);
	}
}
