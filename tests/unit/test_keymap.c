/* Scancode set 1 and terminal bytes to key events (kernel/dev/keymap.c).
 * The scancode sequences are what QEMU's 8042 delivers with translation on
 * (TOOLING.md section 4): `1e 9e` for 'a', `1d 2e ae 9d` for Ctrl-C. */
#include <stddef.h>
#include <stdint.h>

#include "dev/keymap.h"
#include "unit.h"

#define MAX_EVENTS 64

struct events {
	int n;
	struct key_event ev[MAX_EVENTS];
};

/* Feeds the bytes to s and collects what comes out. */
static struct events ps2_run(struct keymap_state *s, const uint8_t *bytes, size_t len)
{
	struct events e = { 0 };
	struct key_event ev;

	for (size_t i = 0; i < len; i++)
		if (keymap_feed(s, bytes[i], &ev) && e.n < MAX_EVENTS)
			e.ev[e.n++] = ev;
	return e;
}

#define PS2(...)							\
	({								\
		static const uint8_t b_[] = { __VA_ARGS__ };		\
		struct keymap_state s_;					\
		keymap_init(&s_);					\
		ps2_run(&s_, b_, sizeof(b_));				\
	})

static struct events serial_run(struct serial_decoder *d, const char *bytes, size_t len)
{
	struct events e = { 0 };
	struct key_event ev[SERIAL_DECODE_MAX];

	for (size_t i = 0; i < len; i++) {
		unsigned n = serial_decode_feed(d, (uint8_t)bytes[i], ev);
		for (unsigned k = 0; k < n && e.n < MAX_EVENTS; k++)
			e.ev[e.n++] = ev[k];
	}
	return e;
}

/* A string literal through a fresh decoder (sizeof - 1: NULs may be in it). */
#define SERIAL(str)							\
	({								\
		struct serial_decoder d_;				\
		serial_decode_init(&d_);				\
		serial_run(&d_, (str), sizeof(str) - 1);		\
	})

#define CHECK_EVENT(e, i, k, m)						\
	do {								\
		CHECK((e).n > (i));					\
		CHECK_EQ((e).ev[i].key, (k));				\
		CHECK_EQ((e).ev[i].modifiers, (m));			\
	} while (0)

/* --- PS/2 ------------------------------------------------------------- */

TEST(test_a_press_and_release_gives_one_a)
{
	struct events e = PS2(0x1e, 0x9e);
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'a', 0);
}

TEST(test_release_alone_gives_nothing)
{
	CHECK_EQ(PS2(0x9e).n, 0);
	CHECK_EQ(PS2(0xaa, 0xb6, 0x9d, 0xb8).n, 0);
}

TEST(test_shift_gives_capital)
{
	struct events e = PS2(0x2a, 0x1e, 0x9e, 0xaa);
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'A', MOD_SHIFT);

	e = PS2(0x36, 0x30, 0xb0, 0xb6);	/* right shift, b */
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'B', MOD_SHIFT);
}

TEST(test_shift_released_gives_lower_case_again)
{
	struct events e = PS2(0x2a, 0x1e, 0x9e, 0xaa, 0x1e, 0x9e);
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 'A', MOD_SHIFT);
	CHECK_EVENT(e, 1, 'a', 0);
}

TEST(test_releasing_one_shift_keeps_the_other)
{
	struct events e = PS2(0x2a, 0x36, 0xaa, 0x1e, 0xb6, 0x1e);
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 'A', MOD_SHIFT);
	CHECK_EVENT(e, 1, 'a', 0);
}

