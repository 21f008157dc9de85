/* Scancode set 1 (US layout) and terminal byte streams to key events. Pure
 * code: no hardware, no locks, no allocation; tested on the host. */
#include "dev/keymap.h"

#include <stddef.h>

/* --- PS/2 scancode set 1 ------------------------------------------------ */

/* Set 1 make codes 0x00-0x39 of the main block; a break code is the make
 * code | 0x80. Zero: not a character (a modifier, or nothing). Literals
 * are split where an escape could swallow the next character. */
static const char plain_keys[0x3a] =
	"\0\x1b" "1234567890-=" "\b\t" "qwertyuiop[]" "\n\0"
	"asdfghjkl;'`" "\0\\" "zxcvbnm,./" "\0*\0 ";
static const char shifted_keys[0x3a] =
	"\0\x1b" "!@#$%^&*()_+" "\b\t" "QWERTYUIOP{}" "\n\0"
	"ASDFGHJKL:\"~" "\0|" "ZXCVBNM<>?" "\0*\0 ";

enum {
	SC_ESC_PREFIX = 0xe0,		/* the next code is an extended key */
	SC_PAUSE_PREFIX = 0xe1,		/* Pause: e1 1d 45 e1 9d c5 */
	SC_BREAK = 0x80,
	SC_LCTRL = 0x1d,		/* with 0xe0: right Ctrl */
	SC_LSHIFT = 0x2a,
	SC_RSHIFT = 0x36,
	SC_LALT = 0x38,			/* with 0xe0: right Alt */
	SC_CAPS = 0x3a,
	SC_F1 = 0x3b,			/* F1-F10: 0x3b-0x44 */
	SC_NUM = 0x45,
	SC_KEYPAD_FIRST = 0x47,		/* keypad 7 ... keypad . */
	SC_KEYPAD_LAST = 0x53,
	SC_F11 = 0x57,
	SC_F12 = 0x58,
};

/* Keypad 0x47-0x53 with Num Lock on, and off (0: no key; '-' and '+'
 * are the same either way). */
static const char keypad_digits[] = "789-456+1230.";
static const uint32_t keypad_keys[] = {
	KEY_HOME, KEY_UP, KEY_PAGE_UP, '-', KEY_LEFT, 0, KEY_RIGHT, '+',
	KEY_END, KEY_DOWN, KEY_PAGE_DOWN, KEY_INSERT, KEY_DELETE,
};

/* Keys after the 0xe0 prefix. 0xe0 0x2a / 0xe0 0x36 are the "fake shifts"
 * around Print Screen and the navigation keys: no key, ignored. */
static uint32_t extended_key(uint8_t code)
{
	switch (code) {
	case 0x1c: return '\n';		/* keypad Enter */
	case 0x35: return '/';		/* keypad / */
	case 0x47: return KEY_HOME;
	case 0x48: return KEY_UP;
	case 0x49: return KEY_PAGE_UP;
	case 0x4b: return KEY_LEFT;
	case 0x4d: return KEY_RIGHT;
	case 0x4f: return KEY_END;
	case 0x50: return KEY_DOWN;
	case 0x51: return KEY_PAGE_DOWN;
	case 0x52: return KEY_INSERT;
	case 0x53: return KEY_DELETE;
	default: return KEY_NONE;
	}
}

void keymap_init(struct keymap_state *s)
{
	*s = (struct keymap_state){ .num_lock = true };
}

uint32_t keymap_modifiers(const struct keymap_state *s)
{
	uint32_t mods = 0;

	if (s->held & (HELD_LSHIFT | HELD_RSHIFT))
		mods |= MOD_SHIFT;
	if (s->held & (HELD_LCTRL | HELD_RCTRL))
		mods |= MOD_CTRL;
	if (s->held & (HELD_LALT | HELD_RALT))
		mods |= MOD_ALT;
	if (s->caps_lock)
		mods |= MOD_CAPS;
	return mods;
}

