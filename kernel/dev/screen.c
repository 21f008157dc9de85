/* The screen (dev/screen.h): a small terminal over a grid of VGA-style
 * cells, shown in VGA text memory or drawn into a framebuffer.
 *
 * The terminal logic works on a `struct screen`; the kernel has one, and
 * the self-test (test=screen) builds private ones that are only a grid in
 * memory, so it can check every control and escape sequence exactly. */
#include "dev/screen.h"

#include <stdint.h>

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "core/selftest.h"
#include "core/spinlock.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

/* The font, generated from tools/font/panda-8x16.txt by tools/gen-font:
 * glyphs for 0x20-0x7e, then the placeholder; one byte a row, bit 7 is the
 * leftmost pixel. */
#define FONT_W		8
#define FONT_H		16
#define FONT_FIRST	0x20
#define FONT_LAST	0x7e
#define FONT_PLACEHOLDER (FONT_LAST - FONT_FIRST + 1)
extern const uint8_t screen_font[FONT_PLACEHOLDER + 1][FONT_H];

#define VGA_TEXT_PHYS	0xb8000
#define VGA_CRTC_INDEX	0x3d4
#define VGA_CRTC_DATA	0x3d5
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END	0x0b
#define CRTC_CURSOR_HIGH 0x0e
#define CRTC_CURSOR_LOW	0x0f
#define CURSOR_DISABLE	0x20
#define VGA_INPUT_STATUS 0x3da		/* reading it resets the AC flip-flop */
#define VGA_AC_INDEX	0x3c0
#define VGA_AC_READ	0x3c1
#define AC_MODE		0x10
#define AC_PALETTE_ON	0x20
#define AC_MODE_BLINK	0x08

#define MB_FB_RGB	1		/* boot_framebuffer.type */
#define MB_FB_EGA_TEXT	2

/* A cell is a VGA text cell: the character (ASCII, or CELL_PLACEHOLDER) in
 * the low byte, the attribute (foreground in bits 0-3, background in bits
 * 4-7, VGA colour numbers) in the high byte. */
#define CELL_PLACEHOLDER 0xfe		/* CP437's small square in text mode */
#define DEFAULT_FG	7
#define DEFAULT_BG	0
#define TAB_WIDTH	8
#define CURSOR_ROWS	2		/* framebuffer cursor: an underline */

#define MAX_PARAMS	16
#define MAX_PARAM	9999
#define MAX_STRING	512		/* OSC and friends: swallowed up to this */

enum screen_kind {
	SCREEN_NONE,
	SCREEN_MEM,		/* the grid only (self-tests) */
	SCREEN_TEXT,		/* VGA text memory */
	SCREEN_FB,		/* a linear framebuffer */
};

enum parse_state {
	ST_TEXT,
	ST_ESC,			/* after ESC */
	ST_ESC_INTER,		/* ESC, intermediates: waiting for the final byte */
	ST_CSI,			/* ESC [ */
	ST_STRING,		/* OSC, DCS, ...: until BEL or ESC \ */
};

struct screen {
	enum screen_kind kind;
	unsigned cols, rows;
	uint16_t *grid;			/* cols * rows cells, what is shown */

	volatile uint16_t *text;	/* SCREEN_TEXT: the VGA cells */
	uint8_t *fb;			/* SCREEN_FB: 24 or 32 bpp pixels */
	uint32_t pitch;
	unsigned bytes_pp;		/* 3 or 4 */

	unsigned x, y;			/* x == cols: wrap before the next character */
	uint8_t fg, bg;			/* VGA colours as set (before bold/reverse) */
	bool bold, reverse;
	bool cursor_on;
	unsigned cursor_x, cursor_y;	/* where the cursor is shown */
	bool cursor_shown;

	enum parse_state state;
	unsigned params[MAX_PARAMS];
	unsigned nparams;
	char private_marker;		/* '?' etc. right after ESC [, else 0 */
	bool intermediate;		/* a byte 0x20-0x2f in a CSI sequence */
	unsigned string_len;
	unsigned utf8_left;		/* continuation bytes still expected */
};

