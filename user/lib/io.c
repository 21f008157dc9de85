/* Standard streams as channels of records (io.h). */
#include "io.h"

#include <stdbool.h>

#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "panda.h"
#include "print.h"
#include "syscall.h"

#define LINE_MAX	4096		/* printf text waits here for its newline */

/* --- the streams ------------------------------------------------------ */

static panda_handle_t cached(const char *name, panda_handle_t *h, bool *known)
{
	if (!*known) {
		*h = panda_handle_named(name);
		*known = true;
	}
	return *h;
}

panda_handle_t panda_in(void)
{
	static panda_handle_t h;
	static bool known;

	return cached("in", &h, &known);
}

panda_handle_t panda_out(void)
{
	static panda_handle_t h;
	static bool known;

	return cached("out", &h, &known);
}

panda_handle_t panda_err(void)
{
	static panda_handle_t h;
	static bool known;

	return cached("err", &h, &known);
}

/* --- output ----------------------------------------------------------- */

static char line[LINE_MAX];
static size_t line_len;
static uint8_t text_doc[PANDA_MSG_MAX];

static void console_sink(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	console_write(text, n);
}

/* Without an "out" channel a record is shown on the console. */
static void show_on_console(const uint8_t *doc)
{
	uint32_t len;
	const char *text = record_text(doc, &len);

	if (text)
		console_write(text, len);
	else
		bson_to_json(doc, console_sink, NULL);
	console_write("\n", 1);
}

/* The status a program exits with when its reader has gone: 0, or what it
 * was already exiting with when the last flush found the reader gone. */
static int exit_status_on_epipe;

int out_record(const void *doc)
{
	panda_handle_t out = panda_out();
	uint32_t size = bson_doc_length(doc);

	if (size < 5 || size > PANDA_MSG_MAX)
		return -EBADMSG;
	if (!out) {
		if (bson_validate(doc, size, PANDA_DEPTH_MAX, NULL) < 0)
			return -EBADMSG;
		show_on_console(doc);
		return 0;
	}
	long rc = panda_send_doc(out, doc, size);	/* the kernel checks the document */
	if (rc == -EPIPE)
		panda_exit(exit_status_on_epipe);	/* the reader is gone: nothing left to do */
	return (int)rc;
}

int out_text(const char *text, size_t len)
{
	struct bson_builder b;

	bson_build_init(&b, text_doc, sizeof(text_doc));
	if (bson_utf8_valid((const uint8_t *)text, len, false))
		bson_append_utf8(&b, "text", text, len);
	else
		bson_append_binary(&b, "text", 0, text, len);
	if (!bson_build_finish(&b))
		return -E2BIG;
	return out_record(text_doc);
}

void out_flush(void)
{
	if (line_len)
		out_text(line, line_len);
	line_len = 0;
}

static void flush_at_exit(int status)
{
	exit_status_on_epipe = status;
	out_flush();
}

void out_write(const char *text, size_t len)
{
	if (!panda_out()) {
		console_write(text, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			out_text(line, line_len);
			line_len = 0;
			continue;
		}
		if (line_len == sizeof(line))
			out_flush();
		if (line_len == 0)
			panda_flush_at_exit(flush_at_exit);
		line[line_len++] = text[i];
	}
}

int complain(const char *prog, const char *what, int err)
{
	if (what)
		eprintf("%s: %s: %s\n", prog, what, error_text(err));
	else
		eprintf("%s: %s\n", prog, error_text(err));
	return 1;
}

const char *record_text(const uint8_t *doc, uint32_t *len)
{
	struct bson_iter it;
	const char *s;
	uint8_t subtype;

	if (!bson_find(doc, "text", &it))
		return NULL;
	s = bson_iter_utf8(&it, len);
	if (!s)
		s = (const char *)bson_iter_binary(&it, len, &subtype);
	return s;
}

/* --- input ------------------------------------------------------------ */

static uint8_t in_doc[PANDA_MSG_MAX];
static int in_err;
static bool in_ended;

