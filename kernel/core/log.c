#include "core/log.h"

#include "core/params.h"
#include "core/spinlock.h"
#include "dev/screen.h"
#include "dev/serial.h"
#include "lib/format.h"
#include "lib/string.h"

static enum log_level current_level = LOG_INFO;	/* set at boot and by panic; read unlocked */
static struct spinlock log_lock = SPINLOCK_INIT("log");
static bool panic_mode;	/* set once, by the panic path */

static void console_sink(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	serial_write(text, n);
	screen_write(text, n);		/* a no-op until screen_init succeeded */
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	irq_state_t s = 0;
	bool locked;

	if (level > current_level)
		return;
	/* One message at a time, so lines from different CPUs and from
	 * interrupts do not interleave. */
	if (panic_mode)
		locked = spin_trylock(&log_lock, &s);
	else
		locked = (s = spin_lock(&log_lock), true);
	fmt_vformat(console_sink, NULL, fmt, ap);
	if (locked)
		spin_unlock(&log_lock, s);
}

void log_write_text(const char *text, size_t n)
{
	irq_state_t s = spin_lock(&log_lock);

	serial_write(text, n);
	screen_write(text, n);
	spin_unlock(&log_lock, s);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

void log_enter_panic_mode(void)
{
	panic_mode = true;
	screen_panic_mode();
	current_level = LOG_DEBUG;
}

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static bool parse_loglevel(const char *value)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcmp(value, level_names[i]) == 0 ||
		    (value[0] == '0' + i && value[1] == '\0')) {
			log_set_level((enum log_level)i);
			return true;
		}
	}
	log_warn("cmdline: loglevel=%s is not one of 0-3, error, warn, info, debug\n", value);
	return false;
}
PARAM("loglevel", parse_loglevel);

static bool parse_quiet(const char *value)
{
	(void)value;
	log_set_level(LOG_WARN);
	return true;
}
PARAM("quiet", parse_quiet);