/* The 16 VGA colours as 0x00RRGGBB. */
static const uint32_t palette[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};
/* ANSI colour n (black red green yellow blue magenta cyan white) is VGA's: */
static const uint8_t ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

static struct screen screen;	/* guarded by screen_lock (the panic path writes unlocked) */
static bool screen_ready;	/* set once at boot */
static struct spinlock screen_lock = SPINLOCK_INIT("screen");
static bool panic_mode;	/* set once, by the panic path */

static uint8_t current_attr(const struct screen *s)
{
	uint8_t fg = s->fg, bg = s->bg;

	if (s->bold && fg < 8)
		fg += 8;
	if (s->reverse) {
		uint8_t t = fg;
		fg = bg;
		bg = t;
	}
	return (uint8_t)(fg | bg << 4);
}

static uint16_t blank_cell(const struct screen *s)
{
	return (uint16_t)(' ' | current_attr(s) << 8);
}

/* --- drawing ---------------------------------------------------------- */

/* One row of up to 8 pixels: bit 7 of `bits` is the leftmost. Pixels are
 * blue, green, red in memory (then an unused byte at 32 bpp), the layout of
 * every PC framebuffer in practice; boot_info does not carry the masks. */
static void fb_row(const struct screen *s, uint8_t *line, unsigned bits, unsigned count,
		   uint32_t fg, uint32_t bg)
{
	if (s->bytes_pp == 4) {
		uint32_t *px = (uint32_t *)line;

		for (unsigned c = 0; c < count; c++)
			px[c] = bits & (0x80u >> c) ? fg : bg;
		return;
	}
	for (unsigned c = 0; c < count; c++, line += 3) {
		uint32_t v = bits & (0x80u >> c) ? fg : bg;

		line[0] = (uint8_t)v;
		line[1] = (uint8_t)(v >> 8);
		line[2] = (uint8_t)(v >> 16);
	}
}

static void fb_draw(const struct screen *s, unsigned cx, unsigned cy, uint16_t cell,
		    bool cursor)
{
	uint8_t ch = (uint8_t)cell, attr = (uint8_t)(cell >> 8);
	const uint8_t *glyph = screen_font[ch >= FONT_FIRST && ch <= FONT_LAST ?
					   ch - FONT_FIRST : FONT_PLACEHOLDER];
	uint32_t fg = palette[attr & 15], bg = palette[attr >> 4];
	uint8_t *line = s->fb + (size_t)cy * FONT_H * s->pitch +
			(size_t)cx * FONT_W * s->bytes_pp;

	for (unsigned r = 0; r < FONT_H; r++, line += s->pitch) {
		unsigned bits = glyph[r];

		if (cursor && r >= FONT_H - CURSOR_ROWS)
			bits = 0xff;
		fb_row(s, line, bits, FONT_W, fg, bg);
	}
}

/* Shows cell (cx, cy) of the grid on the device. */
static void draw_cell(const struct screen *s, unsigned cx, unsigned cy)
{
	uint16_t cell = s->grid[cy * s->cols + cx];

	if (s->kind == SCREEN_TEXT)
		s->text[cy * s->cols + cx] = cell;
	else if (s->kind == SCREEN_FB)
		fb_draw(s, cx, cy, cell, false);
}

static void put_cell(struct screen *s, unsigned cx, unsigned cy, uint16_t cell)
{
	uint16_t *slot = &s->grid[cy * s->cols + cx];

	if (*slot == cell)
		return;
	*slot = cell;
	draw_cell(s, cx, cy);
}

/* Cells [from, to) of row cy become blank. */
static void erase(struct screen *s, unsigned cy, unsigned from, unsigned to)
{
	uint16_t blank = blank_cell(s);

	for (unsigned cx = from; cx < to; cx++)
		put_cell(s, cx, cy, blank);
}

static void scroll_up(struct screen *s)
{
	unsigned cols = s->cols;

	/* Row by row, top down: each cell takes the one below it and is drawn
	 * only when that changes it, so mostly blank screens scroll cheaply. */
	for (unsigned cy = 0; cy + 1 < s->rows; cy++)
		for (unsigned cx = 0; cx < cols; cx++)
			put_cell(s, cx, cy, s->grid[(cy + 1) * cols + cx]);
	erase(s, s->rows - 1, 0, cols);
}

