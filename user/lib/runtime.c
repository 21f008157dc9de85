/* Process start-up and small helpers: panda_start() keeps the kernel's
 * startup block (argc, argv, granted handles, pid, startup document) for
 * the accessors in panda.h, calls main() and exits with its result. */
#include "panda.h"

#include "lib/bson.h"

static const struct panda_startup *startup_block;
static char *empty_argv[1];

void panda_start(const struct panda_startup *startup)
{
	startup_block = startup;
	exit(main(panda_argc(), panda_argv()));
}

/* Set by the io layer once it holds output to flush, so that a program
 * that prints nothing does not link the io layer just to exit. */
static void (*flush_at_exit)(int status);

void panda_flush_at_exit(void (*fn)(int status))
{
	flush_at_exit = fn;
}

void exit(int code)
{
	if (flush_at_exit)
		flush_at_exit(code);
	panda_exit(code);
}

/* The element key of the startup document's sub-document section, if
 * both exist: the kernel checked the document, so iterating is safe. */
static bool startup_find(const char *section, const char *key, struct bson_iter *out)
{
	struct bson_iter it, sub;

	if (!startup_block || !startup_block->doc)
		return false;
	bson_iter_init(&it, startup_block->doc);
	if (!bson_iter_find(&it, section) || !bson_iter_recurse(&it, &sub))
		return false;
	*out = sub;
	return bson_iter_find(out, key);
}

const char *panda_getenv(const char *name)
{
	struct bson_iter it;
	uint32_t len;

	return startup_find("env", name, &it) ? bson_iter_utf8(&it, &len) : NULL;
}

void panda_env_each(void (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
	struct bson_iter it, env;
	const struct panda_startup *s = panda_startup();
	uint32_t len;

	if (!s || !s->doc || !bson_find(s->doc, "env", &it) || !bson_iter_recurse(&it, &env))
		return;
	while (bson_iter_next(&env)) {
		const char *value = bson_iter_utf8(&env, &len);
		if (value)
			fn(ctx, env.key, value);
	}
}

static const char *const standard_names[STARTUP_STANDARD] = {
	[STARTUP_ROOT] = "root", [STARTUP_CONSOLE] = "console",
	[STARTUP_CWD] = "cwd", [STARTUP_SYSINFO] = "sysinfo",
};

/* The handle name is given by the startup message, or by its place. */
static panda_handle_t look_up(const char *name)
{
	struct bson_iter it;
	int64_t index;

	/* With a startup message every handle is named in it; without one
	 * (a bare spawn) only the standard four are known, by their places. */
	if (startup_block && startup_block->doc) {
		if (!startup_find("handles", name, &it) || !bson_iter_integer(&it, &index) ||
		    index < 0 || index >= UINT32_MAX)
			return PANDA_HANDLE_NONE;
		return panda_startup_handle((unsigned)index);
	}
	for (unsigned i = 0; i < STARTUP_STANDARD; i++)
		if (strcmp(name, standard_names[i]) == 0)
			return panda_startup_handle(i);
	return PANDA_HANDLE_NONE;
}

panda_handle_t panda_handle_named(const char *name)
{
	/* The standard four are asked for often (every spawn passes them
	 * on): looked up once. */
	static panda_handle_t standard[STARTUP_STANDARD];
	static bool known[STARTUP_STANDARD];

	for (unsigned i = 0; i < STARTUP_STANDARD; i++) {
		if (strcmp(name, standard_names[i]) != 0)
			continue;
		if (!known[i]) {
			standard[i] = look_up(name);
			known[i] = true;
		}
		return standard[i];
	}
	return look_up(name);
}

const struct panda_startup *panda_startup(void) { return startup_block; }

int panda_argc(void)
{
	return startup_block && startup_block->argv ? (int)startup_block->argc : 0;
}

char **panda_argv(void)
{
	return startup_block && startup_block->argv ? startup_block->argv : empty_argv;
}

uint32_t panda_pid(void) { return startup_block ? startup_block->pid : 0; }

unsigned panda_handle_count(void)
{
	return startup_block && startup_block->handles ?
		(unsigned)startup_block->handle_count : 0;
}

panda_handle_t panda_startup_handle(unsigned i)
{
	return i < panda_handle_count() ? startup_block->handles[i] : PANDA_HANDLE_NONE;
}

unsigned long panda_parse_ulong(const char *s, unsigned long fallback)
{
	unsigned long value = 0, base = 10;

	if (!s || !*s)
		return fallback;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return fallback;
	}
	for (; *s; s++) {
		unsigned long digit;

		if (*s >= '0' && *s <= '9')
			digit = (unsigned long)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = (unsigned long)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			digit = (unsigned long)(*s - 'A' + 10);
		else
			return fallback;
		if (value > (~0ul - digit) / base)
			return fallback;
		value = value * base + digit;
	}
	return value;
}

long panda_parse_long(const char *s, long fallback)
{
	unsigned long magnitude;
	int negative = 0;

	if (!s)
		return fallback;
	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	magnitude = panda_parse_ulong(s, ~0ul);
	if (magnitude == ~0ul)		/* malformed (or too large anyway) */
		return fallback;
	if (negative)
		return magnitude <= (1ul << 63) ? (long)(0 - magnitude) : fallback;
	return magnitude < (1ul << 63) ? (long)magnitude : fallback;
}

const char *panda_exit_how_name(uint32_t how)
{
	switch (how) {
	case EXIT_NORMAL: return "normal";
	case EXIT_KILLED: return "killed";
	case EXIT_FAULT: return "fault";
	case EXIT_INTERRUPTED: return "interrupted";
	}
	return "unknown";
}
