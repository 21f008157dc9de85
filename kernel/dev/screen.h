/* Text output on the screen: the kernel log's second output, after COM1.
 *
 * Two kinds of screen: the linear framebuffer a Multiboot 2 loader (GRUB)
 * set up, drawn with the built-in 8x16 font (tools/font/panda-8x16.txt), or
 * VGA text mode (80x25 at 0xb8000, or the EGA text "framebuffer" GRUB
 * reports under BIOS). Both keep a shadow grid of cells; the framebuffer
 * redraws only the cells a scroll changes. */
#ifndef DEV_SCREEN_H
#define DEV_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

/* Finds the screen: the loader's framebuffer (24 or 32 bpp RGB; other pixel
 * formats are refused with a warning, as is one beyond the direct map),
 * else VGA text mode at 0xb8000 after a Multiboot 1 boot (QEMU -kernel).
 * Clears it and returns true; false when there is none. Call once, after
 * kmalloc_init (the shadow grid is allocated). */
bool screen_init(void);

/* Writes text at the cursor. Does nothing before screen_init succeeded.
 *
 * - Printable ASCII is drawn; any other UTF-8 character (or a malformed
 *   byte) shows as one placeholder cell.
 * - '\n' goes to the start of the next line, '\r' to the start of this one,
 *   '\t' to the next multiple of 8, '\b' one cell left (from the first
 *   column to the last of the line above, so "\b \b" also erases across a
 *   wrapped line). Other control characters are ignored.
 * - A character written in the last column leaves the cursor past the end
 *   of the line; the next character wraps. The bottom line scrolls up.
 * - ESC [ ... m sets colours: 0 reset, 1 bold (bright foreground), 22,
 *   7 reverse, 27, 30-37 / 40-47 foreground / background, 39 / 49 default,
 *   90-97 / 100-107 bright. ESC [ n K erases to the end of the line (1: to
 *   its start, 2: all of it), ESC [ n J likewise the screen, ESC [ n A/B/C/D
 *   move the cursor up/down/right/left n cells within the screen (D stops at
 *   the first column), ESC [ n G to column n, ESC [ r;c H to row r column c,
 *   ESC [ ? 25 l / h hide and show the cursor. Every other escape sequence
 *   (and OSC strings, up to 512 bytes) is swallowed, never printed.
 *
 * Safe in any context: takes the screen's spinlock with interrupts off.
 * After screen_panic_mode() it only tries the lock and skips the screen
 * when the lock is held (the holder may be the code that faulted). */
void screen_write(const char *text, size_t n);

/* Called on the panic path (by log_enter_panic_mode): stop waiting for the
 * screen's lock. */
void screen_panic_mode(void);

#endif