/* The framebuffer cursor is drawn into a cell: take it out before the cell
 * can change. (The VGA cursor is the hardware's and stays.) */
static void hide_cursor(struct screen *s)
{
	if (s->kind == SCREEN_FB && s->cursor_shown) {
		draw_cell(s, s->cursor_x, s->cursor_y);
		s->cursor_shown = false;
	}
}

static void vga_cursor(bool on, unsigned pos)
{
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_START);
	uint8_t start = inb(VGA_CRTC_DATA) & ~CURSOR_DISABLE;
	outb(VGA_CRTC_DATA, on ? start : start | CURSOR_DISABLE);
	if (!on)
		return;
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_LOW);
	outb(VGA_CRTC_DATA, (uint8_t)pos);
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_HIGH);
	outb(VGA_CRTC_DATA, (uint8_t)(pos >> 8));
}

static void show_cursor(struct screen *s)
{
	unsigned cx = s->x < s->cols ? s->x : s->cols - 1;

	if (s->kind == SCREEN_TEXT) {
		if (s->cursor_on != s->cursor_shown || cx != s->cursor_x || s->y != s->cursor_y)
			vga_cursor(s->cursor_on, s->y * s->cols + cx);
		s->cursor_shown = s->cursor_on;
	} else if (s->kind == SCREEN_FB && s->cursor_on) {
		fb_draw(s, cx, s->y, s->grid[s->y * s->cols + cx], true);
		s->cursor_shown = true;
	}
	s->cursor_x = cx;
	s->cursor_y = s->y;
}

/* --- text and control characters ------------------------------------ */

static void newline(struct screen *s)
{
	s->x = 0;
	if (s->y + 1 < s->rows)
		s->y++;
	else
		scroll_up(s);
}

static void put_char(struct screen *s, uint8_t ch)
{
	if (s->x >= s->cols)
		newline(s);
	put_cell(s, s->x, s->y, (uint16_t)(ch | current_attr(s) << 8));
	s->x++;
}

static void control(struct screen *s, uint8_t ch)
{
	switch (ch) {
	case '\n':
		newline(s);
		break;
	case '\r':
		s->x = 0;
		break;
	case '\b':
		if (s->x > 0) {
			s->x--;
		} else if (s->y > 0) {
			s->y--;
			s->x = s->cols - 1;
		}
		break;
	case '\t': {
		unsigned next = (s->x / TAB_WIDTH + 1) * TAB_WIDTH;

		if (s->x >= s->cols) {
			newline(s);
			next = TAB_WIDTH;
		}
		s->x = next < s->cols ? next : s->cols - 1;
		break;
	}
	}
}

/* --- escape sequences ------------------------------------------------- */

static unsigned param(const struct screen *s, unsigned i, unsigned dflt)
{
	return i < s->nparams && s->params[i] ? s->params[i] : dflt;
}

static void sgr(struct screen *s)
{
	if (s->nparams == 0) {
		s->nparams = 1;
		s->params[0] = 0;
	}
	for (unsigned i = 0; i < s->nparams; i++) {
		unsigned p = s->params[i];

		if (p == 0) {
			s->fg = DEFAULT_FG;
			s->bg = DEFAULT_BG;
			s->bold = s->reverse = false;
		} else if (p == 1) {
			s->bold = true;
		} else if (p == 22) {
			s->bold = false;
		} else if (p == 7) {
			s->reverse = true;
		} else if (p == 27) {
			s->reverse = false;
		} else if (p >= 30 && p <= 37) {
			s->fg = ansi_to_vga[p - 30];
		} else if (p == 39) {
			s->fg = DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			s->bg = ansi_to_vga[p - 40];
		} else if (p == 49) {
			s->bg = DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			s->fg = ansi_to_vga[p - 90] + 8;
		} else if (p >= 100 && p <= 107) {
			s->bg = ansi_to_vga[p - 100] + 8;
		} else if (p == 38 || p == 48) {
			/* 256-colour or RGB colours: skip their arguments. */
			if (i + 1 < s->nparams && s->params[i + 1] == 5)
				i += 2;
			else if (i + 1 < s->nparams && s->params[i + 1] == 2)
				i += 4;
		}
	}
}

