#include "core/log.h"

#include "core/panic.h"
#include "core/params.h"
#include "core/spinlock.h"
#include "lib/format.h"
#include "lib/string.h"

static enum log_level current_level = LOG_INFO;	/* set at boot and by panic; read unlocked */
static struct spinlock log_lock = SPINLOCK_INIT("log");
static bool panic_mode;	/* set once, by the panic path */

/* The outputs, in the order they registered (serial first, at boot).
 * Written only while one CPU runs (boot); count is published after its
 * entry, so a reader never sees a half-filled slot. */
#define LOG_MAX_SINKS 4
static const struct log_sink *sinks[LOG_MAX_SINKS];
static unsigned sink_count;

void log_add_sink(const struct log_sink *sink)
{
	unsigned n = sink_count;

	KASSERT(n < LOG_MAX_SINKS);
	sinks[n] = sink;
	__atomic_store_n(&sink_count, n + 1, __ATOMIC_RELEASE);
}

static void write_sinks(const char *text, size_t n)
{
	unsigned count = __atomic_load_n(&sink_count, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < count; i++)
		sinks[i]->write(text, n);
}

static void console_sink(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	write_sinks(text, n);
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

	write_sinks(text, n);
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
	unsigned count = __atomic_load_n(&sink_count, __ATOMIC_ACQUIRE);

	panic_mode = true;
	for (unsigned i = 0; i < count; i++)
		if (sinks[i]->panic_mode)
			sinks[i]->panic_mode();
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
