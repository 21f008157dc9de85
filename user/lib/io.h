/* Standard streams, records and the environment (docs/protocols.md,
 * "records" and "The startup message").
 *
 * A program's standard input and output are channel endpoints carrying
 * records, one BSON document per message; end of stream is the writer
 * closing its end. The shell names them "in" and "out" in the startup
 * message. Text is a record with a "text" field. When a program has no
 * "out" (started by init or a test), what it would send is shown on the
 * console instead: text as lines, other records as JSON lines. When it has
 * no "in", input is read from the console, a line per text record, until
 * Ctrl-D.
 *
 * printf writes to standard output: with an "out" channel its text is cut
 * into lines, one text record each (a partial line waits for the next
 * newline, out_flush() or exit()). eprintf writes to the error stream: the
 * handle named "err" (a file or console taking "write" requests; the
 * shell's `2> file`), else the console, so errors and prompts stay out of
 * a pipeline; when "err" names the same handle as "out" (`2>&1`), errors
 * join standard output as text records.
 *
 * A reader that has gone away (`head 3` has its three records) ends the
 * writer: the first send that finds the channel closed exits the program
 * with status 0, as a Unix pipeline's SIGPIPE would (or with the status it
 * was exiting with, when that send was exit()'s flush). */
#ifndef USER_LIB_IO_H
#define USER_LIB_IO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

/* The handle the startup message names ("in", "out", "power", ...; the
 * standard "root", "console", "cwd" and "sysinfo" by their places), or
 * PANDA_HANDLE_NONE. */
panda_handle_t panda_handle_named(const char *name);
/* Standard input and output (looked up once: they are used per record). */
panda_handle_t panda_in(void);
panda_handle_t panda_out(void);
/* The error stream's own handle ("err"), or PANDA_HANDLE_NONE (the console). */
panda_handle_t panda_err(void);
static inline panda_handle_t panda_console(void) { return panda_handle_named("console"); }
static inline panda_handle_t panda_root(void) { return panda_handle_named("root"); }
static inline panda_handle_t panda_cwd(void) { return panda_handle_named("cwd"); }
static inline panda_handle_t panda_sysinfo(void) { return panda_handle_named("sysinfo"); }

/* The value of environment variable name, or NULL. */
const char *panda_getenv(const char *name);
/* Calls fn for each variable of the environment, in the startup message's order. */
void panda_env_each(void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

/* --- output ----------------------------------------------------------- */

/* Sends one record (a complete BSON document) to standard output.
 * 0, or a negative error (-EBADMSG for an invalid document). */
int out_record(const void *doc);
/* One text record {"text": text}; bytes that are not UTF-8 go as binary. */
int out_text(const char *text, size_t len);
/* Text to standard output, as printf writes it (lines become records). */
void out_write(const char *text, size_t len);
/* Sends printf's partial line, if any. exit() and returning from main do. */
void out_flush(void);

/* Flushes standard output and ends the process. */
void exit(int code) __attribute__((noreturn));

/* Formatted text straight to a console or file handle ("write" requests),
 * or to the kernel log when h is PANDA_HANDLE_NONE. */
int hprintf(panda_handle_t h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vhprintf(panda_handle_t h, const char *fmt, va_list ap);
/* To the error stream (see above; the kernel log when there is none). */
int eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports "prog: what: <error text>" (or "prog: <error text>" when what
 * is NULL) on the console and returns 1, the status for main to return:
 *     return complain("cat", path, (int)rc);   ->  cat: /nope: no such file or directory */
int complain(const char *prog, const char *what, int err);

/* --- input ------------------------------------------------------------ */

/* The next record from standard input, valid until the next call, or NULL
 * at the end of the input. Handles that arrive with a record are closed. */
const uint8_t *in_next(void);
/* Why in_next() last returned NULL: 0 at a normal end, else the error. */
int in_error(void);

/* The text of a record's "text" field (string or binary), or NULL. */
const char *record_text(const uint8_t *doc, uint32_t *len);

/* --- starting programs with streams ----------------------------------- */

struct panda_named_handle {
	const char *name;		/* "in", "out", ... */
	panda_handle_t handle;
};

struct panda_launch {
	panda_handle_t dir;		/* RIGHT_SPAWN; path resolves beneath it */
	const char *path;
	int argc;
	const char *const *argv;
	/* The standard handles; a zero entry passes this process's own. */
	panda_handle_t standard[STARTUP_STANDARD];
	const struct panda_named_handle *extra;	/* after the standard ones */
	unsigned extra_count;
	const char *const *env;		/* "NAME=value" strings, NULL-terminated;
					 * NULL passes this process's own */
	const struct panda_limits *limits;	/* narrower limits for its tree, or NULL */
};

/* Spawns with a startup message naming the extra handles and carrying
 * env. The process handle, or a negative error (-E2BIG when the message
 * does not fit PANDA_STARTUP_DOC_MAX). The granted handles stay this
 * process's too: close what the child alone should hold. An extra handle
 * given twice, or equal to a standard one, is granted once and both names
 * point at it (the standard four always keep places of their own). A file that
 * is no executable but starts with "#!INTERPRETER [ARG]" runs as
 * INTERPRETER [ARG] PATH ARGS... (the interpreter from the root; one level). */
long panda_launch(const struct panda_launch *l);

/* panda_launch with the standard handles, no extras, this environment. */
long panda_spawn_simple(panda_handle_t dir, const char *path, int argc,
			const char *const *argv);

#endif