static void csi_dispatch(struct screen *s, uint8_t final)
{
	unsigned n = param(s, 0, 1);
	unsigned cx = s->x < s->cols ? s->x : s->cols - 1;

	if (s->intermediate)
		return;
	if (s->private_marker) {
		if (s->private_marker == '?' && s->nparams == 1 && s->params[0] == 25 &&
		    (final == 'h' || final == 'l'))
			s->cursor_on = final == 'h';
		return;
	}
	switch (final) {
	case 'm':
		sgr(s);
		break;
	case 'K':
		switch (param(s, 0, 0)) {
		case 0: erase(s, s->y, s->x, s->cols); break;
		case 1: erase(s, s->y, 0, cx + 1); break;
		case 2: erase(s, s->y, 0, s->cols); break;
		}
		break;
	case 'J':
		switch (param(s, 0, 0)) {
		case 0:
			erase(s, s->y, s->x, s->cols);
			for (unsigned r = s->y + 1; r < s->rows; r++)
				erase(s, r, 0, s->cols);
			break;
		case 1:
			for (unsigned r = 0; r < s->y; r++)
				erase(s, r, 0, s->cols);
			erase(s, s->y, 0, cx + 1);
			break;
		case 2:
		case 3:
			for (unsigned r = 0; r < s->rows; r++)
				erase(s, r, 0, s->cols);
			break;
		}
		break;
	case 'A':
		s->y = s->y > n ? s->y - n : 0;
		break;
	case 'B':
		s->y = s->y + n < s->rows ? s->y + n : s->rows - 1;
		break;
	case 'C':
		if (s->x < s->cols)
			s->x = s->x + n < s->cols ? s->x + n : s->cols - 1;
		break;
	case 'D':
		/* From past the end of a full line, one left is its last cell,
		 * as with '\b'. */
		s->x = s->x > n ? s->x - n : 0;
		break;
	case 'G':
		s->x = n <= s->cols ? n - 1 : s->cols - 1;
		break;
	case 'H':
	case 'f': {
		unsigned row = param(s, 0, 1), col = param(s, 1, 1);

		s->y = row <= s->rows ? row - 1 : s->rows - 1;
		s->x = col <= s->cols ? col - 1 : s->cols - 1;
		break;
	}
	}
}

static void begin_sequence(struct screen *s, enum parse_state state)
{
	s->state = state;
	s->nparams = 0;
	s->private_marker = 0;
	s->intermediate = false;
	s->string_len = 0;
}

/* One byte while an escape sequence is open. Returns false when the byte
 * is not part of it (the sequence is dropped) and must be handled as text. */
static bool escape_byte(struct screen *s, uint8_t b)
{
	if (b == 0x18 || b == 0x1a) {		/* CAN, SUB: abandon the sequence */
		s->state = ST_TEXT;
		return true;
	}
	if (b == 0x1b) {			/* a new sequence (ESC \ also ends a string) */
		begin_sequence(s, ST_ESC);
		return true;
	}
	switch (s->state) {
	case ST_ESC:
		if (b == '[')
			begin_sequence(s, ST_CSI);
		else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_')
			begin_sequence(s, ST_STRING);
		else if (b >= 0x20 && b <= 0x2f)
			s->state = ST_ESC_INTER;
		else if (b >= 0x30 && b <= 0x7e)
			s->state = ST_TEXT;		/* a two-byte sequence: ignored */
		else
			break;
		return true;
	case ST_ESC_INTER:
		if (b >= 0x20 && b <= 0x2f)
			return true;
		if (b >= 0x30 && b <= 0x7e) {
			s->state = ST_TEXT;		/* e.g. ESC ( B: ignored */
			return true;
		}
		break;
	case ST_CSI:
		if (b >= '0' && b <= '9') {
			if (s->nparams == 0) {
				s->nparams = 1;
				s->params[0] = 0;
			}
			unsigned *p = &s->params[s->nparams - 1];
			*p = *p * 10 + (b - '0');
			if (*p > MAX_PARAM)
				*p = MAX_PARAM;
		} else if (b == ';' || b == ':') {
			if (s->nparams == 0) {
				s->nparams = 1;
				s->params[0] = 0;
			}
			if (s->nparams < MAX_PARAMS)
				s->params[s->nparams++] = 0;
		} else if (b >= 0x3c && b <= 0x3f) {
			if (s->nparams == 0 && !s->private_marker)
				s->private_marker = (char)b;
			else
				s->intermediate = true;		/* malformed: swallow */
		} else if (b >= 0x20 && b <= 0x2f) {
			s->intermediate = true;
		} else if (b >= 0x40 && b <= 0x7e) {
			s->state = ST_TEXT;
			csi_dispatch(s, b);
		} else if (b < 0x20) {
			control(s, b);		/* controls act inside a sequence */
		} else {
			break;			/* DEL or non-ASCII: not a sequence */
		}
		return true;
	case ST_STRING:
		if (b == 0x07 || ++s->string_len > MAX_STRING)
			s->state = ST_TEXT;
		return true;
	case ST_TEXT:
		break;
	}
	s->state = ST_TEXT;
	return false;
}

