#include "dev/serial.h"

#include <stdint.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "dev/input.h"
#include "dev/keymap.h"
#include "dev/random.h"
#include "sched/sched.h"

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
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define IER_RX_DATA	0x01	/* received data available (and FIFO timeout) */

#define SERIAL_IRQ	4	/* COM1 */

/* A transmitter that never drains (unplugged real hardware) must not hang
 * the kernel: give up on a byte after this many polls. */
#define TX_SPIN_LIMIT	100000

static bool serial_present;	/* set once at boot */

static const struct log_sink serial_sink = { .write = serial_write };

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
	if (serial_present)
		log_add_sink(&serial_sink);
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

/* --- input -----------------------------------------------------------------
 * IRQ 4 drains the receive FIFO, decodes the bytes (a terminal's keys:
 * dev/keymap.c) and queues the events in a fixed ring, then hands them to
 * console_input(). Lock order: rx_lock, then the log's lock and whatever
 * console_input takes. Output never takes rx_lock. */

/* Bytes read per interrupt at most; the FIFO holds 16. */
#define RX_DRAIN_MAX	256
/* After a lone ESC, how long to wait for the rest of an escape sequence
 * before taking it as the Esc key: LSR polls, each about 1 us on real
 * hardware, so some 2 ms, 20 character times at 115200 baud. Terminals send
 * a sequence in one write, so its bytes arrive back to back. */
#define ESC_WAIT_POLLS	2000
/* A lone ESC, a partial escape sequence or UTF-8 character still pending
 * when a burst ends waits this long for the rest before the decoder is
 * flushed (a lone ESC becomes the Esc key, a partial sequence is dropped):
 * under emulation a terminal's one write can reach the UART in two bursts,
 * far more than ESC_WAIT_POLLS apart, and an arrow key must not turn into
 * "[A", while a half sequence must not swallow the next key either. */
#define PENDING_TIMEOUT_NS	(30 * 1000000ull)

static struct spinlock rx_lock = SPINLOCK_INIT("serial-rx");
/* Guarded by rx_lock. */
static struct serial_decoder decoder;	/* rx_lock, as are the ring and counts below */
static struct key_ring rx_ring;
static uint64_t rx_bytes;

static bool rx_attached;	/* set once at boot */
static uint64_t pending_burst;		/* the burst that left input pending; 0: none */
static uint64_t burst_count;
static struct wait_queue pending_wq;	/* its own lock */
static bool pending_thread;		/* the timeout thread runs; set at boot */

static bool data_ready(void)
{
	return inb(COM1 + REG_LSR) & LSR_DATA_READY;
}

static bool wait_data_ready(void)
{
	for (int i = 0; i < ESC_WAIT_POLLS; i++)
		if (data_ready())
			return true;
	return false;
}

static void queue_events(const struct key_event *ev, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		key_ring_push(&rx_ring, &ev[i]);
}

/* Hands the queued events to the console. Caller holds rx_lock. */
static void deliver(void)
{
	struct key_event out;

	spin_assert_held(&rx_lock);
	while (key_ring_pop(&rx_ring, &out)) {
		log_debug("input: serial key 0x%x mods 0x%x\n", out.key, out.modifiers);
		console_input(&out);
	}
}

/* Runs in interrupt context, and once from serial_input_init. */
static void serial_irq(void *ctx)
{
	struct key_event ev[SERIAL_DECODE_MAX];
	bool quiet = false;

	(void)ctx;
	random_add_event(arch_tsc());
	irq_state_t s = spin_lock(&rx_lock);
	for (int i = 0; i < RX_DRAIN_MAX; i++) {
		if (!data_ready() && !(serial_decode_esc_pending(&decoder) && wait_data_ready())) {
			quiet = true;
			break;
		}
		uint8_t byte = inb(COM1 + REG_DATA);
		rx_bytes++;
		queue_events(ev, serial_decode_feed(&decoder, byte, ev));
		/* Hand them on at once: QEMU refills the FIFO while we drain it,
		 * and a long paste would overflow the ring before the end. */
		deliver();
	}
	/* Whatever is left unfinished waits for the next burst; the pending
	 * thread flushes it once PENDING_TIMEOUT_NS pass without one. Without
	 * that thread a lone ESC that nothing followed is the Esc key now. */
	burst_count++;
	pending_burst = serial_decode_pending(&decoder) ? burst_count : 0;
	if (pending_burst && pending_thread)
		wait_queue_wake_all(&pending_wq, 0);
	else if (quiet && serial_decode_esc_pending(&decoder))
		queue_events(ev, serial_decode_flush(&decoder, ev));

	deliver();

	/* ISA interrupts are edge-triggered: if bytes are still waiting (the
	 * drain limit was hit), drop and raise the UART's interrupt line so
	 * another edge brings us back. */
	if (data_ready()) {
		outb(COM1 + REG_IER, 0);
		outb(COM1 + REG_IER, IER_RX_DATA);
	}
	spin_unlock(&rx_lock, s);
}

static bool input_pending(void *arg)
{
	(void)arg;
	guard(spinlock)(&rx_lock);
	return pending_burst != 0;
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

/* Flushes the decoder when what it holds stayed unfinished for
 * PENDING_TIMEOUT_NS without another burst. */
static void pending_timeout_thread(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&pending_wq, input_pending, NULL, UINT64_MAX);
		uint64_t burst;
		{
			guard(spinlock)(&rx_lock);
			burst = pending_burst;
		}
		wait_event(&pending_wq, never, NULL, arch_clock_ns() + PENDING_TIMEOUT_NS);

		struct key_event ev[SERIAL_DECODE_MAX];
		guard(spinlock)(&rx_lock);
		if (!burst || pending_burst != burst)
			continue;	/* more bytes came: the burst that did decides */
		pending_burst = 0;
		queue_events(ev, serial_decode_flush(&decoder, ev));
		deliver();
	}
}

bool serial_input_init(void)
{
	if (!serial_present) {
		log_warn("serial: no UART on COM1; no serial input\n");
		return false;
	}
	irq_state_t s = spin_lock(&rx_lock);
	serial_decode_init(&decoder);
	key_ring_init(&rx_ring);
	spin_unlock(&rx_lock, s);

	wait_queue_init(&pending_wq);
	struct thread *t = thread_create_kernel("serial-input", pending_timeout_thread, NULL);
	if (t) {
		pending_thread = true;
		thread_start(t);
	} else {
		log_warn("serial: no memory for the input thread; escape sequences split "
			 "across bursts may be misread\n");
	}
	int err = arch_irq_attach(SERIAL_IRQ, serial_irq, NULL);
	if (err < 0) {
		log_warn("serial: cannot attach IRQ %d (error %d); no serial input\n",
			 SERIAL_IRQ, err);
		return false;
	}
	rx_attached = true;
	/* OUT2 gates the UART's interrupt onto the ISA line on PCs. */
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
	outb(COM1 + REG_IER, IER_RX_DATA);
	/* Bytes typed ahead raised no interrupt: take them now. */
	serial_irq(NULL);
	log_info("serial: input on IRQ %d\n", SERIAL_IRQ);
	return true;
}

uint64_t serial_input_overflow_count(void)
{
	guard(spinlock)(&rx_lock);
	return rx_ring.dropped;
}

bool serial_input_irq_attached(void)
{
	return rx_attached;
}

uint64_t serial_input_bytes_received(void)
{
	guard(spinlock)(&rx_lock);
	return rx_bytes;
}