/* The modifier or lock key a code names, or 0. */
static uint8_t modifier_bit(uint8_t code, bool extended)
{
	switch (code) {
	case SC_LCTRL: return extended ? HELD_RCTRL : HELD_LCTRL;
	case SC_LALT: return extended ? HELD_RALT : HELD_LALT;
	case SC_LSHIFT: return extended ? 0 : HELD_LSHIFT;
	case SC_RSHIFT: return extended ? 0 : HELD_RSHIFT;
	case SC_CAPS: return extended ? 0 : HELD_CAPS;
	case SC_NUM: return extended ? 0 : HELD_NUM;
	default: return 0;
	}
}

/* What a make code means before Ctrl is applied: a character (shifted,
 * Caps Lock applied to letters), a key of enum input_key, or KEY_NONE. */
static uint32_t translate(const struct keymap_state *s, uint8_t code, bool extended)
{
	bool shift = s->held & (HELD_LSHIFT | HELD_RSHIFT);

	if (extended)
		return extended_key(code);
	if (code >= SC_F1 && code < SC_F1 + 10)
		return KEY_F1 + (code - SC_F1);
	if (code == SC_F11 || code == SC_F12)
		return KEY_F1 + 10 + (code - SC_F11);
	if (code >= SC_KEYPAD_FIRST && code <= SC_KEYPAD_LAST) {
		unsigned i = code - SC_KEYPAD_FIRST;
		return s->num_lock ? (uint32_t)keypad_digits[i] : keypad_keys[i];
	}
	if (code >= sizeof(plain_keys))
		return KEY_NONE;

	char c = plain_keys[code];
	if (c >= 'a' && c <= 'z')
		return shift != s->caps_lock ? (uint32_t)(c - 'a' + 'A') : (uint32_t)c;
	return (uint32_t)(unsigned char)(shift ? shifted_keys[code] : c);
}

bool keymap_feed(struct keymap_state *s, uint8_t scancode, struct key_event *out)
{
	if (s->pause_skip) {
		s->pause_skip--;
		return false;
	}
	if (scancode == SC_ESC_PREFIX) {
		s->extended = true;
		return false;
	}
	if (scancode == SC_PAUSE_PREFIX) {
		/* Pause has no break code; each half is 0xe1 and two bytes. */
		s->extended = false;
		s->pause_skip = 2;
		return false;
	}

	bool extended = s->extended;
	bool release = scancode & SC_BREAK;
	uint8_t code = scancode & ~SC_BREAK;
	uint8_t bit = modifier_bit(code, extended);

	s->extended = false;
	if (bit) {
		/* A lock toggles on the first press only, not on repeats. */
		if (!release && !(s->held & bit)) {
			if (bit == HELD_CAPS)
				s->caps_lock = !s->caps_lock;
			else if (bit == HELD_NUM)
				s->num_lock = !s->num_lock;
		}
		if (release)
			s->held &= ~bit;
		else
			s->held |= bit;
		return false;
	}
	if (release)
		return false;

	uint32_t key = translate(s, code, extended);
	if (key == KEY_NONE)
		return false;
	uint32_t mods = keymap_modifiers(s);
	if ((mods & MOD_CTRL) && ((key >= 'a' && key <= 'z') || (key >= 'A' && key <= 'Z')))
		key &= 0x1f;			/* Ctrl-C = 0x03 */
	out->key = key;
	out->modifiers = mods;
	return true;
}

/* --- terminal bytes (serial) ---------------------------------------------- */

enum { DEC_NORMAL, DEC_ESC, DEC_CSI, DEC_SS3 };

#define ASCII_ESC	0x1b
#define ASCII_DEL	0x7f
#define REPLACEMENT	0xfffd		/* U+FFFD for malformed UTF-8 */
#define PARAM_MAX	9999

void serial_decode_init(struct serial_decoder *d)
{
	*d = (struct serial_decoder){ .state = DEC_NORMAL };
}

bool serial_decode_esc_pending(const struct serial_decoder *d)
{
	return d->state == DEC_ESC;
}

bool serial_decode_pending(const struct serial_decoder *d)
{
	return d->state != DEC_NORMAL || d->utf8_need;
}

