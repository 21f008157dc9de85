/* Channels, messages and handles from user space, run as init (it holds
 * STARTUP_ROOT and STARTUP_CONSOLE). It checks the console object through
 * call; round trips through /test/ipc-peer; forged, stale and wrong-kind
 * handles; missing rights; handles moving through messages; the end of a
 * channel from either side; bad pointers in every pointer argument of send,
 * recv, call, channel_create and wait; the size, depth, validity, handle and
 * queue limits of a message; too-small receive buffers and parked replies;
 * senders blocked on a full queue; calls that time out; a peer killed while
 * holding handles; and wait on several objects. Handles listed in a refused
 * message must be gone whatever the error (docs/protocols.md), and a reply
 * that could not be delivered must not keep what it carries alive. The
 * expected answers are docs/syscalls.md's and docs/protocols.md's; the
 * helper processes are /test/ipc-peer's modes. Each check prints
 * `ipc-test: ok NAME` or `ipc-test: FAIL NAME: detail`; the last line
 * counts the checks passed, and the exit status is 0 only when none failed. */
#include <stdarg.h>
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"
#include "xorshift.h"

#define MS		1000000ull
#define USER_TOP	0x00007ffffffff000ul
#define PAGE		4096
#define PEER		"/test/ipc-peer"
#define CHANNEL_RIGHTS	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_DUP | RIGHT_TRANSFER)

static panda_handle_t root, console;

/* Big buffers for 64 KiB documents, in .bss. */
static uint8_t big[PANDA_MSG_MAX + 64];
static uint8_t big_in[PANDA_MSG_MAX + 64];
static uint8_t pattern[PANDA_MSG_MAX];

/* --- reporting -------------------------------------------------------- */

/* Several results that make one check: the first wrong one is kept. */
struct tally {
	const char *name;
	unsigned bad;
	char first[160];
};

__attribute__((format(printf, 3, 4)))
static void tally_fail(struct tally *t, bool good, const char *fmt, ...)
{
	va_list ap;

	if (good)
		return;
	if (t->bad++ == 0) {
		va_start(ap, fmt);
		vsnprintf(t->first, sizeof(t->first), fmt, ap);
		va_end(ap);
	}
}

static void tally_expect(struct tally *t, const char *what, long got, long want)
{
	tally_fail(t, got == want, "%s gave %ld (%s), want %s", what, got, verdict_err_text(got),
		   verdict_err_text(want));
}

static bool tally_done(struct tally *t)
{
	return verdict(t->name, t->bad == 0, "%u wrong, first: %s", t->bad, t->first);
}

/* --- documents, messages ------------------------------------------------ */

static uint64_t in_ms(uint64_t ms)
{
	return panda_clock() + ms * MS;
}

/* A small document {key: v}. */
struct doc {
	uint32_t size;
	uint8_t data[252];
};

static struct doc int_doc(const char *key, int32_t v)
{
	struct doc d;
	struct bson_builder b;

	bson_build_init(&b, d.data, sizeof(d.data));
	bson_append_int32(&b, key, v);
	d.size = (uint32_t)bson_build_finish(&b);
	return d;
}

/* The integer at key (int32 or int64), or fallback. */
static int64_t doc_int(const void *doc, const char *key, int64_t fallback)
{
	struct bson_iter it;
	int64_t v;

	return bson_find(doc, key, &it) && bson_iter_integer(&it, &v) ? v : fallback;
}

static bool doc_str_is(const void *doc, const char *key, const char *want)
{
	struct bson_iter it;
	uint32_t len;
	const char *s = bson_find(doc, key, &it) ? bson_iter_utf8(&it, &len) : NULL;

	return s && len == strlen(want) && memcmp(s, want, len) == 0;
}

static long send_handles(panda_handle_t h, const struct doc *d, panda_handle_t *hs, uint32_t n,
			 unsigned flags)
{
	struct panda_msg m = { .data = (void *)d->data, .size = d->size,
			       .handles = hs, .handle_count = n };

	return panda_send(h, &m, flags);
}

static long send_int(panda_handle_t h, const char *key, int32_t v, unsigned flags)
{
	struct doc d = int_doc(key, v);

	return send_handles(h, &d, NULL, 0, flags);
}

/* A receive buffer with room for any small message and 64 handles. */
struct rx {
	struct panda_msg msg;
	uint8_t data[1024];
	panda_handle_t handles[PANDA_MSG_HANDLES];
};

static long rx_recv(panda_handle_t h, struct rx *r, unsigned flags, uint64_t deadline)
{
	r->msg = (struct panda_msg){ .data = r->data, .size = sizeof(r->data),
				     .handles = r->handles, .handle_count = PANDA_MSG_HANDLES };
	return panda_recv(h, &r->msg, flags, deadline);
}

/* Receives (without waiting) and returns the integer at key, or an error
 * (negative, below INT32_MIN for "no such field"). */
static int64_t recv_int(panda_handle_t h, const char *key)
{
	struct rx r;
	long n = rx_recv(h, &r, PANDA_NONBLOCK, 0);

	return n < 0 ? n : doc_int(r.data, key, (int64_t)INT32_MIN - 1);
}

static long wait_one(panda_handle_t h, uint32_t want, uint64_t deadline, uint32_t *got)
{
	struct panda_wait_item item = { .handle = h, .want = want };
	long rc = panda_wait(&item, 1, deadline);

	*got = item.got;
	return rc;
}

static bool make_channel(const char *what, panda_handle_t ends[2])
{
	long rc = panda_channel_create(ends);

	if (rc == 0)
		return true;
	verdict(what, false, "channel_create gave %s", verdict_err_text(rc));
	return false;
}

/* A second handle with the same rights, or 0. */
static panda_handle_t dup_of(panda_handle_t h)
{
	long d = panda_dup(h, RIGHTS_SAME);

	return d < 0 ? 0 : (panda_handle_t)d;
}

static void close_all(const panda_handle_t *hs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (hs[i])
			panda_close(hs[i]);
}

/* --- peers -------------------------------------------------------------- */

/* Starts `/test/ipc-peer MODE [ARG]` with the standard handles and the far
 * end of a new channel as its startup handle STARTUP_STANDARD (our copy of
 * that end is closed); *mine gets the near end. Returns the process handle or an error. */
static long start_peer(const char *mode, const char *arg, panda_handle_t *mine)
{
	const char *argv[] = { PEER, mode, arg };
	panda_handle_t ends[2];
	long rc = panda_channel_create(ends);

	if (rc < 0)
		return rc;
	panda_handle_t grant[STARTUP_STANDARD + 1] = {
		root, console, root, panda_startup_handle(STARTUP_SYSINFO), ends[1]
	};
	struct panda_spawn s = { .dir = root, .path = PEER, .argv = argv, .argc = arg ? 3 : 2,
				 .handles = grant, .handle_count = STARTUP_STANDARD + 1 };
	long p = panda_spawn(&s);
	panda_close(ends[1]);
	if (p < 0) {
		panda_close(ends[0]);
		return p;
	}
	*mine = ends[0];
	return p;
}

/* Waits (10 s at most, then kills) for a process and closes its handle:
 * its exit code, or -1000 - how when it did not exit normally, or an error. */
static long reap(panda_handle_t p)
{
	struct panda_exit_status st;
	long rc = panda_process_wait(p, in_ms(10000), &st);

	if (rc == -ETIMEDOUT) {
		panda_process_kill(p);
		panda_process_wait(p, PANDA_DEADLINE_NEVER, &st);
	}
	panda_close(p);
	if (rc < 0)
		return rc;
	return st.how == EXIT_NORMAL ? st.code : -1000 - (long)st.how;
}

static bool expect_exit(const char *name, panda_handle_t p, long want)
{
	long got = reap(p);

	return verdict(name, got == want, "the peer ended with %ld (%s), want exit %ld", got,
		       got <= -1000 ? panda_exit_how_name((uint32_t)(-1000 - got)) :
		       got < 0 ? error_name((int)got) : "exit code", want);
}

/* --- a. the console ----------------------------------------------------- */

