/* The console object: output to every screen the kernel has (serial, and
 * the display once there is one), input from the keyboard and the serial
 * line through one line discipline. Protocol in docs/protocols.md.
 *
 * Cooked mode (the default) collects a line with echo, Backspace, Ctrl-U
 * (erase the line) and Enter; Ctrl-D on an empty line is end of input.
 * Raw mode hands every key press over as it comes, without echo. In both,
 * Ctrl-C kills the foreground process its holder named, if any. */
#include "dev/console.h"

#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "dev/input.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "object/answer.h"
#include "object/message.h"
#include "object/request.h"
#include "sched/wait.h"

#define LINE_MAX	1024		/* bytes in the line being typed */
/* Typed-ahead input not yet received: room for a whole line (LINE_MAX)
 * pasted in raw mode, where each character is a 12-byte key record. */
#define QUEUE_BYTES	16384
#define EVENT_MSG_MAX	96		/* a raw-mode key document */

/* Typed-ahead input: complete lines (cooked) or key events (raw), kept as
 * ready-made documents in a byte ring would be overkill: a queue of small
 * records in a fixed buffer does. */
struct input_record {
	uint16_t len;			/* bytes of text, or 0 for a key event / EOF */
	uint8_t kind;			/* REC_LINE, REC_KEY, REC_EOF */
	struct key_event key;
};

enum { REC_LINE, REC_KEY, REC_EOF };

static struct {
	struct kobj obj;
	struct spinlock lock;		/* guards everything below */
	bool raw;
	char line[LINE_MAX];		/* being typed (cooked) */
	size_t line_len;
	uint8_t queue[QUEUE_BYTES];	/* records and their text, FIFO */
	size_t head, tail;		/* byte offsets; head == tail: empty */
	uint64_t dropped;		/* input lost to a full queue */
	struct message *pending;	/* built but not yet taken by recv */
	struct kobj *foreground;	/* a process, killed by Ctrl-C (a reference) */
	struct wait_queue readers;
} console;

static void console_destroy(struct kobj *obj)
{
	(void)obj;
	panic("console: the console object lost its last reference");
}

/* --- the input queue (caller holds the lock) -------------------------- */

static size_t queue_used(void)
{
	spin_assert_held(&console.lock);
	return console.tail - console.head;
}

static void queue_put(const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console.queue[(console.tail + i) % QUEUE_BYTES] = ((const uint8_t *)data)[i];
	console.tail += n;
}

static void queue_get(void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)data)[i] = console.queue[(console.head + i) % QUEUE_BYTES];
	console.head += n;
}

static bool push_record(uint8_t kind, const struct key_event *key, const char *text, size_t len)
{
	struct input_record r = { .len = (uint16_t)len, .kind = kind };

	if (key)
		r.key = *key;
	if (QUEUE_BYTES - queue_used() < sizeof(r) + len) {
		console.dropped++;
		return false;
	}
	queue_put(&r, sizeof(r));
	queue_put(text, len);
	return true;
}

/* --- output ----------------------------------------------------------- */

static void echo(const char *text, size_t n)
{
	log_write_text(text, n);
}

/* --- input: the line discipline ------------------------------------- */

/* What a foreground is and how Ctrl-C ends it: the process layer's (it
 * sits above dev), registered by process_init. */
static const struct console_job_ops *job_ops;

void console_set_job_ops(const struct console_job_ops *ops)
{
	job_ops = ops;
}

/* Returns true when readers should wake; *interrupt gets the process
 * Ctrl-C kills (with a reference). Caller holds the lock. */