static void write_byte(struct screen *s, uint8_t b)
{
	if (s->state != ST_TEXT && escape_byte(s, b))
		return;
	if (b >= 0x80) {
		/* UTF-8: one placeholder per character (at its lead byte), and
		 * one per stray continuation byte or invalid byte. */
		if (b >= 0xc2 && b <= 0xf4) {
			s->utf8_left = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
			put_char(s, CELL_PLACEHOLDER);
		} else if (b >= 0xc0 || s->utf8_left == 0) {
			s->utf8_left = 0;
			put_char(s, CELL_PLACEHOLDER);
		} else {
			s->utf8_left--;
		}
		return;
	}
	s->utf8_left = 0;
	if (b >= 0x20 && b < 0x7f)
		put_char(s, b);
	else if (b == 0x1b)
		begin_sequence(s, ST_ESC);
	else
		control(s, b);
}

static void term_write(struct screen *s, const char *text, size_t n)
{
	hide_cursor(s);
	for (size_t i = 0; i < n; i++)
		write_byte(s, (uint8_t)text[i]);
	show_cursor(s);
}

/* A blank screen with default colours, the cursor at the top left. */
static void term_reset(struct screen *s)
{
	s->fg = DEFAULT_FG;
	s->bg = DEFAULT_BG;
	s->bold = s->reverse = false;
	s->cursor_on = true;
	s->cursor_shown = false;
	s->x = s->y = 0;
	s->state = ST_TEXT;
	s->utf8_left = 0;
	for (unsigned i = 0; i < s->cols * s->rows; i++)
		s->grid[i] = blank_cell(s);
}

void screen_write(const char *text, size_t n)
{
	irq_state_t st;

	if (!__atomic_load_n(&screen_ready, __ATOMIC_ACQUIRE))
		return;
	if (panic_mode) {
		if (!spin_trylock(&screen_lock, &st))
			return;
	} else {
		st = spin_lock(&screen_lock);
	}
	term_write(&screen, text, n);
	spin_unlock(&screen_lock, st);
}

void screen_panic_mode(void)
{
	panic_mode = true;
}

/* --- finding the screen ----------------------------------------------- */

/* True when physical [phys, phys + size) is in the direct map. */
static bool phys_range_mapped(uint64_t phys, uint64_t size)
{
	if (size == 0 || phys + size < phys || phys + size > DIRECT_MAP_MAX_PHYS)
		return false;
	for (uint64_t off = 0; off < size; off += 4096)
		if (!arch_addr_is_mapped((uintptr_t)arch_phys_to_virt(phys + off)))
			return false;
	return arch_addr_is_mapped((uintptr_t)arch_phys_to_virt(phys + size - 1));
}