TEST(test_caps_lock_toggles_and_affects_letters_only)
{
	struct events e = PS2(0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82, 0x1a, 0x9a);
	CHECK_EQ(e.n, 3);
	CHECK_EVENT(e, 0, 'A', MOD_CAPS);
	CHECK_EVENT(e, 1, '1', MOD_CAPS);
	CHECK_EVENT(e, 2, '[', MOD_CAPS);

	e = PS2(0x3a, 0xba, 0x2a, 0x1e, 0x02, 0xaa);	/* caps + shift */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 'a', MOD_CAPS | MOD_SHIFT);
	CHECK_EVENT(e, 1, '!', MOD_CAPS | MOD_SHIFT);

	e = PS2(0x3a, 0xba, 0x3a, 0xba, 0x1e);		/* on, off */
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'a', 0);
}

TEST(test_held_caps_lock_toggles_once)
{
	struct events e = PS2(0x3a, 0x3a, 0x3a, 0x3a, 0xba, 0x1e);
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'A', MOD_CAPS);
}

TEST(test_ctrl_letter_gives_control_character)
{
	struct events e = PS2(0x1d, 0x2e, 0xae, 0x9d);	/* QEMU's sendkey ctrl-c */
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 0x03, MOD_CTRL);

	e = PS2(0x1d, 0x20, 0xa0, 0x16, 0x96, 0x9d);	/* Ctrl-D, Ctrl-U */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 0x04, MOD_CTRL);
	CHECK_EVENT(e, 1, 0x15, MOD_CTRL);

	e = PS2(0xe0, 0x1d, 0x2e, 0xae, 0xe0, 0x9d, 0x2e);	/* right Ctrl */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 0x03, MOD_CTRL);
	CHECK_EVENT(e, 1, 'c', 0);

	e = PS2(0x1d, 0x2a, 0x2e);			/* Ctrl-Shift-C */
	CHECK_EVENT(e, 0, 0x03, MOD_CTRL | MOD_SHIFT);

	e = PS2(0x3a, 0xba, 0x1d, 0x2e);		/* caps does not matter */
	CHECK_EVENT(e, 0, 0x03, MOD_CTRL | MOD_CAPS);
}

TEST(test_ctrl_with_a_digit_keeps_the_digit)
{
	struct events e = PS2(0x1d, 0x02);
	CHECK_EVENT(e, 0, '1', MOD_CTRL);
}

TEST(test_alt_sets_modifier)
{
	struct events e = PS2(0x38, 0x1e, 0xb8, 0xe0, 0x38, 0x30, 0xe0, 0xb8, 0x30);
	CHECK_EQ(e.n, 3);
	CHECK_EVENT(e, 0, 'a', MOD_ALT);
	CHECK_EVENT(e, 1, 'b', MOD_ALT);		/* right Alt */
	CHECK_EVENT(e, 2, 'b', 0);
}

TEST(test_arrow_press_and_release_gives_one_arrow)
{
	struct events e = PS2(0xe0, 0x48, 0xe0, 0xc8);
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, KEY_UP, 0);
}

TEST(test_extended_keys)
{
	static const struct { uint8_t code; uint32_t key; } keys[] = {
		{ 0x48, KEY_UP }, { 0x50, KEY_DOWN }, { 0x4b, KEY_LEFT },
		{ 0x4d, KEY_RIGHT }, { 0x47, KEY_HOME }, { 0x4f, KEY_END },
		{ 0x53, KEY_DELETE }, { 0x52, KEY_INSERT }, { 0x49, KEY_PAGE_UP },
		{ 0x51, KEY_PAGE_DOWN }, { 0x1c, '\n' }, { 0x35, '/' },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct keymap_state s;
		uint8_t b[] = { 0xe0, keys[i].code, 0xe0, (uint8_t)(keys[i].code | 0x80) };
		keymap_init(&s);
		struct events e = ps2_run(&s, b, sizeof(b));
		CHECK_EQ(e.n, 1);
		CHECK_EVENT(e, 0, keys[i].key, 0);
	}
	/* Shift+Up: the navigation keys carry the modifiers. */
	struct events e = PS2(0x2a, 0xe0, 0x48);
	CHECK_EVENT(e, 0, KEY_UP, MOD_SHIFT);
}