static bool discipline(const struct key_event *ev, struct kobj **interrupt)
{
	uint32_t k = ev->key;

	spin_assert_held(&console.lock);
	if (k == 0x03 && console.foreground) {		/* Ctrl-C */
		*interrupt = kobj_get(console.foreground);
		console.line_len = 0;
		if (!console.raw)
			echo("^C\n", 3);
		return false;
	}
	if (console.raw)
		return push_record(REC_KEY, ev, NULL, 0);
	switch (k) {
	case '\n':
		echo("\n", 1);
		push_record(REC_LINE, NULL, console.line, console.line_len);
		console.line_len = 0;
		return true;
	case '\b':
		if (console.line_len) {
			/* Erase a whole UTF-8 character, not just its last byte. */
			do
				console.line_len--;
			while (console.line_len &&
			       (console.line[console.line_len] & 0xc0) == 0x80);
			echo("\b \b", 3);
		}
		return false;
	case 0x15:					/* Ctrl-U */
		for (; console.line_len; console.line_len--)
			echo("\b \b", 3);
		return false;
	case 0x04:					/* Ctrl-D */
		if (console.line_len == 0) {
			push_record(REC_EOF, NULL, NULL, 0);
			return true;
		}
		return false;
	case 0x03:					/* Ctrl-C, nobody to stop */
		console.line_len = 0;
		echo("^C\n", 3);
		return false;
	}
	if (k >= 0x110000 || k < 0x20 || k == 0x7f)
		return false;		/* other keys mean nothing to a line */
	char utf8[4];
	size_t n = k < 0x80 ? 1 : k < 0x800 ? 2 : k < 0x10000 ? 3 : 4;
	if (n == 1) {
		utf8[0] = (char)k;
	} else {
		for (size_t i = n - 1; i > 0; i--, k >>= 6)
			utf8[i] = (char)(0x80 | (k & 0x3f));
		utf8[0] = (char)((0xf0 << (4 - n)) | k);
	}
	if (console.line_len + n > LINE_MAX) {
		console.dropped++;
		return false;
	}
	memcpy(console.line + console.line_len, utf8, n);
	console.line_len += n;
	echo(utf8, n);
	return false;
}

void console_input(const struct key_event *ev)
{
	struct kobj *interrupt = NULL;
	bool wake;

	if (!console.obj.type)
		return;			/* input before console_init */
	{
		guard(spinlock)(&console.lock);
		wake = discipline(ev, &interrupt);
	}
	if (interrupt) {
		job_ops->interrupt(interrupt);
		kobj_put(interrupt);
	}
	if (wake)
		wait_queue_wake_all(&console.readers, 0);
}

/* --- recv ------------------------------------------------------------- */

/* The next record as a document: {"line": text}, {"key": code, "mods": m,
 * "text": character} or NULL for end of input. Caller holds the lock and
 * has checked the queue is not empty. */
static int next_message(struct message **out)
{
	struct input_record r;

	spin_assert_held(&console.lock);
	queue_get(&r, sizeof(r));
	if (r.kind == REC_EOF) {
		*out = NULL;
		return 0;
	}
	struct message *m = message_alloc(r.len + EVENT_MSG_MAX, 0);
	if (!m) {
		console.head += r.len;
		return -ENOMEM;
	}
	struct bson_builder b;
	bson_build_init(&b, m->data, r.len + EVENT_MSG_MAX);
	if (r.kind == REC_LINE) {
		char text[LINE_MAX];
		queue_get(text, r.len);
		bson_append_utf8(&b, "line", text, r.len);
	} else {
		bson_append_int64(&b, "key", r.key.key);
		bson_append_int32(&b, "mods", (int32_t)r.key.modifiers);
		if (r.key.key < 0x80 && r.key.key >= 0x20) {
			char c = (char)r.key.key;
			bson_append_utf8(&b, "text", &c, 1);
		}
	}
	m->size = (uint32_t)bson_build_finish(&b);
	*out = m;
	return 0;
}

static bool readable(void *arg)
{
	(void)arg;
	guard(spinlock)(&console.lock);
	return console.pending || queue_used();
}

static int console_recv(struct kobj *obj, uint32_t max_size, uint32_t max_handles,
			bool nonblock, uint64_t deadline, struct message **out,
			uint32_t *need_size, uint32_t *need_handles)
{
	(void)obj, (void)max_handles;
	for (;;) {
		int rc = -EAGAIN;
		{
			guard(spinlock)(&console.lock);
			if (!console.pending && queue_used()) {
				rc = next_message(&console.pending);
				if (rc == 0 && !console.pending)
					return -EPIPE;		/* end of input */
			}
			if (console.pending) {
				if (console.pending->size > max_size) {
					*need_size = console.pending->size;
					*need_handles = 0;
					return -ETOOSMALL;
				}
				*out = console.pending;
				console.pending = NULL;
				return 0;
			}
			if (rc == -ENOMEM)
				return rc;
		}
		if (nonblock)
			return -EAGAIN;
		rc = wait_event(&console.readers, readable, NULL, deadline);
		if (rc < 0)
			return rc;
	}
}

static void console_unreceive(struct kobj *obj, struct message *m)
{
	(void)obj;
	{
		guard(spinlock)(&console.lock);
		if (!console.pending) {
			console.pending = m;
			m = NULL;
		}
	}
	message_free(m);
}

static uint32_t console_signals(struct kobj *obj)
{
	(void)obj;
	return readable(NULL) ? SIGNAL_READABLE : 0;
}