static bool setup_framebuffer(struct screen *s, const struct boot_framebuffer *fb)
{
	uint64_t size = (uint64_t)fb->pitch * fb->height;

	if (fb->bpp != 32 && fb->bpp != 24) {
		log_warn("screen: %ux%u framebuffer has %u bits per pixel; only 24 and 32 "
			 "are supported, so there is no screen\n", fb->width, fb->height, fb->bpp);
		return false;
	}
	s->bytes_pp = fb->bpp / 8;
	if (fb->width < FONT_W || fb->height < FONT_H ||
	    fb->pitch < (uint64_t)fb->width * s->bytes_pp) {
		log_warn("screen: framebuffer %ux%u, pitch %u, makes no sense; no screen\n",
			 fb->width, fb->height, fb->pitch);
		return false;
	}
	if (!phys_range_mapped(fb->phys_addr, size)) {
		log_warn("screen: framebuffer at %#lx (%lu bytes) is beyond the direct map; "
			 "no screen\n", fb->phys_addr, size);
		return false;
	}
	s->kind = SCREEN_FB;
	s->fb = arch_phys_to_virt(fb->phys_addr);
	s->pitch = fb->pitch;
	s->cols = fb->width / FONT_W;
	s->rows = fb->height / FONT_H;
	/* Clear everything, also the strips a partial cell leaves. */
	for (uint32_t y = 0; y < fb->height; y++) {
		uint8_t *line = s->fb + (size_t)y * s->pitch;

		for (uint32_t x = 0; x < fb->width; x += FONT_W) {
			unsigned count = fb->width - x < FONT_W ? fb->width - x : FONT_W;

			fb_row(s, line + (size_t)x * s->bytes_pp, 0, count, 0, palette[DEFAULT_BG]);
		}
	}
	log_info("screen: %ux%ux%u framebuffer at %#lx, %ux%u characters\n", fb->width,
		 fb->height, fb->bpp, fb->phys_addr, s->cols, s->rows);
	return true;
}

static bool setup_text(struct screen *s, uint64_t phys, unsigned cols, unsigned rows)
{
	volatile uint16_t *text = arch_phys_to_virt(phys);

	if (cols == 0 || rows == 0 || cols > 255 || rows > 255 ||
	    !phys_range_mapped(phys, (uint64_t)cols * rows * 2)) {
		log_warn("screen: text mode %ux%u at %#lx is unusable; no screen\n", cols, rows,
			 phys);
		return false;
	}
	/* Without VGA (QEMU -vga none) the memory reads back as all ones. */
	uint16_t old = text[0];
	text[0] = 0x0a5a;
	bool present = text[0] == 0x0a5a;
	text[0] = old;
	if (!present) {
		log_info("screen: no VGA text memory at %#lx; no screen\n", phys);
		return false;
	}
	s->kind = SCREEN_TEXT;
	s->text = text;
	s->cols = cols;
	s->rows = rows;

	/* Attribute bit 7 selects a bright background, not blinking. */
	(void)inb(VGA_INPUT_STATUS);
	outb(VGA_AC_INDEX, AC_MODE | AC_PALETTE_ON);
	uint8_t mode = inb(VGA_AC_READ);
	outb(VGA_AC_INDEX, mode & ~AC_MODE_BLINK);
	/* An underline cursor in the last two scan lines. */
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_START);
	outb(VGA_CRTC_DATA, (inb(VGA_CRTC_DATA) & 0xc0) | 14);
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_END);
	outb(VGA_CRTC_DATA, (inb(VGA_CRTC_DATA) & 0xe0) | 15);
	for (unsigned i = 0; i < cols * rows; i++)
		text[i] = (uint16_t)(' ' | (DEFAULT_FG | DEFAULT_BG << 4) << 8);
	log_info("screen: VGA text mode, %ux%u characters\n", cols, rows);
	return true;
}

static const struct log_sink screen_sink = {
	.write = screen_write,
	.panic_mode = screen_panic_mode,
};