TEST(test_prefix_applies_to_next_code_only)
{
	struct events e = PS2(0xe0, 0x48, 0x48);	/* arrow Up, then keypad 8 */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, KEY_UP, 0);
	CHECK_EVENT(e, 1, '8', 0);
}

TEST(test_fake_shifts_around_navigation_keys_are_ignored)
{
	/* Print Screen, and Insert with the 101-key's fake shift around it. */
	struct events e = PS2(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa,
			      0xe0, 0x2a, 0xe0, 0x52, 0xe0, 0xd2, 0xe0, 0xaa, 0x1e);
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, KEY_INSERT, 0);
	CHECK_EVENT(e, 1, 'a', 0);

	/* A real shift held across a fake shift release stays held. */
	e = PS2(0x2a, 0xe0, 0xaa, 0x1e);
	CHECK_EVENT(e, 0, 'A', MOD_SHIFT);
}

TEST(test_pause_sequence_is_swallowed)
{
	struct events e = PS2(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e, 0x45, 0xc5, 0x47);
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 'a', 0);			/* Ctrl was not taken as held */
	CHECK_EVENT(e, 1, KEY_HOME, 0);		/* nor Num Lock toggled by the Pause bytes */
}

TEST(test_special_keys)
{
	struct events e = PS2(0x1c, 0x0e, 0x0f, 0x01, 0x39);
	CHECK_EQ(e.n, 5);
	CHECK_EVENT(e, 0, '\n', 0);
	CHECK_EVENT(e, 1, '\b', 0);
	CHECK_EVENT(e, 2, '\t', 0);
	CHECK_EVENT(e, 3, 0x1b, 0);
	CHECK_EVENT(e, 4, ' ', 0);
}

TEST(test_function_keys)
{
	static const uint8_t codes[12] = { 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40,
					   0x41, 0x42, 0x43, 0x44, 0x57, 0x58 };
	struct keymap_state s;

	keymap_init(&s);
	for (int i = 0; i < 12; i++) {
		uint8_t b[] = { codes[i], (uint8_t)(codes[i] | 0x80) };
		struct events e = ps2_run(&s, b, 2);
		CHECK_EQ(e.n, 1);
		CHECK_EVENT(e, 0, KEY_F1 + i, 0);
	}
}

