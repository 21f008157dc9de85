/* Byte streams over Panda's record objects: the console as a Linux
 * program's terminal, and the shell's `in`/`out` channels as its standard
 * input and output (docs/posix.md, "The bridge to pipelines").
 *
 * Reading takes one message at a time and hands out its bytes: a console
 * line or a text record becomes the text and a newline; any other record
 * becomes its JSON on one line. Writing to a channel gathers bytes into
 * lines and sends each as a {"text": line} record (binary when it is not
 * UTF-8, as libpanda's out_write does); a line longer than STREAM_LINE_MAX
 * is cut, and a last line without its newline goes out when the
 * description is closed. */
#include "posix/internal.h"

#include "core/kobj.h"
#include "core/log.h"
#include "dev/console.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/keys.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "object/channel.h"
#include "object/message.h"
#include "proc/process.h"

#define STREAM_LINE_MAX		4096u	/* bytes of one record's text */
#define STREAM_CHUNK		4096u	/* bytes a write copies in at a time */

/* --- reading ------------------------------------------------------------ */

/* c (below 0x110000) in UTF-8: the length. */
static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* What a terminal sends for a key of the console's raw mode: the
 * character (in UTF-8; Backspace as DEL, Ctrl+letter as its control code,
 * Alt as an Esc before it) or the xterm sequence of a special key. The
 * length, 0 for a key that sends nothing. */
static size_t key_bytes(int64_t key, int32_t mods, uint8_t out[8])
{
	static const char *const special[] = {
		[KEY_UP - KEY_UP] = "\x1b[A", [KEY_DOWN - KEY_UP] = "\x1b[B",
		[KEY_LEFT - KEY_UP] = "\x1b[D", [KEY_RIGHT - KEY_UP] = "\x1b[C",
		[KEY_HOME - KEY_UP] = "\x1b[H", [KEY_END - KEY_UP] = "\x1b[F",
		[KEY_DELETE - KEY_UP] = "\x1b[3~", [KEY_INSERT - KEY_UP] = "\x1b[2~",
		[KEY_PAGE_UP - KEY_UP] = "\x1b[5~", [KEY_PAGE_DOWN - KEY_UP] = "\x1b[6~",
		[KEY_F1 - KEY_UP] = "\x1bOP", [KEY_F1 + 1 - KEY_UP] = "\x1bOQ",
		[KEY_F1 + 2 - KEY_UP] = "\x1bOR", [KEY_F1 + 3 - KEY_UP] = "\x1bOS",
	};
	size_t n = 0;

	if (key >= KEY_UP) {
		uint64_t i = (uint64_t)(key - KEY_UP);
		const char *seq = i < sizeof(special) / sizeof(special[0]) ? special[i] : NULL;
		n = seq ? strlen(seq) : 0;
		memcpy(out, seq ? seq : "", n);
		return n;
	}
	if (key < 0 || key >= 0x110000)
		return 0;
	if (mods & MOD_ALT)
		out[n++] = 0x1b;
	if (key == '\b')
		key = 0x7f;
	else if (mods & MOD_CTRL && ((key >= 'a' && key <= 'z') || (key >= '@' && key <= '_')))
		key &= 0x1f;
	return n + utf8_encode((uint32_t)key, (char *)out + n);
}

