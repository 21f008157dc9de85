/* Key codes of the console's raw mode (docs/protocols.md, "console"),
 * shared by the kernel's input drivers and the programs that read keys. */
#ifndef LIB_KEYS_H
#define LIB_KEYS_H

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

#endif