TEST(test_typematic_repeats_are_presses)
{
	struct events e = PS2(0x1e, 0x1e, 0x1e, 0x9e);
	CHECK_EQ(e.n, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EVENT(e, i, 'a', 0);
}

TEST(test_keypad_follows_num_lock)
{
	struct events e = PS2(0x47, 0x4f, 0x52, 0x53, 0x37, 0x4a, 0x4e, 0xe0, 0x35, 0xe0, 0x1c);
	CHECK_EQ(e.n, 9);
	CHECK_EVENT(e, 0, '7', 0);
	CHECK_EVENT(e, 1, '1', 0);
	CHECK_EVENT(e, 2, '0', 0);
	CHECK_EVENT(e, 3, '.', 0);
	CHECK_EVENT(e, 4, '*', 0);
	CHECK_EVENT(e, 5, '-', 0);
	CHECK_EVENT(e, 6, '+', 0);
	CHECK_EVENT(e, 7, '/', 0);
	CHECK_EVENT(e, 8, '\n', 0);

	e = PS2(0x45, 0xc5, 0x47, 0x48, 0x53, 0x4c, 0x4e);	/* Num Lock off */
	CHECK_EQ(e.n, 4);
	CHECK_EVENT(e, 0, KEY_HOME, 0);
	CHECK_EVENT(e, 1, KEY_UP, 0);
	CHECK_EVENT(e, 2, KEY_DELETE, 0);
	CHECK_EVENT(e, 3, '+', 0);
}

/* The US layout written out key by key, independently of keymap.c. */
static const struct { uint8_t code; char plain, shifted; } us_keys[] = {
	{ 0x29, '`', '~' }, { 0x02, '1', '!' }, { 0x03, '2', '@' }, { 0x04, '3', '#' },
	{ 0x05, '4', '$' }, { 0x06, '5', '%' }, { 0x07, '6', '^' }, { 0x08, '7', '&' },
	{ 0x09, '8', '*' }, { 0x0a, '9', '(' }, { 0x0b, '0', ')' }, { 0x0c, '-', '_' },
	{ 0x0d, '=', '+' },
	{ 0x10, 'q', 'Q' }, { 0x11, 'w', 'W' }, { 0x12, 'e', 'E' }, { 0x13, 'r', 'R' },
	{ 0x14, 't', 'T' }, { 0x15, 'y', 'Y' }, { 0x16, 'u', 'U' }, { 0x17, 'i', 'I' },
	{ 0x18, 'o', 'O' }, { 0x19, 'p', 'P' }, { 0x1a, '[', '{' }, { 0x1b, ']', '}' },
	{ 0x2b, '\\', '|' },
	{ 0x1e, 'a', 'A' }, { 0x1f, 's', 'S' }, { 0x20, 'd', 'D' }, { 0x21, 'f', 'F' },
	{ 0x22, 'g', 'G' }, { 0x23, 'h', 'H' }, { 0x24, 'j', 'J' }, { 0x25, 'k', 'K' },
	{ 0x26, 'l', 'L' }, { 0x27, ';', ':' }, { 0x28, '\'', '"' },
	{ 0x2c, 'z', 'Z' }, { 0x2d, 'x', 'X' }, { 0x2e, 'c', 'C' }, { 0x2f, 'v', 'V' },
	{ 0x30, 'b', 'B' }, { 0x31, 'n', 'N' }, { 0x32, 'm', 'M' }, { 0x33, ',', '<' },
	{ 0x34, '.', '>' }, { 0x35, '/', '?' }, { 0x39, ' ', ' ' },
};
#define US_KEYS (sizeof(us_keys) / sizeof(us_keys[0]))

TEST(test_every_printable_us_key_with_and_without_shift)
{
	struct keymap_state s;

	CHECK_EQ(US_KEYS, 48);				/* 47 printable keys and space */
	keymap_init(&s);
	for (size_t i = 0; i < US_KEYS; i++) {
		uint8_t code = us_keys[i].code;
		uint8_t plain[] = { code, (uint8_t)(code | 0x80) };
		uint8_t shifted[] = { 0x2a, code, (uint8_t)(code | 0x80), 0xaa };

		struct events e = ps2_run(&s, plain, sizeof(plain));
		if (e.n != 1 || e.ev[0].key != (uint32_t)us_keys[i].plain || e.ev[0].modifiers)
			UNIT_FAIL("code %#x: got %d events, first %#x", code, e.n, e.ev[0].key);
		e = ps2_run(&s, shifted, sizeof(shifted));
		if (e.n != 1 || e.ev[0].key != (uint32_t)us_keys[i].shifted ||
		    e.ev[0].modifiers != MOD_SHIFT)
			UNIT_FAIL("shift+%#x: got %d events, first %#x", code, e.n, e.ev[0].key);
	}
}

TEST(test_unknown_codes_give_nothing)
{
	/* Scroll Lock, the 102nd key, Windows keys, Menu, controller replies. */
	struct events e = PS2(0x46, 0x56, 0xe0, 0x5b, 0xe0, 0x5c, 0xe0, 0x5d,
			      0xfa, 0xfe, 0xee, 0x00, 0xff, 0x7f, 0x59);
	CHECK_EQ(e.n, 0);
}

/* A fixed pseudo-random byte stream, so a failure is reproducible. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

static bool valid_event(const struct key_event *ev)
{
	bool is_char = ev->key > 0 && ev->key < 0x110000;
	bool is_key = ev->key >= KEY_UP && ev->key < KEY_F1 + 12;
	return (is_char || is_key) &&
	       !(ev->modifiers & ~(uint32_t)(MOD_SHIFT | MOD_CTRL | MOD_ALT | MOD_CAPS));
}

TEST(test_garbage_scancodes_never_break_the_state_machine)
{
	struct keymap_state s;
	struct key_event ev;
	uint32_t x = 1;

	keymap_init(&s);
	for (int i = 0; i < 1000000; i++) {
		uint8_t b = (uint8_t)lcg(&x);
		if (keymap_feed(&s, b, &ev) && !valid_event(&ev))
			UNIT_FAIL("byte %d (%#x) gave key %#x mods %#x", i, b, ev.key, ev.modifiers);
	}
	for (int b = 0; b < 256; b++)		/* every byte after every prefix */
		for (int p = 0; p < 3; p++) {
			static const uint8_t prefix[] = { 0x00, 0xe0, 0xe1 };
			keymap_feed(&s, prefix[p], &ev);
			if (keymap_feed(&s, (uint8_t)b, &ev) && !valid_event(&ev))
				UNIT_FAIL("%#x %#x gave key %#x", prefix[p], b, ev.key);
		}

	/* Recovery: end any Pause sequence, release every modifier. */
	static const uint8_t recover[] = { 0x00, 0x00, 0x00, 0xaa, 0xb6, 0x9d, 0xb8,
					   0xe0, 0x9d, 0xe0, 0xb8, 0xba, 0xc5, 0x1e };
	struct events e = ps2_run(&s, recover, sizeof(recover));
	CHECK_EQ(e.n, 1);
	CHECK(e.ev[0].key == 'a' || e.ev[0].key == 'A');	/* caps lock may be on */
	CHECK_EQ(e.ev[0].modifiers & ~(uint32_t)MOD_CAPS, 0);
}

