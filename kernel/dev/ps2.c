/* The 8042 PS/2 controller and the keyboard on its first port.
 *
 * Ports (IBM PC/AT Technical Reference; OSDev "8042 PS/2 Controller"):
 * 0x60 data, 0x64 status (read) and command (write). The controller's
 * configuration byte enables the port interrupts and the set-2-to-set-1
 * translation. We keep the second (mouse) port disabled.
 *
 * IRQ 1 drains the output buffer, runs each byte through the scancode state
 * machine (dev/keymap.c) and queues the key presses in a fixed ring, then
 * hands them to console_input(). Lock order: ps2_lock, then whatever
 * console_input takes. */
#include "dev/ps2.h"

#include "arch/arch.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "dev/input.h"
#include "dev/keymap.h"
#include "dev/random.h"

#define PS2_DATA	0x60
#define PS2_STATUS	0x64		/* read */
#define PS2_COMMAND	0x64		/* write */

#define STATUS_OUT_FULL	0x01		/* a byte waits in 0x60 for us */
#define STATUS_IN_FULL	0x02		/* the controller has not taken our last write */
#define STATUS_AUX	0x20		/* the waiting byte is from the second port */

#define CMD_READ_CONFIG		0x20
#define CMD_WRITE_CONFIG	0x60
#define CMD_DISABLE_PORT2	0xa7
#define CMD_SELF_TEST		0xaa
#define CMD_TEST_PORT1		0xab
#define CMD_DISABLE_PORT1	0xad
#define CMD_ENABLE_PORT1	0xae
#define CMD_WRITE_PORT1_OUTPUT	0xd2

#define CONFIG_IRQ1		0x01
#define CONFIG_IRQ12		0x02
#define CONFIG_PORT1_CLOCK_OFF	0x10
#define CONFIG_PORT2_CLOCK_OFF	0x20
#define CONFIG_TRANSLATE	0x40

#define SELF_TEST_PASSED	0x55
#define PORT_TEST_PASSED	0x00
#define KBD_ENABLE_SCANNING	0xf4
#define KBD_ACK			0xfa

#define KEYBOARD_IRQ	1
/* Status polls before a wait gives up. A port read takes about 1 us on a
 * real ISA bus, so this is some 100 ms: far beyond any controller's reply
 * time, short enough that a machine without one still boots. */
#define WAIT_POLLS	100000
/* Bytes read per interrupt at most: more than the controller can buffer,
 * so only a stuck status register ever reaches it. */
#define DRAIN_MAX	64

static struct spinlock ps2_lock = SPINLOCK_INIT("ps2");
/* Guarded by ps2_lock. */
static struct keymap_state keymap;	/* guarded by ps2_lock, as are ring and bytes_received */
static struct key_ring ring;
static uint64_t bytes_received;

static bool self_test_passed;	/* set once by ps2_init */
static bool irq_attached;	/* set once by ps2_init */

static bool wait_input_empty(void)
{
	for (int i = 0; i < WAIT_POLLS; i++)
		if (!(inb(PS2_STATUS) & STATUS_IN_FULL))
			return true;
	return false;
}

static bool wait_output_full(void)
{
	for (int i = 0; i < WAIT_POLLS; i++)
		if (inb(PS2_STATUS) & STATUS_OUT_FULL)
			return true;
	return false;
}

static bool send_command(uint8_t cmd)
{
	if (!wait_input_empty())
		return false;
	outb(PS2_COMMAND, cmd);
	return true;
}

static bool send_data(uint8_t byte)
{
	if (!wait_input_empty())
		return false;
	outb(PS2_DATA, byte);
	return true;
}

/* A command with a one-byte reply; -1 when the controller does not answer. */
static int command_reply(uint8_t cmd)
{
	if (!send_command(cmd) || !wait_output_full())
		return -1;
	return inb(PS2_DATA);
}

static bool write_config(uint8_t config)
{
	return send_command(CMD_WRITE_CONFIG) && send_data(config);
}

static void flush_output(void)
{
	for (int i = 0; i < DRAIN_MAX && (inb(PS2_STATUS) & STATUS_OUT_FULL); i++)
		(void)inb(PS2_DATA);
}