/* A console line {"line": ...} becomes the text record {"text": ...}. */
static const uint8_t *console_line(panda_handle_t console)
{
	static uint8_t raw[2048];
	struct panda_msg msg = { .data = raw, .size = sizeof(raw) };
	struct bson_iter it;
	uint32_t len;

	long rc = panda_recv(console, &msg, 0, PANDA_DEADLINE_NEVER);
	if (rc < 0) {
		in_err = rc == -EPIPE ? 0 : (int)rc;
		return NULL;
	}
	const char *text = bson_find(raw, "line", &it) ? bson_iter_utf8(&it, &len) : NULL;
	struct bson_builder b;
	bson_build_init(&b, in_doc, sizeof(in_doc));
	bson_append_utf8(&b, "text", text ? text : "", text ? len : 0);
	bson_build_finish(&b);
	return in_doc;
}

const uint8_t *in_next(void)
{
	panda_handle_t in = panda_in();
	panda_handle_t handles[PANDA_MSG_HANDLES];

	if (in_ended)
		return NULL;
	if (!in) {
		const uint8_t *doc = panda_console() ? console_line(panda_console()) : NULL;
		in_ended = !doc;
		return doc;
	}
	struct panda_msg msg = {
		.data = in_doc, .size = sizeof(in_doc),
		.handles = handles, .handle_count = PANDA_MSG_HANDLES,
	};
	long rc = panda_recv(in, &msg, 0, PANDA_DEADLINE_NEVER);
	if (rc < 0) {
		in_err = rc == -EPIPE ? 0 : (int)rc;
		in_ended = true;
		return NULL;
	}
	for (uint32_t i = 0; i < msg.handle_count; i++)
		panda_close(handles[i]);
	return in_doc;
}

int in_error(void) { return in_err; }

/* --- starting programs ------------------------------------------------ */