/* --- serial ----------------------------------------------------------- */

TEST(test_serial_plain_characters)
{
	struct events e = SERIAL("ab Z~");
	CHECK_EQ(e.n, 5);
	CHECK_EVENT(e, 0, 'a', 0);
	CHECK_EVENT(e, 1, 'b', 0);
	CHECK_EVENT(e, 2, ' ', 0);
	CHECK_EVENT(e, 3, 'Z', 0);
	CHECK_EVENT(e, 4, '~', 0);
}

TEST(test_serial_line_ends_become_one_newline)
{
	CHECK_EQ(SERIAL("\r").n, 1);
	CHECK_EVENT(SERIAL("\r"), 0, '\n', 0);
	CHECK_EVENT(SERIAL("\n"), 0, '\n', 0);
	struct events e = SERIAL("a\r\nb");
	CHECK_EQ(e.n, 3);
	CHECK_EVENT(e, 1, '\n', 0);
	CHECK_EVENT(e, 2, 'b', 0);
	CHECK_EQ(SERIAL("\r\r").n, 2);
	CHECK_EQ(SERIAL("\r\n\n").n, 2);
	CHECK_EQ(SERIAL("\n\r").n, 2);
	CHECK_EQ(SERIAL("\r\n\r\n").n, 2);
}

TEST(test_serial_delete_and_backspace_become_backspace)
{
	struct events e = SERIAL("\x7f\b");
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, '\b', 0);
	CHECK_EVENT(e, 1, '\b', 0);
}

TEST(test_serial_control_characters_pass_through_with_ctrl)
{
	struct events e = SERIAL("\x03\x04\x15\x01\t");
	CHECK_EQ(e.n, 5);
	CHECK_EVENT(e, 0, 0x03, MOD_CTRL);
	CHECK_EVENT(e, 1, 0x04, MOD_CTRL);
	CHECK_EVENT(e, 2, 0x15, MOD_CTRL);
	CHECK_EVENT(e, 3, 0x01, MOD_CTRL);
	CHECK_EVENT(e, 4, '\t', 0);
	CHECK_EQ(SERIAL("\0").n, 0);			/* NUL is no key */
}