/* call {"op": op[, "data": data]} on h; the reply lands in reply. */
static long console_call(panda_handle_t h, const char *op, const char *data, uint8_t *reply,
			 uint32_t cap)
{
	uint8_t req[256];
	struct bson_builder b;

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", op);
	if (data)
		bson_append_cstr(&b, "data", data);
	struct panda_msg q = { .data = req, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg r = { .data = reply, .size = cap };
	return panda_call(h, &q, &r, in_ms(10000));
}

static void check_console(void)
{
	uint8_t reply[256];
	const char *hello = "ipc-test: hello through the console\n";
	long rc = console_call(console, "write", hello, reply, sizeof(reply));
	int64_t n = rc > 0 ? doc_int(reply, "written", -1) : -1;

	verdict("console-write", rc > 0 && n == (int64_t)strlen(hello),
		"call gave %ld (%s), written %ld, want %zu", rc, verdict_err_text(rc), (long)n,
		strlen(hello));

	rc = console_call(console, "frobnicate", NULL, reply, sizeof(reply));
	n = rc > 0 ? doc_int(reply, "code", 0) : 0;
	verdict("console-unknown-op",
		rc > 0 && n == -ENOSYS && doc_str_is(reply, "error", "ENOSYS"),
		"call gave %ld (%s), code %ld, want an error reply with code -38", rc,
		verdict_err_text(rc), (long)n);

	long ro = panda_dup(console, RIGHTS_ALL & ~RIGHT_WRITE);
	if (!verdict_expect_ok("console-dup-without-write", ro))
		return;
	rc = console_call((panda_handle_t)ro, "write", "must not appear\n", reply, sizeof(reply));
	n = rc > 0 ? doc_int(reply, "code", 0) : 0;
	verdict("console-write-needs-right", rc > 0 && n == -EACCES &&
		doc_str_is(reply, "error", "EACCES"),
		"call gave %ld (%s), code %ld, want an error reply with code -201", rc,
		verdict_err_text(rc), (long)n);
	/* send runs the same request and returns the code instead. */
	struct doc d;
	struct bson_builder b;
	bson_build_init(&b, d.data, sizeof(d.data));
	bson_append_cstr(&b, "op", "write");
	bson_append_cstr(&b, "data", "must not appear either\n");
	d.size = (uint32_t)bson_build_finish(&b);
	verdict_expect("console-send-needs-right", send_handles((panda_handle_t)ro, &d, NULL, 0, 0),
	       -EACCES);
	panda_close((panda_handle_t)ro);
}

/* --- b. round trips ------------------------------------------------------ */

/* The text of document i: ASCII and multi-byte UTF-8, up to 59 tokens. */
static uint32_t varied_text(int i, char *out)
{
	static const char *const tokens[] = { "a", "Z", " ", "\xc3\xa9", "\xe2\x82\xac",
					      "\xf0\x9f\x90\xbc", "0", "~" };
	uint32_t len = 0;

	for (int k = 0; k < i % 60; k++) {
		const char *t = tokens[(i + k * 3) % 8];
		uint32_t tl = (uint32_t)strlen(t);
		memcpy(out + len, t, tl);
		len += tl;
	}
	out[len] = 0;
	return len;
}

static uint32_t varied_binary(int i, uint8_t *out)
{
	uint32_t len = (uint32_t)(i * 7) % 300;

	for (uint32_t k = 0; k < len; k++)
		out[k] = (uint8_t)(i * 31 + k * 7);
	return len;
}

static int32_t varied_int(int i)
{
	return (int32_t)((uint32_t)i * 2654435761u);
}

/* Document i of the round trip: each field's value is a function of i. */
static uint32_t build_varied(uint8_t *buf, size_t cap, int i)
{
	char text[256];
	uint8_t bin[300];
	struct bson_builder b;
	uint32_t tl = varied_text(i, text), bl = varied_binary(i, bin);

	bson_build_init(&b, buf, cap);
	bson_append_int32(&b, "i", varied_int(i));
	bson_append_utf8(&b, "s", text, tl);
	bson_begin_document(&b, "n");
	bson_append_int32(&b, "neg", -i);
	bson_append_int64(&b, "big", (int64_t)i << 40);
	bson_begin_document(&b, "deep");
	bson_append_bool(&b, "odd", i & 1);
	bson_end_document(&b);
	bson_end_document(&b);
	bson_append_binary(&b, "b", (uint8_t)(i % 2 ? 0 : 0x80), bin, bl);
	return (uint32_t)bson_build_finish(&b);
}

/* Reads document i back field by field: NULL, or the field that differs. */
static const char *check_varied(const uint8_t *doc, int i)
{
	char text[256];
	uint8_t bin[300];
	uint32_t tl = varied_text(i, text), bl = varied_binary(i, bin), len;
	struct bson_iter it;
	int32_t v32;
	int64_t v64;
	bool odd;
	uint8_t sub;
	const void *p;
	int fields = 0;

	if (!bson_find(doc, "i", &it) || !bson_iter_int32(&it, &v32) || v32 != varied_int(i))
		return "i";
	if (!bson_find(doc, "s", &it) || !(p = bson_iter_utf8(&it, &len)) || len != tl ||
	    memcmp(p, text, tl) != 0)
		return "s";
	if (!bson_find_path(doc, "n.neg", &it) || !bson_iter_int32(&it, &v32) || v32 != -i)
		return "n.neg";
	if (!bson_find_path(doc, "n.big", &it) || !bson_iter_int64(&it, &v64) ||
	    v64 != (int64_t)i << 40)
		return "n.big";
	if (!bson_find_path(doc, "n.deep.odd", &it) || !bson_iter_bool(&it, &odd) ||
	    odd != (bool)(i & 1))
		return "n.deep.odd";
	if (!bson_find(doc, "b", &it) || !(p = bson_iter_binary(&it, &len, &sub)) ||
	    len != bl || sub != (i % 2 ? 0 : 0x80) || memcmp(p, bin, bl) != 0)
		return "b";
	bson_iter_init(&it, doc);
	while (bson_iter_next(&it))
		fields++;
	return fields == 4 ? NULL : "the number of fields";
}

/* A message with one handle goes out and comes back through the echo
 * peer as a new handle to the same endpoint. */
static void check_handle_round_trip(panda_handle_t ep)
{
	panda_handle_t xy[2];
	struct rx r;

	if (!make_channel("roundtrip-handle", xy))
		return;
	struct doc d = int_doc("carry", 7);
	long rc = send_handles(ep, &d, &xy[0], 1, 0);
	long n = rc < 0 ? rc : rx_recv(ep, &r, 0, in_ms(10000));
	bool back = n > 0 && r.msg.handle_count == 1 && doc_int(r.data, "carry", 0) == 7;
	long sent = back ? send_int(r.handles[0], "via", 99, PANDA_NONBLOCK) : -1;
	int64_t got = back ? recv_int(xy[1], "via") : -1;
	verdict("roundtrip-handle", back && sent == 0 && got == 99 &&
		panda_close(xy[0]) == -EBADHANDLE,
		"send %s, recv %ld (%s) with %u handles, the returned handle carried %ld",
		verdict_err_text(rc), n, verdict_err_text(n), back ? r.msg.handle_count : 0, (long)got);
	if (back)
		panda_close(r.handles[0]);
	panda_close(xy[1]);
}

static void check_round_trip(void)
{
	static uint8_t req[2048], reply[2048];
	panda_handle_t ep;
	long p = start_peer("echo", NULL, &ep);
	struct tally t = { .name = "roundtrip-1000-calls" };

	if (!verdict_expect_ok("roundtrip-spawn-echo", p))
		return;
	for (int i = 0; i < 1000; i++) {
		uint32_t size = build_varied(req, sizeof(req), i);
		struct panda_msg q = { .data = req, .size = size };
		struct panda_msg r = { .data = reply, .size = sizeof(reply) };
		memset(reply, 0xee, size);
		long rc = panda_call(ep, &q, &r, in_ms(10000));
		const char *diff = rc > 0 ? check_varied(reply, i) : NULL;
		tally_fail(&t, size > 0 && rc == (long)size && r.size == size &&
			   r.handle_count == 0 && !diff,
			   "call %d (%u bytes) gave %ld (%s), size %u, %u handles%s%s", i, size, rc,
			   verdict_err_text(rc), r.size, r.handle_count, diff ? ", differs in " : "",
			   diff ? diff : "");
	}
	tally_done(&t);

	struct tally s = { .name = "roundtrip-send-recv" };
	for (int i = 0; i < 50; i++) {
		uint32_t size = build_varied(req, sizeof(req), 1000 + i);
		struct panda_msg q = { .data = req, .size = size };
		struct panda_msg r = { .data = reply, .size = sizeof(reply) };
		long rc = panda_send(ep, &q, 0);
		long n = rc < 0 ? rc : panda_recv(ep, &r, 0, in_ms(10000));
		const char *diff = n > 0 ? check_varied(reply, 1000 + i) : NULL;
		tally_fail(&s, rc == 0 && n == (long)size && r.txid == 0 && !diff,
			   "message %d: send %s, recv %ld (%s), txid %u%s%s", i, verdict_err_text(rc), n,
			   verdict_err_text(n), r.txid, diff ? ", differs in " : "", diff ? diff : "");
	}
	tally_done(&s);

	check_handle_round_trip(ep);
	panda_close(ep);
	expect_exit("roundtrip-echo-exits-on-epipe", (panda_handle_t)p, 0);
}

/* --- c. forged and stale handles ---------------------------------------- */

/* Every handle-taking call on h must say EBADHANDLE. */
static void expect_dead(struct tally *t, panda_handle_t h, panda_handle_t carrier)
{
	struct doc d = int_doc("k", 1);
	struct panda_msg m = { .data = d.data, .size = d.size };
	struct rx r;
	uint32_t got;
	char what[48];

	snprintf(what, sizeof(what), "close(%#x)", h);
	tally_expect(t, what, panda_close(h), -EBADHANDLE);
	snprintf(what, sizeof(what), "dup(%#x)", h);
	tally_expect(t, what, panda_dup(h, RIGHTS_SAME), -EBADHANDLE);
	snprintf(what, sizeof(what), "send(%#x)", h);
	tally_expect(t, what, panda_send(h, &m, PANDA_NONBLOCK), -EBADHANDLE);
	snprintf(what, sizeof(what), "recv(%#x)", h);
	tally_expect(t, what, rx_recv(h, &r, PANDA_NONBLOCK, 0), -EBADHANDLE);
	snprintf(what, sizeof(what), "wait(%#x)", h);
	tally_expect(t, what, wait_one(h, SIGNAL_READABLE, 0, &got), -EBADHANDLE);
	if (carrier) {
		snprintf(what, sizeof(what), "send carrying %#x", h);
		tally_expect(t, what, send_handles(carrier, &d, &h, 1, PANDA_NONBLOCK),
			     -EBADHANDLE);
	}
}

static void check_forgery(void)
{
	panda_handle_t ab[2], cd[2];
	struct tally t = { .name = "forged-handles" };
	uint32_t seed = 0x1badb002;
	unsigned skipped = 0;

	if (!make_channel("forged-handles", ab))
		return;
	panda_handle_t live[] = { root, console, ab[0], ab[1] };
	for (int i = 0; i < 10000; i++) {
		panda_handle_t v = xorshift32(&seed);
		bool is_live = false;
		for (unsigned k = 0; k < sizeof(live) / sizeof(live[0]); k++)
			is_live |= v == live[k];
		if (is_live) {
			skipped++;
			continue;
		}
		expect_dead(&t, v, i < 1000 ? ab[0] : 0);
	}
	if (skipped)
		printf("ipc-test: (%u random values were live handles, skipped)\n", skipped);
	tally_done(&t);
	verdict_expect("forged-handles-queue-nothing", recv_int(ab[1], "k"), -EAGAIN);

	/* A closed handle's value stays dead while its slot is reused. */
	struct tally s = { .name = "stale-handles" };
	panda_handle_t old = ab[0];
	expect_dead(&s, PANDA_HANDLE_NONE, 0);
	tally_expect(&s, "close", panda_close(old), 0);
	expect_dead(&s, old, ab[1]);
	if (make_channel("stale-handles", cd)) {
		tally_fail(&s, cd[0] != old && cd[1] != old, "a new handle has the old value %#x",
			   old);
		expect_dead(&s, old, cd[0]);
		tally_expect(&s, "send on the new handle", send_int(cd[0], "k", 5, PANDA_NONBLOCK),
			     0);
		tally_expect(&s, "recv on its peer", recv_int(cd[1], "k"), 5);
		panda_handle_t prev = 0;
		for (int i = 0; i < 100; i++) {
			long h = panda_dup(cd[0], RIGHTS_SAME);
			tally_expect(&s, "dup", h < 0 ? h : 0, 0);
			if (h < 0)
				break;
			tally_fail(&s, (panda_handle_t)h != prev, "dup %d reused the value %#x", i,
				   prev);
			if (prev)
				expect_dead(&s, prev, cd[1]);
			panda_close((panda_handle_t)h);
			prev = (panda_handle_t)h;
		}
		expect_dead(&s, prev, 0);
		close_all(cd, 2);
	}
	tally_done(&s);
	panda_close(ab[1]);
}

/* --- d. rights ----------------------------------------------------------- */

static void check_rights(void)
{
	panda_handle_t ab[2], cd[2];
	struct doc d = int_doc("r", 1);
	struct panda_msg m = { .data = d.data, .size = d.size };
	struct panda_msg reply = { .data = big_in, .size = 256 };
	struct rx r;
	uint32_t got;

	if (!make_channel("rights", ab) || !make_channel("rights", cd))
		return;
	long no_send = panda_dup(ab[0], CHANNEL_RIGHTS & ~RIGHT_SEND);
	long no_recv = panda_dup(ab[1], CHANNEL_RIGHTS & ~RIGHT_RECV);
	long no_wait = panda_dup(ab[1], CHANNEL_RIGHTS & ~RIGHT_WAIT);
	long no_dup = panda_dup(ab[0], CHANNEL_RIGHTS & ~RIGHT_DUP);
	long no_xfer = panda_dup(ab[0], CHANNEL_RIGHTS & ~RIGHT_TRANSFER);
	long send_only = panda_dup(ab[0], RIGHT_SEND);
	long send_dup = panda_dup(ab[0], RIGHT_SEND | RIGHT_DUP);
	if (!verdict("rights-dup-fewer", no_send > 0 && no_recv > 0 && no_wait > 0 && no_dup > 0 &&
		     no_xfer > 0 && send_only > 0 && send_dup > 0,
		     "dups gave %ld %ld %ld %ld %ld %ld %ld", no_send, no_recv, no_wait, no_dup,
		     no_xfer, send_only, send_dup))
		return;
	verdict_expect("rights-send-needs-send", panda_send((panda_handle_t)no_send, &m, PANDA_NONBLOCK),
	       -EACCES);
	verdict_expect("rights-call-needs-send", panda_call((panda_handle_t)no_send, &m, &reply, 0),
	       -EACCES);
	verdict_expect("rights-recv-needs-recv", rx_recv((panda_handle_t)no_recv, &r, PANDA_NONBLOCK, 0),
	       -EACCES);
	verdict_expect("rights-wait-needs-wait", wait_one((panda_handle_t)no_wait, SIGNAL_WRITABLE, 0,
						  &got), -EACCES);
	verdict_expect("rights-dup-needs-dup", panda_dup((panda_handle_t)no_dup, RIGHTS_SAME), -EACCES);
	panda_handle_t x = (panda_handle_t)no_xfer;
	verdict_expect("rights-transfer-needs-transfer", send_handles(cd[0], &d, &x, 1, PANDA_NONBLOCK),
	       -EACCES);
	verdict_expect("rights-refused-handle-is-gone", panda_close(x), -EBADHANDLE);
	verdict_expect("rights-refused-message-not-queued", recv_int(cd[1], "r"), -EAGAIN);

	verdict_expect("rights-dup-more-is-einval", panda_dup(ab[0], RIGHTS_ALL), -EINVAL);
	verdict_expect("rights-dup-kill-is-einval", panda_dup(ab[0], CHANNEL_RIGHTS | RIGHT_KILL), -EINVAL);
	verdict_expect("rights-dup-more-than-reduced", panda_dup((panda_handle_t)send_dup,
							 RIGHT_SEND | RIGHT_RECV), -EINVAL);
	long fewer = panda_dup((panda_handle_t)send_dup, RIGHT_SEND);
	verdict_expect_ok("rights-dup-fewer-than-reduced", fewer);
	verdict("rights-reduced-handle-works",
		send_int((panda_handle_t)send_only, "r", 2, PANDA_NONBLOCK) == 0 &&
		recv_int(ab[1], "r") == 2, "a SEND-only dup could not send");
	verdict_expect("rights-reduced-cannot-recv", rx_recv((panda_handle_t)send_only, &r,
						     PANDA_NONBLOCK, 0), -EACCES);
	long same = panda_dup(ab[0], RIGHTS_SAME);
	verdict("rights-dup-same", same > 0 && send_int((panda_handle_t)same, "r", 3, 0) == 0 &&
		recv_int(ab[1], "r") == 3, "dup(RIGHTS_SAME) gave %ld (%s)", same, verdict_err_text(same));

	/* Wrong kinds of object. */
	const char *argv[] = { "/test/exit-code" };
	long p = panda_spawn_simple(root, "/test/exit-code", 1, argv);
	if (verdict_expect_ok("rights-spawn-exit-code", p)) {
		verdict_expect("wrong-type-send-to-process", panda_send((panda_handle_t)p, &m, 0), -EINVAL);
		verdict_expect("wrong-type-call-to-process", panda_call((panda_handle_t)p, &m, &reply,
								in_ms(1000)), -EINVAL);
		verdict_expect("wrong-type-recv-from-process", rx_recv((panda_handle_t)p, &r, 0,
							       in_ms(1000)), -EINVAL);
		expect_exit("rights-exit-code-exits", (panda_handle_t)p, 0);
	}
	/* The console produces input lines: with nothing typed, recv polls empty. */
	verdict_expect("recv-from-console-with-no-input", rx_recv(console, &r, PANDA_NONBLOCK, 0), -EAGAIN);
	verdict_expect("wrong-type-recv-from-directory", rx_recv(root, &r, PANDA_NONBLOCK, 0), -EINVAL);
	verdict_expect("wrong-type-wait-on-directory", wait_one(root, SIGNAL_READABLE, 0, &got), -EINVAL);
	verdict_expect("wrong-type-process-wait-on-endpoint",
	       panda_process_wait(ab[0], 0, NULL), -EINVAL);

	panda_handle_t all[] = { ab[0], ab[1], cd[0], cd[1], (panda_handle_t)no_send,
				 (panda_handle_t)no_recv, (panda_handle_t)no_wait,
				 (panda_handle_t)no_dup, (panda_handle_t)send_only,
				 (panda_handle_t)send_dup, fewer > 0 ? (panda_handle_t)fewer : 0,
				 same > 0 ? (panda_handle_t)same : 0 };
	close_all(all, sizeof(all) / sizeof(all[0]));
}

/* --- e. handles in messages ---------------------------------------------- */

/* Sends one handle through `via` and expects `want` from send, the handle
 * gone from this table afterwards, and nothing queued at `out`. */
static void refused_transfer(const char *name, panda_handle_t via, panda_handle_t out,
			     panda_handle_t h, long want)
{
	struct doc d = int_doc("t", 1);
	long rc = send_handles(via, &d, &h, 1, PANDA_NONBLOCK);
	long closed = panda_close(h);
	int64_t queued = recv_int(out, "t");

	verdict(name, rc == want && closed == -EBADHANDLE && queued < 0,
		"send gave %ld (%s), want %s; close afterwards gave %s (want EBADHANDLE); "
		"the receiver got %ld", rc, verdict_err_text(rc), verdict_err_text(want), verdict_err_text(closed),
		(long)queued);
}

/* The contract says the listed handles leave the table whatever happens:
 * also when the document is refused before anything is looked at. */
static void refused_with_handle(const char *name, panda_handle_t via, const void *doc,
				uint32_t size, long want)
{
	long h = panda_dup(console, RIGHTS_SAME);	/* not of this channel */
	panda_handle_t hv = (panda_handle_t)h;
	struct panda_msg m = { .data = (void *)doc, .size = size, .handles = &hv,
			       .handle_count = 1 };
	long rc = h < 0 ? h : panda_send(via, &m, PANDA_NONBLOCK);
	long closed = h < 0 ? 0 : panda_close(hv);

	verdict(name, rc == want && closed == -EBADHANDLE,
		"send gave %ld (%s), want %s; the attached handle %s", rc, verdict_err_text(rc),
		verdict_err_text(want), closed == 0 ? "was still in the table" : "is gone");
}

static void check_transfer(void)
{
	panda_handle_t ab[2], cd[2], xy[2];
	struct rx r;
	uint32_t got;

	if (!make_channel("transfer", ab) || !make_channel("transfer", cd))
		return;
	struct doc d = int_doc("carry", 1);
	verdict_expect("transfer-send-endpoint", send_handles(ab[0], &d, &cd[0], 1, PANDA_NONBLOCK), 0);
	verdict_expect("transfer-sender-lost-it", panda_close(cd[0]), -EBADHANDLE);
	long n = rx_recv(ab[1], &r, PANDA_NONBLOCK, 0);
	panda_handle_t c2 = n > 0 && r.msg.handle_count == 1 ? r.handles[0] : 0;
	verdict("transfer-receiver-gets-handle", c2 != 0 && c2 != cd[0] &&
		doc_int(r.data, "carry", 0) == 1, "recv gave %ld (%s) with %u handles", n,
		verdict_err_text(n), n > 0 ? r.msg.handle_count : 0);
	if (c2) {
		bool there = send_int(c2, "via", 42, PANDA_NONBLOCK) == 0 &&
			     recv_int(cd[1], "via") == 42;
		bool back = send_int(cd[1], "back", 43, PANDA_NONBLOCK) == 0 &&
			    recv_int(c2, "back") == 43;
		verdict("transfer-moved-handle-works", there && back,
			"the moved endpoint does not talk to its peer (there %d, back %d)", there,
			back);
		/* Without RIGHT_TRANSFER: refused, and gone. */
		long t = panda_dup(c2, CHANNEL_RIGHTS & ~RIGHT_TRANSFER);
		if (verdict_expect_ok("transfer-dup-without-transfer", t))
			refused_transfer("transfer-needs-right", ab[0], ab[1], (panda_handle_t)t,
					 -EACCES);
		panda_close(c2);
	}
	panda_close(cd[1]);

	/* Handles listed with an error among them all leave. */
	panda_handle_t pair[2] = { dup_of(console), 0x8badf00d };
	long rc = send_handles(ab[0], &d, pair, 2, PANDA_NONBLOCK);
	verdict("transfer-forged-among-good", rc == -EBADHANDLE && panda_close(pair[0]) ==
		-EBADHANDLE, "send gave %ld (%s), want EBADHANDLE and the good handle gone", rc,
		verdict_err_text(rc));

	/* The contract's "whatever happens", for errors found before the handles. */
	refused_with_handle("transfer-closed-on-efault", ab[0], (void *)8, 64, -EFAULT);
	struct doc bad = int_doc("t", 1);
	bad.data[bad.size - 1] = 1;
	refused_with_handle("transfer-closed-on-bad-document", ab[0], bad.data, bad.size,
			    -EBADMSG);
	refused_with_handle("transfer-closed-on-short-document", ab[0], bad.data, 4, -EBADMSG);
	refused_with_handle("transfer-closed-on-e2big", ab[0], big, PANDA_MSG_MAX + 1, -E2BIG);

	/* An endpoint through its own channel: refused, closed, the peer sees it. */
	refused_transfer("transfer-own-endpoint", ab[0], ab[1], ab[0], -EINVAL);
	verdict_expect("transfer-own-endpoint-peer-closed", wait_one(ab[1], SIGNAL_PEER_CLOSED, 0, &got),
	       1);
	verdict_expect("transfer-own-endpoint-then-epipe", rx_recv(ab[1], &r, PANDA_NONBLOCK, 0), -EPIPE);
	panda_close(ab[1]);
	if (make_channel("transfer", xy)) {
		refused_transfer("transfer-peer-endpoint", xy[0], xy[0], xy[1], -EINVAL);
		verdict_expect("transfer-peer-endpoint-closed",
		       wait_one(xy[0], SIGNAL_PEER_CLOSED, 0, &got), 1);
		panda_close(xy[0]);
	}

	/* Handles in a message nobody receives close with the receiver. */
	if (make_channel("transfer", ab) && make_channel("transfer", cd)) {
		long sent = send_handles(ab[0], &d, &cd[0], 1, PANDA_NONBLOCK);
		panda_close(ab[1]);
		long w = wait_one(cd[1], SIGNAL_PEER_CLOSED, in_ms(5000), &got);
		verdict("transfer-unreceived-handle-closed", sent == 0 && w == 1,
			"send gave %s; the carried endpoint's peer: wait gave %ld (%s)",
			verdict_err_text(sent), w, verdict_err_text(w));
		panda_close(ab[0]);
		panda_close(cd[1]);
	}
}

/* --- f. closing one end -------------------------------------------------- */

static void peer_close(const char *name, panda_handle_t from, panda_handle_t to)
{
	struct tally t = { .name = name };
	uint32_t got;
	char what[32];

	for (int i = 0; i < 3; i++)
		tally_expect(&t, "send", send_int(from, "n", i, PANDA_NONBLOCK), 0);
	tally_expect(&t, "close", panda_close(from), 0);
	tally_expect(&t, "wait for PEER_CLOSED", wait_one(to, SIGNAL_PEER_CLOSED, 0, &got),
		     1);
	for (int i = 0; i < 3; i++) {
		snprintf(what, sizeof(what), "queued message %d", i);
		tally_expect(&t, what, recv_int(to, "n"), i);
	}
	tally_expect(&t, "recv after the queue drained", recv_int(to, "n"), -EPIPE);
	struct rx r;
	tally_expect(&t, "blocking recv after the queue drained", rx_recv(to, &r, 0, in_ms(5000)),
		     -EPIPE);
	tally_expect(&t, "send to the closed peer", send_int(to, "n", 9, 0), -EPIPE);
	tally_expect(&t, "non-blocking send to the closed peer", send_int(to, "n", 9,
								       PANDA_NONBLOCK), -EPIPE);
	panda_close(to);
	tally_done(&t);
}

static void check_peer_close(void)
{
	panda_handle_t ab[2];

	if (make_channel("peer-close", ab))
		peer_close("peer-close-first-to-second", ab[0], ab[1]);
	if (make_channel("peer-close", ab))
		peer_close("peer-close-second-to-first", ab[1], ab[0]);
}

/* --- g. bad pointers ----------------------------------------------------- */

#define READ_ONLY	((uintptr_t)1)	/* stands for memory that is mapped read-only */

static const struct {
	const char *name;
	uintptr_t addr;
} bad_addrs[] = {
	{ "NULL", 0 },
	{ "8", 8 },
	{ "kernel", 0xffffffff80000000ul },
	{ "non-canonical", 0x0000800000000000ul },
	{ "non-canonical-high", 0x8000000000000000ul },
	{ "unmapped", 0x7000000000ul },
	{ "straddling", USER_TOP - 8 },
	{ "read-only", READ_ONLY },
};

static struct {
	panda_handle_t a, b;	/* a channel; b usually holds one message */
	panda_handle_t x, y;	/* a channel whose x gets duplicated into messages */
	panda_handle_t ep;	/* to an echo peer */
	uint8_t *ro;		/* a page that read_only() fills and write-protects */
	struct doc d;
	uint8_t buf[256];
} g;

/* The page, with content copied in, made read-only. */
static uintptr_t read_only(const void *content, size_t n)
{
	panda_mem_protect(g.ro, PAGE, PROT_READ | PROT_WRITE);
	memset(g.ro, 0, PAGE);
	if (content)
		memcpy(g.ro, content, n);
	panda_mem_protect(g.ro, PAGE, PROT_READ);
	return (uintptr_t)g.ro;
}

/* The address to pass for an argument of n bytes: READ_ONLY becomes the
 * read-only page holding content (if any); the straddling address moves
 * up for objects of 8 bytes or less, so that they still cross the end. */
static uintptr_t place(uintptr_t p, const void *content, size_t n)
{
	if (p == READ_ONLY)
		return read_only(content, n);
	if (p == USER_TOP - 8 && n <= 8)
		return USER_TOP - n / 2;
	return p;
}

static panda_handle_t dup_x(void)
{
	return dup_of(g.x);
}

static long try_send_msg(uintptr_t p)
{
	return panda_send(g.a, (const struct panda_msg *)p, PANDA_NONBLOCK);
}

static long try_send_data(uintptr_t p)
{
	struct panda_msg m = { .data = (void *)p, .size = 64 };

	return panda_send(g.a, &m, PANDA_NONBLOCK);
}

static long try_send_handles(uintptr_t p)
{
	struct panda_msg m = { .data = g.d.data, .size = g.d.size,
			       .handles = (void *)place(p, NULL, 4), .handle_count = 1 };

	return panda_send(g.a, &m, PANDA_NONBLOCK);
}

static long try_recv_msg(uintptr_t p)
{
	struct panda_msg m = { .data = g.buf, .size = sizeof(g.buf) };

	return panda_recv(g.b, (struct panda_msg *)place(p, &m, sizeof(m)), PANDA_NONBLOCK, 0);
}

static long try_recv_data(uintptr_t p)
{
	struct panda_msg m = { .data = (void *)place(p, NULL, 0), .size = 64 };

	return panda_recv(g.b, &m, PANDA_NONBLOCK, 0);
}

static long try_recv_handles(uintptr_t p)
{
	struct panda_msg m = { .data = g.buf, .size = sizeof(g.buf),
			       .handles = (void *)place(p, NULL, 4), .handle_count = 1 };

	return panda_recv(g.b, &m, PANDA_NONBLOCK, 0);
}

static long try_call_req(uintptr_t p)
{
	struct panda_msg r = { .data = g.buf, .size = sizeof(g.buf) };

	return panda_call(g.ep, (const struct panda_msg *)p, &r, in_ms(10000));
}

static long try_call_reply(uintptr_t p)
{
	struct panda_msg q = { .data = g.d.data, .size = g.d.size };
	struct panda_msg r = { .data = g.buf, .size = sizeof(g.buf) };

	return panda_call(g.ep, &q, (struct panda_msg *)place(p, &r, sizeof(r)), in_ms(10000));
}

static long try_call_req_data(uintptr_t p)
{
	struct panda_msg q = { .data = (void *)p, .size = 64 };
	struct panda_msg r = { .data = g.buf, .size = sizeof(g.buf) };

	return panda_call(g.ep, &q, &r, in_ms(10000));
}

static long try_call_req_handles(uintptr_t p)
{
	struct panda_msg q = { .data = g.d.data, .size = g.d.size,
			       .handles = (void *)place(p, NULL, 4), .handle_count = 1 };
	struct panda_msg r = { .data = g.buf, .size = sizeof(g.buf) };

	return panda_call(g.ep, &q, &r, in_ms(10000));
}

static long try_call_reply_data(uintptr_t p)
{
	struct panda_msg q = { .data = g.d.data, .size = g.d.size };
	struct panda_msg r = { .data = (void *)place(p, NULL, 0), .size = 64 };

	return panda_call(g.ep, &q, &r, in_ms(10000));
}

/* The echo peer sends the request's handle back: the reply carries one. */
static long try_call_reply_handles(uintptr_t p)
{
	panda_handle_t h = dup_x();
	struct panda_msg q = { .data = g.d.data, .size = g.d.size, .handles = &h,
			       .handle_count = 1 };
	struct panda_msg r = { .data = g.buf, .size = sizeof(g.buf),
			       .handles = (void *)place(p, NULL, 4), .handle_count = 1 };

	return panda_call(g.ep, &q, &r, in_ms(10000));
}

static long try_channel_create(uintptr_t p)
{
	return panda_channel_create((panda_handle_t *)place(p, NULL, 8));
}

/* With a ready item, so that wait writes the items back. */
static long try_wait(uintptr_t p)
{
	struct panda_wait_item item = { .handle = g.a, .want = SIGNAL_WRITABLE };

	return panda_wait((struct panda_wait_item *)place(p, &item, sizeof(item)), 1, 0);
}

/* Calls try with every bad address (read-only ones too when the argument
 * is written to) and expects EFAULT from each. The last 8 bytes of user
 * space (the top of our stack, where the startup block's strings are) are
 * restored after each call, in case a straddling write changed them. */
static void bad_pointer(const char *name, long (*try)(uintptr_t), bool written)
{
	volatile uint64_t *top = (volatile uint64_t *)(USER_TOP - 8);
	struct tally t = { .name = name };

	for (unsigned i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		if (bad_addrs[i].addr == READ_ONLY && !written)
			continue;
		uint64_t saved = *top;
		long rc = try(bad_addrs[i].addr);
		*top = saved;
		tally_expect(&t, bad_addrs[i].name, rc, -EFAULT);
	}
	tally_done(&t);
}

static void check_bad_pointers(void)
{
	panda_handle_t ab[2], xy[2];
	long p;

	if (!make_channel("bad-pointers", ab) || !make_channel("bad-pointers", xy))
		return;
	long ro = panda_mem_map(0, PAGE, PROT_READ | PROT_WRITE);
	if (!verdict_expect_ok("bad-pointers-map-page", ro))
		return;
	g.a = ab[0], g.b = ab[1], g.x = xy[0], g.y = xy[1], g.ro = (uint8_t *)ro;
	g.d = int_doc("g", 7);

	bad_pointer("bad-pointer-send-msg", try_send_msg, false);
	bad_pointer("bad-pointer-send-data", try_send_data, false);
	bad_pointer("bad-pointer-send-handles", try_send_handles, false);
	verdict_expect("bad-pointer-send-queued-nothing", recv_int(g.b, "g"), -EAGAIN);

	/* recv: one message waits; each bad recv must leave it queued. */
	struct rx r;
	verdict_expect("bad-pointer-queue-one", send_int(g.a, "g", 11, PANDA_NONBLOCK), 0);
	bad_pointer("bad-pointer-recv-msg", try_recv_msg, true);
	bad_pointer("bad-pointer-recv-data", try_recv_data, true);
	long n = rx_recv(g.b, &r, PANDA_NONBLOCK, 0);
	verdict("bad-pointer-recv-kept-message", n > 0 && doc_int(r.data, "g", 0) == 11 &&
		recv_int(g.b, "g") == -EAGAIN, "the good recv gave %ld (%s)", n, verdict_err_text(n));

	panda_handle_t h = dup_x();
	verdict_expect("bad-pointer-queue-one-with-handle", send_handles(g.a, &g.d, &h, 1, PANDA_NONBLOCK),
	       0);
	bad_pointer("bad-pointer-recv-handles", try_recv_handles, true);
	n = rx_recv(g.b, &r, PANDA_NONBLOCK, 0);
	bool one = n > 0 && r.msg.handle_count == 1;
	verdict("bad-pointer-recv-kept-handle", one &&
		send_int(r.handles[0], "h", 5, PANDA_NONBLOCK) == 0 && recv_int(g.y, "h") == 5,
		"the good recv gave %ld (%s) with %u handles", n, verdict_err_text(n),
		n > 0 ? r.msg.handle_count : 0);
	if (one)
		panda_close(r.handles[0]);

	bad_pointer("bad-pointer-channel-create", try_channel_create, true);
	bad_pointer("bad-pointer-wait", try_wait, true);
	verdict_expect("bad-pointer-wait-count-0", panda_wait((struct panda_wait_item *)8, 0, 0), -EINVAL);

	p = start_peer("echo", NULL, &g.ep);
	if (verdict_expect_ok("bad-pointer-spawn-echo", p)) {
		bad_pointer("bad-pointer-call-request", try_call_req, false);
		bad_pointer("bad-pointer-call-reply", try_call_reply, true);
		bad_pointer("bad-pointer-call-request-data", try_call_req_data, false);
		bad_pointer("bad-pointer-call-request-handles", try_call_req_handles, false);
		bad_pointer("bad-pointer-call-reply-data", try_call_reply_data, true);
		bad_pointer("bad-pointer-call-reply-handles", try_call_reply_handles, true);

		/* Request and reply in the very same memory. */
		uint32_t size = build_varied(big, sizeof(big), 77);
		struct panda_msg m = { .data = big, .size = size };
		long rc = panda_call(g.ep, &m, &m, in_ms(10000));
		const char *diff = rc > 0 ? check_varied(big, 77) : NULL;
		verdict("bad-pointer-call-in-place", rc == (long)size && m.size == size && !diff,
			"call gave %ld (%s), size %u of %u%s%s", rc, verdict_err_text(rc), m.size, size,
			diff ? ", differs in " : "", diff ? diff : "");
		panda_close(g.ep);
		expect_exit("bad-pointer-echo-exits", (panda_handle_t)p, 0);

		/* The replies that could not be delivered must not live on: the
		 * duplicates of x they carried back are closed, so closing x
		 * now closes its endpoint. */
		uint32_t got;
		panda_close(g.x);
		xy[0] = 0;
		long w = wait_one(g.y, SIGNAL_PEER_CLOSED, 0, &got);
		verdict("bad-pointer-call-reply-not-kept", w == 1, "after x was closed, wait for "
			"PEER_CLOSED on its peer gave %ld (%s): the duplicates of x carried by "
			"the replies that met a bad reply buffer are still open", w, verdict_err_text(w));
	}
	panda_mem_unmap(g.ro, PAGE);
	close_all(ab, 2);
	close_all(xy, 2);
}

/* --- h. limits ----------------------------------------------------------- */

/* {"b": binary} of exactly size bytes (13 bytes around the binary). */
static uint32_t binary_doc(uint8_t *buf, uint32_t size)
{
	struct bson_builder b;

	bson_build_init(&b, buf, size);
	bson_append_binary(&b, "b", 0, pattern, size - 13);
	return (uint32_t)bson_build_finish(&b);
}

/* {"a": {"a": ... {}}}: depth documents counting the outermost (which is
 * how bson_validate counts). Level L starts at byte 7L, is 8 bytes longer
 * than level L+1, and ends in the NUL at size - 1 - L. */
static uint32_t nested_doc(uint8_t *buf, unsigned depth)
{
	uint32_t size = 5 + 8 * (depth - 1);

	for (unsigned level = 0; level < depth; level++) {
		uint8_t *p = buf + 7 * level;
		uint32_t len = size - 8 * level;

		p[0] = (uint8_t)len;
		p[1] = (uint8_t)(len >> 8);
		p[2] = p[3] = 0;
		if (level + 1 < depth) {
			p[4] = BSON_DOCUMENT;
			p[5] = 'a';
			p[6] = 0;
		}
		buf[size - 1 - level] = 0;
	}
	return size;
}

static long send_raw(panda_handle_t h, const void *doc, uint32_t size)
{
	struct panda_msg m = { .data = (void *)doc, .size = size };

	return panda_send(h, &m, PANDA_NONBLOCK);
}

static void check_limits(void)
{
	panda_handle_t ab[2];
	struct rx r;
	uint32_t got;

	if (!make_channel("limits", ab))
		return;
	for (uint32_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 8));

	uint32_t size = binary_doc(big, PANDA_MSG_MAX + 1);
	verdict("limits-build-65537", size == PANDA_MSG_MAX + 1, "the builder gave %u", size);
	verdict_expect("limits-65537-bytes-e2big", send_raw(ab[0], big, PANDA_MSG_MAX + 1), -E2BIG);
	size = binary_doc(big, PANDA_MSG_MAX);
	long rc = send_raw(ab[0], big, size);
	struct panda_msg in = { .data = big_in, .size = PANDA_MSG_MAX };
	long n = rc < 0 ? rc : panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("limits-65536-bytes-ok", size == PANDA_MSG_MAX && rc == 0 && n == PANDA_MSG_MAX &&
		memcmp(big, big_in, PANDA_MSG_MAX) == 0, "send gave %s, recv %ld (%s)",
		verdict_err_text(rc), n, verdict_err_text(n));

	size = nested_doc(big, PANDA_DEPTH_MAX + 1);
	verdict_expect("limits-nested-101-ebadmsg", send_raw(ab[0], big, size), -EBADMSG);
	size = nested_doc(big, PANDA_DEPTH_MAX);
	rc = send_raw(ab[0], big, size);
	in = (struct panda_msg){ .data = big_in, .size = PANDA_MSG_MAX };
	n = rc < 0 ? rc : panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("limits-nested-100-ok", rc == 0 && n == (long)size &&
		memcmp(big, big_in, size) == 0, "send gave %s, recv %ld (%s)", verdict_err_text(rc), n,
		verdict_err_text(n));

	/* Invalid documents: refused, nothing queued. */
	struct doc d = int_doc("k", 1);
	d.data[0]++;
	verdict_expect("limits-bad-length-ebadmsg", send_raw(ab[0], d.data, d.size), -EBADMSG);
	d = int_doc("k", 1);
	verdict_expect("limits-size-beyond-length-ebadmsg", send_raw(ab[0], d.data, d.size + 1), -EBADMSG);
	d.data[d.size - 1] = 0x7f;
	verdict_expect("limits-no-terminator-ebadmsg", send_raw(ab[0], d.data, d.size), -EBADMSG);
	verdict_expect("limits-4-bytes-ebadmsg", send_raw(ab[0], d.data, 4), -EBADMSG);
	/* Invalid byte, overlong, truncated, surrogate. */
	static const char *const bad_utf8[] = { "\xff\xfe", "\xc0\xaf", "\xe2\x82",
						"\xed\xa0\x80" };
	for (unsigned i = 0; i < 4; i++) {
		struct bson_builder b;
		char name[48];
		size_t bl = strlen(bad_utf8[i]);
		bson_build_init(&b, d.data, sizeof(d.data));
		bson_append_utf8(&b, "s", "xxxx", bl);
		d.size = (uint32_t)bson_build_finish(&b);
		memcpy(d.data + 4 + 1 + 2 + 4, bad_utf8[i], bl);	/* over the x's */
		snprintf(name, sizeof(name), "limits-bad-utf8-%u-ebadmsg", i);
		verdict_expect(name, send_raw(ab[0], d.data, d.size), -EBADMSG);
	}
	verdict_expect("limits-refused-queue-nothing", rx_recv(ab[1], &r, PANDA_NONBLOCK, 0), -EAGAIN);

	/* Handles: 64 travel, 65 are too many. */
	panda_handle_t many[PANDA_MSG_HANDLES + 1];
	unsigned made = 0;
	for (; made < PANDA_MSG_HANDLES + 1; made++) {
		long h = panda_dup(console, RIGHTS_SAME);
		if (h < 0)
			break;
		many[made] = (panda_handle_t)h;
	}
	d = int_doc("h", 64);
	if (verdict("limits-dup-65", made == PANDA_MSG_HANDLES + 1, "only %u dups", made)) {
		verdict_expect("limits-65-handles-e2big", send_handles(ab[0], &d, many,
							       PANDA_MSG_HANDLES + 1,
							       PANDA_NONBLOCK), -E2BIG);
		close_all(many, PANDA_MSG_HANDLES + 1);	/* whichever are still here */
		for (made = 0; made < PANDA_MSG_HANDLES; made++)
			many[made] = dup_of(console);
		rc = send_handles(ab[1], &d, many, PANDA_MSG_HANDLES, PANDA_NONBLOCK);
		n = rc < 0 ? rc : rx_recv(ab[0], &r, PANDA_NONBLOCK, 0);
		verdict("limits-64-handles-ok", rc == 0 && n > 0 &&
			r.msg.handle_count == PANDA_MSG_HANDLES,
			"send gave %s, recv %ld (%s) with %u handles", verdict_err_text(rc), n,
			verdict_err_text(n), n > 0 ? r.msg.handle_count : 0);
		if (n > 0)
			close_all(r.handles, r.msg.handle_count);
	}

	/* The queue: 64 messages, then EAGAIN; no longer WRITABLE until one goes. */
	struct tally t = { .name = "limits-queue-64" };
	for (int i = 0; i < PANDA_QUEUE_MAX; i++)
		tally_expect(&t, "send", send_int(ab[0], "q", i, PANDA_NONBLOCK), 0);
	tally_done(&t);
	verdict_expect("limits-queue-65th-eagain", send_int(ab[0], "q", 64, PANDA_NONBLOCK), -EAGAIN);
	verdict_expect("limits-queue-full-not-writable", wait_one(ab[0], SIGNAL_WRITABLE, 0, &got),
	       -ETIMEDOUT);
	verdict("limits-queue-writable-again", recv_int(ab[1], "q") == 0 &&
		wait_one(ab[0], SIGNAL_WRITABLE, 0, &got) == 1 &&
		send_int(ab[0], "q", 64, PANDA_NONBLOCK) == 0, "one recv did not make room");
	struct tally q = { .name = "limits-queue-in-order" };
	for (int i = 1; i <= PANDA_QUEUE_MAX; i++)
		tally_expect(&q, "recv", recv_int(ab[1], "q"), i);
	tally_expect(&q, "recv of the empty queue", recv_int(ab[1], "q"), -EAGAIN);
	tally_done(&q);
	close_all(ab, 2);
}

