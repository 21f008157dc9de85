/* Turning input bytes into key events, with no hardware in it (the drivers
 * in ps2.c and serial.c feed it; tests/unit/test_keymap.c tests it):
 *
 *  - keymap_feed: PS/2 scancode set 1 (what the 8042 delivers with
 *    translation on), US layout, one byte at a time;
 *  - serial_decode_feed: bytes from a terminal on a serial line (VT100/xterm
 *    escape sequences, UTF-8, CR/LF), one byte at a time;
 *  - key_ring: the bounded queue a driver keeps events in between decoding
 *    and delivery.
 *
 * Both are state machines that accept any byte sequence: garbage produces no
 * event or a harmless one, never a stuck state. */
#ifndef DEV_KEYMAP_H
#define DEV_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/input.h"

/* Which modifier keys are held down: the left and right keys separately,
 * so releasing one Shift while the other is held keeps Shift on. */
enum keymap_held {
	HELD_LSHIFT = 1u << 0,
	HELD_RSHIFT = 1u << 1,
	HELD_LCTRL = 1u << 2,
	HELD_RCTRL = 1u << 3,
	HELD_LALT = 1u << 4,
	HELD_RALT = 1u << 5,
	HELD_CAPS = 1u << 6,		/* the lock keys, so a typematic repeat */
	HELD_NUM = 1u << 7,		/* does not toggle them again */
};

struct keymap_state {
	uint8_t held;			/* enum keymap_held */
	bool extended;			/* the previous byte was the 0xE0 prefix */
	uint8_t pause_skip;		/* bytes of a 0xE1 (Pause) sequence still to swallow */
	bool caps_lock;
	bool num_lock;			/* on after keymap_init: the keypad types digits */
};

void keymap_init(struct keymap_state *s);
/* Takes one scancode byte. Returns true and fills *out when the byte
 * completes a key press that means something (a character, or a key of
 * enum input_key); releases, modifier keys, prefixes and unknown codes
 * return false. A held key's typematic repeats are presses too. */
bool keymap_feed(struct keymap_state *s, uint8_t scancode, struct key_event *out);
/* The modifiers in effect now (enum input_modifier). */
uint32_t keymap_modifiers(const struct keymap_state *s);

/* The most events one serial byte can produce: a pending Esc (or a broken
 * UTF-8 sequence, as U+FFFD) followed by the byte's own event. */
#define SERIAL_DECODE_MAX 2
#define SERIAL_SEQ_MAX 16		/* longest escape sequence kept */

struct serial_decoder {
	uint8_t state;			/* enum in keymap.c */
	bool after_cr;			/* the previous byte was '\r': swallow a '\n' */
	bool seq_bad;			/* the sequence has bytes no key sequence has */
	uint8_t seq_len;		/* bytes of the sequence after ESC [ */
	uint8_t nparams;		/* parameters started; digits go to the last */
	uint16_t params[2];		/* CSI numeric parameters (ESC [ 1 ; 5 A) */
	uint8_t utf8_need;		/* continuation bytes still expected */
	uint8_t utf8_len;		/* length of the sequence being decoded */
	uint32_t utf8_cp;
};

void serial_decode_init(struct serial_decoder *d);
/* Takes one byte; stores 0, 1 or 2 events in out[0..] and returns how many.
 * '\r', '\n' and "\r\n" give one '\n'; DEL and 0x08 give '\b'; other control
 * bytes give themselves with MOD_CTRL (0x03 is Ctrl-C); escape sequences
 * give arrows, Home/End, Insert/Delete, PgUp/PgDn and F1-F12 (an xterm
 * modifier parameter, ESC [ 1 ; 5 A, sets MOD_SHIFT/ALT/CTRL); ESC followed
 * by anything else gives Esc and then that byte's event; an unknown
 * sequence gives nothing. */
unsigned serial_decode_feed(struct serial_decoder *d, uint8_t byte,
			    struct key_event out[SERIAL_DECODE_MAX]);
/* True while the decoder holds a lone ESC that may yet start a sequence. */
bool serial_decode_esc_pending(const struct serial_decoder *d);
/* True while it holds anything unfinished: an ESC, a partial escape
 * sequence or a partial UTF-8 character. */
bool serial_decode_pending(const struct serial_decoder *d);
/* Ends whatever is pending, as when the line has gone quiet: a lone ESC
 * becomes an Esc event (returns 1); a partial sequence is dropped. */
unsigned serial_decode_flush(struct serial_decoder *d, struct key_event out[SERIAL_DECODE_MAX]);

/* A fixed-size FIFO of events that drops (and counts) what does not fit.
 * Not locked: the driver that owns one serialises access. */
#define KEY_RING_SIZE 128		/* a power of two */

struct key_ring {
	struct key_event ev[KEY_RING_SIZE];
	uint32_t head, tail;		/* free-running; head - tail is the fill */
	uint64_t dropped;		/* events refused because the ring was full */
};

void key_ring_init(struct key_ring *r);
/* False (and one more dropped) when the ring is full; nothing is overwritten. */
bool key_ring_push(struct key_ring *r, const struct key_event *ev);
bool key_ring_pop(struct key_ring *r, struct key_event *out);

#endif
