/* Key events: what the keyboard and serial drivers hand to the console's
 * line discipline (kernel/dev/console.c), whatever device they came from. */
#ifndef DEV_INPUT_H
#define DEV_INPUT_H

#include <stdint.h>

/* Keys that are not characters. Characters use their code point (ASCII
 * for the US layout), already shifted: 'A', '!', '\n', '\b', 0x1b (Esc). */
enum input_key {
	KEY_NONE = 0,
	KEY_UP = 0x110000,		/* above every Unicode code point */
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
	KEY_INSERT,
	KEY_PAGE_UP,
	KEY_PAGE_DOWN,
	KEY_F1,				/* KEY_F1 + n - 1 for Fn, up to F12 */
};

enum input_modifier {
	MOD_SHIFT = 1u << 0,
	MOD_CTRL = 1u << 1,
	MOD_ALT = 1u << 2,
	MOD_CAPS = 1u << 3,		/* caps lock is on */
};

struct key_event {
	uint32_t key;			/* a character, or enum input_key */
	uint32_t modifiers;		/* enum input_modifier */
};

/* Called by input drivers, in interrupt context, for each key press (not
 * releases). Ctrl+letter arrives as the control character (Ctrl-C = 0x03)
 * with MOD_CTRL set. Implemented by the console. */
void console_input(const struct key_event *ev);

#endif