/* Turns message m into the bytes reads hand out (f->in). */
static int take_message(struct posix_file *f, struct message *m)
{
	struct bson_iter it;
	const char *text = NULL;
	uint32_t len = 0;
	uint8_t subtype;
	int64_t key;

	if (f->obj->type == &console_type && bson_find(m->data, "key", &it) &&
	    bson_iter_integer(&it, &key)) {
		int32_t mods = 0;
		uint8_t bytes[8];
		if (bson_find(m->data, "mods", &it))
			bson_iter_int32(&it, &mods);
		size_t n = key_bytes(key, mods, bytes);
		uint8_t *buf = kmalloc_uninit(sizeof(bytes));
		if (!buf)
			return -ENOMEM;
		memcpy(buf, bytes, n);
		guard(spinlock)(&f->lock);
		kfree(f->in);
		f->in = buf;
		f->in_len = (uint32_t)n;
		f->in_off = 0;
		return 0;
	}
	if (bson_find(m->data, "line", &it) || bson_find(m->data, "text", &it)) {
		text = bson_iter_utf8(&it, &len);
		if (!text)
			text = (const char *)bson_iter_binary(&it, &len, &subtype);
	}
	size_t cap = text ? len + 1 : 3 * m->size + 64;	/* JSON is at most that */
	uint8_t *buf = kmalloc_uninit(cap);
	if (!buf)
		return -ENOMEM;
	if (text) {
		memcpy(buf, text, len);
	} else {
		len = (uint32_t)bson_to_json_buf(m->data, (char *)buf, cap - 1);
		if (len > cap - 1)
			len = (uint32_t)cap - 1;
	}
	buf[len++] = '\n';
	guard(spinlock)(&f->lock);
	kfree(f->in);
	f->in = buf;
	f->in_len = len;
	f->in_off = 0;
	return 0;
}

/* Hands out what the last message left, up to len bytes: how many, or 0
 * when nothing is left. */