/* --- i. buffers too small ------------------------------------------------ */

static void check_too_small(void)
{
	panda_handle_t ab[2], xy[2];
	uint8_t buf[512];
	panda_handle_t hs[2];

	if (!make_channel("too-small", ab) || !make_channel("too-small", xy))
		return;
	uint32_t size = build_varied(big, sizeof(big), 40);	/* a few hundred bytes */
	struct panda_msg m = { .data = big, .size = size };
	long rc = panda_send(ab[0], &m, PANDA_NONBLOCK);
	struct panda_msg in = { .data = buf, .size = 16, .handles = hs, .handle_count = 2 };
	long n = panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("too-small-buffer", rc == 0 && n == -ETOOSMALL && in.size == size &&
		in.handle_count == 0, "recv gave %ld (%s), size %u (want %u), handles %u", n,
		verdict_err_text(n), in.size, size, in.handle_count);
	in = (struct panda_msg){ .data = buf, .size = sizeof(buf) };
	n = panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("too-small-message-stays", n == (long)size && !check_varied(buf, 40),
		"the second recv gave %ld (%s)", n, verdict_err_text(n));

	/* Too few handle slots. */
	hs[0] = dup_of(xy[0]);
	hs[1] = dup_of(xy[0]);
	struct doc d = int_doc("two", 2);
	rc = send_handles(ab[0], &d, hs, 2, PANDA_NONBLOCK);
	panda_handle_t got[2] = { 0, 0 };
	in = (struct panda_msg){ .data = buf, .size = sizeof(buf), .handles = got,
				 .handle_count = 1 };
	n = panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("too-few-handle-slots", rc == 0 && n == -ETOOSMALL && in.handle_count == 2 &&
		in.size == d.size && got[0] == 0, "recv gave %ld (%s), handles %u, size %u", n,
		verdict_err_text(n), in.handle_count, in.size);
	in = (struct panda_msg){ .data = buf, .size = sizeof(buf), .handles = got,
				 .handle_count = 2 };
	n = panda_recv(ab[1], &in, PANDA_NONBLOCK, 0);
	verdict("too-few-handle-slots-message-stays", n == (long)d.size && in.handle_count == 2 &&
		send_int(got[1], "h", 3, PANDA_NONBLOCK) == 0 && recv_int(xy[1], "h") == 3,
		"the second recv gave %ld (%s) with %u handles", n, verdict_err_text(n), in.handle_count);
	close_all(got, 2);

	/* A call whose reply does not fit: parked, fetched by txid. */
	panda_handle_t ep;
	long p = start_peer("echo", NULL, &ep);
	if (verdict_expect_ok("too-small-spawn-echo", p)) {
		struct panda_msg reply = { .data = buf, .size = 32 };
		rc = panda_call(ep, &m, &reply, in_ms(10000));
		uint32_t txid = reply.txid;
		verdict("too-small-call-reply", rc == -ETOOSMALL && reply.size == size && txid != 0,
			"call gave %ld (%s), size %u (want %u), txid %u", rc, verdict_err_text(rc),
			reply.size, size, txid);
		struct panda_msg fetch = { .data = buf, .size = 32, .txid = txid };
		verdict_expect("too-small-parked-still-too-small",
		       panda_recv(ep, &fetch, PANDA_RECV_REPLY, 0), -ETOOSMALL);
		fetch = (struct panda_msg){ .data = buf, .size = sizeof(buf), .txid = txid + 1000 };
		verdict_expect("too-small-parked-wrong-txid", panda_recv(ep, &fetch, PANDA_RECV_REPLY, 0),
		       -ENOENT);
		fetch = (struct panda_msg){ .data = buf, .size = sizeof(buf), .txid = txid };
		n = panda_recv(ep, &fetch, PANDA_RECV_REPLY, 0);
		verdict("too-small-parked-reply-fetched", n == (long)size && fetch.txid == txid &&
			!check_varied(buf, 40), "recv(PANDA_RECV_REPLY, %u) gave %ld (%s)", txid, n,
			verdict_err_text(n));
		fetch = (struct panda_msg){ .data = buf, .size = sizeof(buf), .txid = txid };
		verdict_expect("too-small-parked-reply-only-once",
		       panda_recv(ep, &fetch, PANDA_RECV_REPLY, 0), -ENOENT);
		panda_close(ep);
		expect_exit("too-small-echo-exits", (panda_handle_t)p, 0);
	}

	/* The same with the console (a kernel object). */
	uint8_t req[64];
	struct bson_builder b;
	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", "nop");
	struct panda_msg q = { .data = req, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg reply = { .data = buf, .size = 8 };
	rc = panda_call(console, &q, &reply, in_ms(10000));
	uint32_t txid = reply.txid, need = reply.size;
	struct panda_msg fetch = { .data = buf, .size = sizeof(buf), .txid = txid };
	n = rc == -ETOOSMALL ? panda_recv(console, &fetch, PANDA_RECV_REPLY, 0) : rc;
	verdict("too-small-console-reply-parked", rc == -ETOOSMALL && need > 8 &&
		n == (long)need && doc_int(buf, "code", 0) == -ENOSYS,
		"call gave %ld (%s) needing %u, the fetch %ld (%s)", rc, verdict_err_text(rc), need, n,
		verdict_err_text(n));
	close_all(ab, 2);
	close_all(xy, 2);
}

/* A parked reply belongs to the endpoint it was called through: a later
 * endpoint (which may reuse its memory, and whose txids start over) must
 * not be handed a reply parked for one that was closed. Two echo peers in
 * turn each get a call whose reply does not fit; the second one's parked
 * reply is fetched and must be its own. The first peer is killed before
 * our end is closed, so that our end is the endpoint freed last (the one
 * the next channel is most likely to reuse). */
static void check_parked_stale(void)
{
	static const char *const who[2] = { "first", "second" };
	uint8_t req[128], buf[512];
	struct bson_builder b;
	panda_handle_t ep;
	long rc = 0, n = 0;
	uint32_t txid = 0;

	for (int k = 0; k < 2; k++) {
		long p = start_peer("echo", NULL, &ep);
		if (!verdict_expect_ok("parked-spawn-echo", p))
			return;
		bson_build_init(&b, req, sizeof(req));
		bson_append_cstr(&b, "who", who[k]);
		bson_append_cstr(&b, "pad", "................................................");
		struct panda_msg q = { .data = req, .size = (uint32_t)bson_build_finish(&b) };
		struct panda_msg r = { .data = buf, .size = 8 };
		rc = panda_call(ep, &q, &r, in_ms(10000));
		txid = r.txid;
		if (k == 0) {
			panda_process_kill((panda_handle_t)p);
			reap((panda_handle_t)p);
			panda_close(ep);
			continue;
		}
		struct panda_msg f = { .data = buf, .size = sizeof(buf), .txid = txid };
		memset(buf, 0, sizeof(buf));
		n = rc == -ETOOSMALL ? panda_recv(ep, &f, PANDA_RECV_REPLY, 0) : rc;
		panda_close(ep);
		reap((panda_handle_t)p);
	}
	struct bson_iter it;
	uint32_t len = 0;
	const char *s = n > 0 && bson_find(buf, "who", &it) ? bson_iter_utf8(&it, &len) : NULL;
	verdict("parked-reply-of-closed-endpoint-not-reused", rc == -ETOOSMALL && n > 0 && s &&
		len == 6 && memcmp(s, "second", 6) == 0,
		"call gave %s; recv(PANDA_RECV_REPLY, txid %u) gave %ld (%s) with who=%.*s: "
		"a reply parked for an endpoint closed earlier", verdict_err_text(rc), txid, n,
		verdict_err_text(n), s ? (int)len : 6, s ? s : "(none)");
}

/* --- j. a sender blocked on a full queue ---------------------------------- */

static void check_blocked_sender(void)
{
	panda_handle_t ep;
	uint32_t got;
	long p = start_peer("flood", "100", &ep);

	if (!verdict_expect_ok("flood-spawn", p))
		return;
	panda_sleep_ns(50 * MS);
	long w = wait_one(ep, SIGNAL_READABLE, in_ms(10000), &got);
	verdict("flood-messages-queued", w == 1 && got == SIGNAL_READABLE,
		"wait gave %ld (%s), got %#x", w, verdict_err_text(w), got);
	struct tally t = { .name = "flood-drain-100" };
	for (int i = 0; i < 100; i++) {
		struct rx r;
		long n = rx_recv(ep, &r, 0, in_ms(10000));
		int64_t v = n > 0 ? doc_int(r.data, "i", -1) : n;
		tally_fail(&t, v == i, "message %d: recv gave %ld (%s), i = %ld", i, n, verdict_err_text(n),
			   (long)v);
	}
	tally_done(&t);
	expect_exit("flood-peer-exits-0", (panda_handle_t)p, 0);
	verdict_expect("flood-then-epipe", recv_int(ep, "i"), -EPIPE);
	panda_close(ep);

	/* Closing our end wakes the blocked sender with EPIPE. */
	p = start_peer("flood", "100", &ep);
	if (!verdict_expect_ok("flood-spawn-again", p))
		return;
	panda_sleep_ns(50 * MS);
	panda_close(ep);
	expect_exit("flood-blocked-sender-gets-epipe", (panda_handle_t)p, 3);
}

/* --- k. a call that times out --------------------------------------------- */

static void check_call_timeout(void)
{
	panda_handle_t ep;
	uint8_t buf[64];
	long p = start_peer("silent", NULL, &ep);

	if (!verdict_expect_ok("timeout-spawn-silent", p))
		return;
	struct doc d = int_doc("wait", 1);
	struct panda_msg q = { .data = d.data, .size = d.size };
	struct panda_msg r = { .data = buf, .size = sizeof(buf) };
	uint64_t start = panda_clock();
	long rc = panda_call(ep, &q, &r, start + 20 * MS);
	uint64_t took = panda_clock() - start;
	verdict("timeout-call-etimedout", rc == -ETIMEDOUT && took >= 20 * MS &&
		took < 5000 * MS, "call gave %ld (%s) after %lu ms", rc, verdict_err_text(rc),
		(unsigned long)(took / MS));
	expect_exit("timeout-late-reply-ecanceled", (panda_handle_t)p, 5);
	panda_close(ep);
}

/* --- l. a process killed while it holds handles ---------------------------- */

static void check_kill_holder(void)
{
	panda_handle_t ep;
	uint32_t got;
	long p = start_peer("hold", NULL, &ep);

	if (!verdict_expect_ok("kill-spawn-hold", p))
		return;
	verdict_expect("kill-peer-alive-holds-end", wait_one(ep, SIGNAL_PEER_CLOSED, in_ms(20), &got),
	       -ETIMEDOUT);
	verdict_expect("kill-process", panda_process_kill((panda_handle_t)p), 0);
	struct panda_exit_status st = { 0, 0 };
	long rc = panda_process_wait((panda_handle_t)p, in_ms(10000), &st);
	verdict("kill-process-ended", rc == 0 && st.how == EXIT_KILLED,
		"process_wait gave %ld (%s), how %s", rc, verdict_err_text(rc),
		panda_exit_how_name(st.how));
	long w = wait_one(ep, SIGNAL_PEER_CLOSED, in_ms(5000), &got);
	verdict("kill-handles-closed", w == 1 && got == SIGNAL_PEER_CLOSED,
		"wait gave %ld (%s), got %#x", w, verdict_err_text(w), got);
	verdict_expect("kill-then-send-epipe", send_int(ep, "k", 1, 0), -EPIPE);
	panda_close((panda_handle_t)p);
	panda_close(ep);
}

/* --- m. wait ------------------------------------------------------------- */

static void check_wait(void)
{
	panda_handle_t ab[2];
	const char *argv[] = { "/test/sleeper", "100" };
	uint32_t got;

	if (!make_channel("wait", ab))
		return;
	long p = panda_spawn_simple(root, "/test/sleeper", 2, argv);
	if (verdict_expect_ok("wait-spawn-sleeper", p)) {
		struct panda_wait_item items[2] = {
			{ .handle = ab[0], .want = SIGNAL_READABLE | SIGNAL_PEER_CLOSED },
			{ .handle = (panda_handle_t)p, .want = SIGNAL_EXITED },
		};
		long rc = panda_wait(items, 2, in_ms(10000));
		verdict("wait-several-wakes-on-exit", rc == 1 && items[0].got == 0 &&
			items[1].got == SIGNAL_EXITED, "wait gave %ld (%s), got %#x and %#x", rc,
			verdict_err_text(rc), items[0].got, items[1].got);
		expect_exit("wait-sleeper-exits", (panda_handle_t)p, 0);
	}
	uint64_t start = panda_clock();
	long rc = wait_one(ab[0], SIGNAL_READABLE | SIGNAL_PEER_CLOSED, start + 10 * MS, &got);
	uint64_t took = panda_clock() - start;
	verdict("wait-deadline-etimedout", rc == -ETIMEDOUT && took >= 10 * MS &&
		took < 5000 * MS, "wait gave %ld (%s) after %lu us", rc, verdict_err_text(rc),
		(unsigned long)(took / 1000));
	start = panda_clock();
	rc = wait_one(ab[0], SIGNAL_READABLE, 0, &got);
	took = panda_clock() - start;
	verdict("wait-poll-immediate", rc == -ETIMEDOUT && took < 1000 * MS,
		"wait gave %ld (%s) after %lu us", rc, verdict_err_text(rc), (unsigned long)(took / 1000));
	verdict_expect("wait-writable", wait_one(ab[0], SIGNAL_WRITABLE, 0, &got), 1);
	send_int(ab[1], "w", 1, PANDA_NONBLOCK);
	rc = wait_one(ab[0], SIGNAL_READABLE | SIGNAL_PEER_CLOSED, 0, &got);
	verdict("wait-readable", rc == 1 && got == SIGNAL_READABLE, "wait gave %ld (%s), got %#x",
		rc, verdict_err_text(rc), got);
	struct panda_wait_item many[PANDA_WAIT_MAX + 1];
	for (int i = 0; i <= PANDA_WAIT_MAX; i++)
		many[i] = (struct panda_wait_item){ .handle = ab[0], .want = SIGNAL_READABLE };
	verdict_expect("wait-64-items", panda_wait(many, PANDA_WAIT_MAX, 0), PANDA_WAIT_MAX);
	verdict_expect("wait-65-items-e2big", panda_wait(many, PANDA_WAIT_MAX + 1, 0), -E2BIG);
	verdict_expect("wait-0-items-einval", panda_wait(many, 0, 0), -EINVAL);
	close_all(ab, 2);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	verdict_start("ipc-test");
	root = panda_startup_handle(STARTUP_ROOT);
	console = panda_startup_handle(STARTUP_CONSOLE);
	if (!root || !console) {
		printf("ipc-test: FAIL startup: needs the root and console handles "
		       "(run it as init)\n");
		return 1;
	}
	uint64_t start = panda_clock();
	check_console();
	check_round_trip();
	check_forgery();
	check_rights();
	check_transfer();
	check_peer_close();
	check_bad_pointers();
	check_limits();
	check_too_small();
	check_parked_stale();
	check_blocked_sender();
	check_call_timeout();
	check_kill_holder();
	check_wait();
	printf("ipc-test: took %lu ms\n", (unsigned long)((panda_clock() - start) / MS));
	return verdict_finish();
}
