/* Everything a Panda OS user program needs in one include (libpanda):
 *   syscall.h  the system calls, one wrapper each
 *   io.h       standard streams of records, printf's destination, the
 *              environment and named handles, starting programs
 *   print.h    printf, snprintf, puts (the engine of lib/format.c)
 *   fs.h       files and directories, one call per protocol request
 *   malloc.h   malloc, free, realloc, calloc
 *   options.h  command-line options for utilities
 *   sysinfo.h  the process list, memory figures, power
 *   lib/...    errors (error_name, error_text), strings, the syscall ABI
 * and, below, what the kernel handed the process at start (arguments,
 * granted handles, pid). record.h, render.h and verdict.h are included by
 * the programs that use them. Programs define
 * `int main(int argc, char **argv)`; returning from it is exit(). */
#ifndef USER_LIB_PANDA_H
#define USER_LIB_PANDA_H

#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "fs.h"
#include "io.h"
#include "malloc.h"
#include "options.h"
#include "print.h"
#include "syscall.h"
#include "sysinfo.h"

int main(int argc, char **argv);

/* The startup block and its parts, saved by panda_start(). */
const struct panda_startup *panda_startup(void);
int panda_argc(void);
char **panda_argv(void);
uint32_t panda_pid(void);
unsigned panda_handle_count(void);
/* The i-th granted handle, or PANDA_HANDLE_NONE (0) past the end. */
panda_handle_t panda_startup_handle(unsigned i);

/* exit(status) calls fn(status) first (one function; libpanda's io layer
 * sets it to send a partial line). */
void panda_flush_at_exit(void (*fn)(int status));

/* Called by crt0 with the kernel's startup block; runs main, then exit()s. */
void panda_start(const struct panda_startup *startup) __attribute__((noreturn));

/* Parses a whole decimal (or 0x-prefixed hex) number, with an optional
 * sign for the signed form; returns fallback when s is NULL, empty,
 * malformed or out of range. */
long panda_parse_long(const char *s, long fallback);
unsigned long panda_parse_ulong(const char *s, unsigned long fallback);

/* "normal", "killed", "fault" for struct panda_exit_status.how. */
const char *panda_exit_how_name(uint32_t how);

#endif