TEST(test_serial_arrow_sequences)
{
	struct events e = SERIAL("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOB\x1bOC\x1bOD");
	CHECK_EQ(e.n, 8);
	for (int i = 0; i < 8; i++) {
		static const uint32_t want[] = { KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT };
		CHECK_EVENT(e, i, want[i % 4], 0);
	}
}

TEST(test_serial_home_end_delete_and_friends)
{
	struct events e = SERIAL("\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1b[3~"
				 "\x1bOH\x1bOF\x1b[2~\x1b[5~\x1b[6~");
	static const uint32_t want[] = { KEY_HOME, KEY_END, KEY_HOME, KEY_END, KEY_HOME,
					 KEY_END, KEY_DELETE, KEY_HOME, KEY_END, KEY_INSERT,
					 KEY_PAGE_UP, KEY_PAGE_DOWN };
	CHECK_EQ(e.n, 12);
	for (int i = 0; i < 12; i++)
		CHECK_EVENT(e, i, want[i], 0);
}

TEST(test_serial_function_keys)
{
	struct events e = SERIAL("\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[17~\x1b[18~\x1b[19~"
				 "\x1b[20~\x1b[21~\x1b[23~\x1b[24~\x1b[11~");
	CHECK_EQ(e.n, 13);
	for (int i = 0; i < 12; i++)
		CHECK_EVENT(e, i, KEY_F1 + i, 0);
	CHECK_EVENT(e, 12, KEY_F1, 0);
}

TEST(test_serial_xterm_modifier_parameter)
{
	struct events e = SERIAL("\x1b[1;5A\x1b[1;2C\x1b[3;3~\x1b[1;8H\x1b[Z");
	CHECK_EQ(e.n, 5);
	CHECK_EVENT(e, 0, KEY_UP, MOD_CTRL);
	CHECK_EVENT(e, 1, KEY_RIGHT, MOD_SHIFT);
	CHECK_EVENT(e, 2, KEY_DELETE, MOD_ALT);
	CHECK_EVENT(e, 3, KEY_HOME, MOD_SHIFT | MOD_ALT | MOD_CTRL);
	CHECK_EVENT(e, 4, '\t', MOD_SHIFT);
}

TEST(test_serial_lone_escape_then_character_gives_both_at_once)
{
	struct serial_decoder d;
	struct key_event ev[SERIAL_DECODE_MAX];

	serial_decode_init(&d);
	CHECK_EQ(serial_decode_feed(&d, 0x1b, ev), 0);
	CHECK(serial_decode_esc_pending(&d));
	CHECK_EQ(serial_decode_feed(&d, 'x', ev), 2);
	CHECK_EQ(ev[0].key, 0x1b);
	CHECK_EQ(ev[1].key, 'x');
	CHECK(!serial_decode_esc_pending(&d));

	struct events e = SERIAL("\x1b\x1b[A\x1b\r");	/* Esc, Up, Esc, Enter */
	CHECK_EQ(e.n, 4);
	CHECK_EVENT(e, 0, 0x1b, 0);
	CHECK_EVENT(e, 1, KEY_UP, 0);
	CHECK_EVENT(e, 2, 0x1b, 0);
	CHECK_EVENT(e, 3, '\n', 0);
}

TEST(test_serial_flush_ends_a_lone_escape)
{
	struct serial_decoder d;
	struct key_event ev[SERIAL_DECODE_MAX];

	serial_decode_init(&d);
	serial_decode_feed(&d, 0x1b, ev);
	CHECK_EQ(serial_decode_flush(&d, ev), 1);
	CHECK_EQ(ev[0].key, 0x1b);
	CHECK_EQ(serial_decode_flush(&d, ev), 0);

	/* A partial sequence is dropped; decoding goes on from scratch. */
	serial_decode_feed(&d, 0x1b, ev);
	serial_decode_feed(&d, '[', ev);
	CHECK_EQ(serial_decode_flush(&d, ev), 0);
	CHECK_EQ(serial_decode_feed(&d, 'A', ev), 1);
	CHECK_EQ(ev[0].key, 'A');
}