static long hand_out(struct posix_file *f, void __user *buf, size_t len)
{
	uint8_t chunk[256];
	size_t done = 0;

	while (done < len) {
		size_t n;
		{
			guard(spinlock)(&f->lock);
			n = f->in_len - f->in_off;
			if (n > len - done)
				n = len - done;
			if (n > sizeof(chunk))
				n = sizeof(chunk);
			memcpy(chunk, f->in + f->in_off, n);
			f->in_off += (uint32_t)n;
		}
		if (n == 0)
			break;
		if (copy_to_user((char __user *)buf + done, chunk, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/* One read: what is left of the last message, else the next message's
 * bytes (waiting for it unless O_NONBLOCK); 0 at the end of input. Like a
 * terminal in canonical mode it returns at most one line. */
static long stream_read(struct posix_file *f, void __user *buf, size_t len, const uint64_t *at)
{
	if (!(f->rights & RIGHT_RECV) || !f->obj->type->recv)
		return -LINUX_EBADF;
	if (len == 0)
		return 0;
	long got = hand_out(f, buf, len);
	if (got != 0)
		return got;
	if (__atomic_load_n(&f->in_eof, __ATOMIC_RELAXED) && f->obj->type != &console_type)
		return 0;
	struct message *m;
	uint32_t need_size, need_handles;
	int rc = f->obj->type->recv(f->obj, PANDA_MSG_MAX, PANDA_MSG_HANDLES,
				    f->status & LINUX_O_NONBLOCK, UINT64_MAX, &m, &need_size,
				    &need_handles);
	if (rc == -EPIPE) {
		/* The console reads on after a Ctrl-D; a closed channel is
		 * over for good. */
		__atomic_store_n(&f->in_eof, true, __ATOMIC_RELAXED);
		return 0;
	}
	if (rc == -ECANCELED)
		return -LINUX_EINTR;
	if (rc < 0)
		return rc;
	rc = take_message(f, m);
	message_free(m);	/* a record's handles are closed: no fd could hold them */
	return rc < 0 ? rc : hand_out(f, buf, len);
}

/* --- writing to the console ---------------------------------------------- */

static long tty_write(struct posix_file *f, const void __user *buf, size_t len,
		      const uint64_t *at)
{
	char chunk[512];
	size_t done = 0;

	if (!(f->rights & RIGHT_WRITE))
		return -LINUX_EBADF;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (copy_from_user(chunk, (const char __user *)buf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		log_write_text(chunk, n);
		done += n;
	}
	return (long)done;
}

static long tty_write_kernel(struct posix_file *f, const void *buf, size_t len)
{
	if (!(f->rights & RIGHT_WRITE))
		return -LINUX_EBADF;
	log_write_text(buf, len);
	return (long)len;
}

static int tty_stat(struct posix_file *f, struct vfs_stat *st)
{
	*st = (struct vfs_stat){ .type = VFS_FILE, .nlink = 1, .ino = 1 };
	return 0;
}

/* The terminal's settings as a Linux program reads them: canonical mode
 * with echo and signals, the usual control characters. Settings written
 * are kept for the next read. ICANON is the console's mode: off, each key
 * is read as the bytes a terminal sends for it, without echo (what a line
 * editor such as busybox sh's wants); on, a read returns a line the
 * console has echoed and edited. The other flags are kept, not acted on
 * (docs/posix.md). */
static struct linux_termios tty_settings = {
	.c_iflag = 0x0500,		/* ICRNL | IXON */
	.c_oflag = 0x0005,		/* OPOST | ONLCR */
	.c_cflag = 0x00bf,		/* B38400 | CS8 | CREAD */
	.c_lflag = 0x8a3b,		/* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
	.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
};
static struct spinlock tty_lock = SPINLOCK_INIT("posix tty");

static long tty_ioctl(struct posix_file *f, unsigned cmd, uint64_t arg)
{
	void __user *p = user_ptr(arg);

	switch (cmd) {
	case LINUX_TCGETS: {
		struct linux_termios t;
		{
			guard(spinlock)(&tty_lock);
			t = tty_settings;
		}
		/* Whoever set the mode last (the Panda shell too) decides. */
		if (console_is_raw())
			t.c_lflag &= ~(uint32_t)(LINUX_ICANON | LINUX_ECHO);
		else
			t.c_lflag |= LINUX_ICANON | LINUX_ECHO;
		return copy_to_user(p, &t, sizeof(t));
	}
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF: {
		struct linux_termios t;
		if (copy_from_user(&t, p, sizeof(t)) < 0)
			return -EFAULT;
		{
			guard(spinlock)(&tty_lock);
			tty_settings = t;
		}
		console_set_raw(!(t.c_lflag & LINUX_ICANON));
		return 0;
	}
	case LINUX_TIOCGWINSZ: {
		struct linux_winsize ws = { .ws_row = 24, .ws_col = 80 };
		return copy_to_user(p, &ws, sizeof(ws));
	}
	case LINUX_TIOCGPGRP: {
		int32_t pgrp = (int32_t)current_process()->pid;
		return copy_to_user(p, &pgrp, sizeof(pgrp));
	}
	case LINUX_TIOCSPGRP:
		return 0;
	default:
		return -LINUX_ENOTTY;
	}
}

/* --- waiting (poll) ------------------------------------------------------ */

/* What the object behind f says, and its queue in q[0]. */
static uint32_t object_signals(struct posix_file *f, struct wait_queue **q)
{
	q[0] = f->obj->type->signal_queue(f->obj);
	return f->obj->type->signals(f->obj);
}

/* Bytes of the last message not yet handed out: a read would not wait. */
static bool bytes_left(struct posix_file *f)
{
	guard(spinlock)(&f->lock);
	return f->in_off < f->in_len;
}

static uint32_t tty_poll(struct posix_file *f, struct wait_queue **q)
{
	uint32_t s = object_signals(f, q);

	return LINUX_POLLOUT | LINUX_POLLWRNORM |
	       (bytes_left(f) || s & SIGNAL_READABLE ? LINUX_POLLIN | LINUX_POLLRDNORM : 0);
}

/* A channel read as bytes: readable as a pipe is, hung up at its end. */
static uint32_t records_in_poll(struct posix_file *f, struct wait_queue **q)
{
	uint32_t s = object_signals(f, q);

	if (bytes_left(f) || s & SIGNAL_READABLE)
		return LINUX_POLLIN | LINUX_POLLRDNORM;
	return s & SIGNAL_PEER_CLOSED || __atomic_load_n(&f->in_eof, __ATOMIC_RELAXED) ?
		       LINUX_POLLHUP : 0;
}

static uint32_t records_out_poll(struct posix_file *f, struct wait_queue **q)
{
	uint32_t s = object_signals(f, q);

	if (s & SIGNAL_PEER_CLOSED)
		return LINUX_POLLERR;
	return s & SIGNAL_WRITABLE ? LINUX_POLLOUT | LINUX_POLLWRNORM : 0;
}

const struct posix_file_ops posix_tty_ops = {
	.name = "tty", .read = stream_read, .write = tty_write,
	.write_kernel = tty_write_kernel, .stat = tty_stat,
	.mode = LINUX_S_IFCHR | 0620, .ioctl = tty_ioctl, .poll = tty_poll,
};

/* --- writing records ---------------------------------------------------- */

/* Sends line[0..len) as one text record: 0, or -EPIPE when no one reads
 * any more, or another send error. */
static int send_line(struct posix_file *f, const uint8_t *line, uint32_t len)
{
	struct message *m = message_alloc(len + 32, 0);

	if (!m)
		return -ENOMEM;
	struct bson_builder b;
	bson_build_init(&b, m->data, len + 32);
	if (bson_utf8_valid(line, len, false))
		bson_append_utf8(&b, "text", (const char *)line, len);
	else
		bson_append_binary(&b, "text", 0, line, len);
	m->size = (uint32_t)bson_build_finish(&b);
	int rc = message_charge(m, f->quota);
	if (rc < 0) {
		message_free(m);
		return rc;
	}
	struct kobj_send s = { .rights = f->rights, .quota = f->quota };
	return f->obj->type->send(f->obj, m, &s);
}

/* Takes bytes into the line being gathered, sending each line finished. */
static int gather(struct posix_file *f, const char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool end = bytes[i] == '\n';
		if (!end)
			f->out[f->out_len++] = (uint8_t)bytes[i];
		if (end || f->out_len == STREAM_LINE_MAX) {
			int rc = send_line(f, f->out, f->out_len);
			f->out_len = 0;
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static long records_write(struct posix_file *f, const void __user *buf, size_t len,
			  const uint64_t *at)
{
	char chunk[STREAM_CHUNK];
	size_t done = 0;

	if (!(f->rights & RIGHT_SEND) || !f->obj->type->send)
		return -LINUX_EBADF;
	/* One writer at a time gathers (the line buffer is the
	 * description's): sends may block, so not under the spinlock. */
	if (!f->out && !(f->out = kmalloc_uninit(STREAM_LINE_MAX)))
		return -ENOMEM;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
		if (copy_from_user(chunk, (const char __user *)buf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		int rc = gather(f, chunk, n);
		if (rc < 0)
			return done ? (long)done : rc == -ECANCELED ? -LINUX_EINTR : posix_epipe(rc);
		done += n;
	}
	return (long)done;
}

static long records_write_kernel(struct posix_file *f, const void *buf, size_t len)
{
	if (!(f->rights & RIGHT_SEND) || !f->obj->type->send)
		return -LINUX_EBADF;
	if (!f->out && !(f->out = kmalloc_uninit(STREAM_LINE_MAX)))
		return -ENOMEM;
	int rc = gather(f, buf, len);
	return rc < 0 ? (rc == -ECANCELED ? -LINUX_EINTR : posix_epipe(rc)) : (long)len;
}

static void records_flush(struct posix_file *f)
{
	if (f->out_len)
		send_line(f, f->out, f->out_len);
	f->out_len = 0;
}

static int pipe_stat(struct posix_file *f, struct vfs_stat *st)
{
	*st = (struct vfs_stat){ .type = VFS_FILE, .nlink = 1 };
	return 0;
}

const struct posix_file_ops posix_records_in_ops = {
	.name = "records in", .read = stream_read, .stat = pipe_stat,
	.mode = LINUX_S_IFIFO | 0600, .poll = records_in_poll,
};

const struct posix_file_ops posix_records_out_ops = {
	.name = "records out", .write = records_write,
	.write_kernel = records_write_kernel, .stat = pipe_stat,
	.mode = LINUX_S_IFIFO | 0600, .flush = records_flush, .poll = records_out_poll,
};

struct posix_file *posix_stream_for(struct kobj *obj, uint32_t rights, bool writer,
				    struct quota *quota)
{
	uint32_t status = writer ? LINUX_O_WRONLY : LINUX_O_RDONLY;

	if (obj->type == &console_type)
		return posix_file_new(&posix_tty_ops, obj, rights, LINUX_O_RDWR, quota);
	if (obj->type == &endpoint_type)
		return posix_file_new(writer ? &posix_records_out_ops : &posix_records_in_ops,
				      obj, rights, status, quota);
	return NULL;
}