bool screen_init(void)
{
	const struct boot_framebuffer *fb = &boot_info.framebuffer;
	struct screen *s = &screen;
	bool ok;

	if (screen_ready)
		return true;
	if (fb->present && fb->type == MB_FB_RGB) {
		ok = setup_framebuffer(s, fb);
	} else if (fb->present && fb->type == MB_FB_EGA_TEXT) {
		ok = setup_text(s, fb->phys_addr, fb->width, fb->height);
	} else if (fb->present) {
		log_warn("screen: the framebuffer uses indexed colour, which is not "
			 "supported; no screen\n");
		ok = false;
	} else if (boot_info.protocol && strcmp(boot_info.protocol, "multiboot1") == 0) {
		ok = setup_text(s, VGA_TEXT_PHYS, 80, 25);
	} else {
		log_info("screen: the boot loader set up no framebuffer; no screen\n");
		ok = false;
	}
	if (ok) {
		s->grid = kmalloc((size_t)s->cols * s->rows * sizeof(*s->grid));
		if (!s->grid)
			log_warn("screen: no memory for %ux%u cells; no screen\n", s->cols,
				 s->rows);
	}
	if (!ok || !s->grid) {
		s->kind = SCREEN_NONE;
		return false;
	}
	term_reset(s);
	__atomic_store_n(&screen_ready, true, __ATOMIC_RELEASE);
	log_add_sink(&screen_sink);
	return true;
}

/* --- self-test: the terminal on a private 10x3 grid ------------------- */

#define T_COLS 10
#define T_ROWS 3

static struct screen *test_screen(void)
{
	static uint16_t grid[T_COLS * T_ROWS];
	static struct screen s;

	s = (struct screen){ .kind = SCREEN_MEM, .cols = T_COLS, .rows = T_ROWS, .grid = grid };
	term_reset(&s);
	return &s;
}

static void twrite(struct screen *s, const char *text)
{
	term_write(s, text, strlen(text));
}

/* True when row `row` shows `want` (padded with blanks; '~' stands for
 * the placeholder). */
static bool row_is(const struct screen *s, unsigned row, const char *want)
{
	size_t len = strlen(want);

	for (unsigned cx = 0; cx < s->cols; cx++) {
		uint8_t ch = (uint8_t)s->grid[row * s->cols + cx];
		char expect = cx < len ? want[cx] : ' ';

		if (ch != (expect == '~' ? CELL_PLACEHOLDER : (uint8_t)expect))
			return false;
	}
	return true;
}

static uint8_t attr_at(const struct screen *s, unsigned cx, unsigned cy)
{
	return (uint8_t)(s->grid[cy * s->cols + cx] >> 8);
}

