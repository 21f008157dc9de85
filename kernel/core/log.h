/* The kernel log: formatted text to every registered output (a sink: the
 * serial port and the screen register themselves when they are found, so
 * the log knows no driver).
 * Lines at or below the current level are printed; the level comes from the
 * command line (`loglevel=0..3` or `loglevel=error|warn|info|debug`). */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

#define log_error(...) log_printf(LOG_ERROR, "error: " __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, "warning: " __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Unconditional output, for reports that must appear whatever the level. */
#define kprintf(...) log_printf(LOG_ERROR, __VA_ARGS__)

void log_set_level(enum log_level level);

/* An output of the log. write() is called under the log's lock with
 * interrupts off; panic_mode (may be NULL) tells it a panic is being
 * reported, so it must no longer wait for its own locks. */
struct log_sink {
	void (*write)(const char *text, size_t n);
	void (*panic_mode)(void);
};
/* Adds an output; at boot, while one CPU runs. The sink must live forever. */
void log_add_sink(const struct log_sink *sink);
/* Text as it is (any bytes, at any log level), between whole log lines:
 * the output of the console object and of debug_write. */
void log_write_text(const char *text, size_t n);

/* From here on the log no longer waits for its lock: the panic path calls
 * this so a CPU that died holding the lock cannot silence the report. */
void log_enter_panic_mode(void);

#endif
