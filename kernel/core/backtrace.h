/* Symbolized backtraces for crash and bug reports. */
#ifndef CORE_BACKTRACE_H
#define CORE_BACKTRACE_H

struct trap_frame;

/* Prints the frame chain starting at `frame`, one named function a line. */
void backtrace_print(const struct trap_frame *frame);
/* Prints the caller's own chain. */
void backtrace_print_here(void);

#endif