static unsigned emit(struct key_event *out, unsigned n, uint32_t key, uint32_t mods)
{
	out[n].key = key;
	out[n].modifiers = mods;
	return n + 1;
}

/* A byte outside any escape sequence. `after_cr`: the previous byte was
 * '\r', so a '\n' completes the same line end. */
static unsigned decode_plain(struct serial_decoder *d, uint8_t b, bool after_cr,
			     struct key_event *out, unsigned n)
{
	if (b == ASCII_ESC) {
		d->state = DEC_ESC;
		return n;
	}
	if (b == '\r') {
		d->after_cr = true;
		return emit(out, n, '\n', 0);
	}
	if (b == '\n')
		return after_cr ? n : emit(out, n, '\n', 0);
	if (b == ASCII_DEL || b == '\b')
		return emit(out, n, '\b', 0);
	if (b == '\t')
		return emit(out, n, '\t', 0);
	if (b == 0)
		return n;			/* NUL (Ctrl-@, a break) is no key */
	if (b < 0x20)
		return emit(out, n, b, MOD_CTRL);
	if (b < 0x80)
		return emit(out, n, b, 0);

	/* UTF-8 lead bytes (RFC 3629: C0, C1 and F5-FF never appear). */
	if (b >= 0xc2 && b <= 0xdf) {
		d->utf8_need = 1;
		d->utf8_cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		d->utf8_need = 2;
		d->utf8_cp = b & 0x0f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		d->utf8_need = 3;
		d->utf8_cp = b & 0x07;
	} else {
		return emit(out, n, REPLACEMENT, 0);
	}
	d->utf8_len = d->utf8_need + 1;
	return n;
}

static unsigned utf8_finish(struct serial_decoder *d, struct key_event *out, unsigned n)
{
	uint32_t cp = d->utf8_cp;
	bool ok = (d->utf8_len == 2) ||
		  (d->utf8_len == 3 && cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) ||
		  (d->utf8_len == 4 && cp >= 0x10000 && cp <= 0x10ffff);

	return emit(out, n, ok ? cp : REPLACEMENT, 0);
}

/* xterm encodes modifiers as a parameter: 1 + (shift | alt << 1 | ctrl << 2
 * | meta << 3). */
static uint32_t csi_modifiers(const struct serial_decoder *d)
{
	if (d->nparams < 2 || d->params[1] < 2)
		return 0;
	unsigned m = d->params[1] - 1;
	return ((m & 1) ? MOD_SHIFT : 0) | ((m & (2 | 8)) ? MOD_ALT : 0) | ((m & 4) ? MOD_CTRL : 0);
}

static uint32_t tilde_key(unsigned p)
{
	switch (p) {
	case 1: case 7: return KEY_HOME;
	case 2: return KEY_INSERT;
	case 3: return KEY_DELETE;
	case 4: case 8: return KEY_END;
	case 5: return KEY_PAGE_UP;
	case 6: return KEY_PAGE_DOWN;
	case 11: case 12: case 13: case 14: case 15: return KEY_F1 + (p - 11);
	case 17: case 18: case 19: case 20: case 21: return KEY_F1 + 5 + (p - 17);
	case 23: case 24: return KEY_F1 + 10 + (p - 23);
	default: return KEY_NONE;
	}
}

/* The key a final byte names after ESC [ (also ESC O for A-D, H, F, P-S). */
static uint32_t final_key(uint8_t b)
{
	switch (b) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': case 'Q': case 'R': case 'S': return KEY_F1 + (b - 'P');
	default: return KEY_NONE;
	}
}

static unsigned csi_final(struct serial_decoder *d, uint8_t b, struct key_event *out, unsigned n)
{
	uint32_t key;

	d->state = DEC_NORMAL;
	if (d->seq_bad)
		return n;
	if (b == '~')
		key = d->nparams ? tilde_key(d->params[0]) : KEY_NONE;
	else if (b == 'Z')
		return emit(out, n, '\t', MOD_SHIFT);	/* back-tab */
	else
		key = final_key(b);
	return key == KEY_NONE ? n : emit(out, n, key, csi_modifiers(d));
}