static void append_env(struct bson_builder *b, const char *const *env)
{
	for (const char *const *e = env; *e; e++) {
		const char *eq = strchr(*e, '=');
		char name[128];
		size_t n = eq ? (size_t)(eq - *e) : 0;

		if (!eq || n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = 0;
		bson_append_cstr(b, name, eq + 1);
	}
}

/* This process's own environment, passed on as it came. */
static void inherit_env(struct bson_builder *b)
{
	const struct panda_startup *s = panda_startup();
	struct bson_iter it;
	const uint8_t *env;
	uint32_t len;

	if (s && s->doc && bson_find(s->doc, "env", &it) && (env = bson_iter_document(&it, &len)))
		bson_append_document(b, "env", env);
}

struct startup_name {
	const char *name;
	unsigned index;			/* in the granted handles */
};

/* {"env": {NAME: value...}, "handles": {name: index...}}. */
static size_t build_startup(const struct panda_launch *l, const struct startup_name *names,
			    unsigned count, uint8_t *doc, size_t cap)
{
	struct bson_builder b;

	bson_build_init(&b, doc, cap);
	if (!l->env) {
		inherit_env(&b);
	} else {
		bson_begin_document(&b, "env");
		append_env(&b, l->env);
		bson_end_document(&b);
	}
	bson_begin_document(&b, "handles");
	for (unsigned i = 0; i < count; i++)
		bson_append_int32(&b, names[i].name, (int32_t)names[i].index);
	bson_end_document(&b);
	return bson_build_finish(&b);
}

static const char *const standard_names[STARTUP_STANDARD] = {
	[STARTUP_ROOT] = "root", [STARTUP_CONSOLE] = "console",
	[STARTUP_CWD] = "cwd", [STARTUP_SYSINFO] = "sysinfo",
};

/* Grants h under name; with once, a handle already granted is named again
 * rather than granted twice. */
static void grant(panda_handle_t *handles, unsigned *count, struct startup_name *names,
		  unsigned *named, const char *name, panda_handle_t h, bool once)
{
	unsigned i = once ? 0 : *count;

	while (i < *count && handles[i] != h)
		i++;
	if (i == *count)
		handles[(*count)++] = h;
	names[(*named)++] = (struct startup_name){ name, i };
}

static long launch_file(const struct panda_launch *l)
{
	panda_handle_t handles[PANDA_SPAWN_HANDLES];
	struct startup_name names[PANDA_SPAWN_HANDLES];
	static uint8_t doc[PANDA_STARTUP_DOC_MAX];
	unsigned count = 0, named = 0;

	if (l->extra_count > PANDA_SPAWN_HANDLES - STARTUP_STANDARD)
		return -E2BIG;
	/* The standard handles this process has, in their places when it has
	 * them all; the startup message names each, so a missing one shifts
	 * nothing the child looks up. */
	for (unsigned i = 0; i < STARTUP_STANDARD; i++) {
		panda_handle_t h = l->standard[i] ? l->standard[i] : panda_handle_named(standard_names[i]);
		if (h)
			grant(handles, &count, names, &named, standard_names[i], h, false);
	}
	for (unsigned i = 0; i < l->extra_count; i++)
		grant(handles, &count, names, &named, l->extra[i].name, l->extra[i].handle, true);
	size_t size = build_startup(l, names, named, doc, sizeof(doc));
	if (!size)
		return -E2BIG;
	struct panda_spawn spawn = {
		.dir = l->dir,
		.handle_count = count,
		.path = l->path,
		.argv = l->argv,
		.argc = l->argc < 0 ? 0 : (uint64_t)l->argc,
		.handles = handles,
		.limits = l->limits,
		.doc = doc,
		.doc_size = size,
	};
	return panda_spawn(&spawn);
}

#define SCRIPT_LINE_MAX	128	/* bytes of a "#!" line read */
#define SCRIPT_ARGS_MAX	64	/* arguments a script is run with */

/* The "#!" line of the file l names, split into the interpreter and an
 * optional argument (in line): how many of the two, or 0 when it has none. */
static int script_interpreter(const struct panda_launch *l, char line[SCRIPT_LINE_MAX],
			      char **interp, char **arg)
{
	long f = panda_open(l->dir, l->path, OPEN_READ);

	if (f < 0)
		return 0;
	long n = panda_read((panda_handle_t)f, line, SCRIPT_LINE_MAX - 1);
	panda_close((panda_handle_t)f);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = 0;
	char *end = strchr(line, '\n');
	if (!end && n == SCRIPT_LINE_MAX - 1)
		return 0;			/* a line too long to be one */
	if (end)
		*end = 0;
	for (size_t len = strlen(line); len && line[len - 1] == '\r';)
		line[--len] = 0;		/* a script written on DOS */
	char *s = line + 2;
	while (*s == ' ' || *s == '\t')
		s++;
	*interp = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*interp == s || **interp != '/')
		return 0;
	if (!*s)
		return 1;
	*s++ = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	*arg = s;
	return *s ? 2 : 1;
}

/* Runs the script l names with its "#!" interpreter: -ENOEXEC when it
 * names none. */
static long launch_script(const struct panda_launch *l)
{
	char line[SCRIPT_LINE_MAX];
	char *interp, *arg;
	const char *argv[SCRIPT_ARGS_MAX];
	int n = script_interpreter(l, line, &interp, &arg);

	if (n == 0 || !panda_root())
		return -ENOEXEC;
	if (l->argc + n > SCRIPT_ARGS_MAX)
		return -E2BIG;
	int argc = 0;
	argv[argc++] = interp;
	if (n == 2)
		argv[argc++] = arg;
	argv[argc++] = l->path;
	for (int i = 1; i < l->argc; i++)
		argv[argc++] = l->argv[i];
	struct panda_launch script = *l;
	script.dir = panda_root();
	script.path = interp;
	script.argc = argc;
	script.argv = argv;
	return launch_file(&script);		/* one level: not launch_script again */
}

long panda_launch(const struct panda_launch *l)
{
	long rc = launch_file(l);

	return rc == -ENOEXEC ? launch_script(l) : rc;
}

long panda_spawn_simple(panda_handle_t dir, const char *path, int argc,
			const char *const *argv)
{
	struct panda_launch l = { .dir = dir, .path = path, .argc = argc, .argv = argv };

	return panda_launch(&l);
}