static void test_screen_terminal(void)
{
	struct screen *s;

	selftest_case("text wraps at the end of a line");
	s = test_screen();
	twrite(s, "abcdefghijKL");
	SELFTEST_CHECK(row_is(s, 0, "abcdefghij") && row_is(s, 1, "KL") && row_is(s, 2, ""));
	SELFTEST_CHECK(s->x == 2 && s->y == 1);

	selftest_case("a full line then a newline leaves no blank line");
	s = test_screen();
	twrite(s, "0123456789\nX");
	SELFTEST_CHECK(row_is(s, 0, "0123456789") && row_is(s, 1, "X"));

	selftest_case("the bottom line scrolls up");
	s = test_screen();
	twrite(s, "1\n2\n3\n4");
	SELFTEST_CHECK(row_is(s, 0, "2") && row_is(s, 1, "3") && row_is(s, 2, "4"));
	SELFTEST_CHECK(s->x == 1 && s->y == 2);

	selftest_case("carriage return and tab");
	s = test_screen();
	twrite(s, "abc\rX\tY\tZ");
	SELFTEST_CHECK(row_is(s, 0, "Xbc     YZ"));
	SELFTEST_CHECK(s->x == 10 && s->y == 0);

	selftest_case("backspace erases, also across a wrapped line");
	s = test_screen();
	twrite(s, "0123456789AB\b \b");
	SELFTEST_CHECK(row_is(s, 0, "0123456789") && row_is(s, 1, "A"));
	twrite(s, "\b \b\b \b");
	SELFTEST_CHECK(row_is(s, 0, "012345678") && row_is(s, 1, ""));
	SELFTEST_CHECK(s->x == 9 && s->y == 0);
	twrite(s, "9\b \b");
	SELFTEST_CHECK(row_is(s, 0, "012345678") && s->x == 9 && s->y == 0);

	selftest_case("ESC [ K erases to the end of the line, ESC [ n D / C move");
	s = test_screen();
	twrite(s, "abcdefgh\x1b[3D\x1b[K");
	SELFTEST_CHECK(row_is(s, 0, "abcde") && s->x == 5);
	twrite(s, "\x1b[2CX\x1b[D\x1b[1DY\x1b[99DZ\x1b[99C!");
	SELFTEST_CHECK(row_is(s, 0, "Zbcde YX !"));
	twrite(s, "\x1b[2K");
	SELFTEST_CHECK(row_is(s, 0, ""));

	selftest_case("SGR sets the 16 colours, bold, reverse and resets");
	s = test_screen();
	twrite(s, "\x1b[31mR\x1b[1;44mB\x1b[0mN\x1b[97;100mW\x1b[mD\x1b[7mV\x1b[27;32mG\x1b[39;49mE");
	SELFTEST_CHECK(row_is(s, 0, "RBNWDVGE"));
	SELFTEST_CHECK(attr_at(s, 0, 0) == 0x04);	/* red on black */
	SELFTEST_CHECK(attr_at(s, 1, 0) == 0x1c);	/* bright red on blue */
	SELFTEST_CHECK(attr_at(s, 2, 0) == 0x07);
	SELFTEST_CHECK(attr_at(s, 3, 0) == 0x8f);	/* white on dark grey */
	SELFTEST_CHECK(attr_at(s, 4, 0) == 0x07);
	SELFTEST_CHECK(attr_at(s, 5, 0) == 0x70);	/* reverse */
	SELFTEST_CHECK(attr_at(s, 6, 0) == 0x02);
	SELFTEST_CHECK(attr_at(s, 7, 0) == 0x07);

	selftest_case("erasing uses the current background");
	s = test_screen();
	twrite(s, "ab\x1b[41m\x1b[K\x1b[0m");
	SELFTEST_CHECK(attr_at(s, 1, 0) == 0x07 && attr_at(s, 2, 0) == 0x47 &&
		       attr_at(s, 9, 0) == 0x47);

	selftest_case("unknown escape sequences are swallowed");
	s = test_screen();
	twrite(s, "a\x1b[?1049hb\x1b]0;title\x07" "c\x1b(Bd\x1b[1;2;3ze\x1b" "7f\x1b]2;x\x1b\\g");
	SELFTEST_CHECK(row_is(s, 0, "abcdefg"));
	twrite(s, "\x1b[38;5;196mh\x1b[38;2;1;2;3mi");
	SELFTEST_CHECK(row_is(s, 0, "abcdefghi") && attr_at(s, 7, 0) == 0x07);

	selftest_case("a sequence split across writes still works");
	s = test_screen();
	twrite(s, "\x1b");
	twrite(s, "[3");
	twrite(s, "2mG");
	SELFTEST_CHECK(row_is(s, 0, "G") && attr_at(s, 0, 0) == 0x02);

	selftest_case("non-ASCII characters show as one placeholder each");
	s = test_screen();
	twrite(s, "\xc3\xa9" "a\xe2\x82\xac" "b\xf0\x9f\x90\xbc" "c\xff" "d\x80" "e");
	SELFTEST_CHECK(row_is(s, 0, "~a~b~c~d~e"));
	s = test_screen();
	twrite(s, "\xe2\x82");			/* a character split across writes */
	twrite(s, "\xac!");
	SELFTEST_CHECK(row_is(s, 0, "~!"));

	selftest_case("other control characters are ignored");
	s = test_screen();
	twrite(s, "a\x01\x07\x7f" "b");
	SELFTEST_CHECK(row_is(s, 0, "ab"));

	selftest_case("ESC [ H, ESC [ J and ESC [ ? 25 l");
	s = test_screen();
	twrite(s, "aaa\nbbb\nccc\x1b[2;2H\x1b[J");
	SELFTEST_CHECK(row_is(s, 0, "aaa") && row_is(s, 1, "b") && row_is(s, 2, ""));
	twrite(s, "\x1b[?25l");
	SELFTEST_CHECK(!s->cursor_on);
	twrite(s, "\x1b[2J");
	SELFTEST_CHECK(row_is(s, 0, "") && row_is(s, 1, ""));
}
SELFTEST(screen, test_screen_terminal);
