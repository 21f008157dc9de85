/* Key events: what the keyboard and serial drivers hand to the console's
 * line discipline (kernel/dev/console.c), whatever device they came from. */
#ifndef DEV_INPUT_H
#define DEV_INPUT_H

#include <stdint.h>

#include "lib/keys.h"

struct key_event {
	uint32_t key;			/* a character, or enum input_key */
	uint32_t modifiers;		/* enum input_modifier */
};

/* Called by input drivers, in interrupt context, for each key press (not
 * releases). Ctrl+letter arrives as the control character (Ctrl-C = 0x03)
 * with MOD_CTRL set. Implemented by the console. */
void console_input(const struct key_event *ev);

#endif
