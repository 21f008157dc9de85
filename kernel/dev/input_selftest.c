/* Self-tests of keyboard and serial input as the boot left them: the PS/2
 * controller answered, IRQ 1 and IRQ 4 are attached, and a byte put in the
 * keyboard port's output buffer really arrives through IRQ 1. */
#include "arch/arch.h"
#include "core/selftest.h"
#include "dev/keymap.h"
#include "dev/ps2.h"
#include "dev/serial.h"

#define IRQ_WAIT_NS	(500ull * 1000 * 1000)

/* Puts one byte in the keyboard output buffer and waits for IRQ 1 to read it. */
static bool byte_arrives_through_irq(uint8_t byte)
{
	uint64_t before = ps2_bytes_received();

	if (!ps2_inject_byte(byte))
		return false;
	for (uint64_t deadline = arch_clock_ns() + IRQ_WAIT_NS; arch_clock_ns() < deadline;)
		if (ps2_bytes_received() > before)
			return true;
		else
			arch_cpu_relax();
	return false;
}

static void test_input(void)
{
	selftest_case("PS/2 controller passed its self-test (ps2_init ran)");
	SELFTEST_CHECK(ps2_controller_passed_self_test());

	selftest_case("keyboard IRQ 1 is attached");
	SELFTEST_CHECK(ps2_irq_attached());

	selftest_case("a keyboard byte arrives through IRQ 1");
	/* Left Shift pressed and released: no key event reaches the console. */
	if (ps2_irq_attached()) {
		SELFTEST_CHECK(byte_arrives_through_irq(0x2a));
		SELFTEST_CHECK(byte_arrives_through_irq(0xaa));
	} else {
		SELFTEST_CHECK(!"IRQ 1 not attached");
	}

	selftest_case("serial receive IRQ 4 is attached (serial_input_init ran)");
	SELFTEST_CHECK(serial_input_irq_attached());

	selftest_case("no key event was dropped");
	SELFTEST_CHECK(ps2_overflow_count() == 0);
	SELFTEST_CHECK(serial_input_overflow_count() == 0);

	selftest_case("the kernel build decodes Ctrl-C and ESC [ A");
	struct keymap_state km;
	struct key_event ev = { 0 };
	bool got = false;
	keymap_init(&km);
	for (unsigned i = 0; i < 4; i++)
		got |= keymap_feed(&km, (const uint8_t[]){ 0x1d, 0x2e, 0xae, 0x9d }[i], &ev);
	SELFTEST_CHECK(got && ev.key == 0x03 && ev.modifiers == MOD_CTRL);

	struct serial_decoder dec;
	struct key_event out[SERIAL_DECODE_MAX];
	serial_decode_init(&dec);
	SELFTEST_CHECK(serial_decode_feed(&dec, 0x1b, out) == 0);
	SELFTEST_CHECK(serial_decode_feed(&dec, '[', out) == 0);
	SELFTEST_CHECK(serial_decode_feed(&dec, 'A', out) == 1 && out[0].key == KEY_UP);
}
SELFTEST(input, test_input);