static unsigned csi_byte(struct serial_decoder *d, uint8_t b, struct key_event *out, unsigned n)
{
	if (++d->seq_len > SERIAL_SEQ_MAX) {
		d->state = DEC_NORMAL;		/* too long to be a key: drop it */
		return n;
	}
	if (b >= '0' && b <= '9') {
		if (d->nparams == 0)
			d->nparams = 1;
		if (d->nparams <= 2) {
			uint16_t *p = &d->params[d->nparams - 1];
			unsigned v = *p * 10u + (b - '0');
			*p = v > PARAM_MAX ? PARAM_MAX : v;
		}
		return n;
	}
	if (b == ';') {
		if (d->nparams == 0)
			d->nparams = 1;		/* "ESC [ ; 5 A": the first is empty */
		if (d->nparams < 3)
			d->nparams++;
		if (d->nparams > 2)
			d->seq_bad = true;
		return n;
	}
	if (b >= 0x20 && b <= 0x3f) {
		d->seq_bad = true;		/* private markers, intermediates */
		return n;
	}
	return csi_final(d, b, out, n);
}

unsigned serial_decode_feed(struct serial_decoder *d, uint8_t b,
			    struct key_event out[SERIAL_DECODE_MAX])
{
	bool after_cr = d->after_cr;
	unsigned n = 0;

	d->after_cr = false;
	if (d->utf8_need) {
		if ((b & 0xc0) == 0x80) {
			d->utf8_cp = d->utf8_cp << 6 | (b & 0x3f);
			return --d->utf8_need ? 0 : utf8_finish(d, out, 0);
		}
		d->utf8_need = 0;		/* cut short: report it, then go on */
		n = emit(out, n, REPLACEMENT, 0);
	}

	switch (d->state) {
	case DEC_ESC:
		if (b == '[' || b == 'O') {
			d->state = b == '[' ? DEC_CSI : DEC_SS3;
			d->seq_bad = false;
			d->seq_len = 0;
			d->nparams = 0;
			d->params[0] = d->params[1] = 0;
			return n;
		}
		/* A lone Esc, then whatever this byte is (maybe another ESC). */
		d->state = DEC_NORMAL;
		n = emit(out, n, ASCII_ESC, 0);
		return decode_plain(d, b, false, out, n);
	case DEC_CSI:
	case DEC_SS3:
		if (b < 0x20 || b >= 0x7f) {
			/* Not part of any sequence: abandon it, keep the byte. */
			d->state = DEC_NORMAL;
			return decode_plain(d, b, false, out, n);
		}
		if (d->state == DEC_CSI)
			return csi_byte(d, b, out, n);
		d->state = DEC_NORMAL;
		uint32_t key = final_key(b);
		return key == KEY_NONE ? n : emit(out, n, key, 0);
	default:
		return decode_plain(d, b, after_cr, out, n);
	}
}

unsigned serial_decode_flush(struct serial_decoder *d, struct key_event out[SERIAL_DECODE_MAX])
{
	unsigned n = 0;

	if (d->utf8_need) {
		d->utf8_need = 0;
		n = emit(out, n, REPLACEMENT, 0);
	}
	if (d->state == DEC_ESC)
		n = emit(out, n, ASCII_ESC, 0);
	d->state = DEC_NORMAL;
	d->after_cr = false;
	return n;
}

/* --- the event ring ------------------------------------------------------- */

void key_ring_init(struct key_ring *r)
{
	r->head = r->tail = 0;
	r->dropped = 0;
}

bool key_ring_push(struct key_ring *r, const struct key_event *ev)
{
	if (r->head - r->tail >= KEY_RING_SIZE) {
		r->dropped++;
		return false;
	}
	r->ev[r->head % KEY_RING_SIZE] = *ev;
	r->head++;
	return true;
}

bool key_ring_pop(struct key_ring *r, struct key_event *out)
{
	if (r->head == r->tail)
		return false;
	*out = r->ev[r->tail % KEY_RING_SIZE];
	r->tail++;
	return true;
}
