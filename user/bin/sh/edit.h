/* The shell's line editor: reads one line from the console in raw mode
 * (every key a message), with the cursor keys, Home/End, Backspace,
 * Delete, and the history on Up/Down. It redraws the line itself, so it
 * needs nothing from the console but key events and text output. A whole
 * line that arrives instead (typed while a program ran, in cooked mode) is
 * taken as the line, as if typed at the prompt. */
#ifndef SH_EDIT_H
#define SH_EDIT_H

#include <stddef.h>

#include "lib/abi.h"
#include "parse.h"

#define HISTORY_MAX	100	/* lines remembered; the oldest go first */

struct history {
	char *line[HISTORY_MAX];	/* oldest first, each malloc'd */
	unsigned count;
};

/* Adds line (not empty, not equal to the newest entry). */
void history_add(struct history *h, const char *line);

enum edit_result {
	EDIT_LINE,		/* *line holds what was typed */
	EDIT_INTERRUPT,		/* Ctrl-C: the line was dropped */
	EDIT_END,		/* Ctrl-D on an empty line, or the console is gone */
};

/* Shows prompt and edits a line of at most SH_LINE_MAX - 1 bytes into
 * line (NUL-terminated). The console must be in raw mode. */
enum edit_result edit_line(panda_handle_t console, const char *prompt, struct history *h,
			   char line[SH_LINE_MAX]);

#endif
