/* The console object: what holders of a console handle write to (and,
 * with the platform issue, read lines from). Today it writes to the serial
 * port. Protocol in docs/protocols.md. */
#ifndef DEV_CONSOLE_H
#define DEV_CONSOLE_H

#include <stdbool.h>

#include "core/kobj.h"

extern const struct kobj_type console_type;

/* Sets the console object up; before anything can type or hold it. */
void console_init(void);
/* The foreground a holder names ({"op": "foreground"}) is a process, and
 * Ctrl-C kills its tree; dev sits below proc, so process_init registers
 * what a process is (type) and how to interrupt one. */
struct console_job_ops {
	const struct kobj_type *type;
	void (*interrupt)(struct kobj *job);
};
void console_set_job_ops(const struct console_job_ops *ops);
/* The input mode ({"op": "mode"}): raw key events, or cooked lines. */
void console_set_raw(bool raw);
bool console_is_raw(void);
/* The console object, with one more reference for the caller. */
struct kobj *console_object(void);

#endif