TEST(test_serial_sequence_split_across_reads)
{
	struct serial_decoder d;
	serial_decode_init(&d);
	struct events a = serial_run(&d, "x\x1b", 2);
	struct events b = serial_run(&d, "[", 1);
	struct events c = serial_run(&d, "1;5", 3);
	struct events f = serial_run(&d, "Dy", 2);
	CHECK_EQ(a.n, 1);
	CHECK_EQ(b.n, 0);
	CHECK_EQ(c.n, 0);
	CHECK_EQ(f.n, 2);
	CHECK_EVENT(f, 0, KEY_LEFT, MOD_CTRL);
	CHECK_EVENT(f, 1, 'y', 0);
}

TEST(test_serial_unknown_sequences_give_nothing)
{
	struct events e = SERIAL("\x1b[99~\x1b[?25h\x1b[X\x1bOz\x1b[1;2;3A\x1b[ A\x1b[~a");
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, 'a', 0);
}

TEST(test_serial_overlong_sequence_is_dropped)
{
	struct events e = SERIAL("\x1b[11111111111111111111111111111111Ab");
	CHECK(e.n >= 1);
	CHECK_EVENT(e, e.n - 1, 'b', 0);
	for (int i = 0; i < e.n; i++)
		CHECK(e.ev[i].key < KEY_UP);		/* no key from a broken sequence */

	e = SERIAL("\x1b[65535;65535~\x1b[A");		/* huge numbers, capped */
	CHECK_EQ(e.n, 1);
	CHECK_EVENT(e, 0, KEY_UP, 0);
}

TEST(test_serial_control_byte_ends_a_sequence)
{
	struct events e = SERIAL("\x1b[1\r\x1bO\x03");
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, '\n', 0);
	CHECK_EVENT(e, 1, 0x03, MOD_CTRL);
}

TEST(test_serial_utf8)
{
	struct events e = SERIAL("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_EQ(e.n, 3);
	CHECK_EVENT(e, 0, 0xe9, 0);
	CHECK_EVENT(e, 1, 0x20ac, 0);
	CHECK_EVENT(e, 2, 0x1f600, 0);
}

TEST(test_serial_malformed_utf8_gives_replacement)
{
	struct events e = SERIAL("\xc3" "A");		/* cut short by ASCII */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 0xfffd, 0);
	CHECK_EVENT(e, 1, 'A', 0);

	e = SERIAL("\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80\xff\x80\xc0");
	CHECK_EQ(e.n, 6);				/* overlong, surrogate, > U+10FFFF, ... */
	for (int i = 0; i < 6; i++)
		CHECK_EVENT(e, i, 0xfffd, 0);

	e = SERIAL("\xc3\x1b[A");			/* cut short by a sequence */
	CHECK_EQ(e.n, 2);
	CHECK_EVENT(e, 0, 0xfffd, 0);
	CHECK_EVENT(e, 1, KEY_UP, 0);
}

TEST(test_serial_garbage_never_breaks_the_decoder)
{
	struct serial_decoder d;
	struct key_event ev[SERIAL_DECODE_MAX];
	uint32_t x = 7;

	serial_decode_init(&d);
	for (int i = 0; i < 1000000; i++) {
		/* Mostly escape-sequence material, so the deep states are visited. */
		static const char pool[] = "\x1b[O;0123456789~ABCDHFPZ?\r\n\x7f\xc3\xe2\xf0\x80\xbf";
		uint8_t b = (i & 1) ? (uint8_t)lcg(&x) : (uint8_t)pool[lcg(&x) % (sizeof(pool) - 1)];
		unsigned n = serial_decode_feed(&d, b, ev);
		if (n > SERIAL_DECODE_MAX)
			UNIT_FAIL("byte %d gave %u events", i, n);
		for (unsigned k = 0; k < n; k++)
			if (!valid_event(&ev[k]))
				UNIT_FAIL("byte %d (%#x) gave key %#x", i, b, ev[k].key);
	}
	unsigned n = serial_decode_flush(&d, ev);
	CHECK(n <= SERIAL_DECODE_MAX);
	CHECK_EQ(serial_decode_feed(&d, 'q', ev), 1);
	CHECK_EQ(ev[0].key, 'q');
}

