/* The shell's line editor: reads one line from the console in raw mode
 * (every key a message), with the cursor keys, Home/End, Backspace,
 * Delete, the history on Up/Down and completion on Tab. It draws the line
 * itself, so it needs nothing from the console but key events and text
 * output. A whole line that arrives instead (typed while a program ran, in
 * cooked mode) is taken as the line, as if typed at the prompt. */
#ifndef SH_EDIT_H
#define SH_EDIT_H

#include <stdbool.h>
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

/* What Tab does, as a completer answers it. */
struct edit_completion {
	char insert[SH_LINE_MAX];	/* inserted at the cursor: insert_len bytes */
	size_t insert_len;		/* 0, and no listing: the bell rings */
	char *listing;			/* when asked for and there are several: the
					 * candidates as lines of text, malloc'd; the
					 * editor frees it */
};

/* Completes the word that ends at line[cursor]; with list (a second Tab
 * in a row) lists the candidates too. The editor knows nothing of what is
 * completed: the shell's completer is sh_complete (candidates.c). */
struct edit_completer {
	void (*complete)(void *ctx, const char *line, size_t cursor, bool list,
			 struct edit_completion *out);
	void *ctx;
};

/* Shows prompt and edits a line of at most SH_LINE_MAX - 1 bytes into
 * line (NUL-terminated); Tab asks completer (NULL: Tab does nothing). The
 * console must be in raw mode. */
enum edit_result edit_line(panda_handle_t console, const char *prompt, struct history *h,
			   const struct edit_completer *completer, char line[SH_LINE_MAX]);

#endif