/* Runs in interrupt context, and once from ps2_init. */
static void ps2_irq(void *ctx)
{
	struct key_event ev;

	(void)ctx;
	random_add_event(arch_tsc());
	irq_state_t s = spin_lock(&ps2_lock);
	for (int i = 0; i < DRAIN_MAX; i++) {
		uint8_t status = inb(PS2_STATUS);
		if (!(status & STATUS_OUT_FULL))
			break;
		uint8_t byte = inb(PS2_DATA);
		if (status & STATUS_AUX)
			continue;		/* mouse data: not ours */
		bytes_received++;
		if (keymap_feed(&keymap, byte, &ev))
			key_ring_push(&ring, &ev);
	}
	while (key_ring_pop(&ring, &ev)) {
		log_debug("input: ps2 key 0x%x mods 0x%x\n", ev.key, ev.modifiers);
		console_input(&ev);
	}
	spin_unlock(&ps2_lock, s);
}

static bool fail(const char *what)
{
	log_warn("ps2: %s; no PS/2 keyboard\n", what);
	return false;
}

bool ps2_init(void)
{
	/* Nothing decodes port 0x64 on a machine without a controller: the
	 * bus floats to 0xff, which no real status byte is. */
	if (inb(PS2_STATUS) == 0xff)
		return fail("no controller at port 0x64");

	keymap_init(&keymap);
	key_ring_init(&ring);

	/* Quiet both ports so no device byte mixes with the replies below. */
	if (!send_command(CMD_DISABLE_PORT1) || !send_command(CMD_DISABLE_PORT2))
		return fail("controller does not take commands");
	flush_output();

	int config = command_reply(CMD_READ_CONFIG);
	if (config < 0)
		return fail("controller does not report its configuration");
	uint8_t cfg = (uint8_t)config & ~(CONFIG_IRQ1 | CONFIG_IRQ12);
	if (!write_config(cfg))
		return fail("controller does not take its configuration");

	int reply = command_reply(CMD_SELF_TEST);
	if (reply != SELF_TEST_PASSED) {
		log_warn("ps2: controller self-test answered %#x, not 0x55\n", reply);
		return fail("controller failed its self-test");
	}
	self_test_passed = true;
	/* Some controllers reset themselves during the self-test. */
	if (!write_config(cfg))
		return fail("controller does not take its configuration");

	reply = command_reply(CMD_TEST_PORT1);
	if (reply != PORT_TEST_PASSED) {
		log_warn("ps2: keyboard port test answered %#x\n", reply);
		return fail("keyboard port failed its test");
	}
	if (!send_command(CMD_ENABLE_PORT1))
		return fail("controller does not take commands");

	/* The firmware usually left scanning on; make sure. Without an ACK
	 * there may be no keyboard plugged in: carry on, one may be later. */
	if (!send_data(KBD_ENABLE_SCANNING) || !wait_output_full() || inb(PS2_DATA) != KBD_ACK)
		log_warn("ps2: keyboard did not acknowledge \"enable scanning\"\n");
	flush_output();

	int err = arch_irq_attach(KEYBOARD_IRQ, ps2_irq, NULL);
	if (err < 0) {
		log_warn("ps2: cannot attach IRQ %d (error %d)\n", KEYBOARD_IRQ, err);
		return fail("no interrupt");
	}
	irq_attached = true;

	/* Translation on, whatever the firmware chose: keymap.c decodes set 1,
	 * and a keyboard reset (or a hot plug) returns the keyboard to set 2,
	 * which the controller then translates. The mouse port stays off. */
	cfg = (cfg | CONFIG_IRQ1 | CONFIG_TRANSLATE | CONFIG_PORT2_CLOCK_OFF) &
	      ~(CONFIG_PORT1_CLOCK_OFF | CONFIG_IRQ12);
	if (!write_config(cfg))
		return fail("controller does not take its configuration");
	/* A byte that arrived before the interrupt was enabled raised no edge. */
	ps2_irq(NULL);
	log_info("ps2: keyboard on IRQ %d (controller configuration %#x)\n", KEYBOARD_IRQ, cfg);
	return true;
}

uint64_t ps2_overflow_count(void)
{
	guard(spinlock)(&ps2_lock);
	return ring.dropped;
}

bool ps2_controller_passed_self_test(void)
{
	return self_test_passed;
}

bool ps2_irq_attached(void)
{
	return irq_attached;
}

uint64_t ps2_bytes_received(void)
{
	guard(spinlock)(&ps2_lock);
	return bytes_received;
}

bool ps2_inject_byte(uint8_t byte)
{
	guard(spinlock)(&ps2_lock);
	return send_command(CMD_WRITE_PORT1_OUTPUT) && send_data(byte);
}