static struct wait_queue *console_signal_queue(struct kobj *obj)
{
	(void)obj;
	return &console.readers;
}

/* --- requests --------------------------------------------------------- */

/* {"op": "write", "data": string or binary} -> {"written": n} */
static int console_write(const uint8_t *doc, struct bson_builder *reply)
{
	struct bson_iter it;
	const void *data = NULL;
	uint32_t len = 0;
	uint8_t subtype;

	if (!bson_find(doc, "data", &it))
		return -EINVAL;
	if (it.type == BSON_STRING)
		data = bson_iter_utf8(&it, &len);
	else if (it.type == BSON_BINARY)
		data = bson_iter_binary(&it, &len, &subtype);
	if (!data)
		return -EINVAL;
	log_write_text(data, len);
	bson_append_int64(reply, "written", len);
	return 0;
}

/* {"op": "mode", "raw": bool} */
static int console_mode(const uint8_t *doc)
{
	struct bson_iter it;
	bool raw;

	if (!bson_find(doc, "raw", &it) || !bson_iter_bool(&it, &raw))
		return -EINVAL;
	console_set_raw(raw);
	return 0;
}

/* The line being typed, as the key events that typed it: type-ahead is
 * not lost when a program turns raw mode on before reading. Caller holds
 * the lock. */
static void line_to_keys(void)
{
	spin_assert_held(&console.lock);
	for (size_t i = 0; i < console.line_len;) {
		uint8_t b = (uint8_t)console.line[i];
		size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
		uint32_t c = n == 1 ? b : b & (0x3f >> (n - 1));
		for (size_t k = 1; k < n && i + k < console.line_len; k++)
			c = c << 6 | ((uint8_t)console.line[i + k] & 0x3f);
		struct key_event ev = { .key = c };
		push_record(REC_KEY, &ev, NULL, 0);
		i += n;
	}
}

void console_set_raw(bool raw)
{
	bool typed;
	{
		guard(spinlock)(&console.lock);
		typed = raw && !console.raw && console.line_len;
		if (typed)
			line_to_keys();
		console.raw = raw;
		console.line_len = 0;
	}
	if (typed)
		wait_queue_wake_all(&console.readers, 0);
}

bool console_is_raw(void)
{
	guard(spinlock)(&console.lock);
	return console.raw;
}

/* {"op": "foreground"} with a process handle attached, or none to clear. */
static int console_foreground(struct message *req)
{
	struct kobj *p = NULL, *old;

	if (req->handle_count > 1)
		return -EINVAL;
	if (req->handle_count == 1) {
		bool is_job = job_ops && req->objs[0]->type == job_ops->type;
		if (!is_job || !(req->rights[0] & RIGHT_KILL))
			return !is_job ? -EINVAL : -EACCES;
		p = kobj_get(req->objs[0]);
	}
	{
		guard(spinlock)(&console.lock);
		old = console.foreground;
		console.foreground = p;
	}
	if (old)
		kobj_put(old);
	return 0;
}

enum { OP_WRITE, OP_MODE, OP_FOREGROUND };
static const struct request_op console_ops[] = {
	[OP_WRITE] = { "write", RIGHT_WRITE },
	[OP_MODE] = { "mode", RIGHT_WRITE },
	/* and RIGHT_KILL on the process handle it carries: checked there */
	[OP_FOREGROUND] = { "foreground", RIGHT_MANAGE },
};

static int console_answer(struct kobj *obj, uint32_t rights, struct message *req,
			  struct kobj_reply *reply)
{
	int op = request_op_index(req, REQUEST_OPS(console_ops), rights);

	(void)obj;
	switch (op) {
	case OP_WRITE:
		return console_write(req->data, reply->doc);
	case OP_MODE:
		return console_mode(req->data);
	case OP_FOREGROUND:
		return console_foreground(req);
	default:
		return op;		/* -EINVAL, -ENOSYS or -EACCES */
	}
}

const struct kobj_type console_type = {
	.name = "console",
	.destroy = console_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = console_answer,
	.recv = console_recv,
	.unreceive = console_unreceive,
	.signals = console_signals,
	.signal_queue = console_signal_queue,
};

void console_init(void)
{
	kobj_init(&console.obj, &console_type);	/* the kernel's reference */
	console.lock = (struct spinlock)SPINLOCK_INIT("console");
	wait_queue_init(&console.readers);
}

struct kobj *console_object(void)
{
	return kobj_get(&console.obj);
}