/* --- the event ring --------------------------------------------------- */

TEST(test_ring_keeps_order)
{
	struct key_ring r;
	struct key_event ev;

	key_ring_init(&r);
	CHECK(!key_ring_pop(&r, &ev));
	for (uint32_t round = 0; round < 5; round++) {	/* wraps around */
		for (uint32_t i = 0; i < 100; i++)
			CHECK(key_ring_push(&r, &(struct key_event){ .key = round * 1000 + i }));
		for (uint32_t i = 0; i < 100; i++) {
			CHECK(key_ring_pop(&r, &ev));
			CHECK_EQ(ev.key, round * 1000 + i);
		}
		CHECK(!key_ring_pop(&r, &ev));
	}
	CHECK_EQ(r.dropped, 0);
}

TEST(test_ring_overflow_drops_and_counts_without_corrupting)
{
	struct key_ring r;
	struct key_event ev;

	key_ring_init(&r);
	for (uint32_t i = 0; i < KEY_RING_SIZE; i++)
		CHECK(key_ring_push(&r, &(struct key_event){ .key = 'a' + i }));
	for (uint32_t i = 0; i < 10; i++)
		CHECK(!key_ring_push(&r, &(struct key_event){ .key = 'X' }));
	CHECK_EQ(r.dropped, 10);
	for (uint32_t i = 0; i < KEY_RING_SIZE; i++) {
		CHECK(key_ring_pop(&r, &ev));
		CHECK_EQ(ev.key, 'a' + i);		/* the oldest survive, in order */
	}
	CHECK(!key_ring_pop(&r, &ev));
	CHECK(key_ring_push(&r, &(struct key_event){ .key = 'z' }));
	CHECK(key_ring_pop(&r, &ev));
	CHECK_EQ(ev.key, 'z');
}

TEST(test_ring_counters_wrap_around)
{
	struct key_ring r;
	struct key_event ev;

	key_ring_init(&r);
	r.head = r.tail = UINT32_MAX - 3;		/* as after 4 billion events */
	for (uint32_t i = 0; i < 10; i++)
		CHECK(key_ring_push(&r, &(struct key_event){ .key = i }));
	for (uint32_t i = 0; i < 10; i++) {
		CHECK(key_ring_pop(&r, &ev));
		CHECK_EQ(ev.key, i);
	}
	CHECK(!key_ring_pop(&r, &ev));
}

TEST(test_serial_pending_covers_every_unfinished_input)
{
	struct serial_decoder d;
	struct key_event ev[SERIAL_DECODE_MAX];

	serial_decode_init(&d);
	CHECK(!serial_decode_pending(&d));
	serial_decode_feed(&d, 0x1b, ev);		/* ESC */
	CHECK(serial_decode_pending(&d));
	serial_decode_feed(&d, '[', ev);		/* ESC [ */
	CHECK(serial_decode_pending(&d) && !serial_decode_esc_pending(&d));
	CHECK_EQ(serial_decode_feed(&d, 'A', ev), 1);	/* Up: done */
	CHECK(!serial_decode_pending(&d));
	serial_decode_feed(&d, 0xc3, ev);		/* half of é */
	CHECK(serial_decode_pending(&d));
	CHECK_EQ(serial_decode_flush(&d, ev), 1);	/* a replacement character */
	CHECK(!serial_decode_pending(&d));
	/* A flushed half sequence no longer swallows the next key. */
	serial_decode_feed(&d, 0x1b, ev);
	serial_decode_feed(&d, 'O', ev);
	serial_decode_flush(&d, ev);
	CHECK_EQ(serial_decode_feed(&d, 'x', ev), 1);
	CHECK_EQ(ev[0].key, 'x');
}
