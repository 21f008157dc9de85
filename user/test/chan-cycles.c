/* Channels that carry each other's ends (issue 15): A's far end queued on
 * B and B's far end queued on A, with nobody else holding either, can never
 * be received and must be freed, with everything queued on them. Builds
 * 1,000 such two-channel cycles, cycles full of 64 KiB messages, cycles of
 * three, and cycles inside the queues of other cycles; checks that what a
 * process can still reach (a chain of channels inside channels, a cycle
 * hanging off a queue it holds) keeps its queues, and that a chain of
 * 3,000 channels each queued inside the last is freed; and that a cycle
 * is freed at once even while another process is in the middle of freeing
 * a cycle of its own (`chan-cycles churn` does that forever). The `proc`
 * self-test runs
 * it under an allocator snapshot: after it, every endpoint, message and byte
 * must be back. Prints `chan-cycles: ok NAME` per check (verdict.h). */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define ROUNDS		1000
#define BIG_ROUNDS	4
#define BIG_PER_QUEUE	30	/* 30 x 64 KiB on each side: ~3.8 MiB a round */
#define TRIPLE_ROUNDS	100
#define DEEP_LINKS	3000

static uint8_t small[64];
static uint32_t small_size;
static uint8_t big[PANDA_MSG_MAX];
static uint32_t big_size;

static void build_docs(void)
{
	struct bson_builder b;
	static uint8_t fill[PANDA_MSG_MAX - 64];

	bson_build_init(&b, small, sizeof(small));
	bson_append_int32(&b, "v", 42);
	small_size = (uint32_t)bson_build_finish(&b);
	for (uint32_t i = 0; i < sizeof(fill); i++)
		fill[i] = (uint8_t)(i * 13);
	bson_build_init(&b, big, sizeof(big));
	bson_append_binary(&b, "b", 0, fill, sizeof(fill));
	big_size = (uint32_t)bson_build_finish(&b);
}

/* Sends the small document with n handles (they leave our table). */
static long send_with(panda_handle_t h, panda_handle_t *hs, uint32_t n)
{
	struct panda_msg m = { .data = small, .size = small_size, .handles = hs,
			       .handle_count = n };

	return panda_send(h, &m, 0);
}

static long send_big(panda_handle_t h)
{
	struct panda_msg m = { .data = big, .size = big_size };

	return panda_send(h, &m, 0);
}

static bool peer_closed(panda_handle_t h)
{
	struct panda_wait_item item = { .handle = h, .want = SIGNAL_PEER_CLOSED };

	return panda_wait(&item, 1, PANDA_DEADLINE_POLL) == 1;
}

/* Receives one message from h into *got (a handle it carried, if any) and
 * returns its "v", or a negative error. */
static long recv_one(panda_handle_t h, panda_handle_t *got)
{
	uint8_t data[128];
	panda_handle_t hs[1] = { 0 };
	struct panda_msg m = { .data = data, .size = sizeof(data), .handles = hs,
			       .handle_count = 1 };
	long rc = panda_recv(h, &m, PANDA_NONBLOCK, 0);
	struct bson_iter it;
	int32_t v = -1;

	if (rc < 0)
		return rc;
	*got = m.handle_count ? hs[0] : 0;
	if (bson_find(data, "v", &it))
		bson_iter_int32(&it, &v);
	return v;
}

struct pair {
	panda_handle_t near, far;	/* we send on near; far receives */
};

static bool make(struct pair *p)
{
	panda_handle_t e[2];

	if (panda_channel_create(e) < 0)
		return false;
	p->near = e[0];
	p->far = e[1];
	return true;
}

/* Queues each channel's far end on the next one's far end, the last on the
 * first: a cycle of n that only its own queues hold. We keep the near
 * ends; `bigs` 64 KiB messages go into each queue first. 0 or an error. */
static long make_cycle(struct pair *p, unsigned n, unsigned bigs)
{
	for (unsigned i = 0; i < n; i++)
		if (!make(&p[i]))
			return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < bigs; j++) {
			long rc = send_big(p[i].near);
			if (rc < 0)
				return rc;
		}
	for (unsigned i = 0; i < n; i++) {
		panda_handle_t next_far = p[(i + 1) % n].far;
		long rc = send_with(p[i].near, &next_far, 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void close_near(struct pair *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		panda_close(p[i].near);
}

/* Runs `rounds` cycles of n (with bigs large messages per queue); counts
 * the rounds that failed and whether each cycle's near ends saw it go. */
static void cycles(const char *name, unsigned rounds, unsigned n, unsigned bigs)
{
	unsigned bad = 0, alive = 0;
	long first = 0;

	for (unsigned r = 0; r < rounds; r++) {
		struct pair p[3];
		long rc = make_cycle(p, n, bigs);
		if (rc < 0) {
			if (!bad++)
				first = rc;
			break;
		}
		for (unsigned i = 0; i < n; i++)
			alive += !peer_closed(p[i].near);
		close_near(p, n);
	}
	verdict(name, bad == 0 && alive == 0, "%u rounds failed (first: %s), %u ends saw no close",
		bad, verdict_err_text(first), alive);
}

/* a1 carries b1, which carries c1, which carries d1, which carries a
 * document: nobody holds b1, c1 or d1, but whoever holds a1 can reach them
 * all, so every queue must stay. */
static void chain_is_kept(void)
{
	struct pair a, b, c, d;
	panda_handle_t h, got = 0;
	long v = 0;

	if (!make(&a) || !make(&b) || !make(&c) || !make(&d)) {
		verdict("nested-chain-is-kept", false, "channel_create failed");
		return;
	}
	send_with(d.near, NULL, 0);
	h = d.far;
	send_with(c.near, &h, 1);
	h = c.far;
	send_with(b.near, &h, 1);
	h = b.far;
	send_with(a.near, &h, 1);
	panda_close(b.near);
	panda_close(c.near);
	panda_close(d.near);
	bool held = !peer_closed(a.near);
	h = a.far;
	for (int depth = 0; depth < 4 && v >= 0; depth++) {
		v = recv_one(h, &got);
		panda_close(h);
		h = got;
	}
	verdict("nested-chain-is-kept", held && v == 42 && h == 0, "held %d, innermost gave %ld",
		held, v);
	panda_close(a.near);
}

/* A two-channel cycle whose one end is also queued on a channel we hold:
 * it stays while that queue does, and goes when it does. */
static void cycle_off_a_held_queue(void)
{
	struct pair r, x, y;

	if (!make(&r) || !make(&x) || !make(&y)) {
		verdict("cycle-off-held-queue", false, "channel_create failed");
		return;
	}
	panda_handle_t x_far2 = (panda_handle_t)panda_dup(x.far, RIGHTS_SAME);
	panda_handle_t h = y.far;
	send_with(x.near, &h, 1);
	h = x.far;
	send_with(y.near, &h, 1);
	send_with(r.near, &x_far2, 1);
	bool kept = !peer_closed(x.near) && !peer_closed(y.near);
	panda_close(r.far);		/* drops x's second end with the queue */
	bool gone = peer_closed(x.near) && peer_closed(y.near);
	verdict("cycle-off-held-queue", kept && gone, "kept while held %d, gone after %d", kept,
		gone);
	panda_close(r.near);
	panda_close(x.near);
	panda_close(y.near);
}

/* Inside the queue of cycle x<->y sits an end of the cycle c<->d (c's
 * other end): when x<->y goes, c<->d must go too. */
static void cycle_inside_a_cycle(void)
{
	struct pair c, d, x;
	bool inner_kept;

	if (!make(&c) || !make(&d)) {
		verdict("cycle-inside-cycle", false, "channel_create failed");
		return;
	}
	panda_handle_t c_far2 = (panda_handle_t)panda_dup(c.far, RIGHTS_SAME);
	panda_handle_t h = d.far;
	send_with(c.near, &h, 1);
	h = c.far;
	send_with(d.near, &h, 1);
	inner_kept = !peer_closed(c.near);
	/* x's queue gets c's second end, then the outer cycle closes. */
	struct pair outer[2];
	if (!make(&outer[0]) || !make(&outer[1])) {
		verdict("cycle-inside-cycle", false, "channel_create failed");
		return;
	}
	x = outer[0];
	send_with(x.near, &c_far2, 1);
	h = outer[1].far;
	send_with(outer[0].near, &h, 1);
	h = outer[0].far;
	send_with(outer[1].near, &h, 1);
	bool gone = peer_closed(outer[0].near) && peer_closed(outer[1].near) &&
		    peer_closed(c.near) && peer_closed(d.near);
	verdict("cycle-inside-cycle", inner_kept && gone, "inner kept %d, all gone %d", inner_kept,
		gone);
	panda_close(c.near);
	panda_close(d.near);
	close_near(outer, 2);
}

/* Each channel's far end queued on the one before: closing the head frees
 * the whole chain, one queue inside another, without the kernel recursing
 * once per link (3,000 links overflowed its stack). With `cycle`, the last
 * far end goes back into the head, and the chain is garbage at once. */
static bool deep_chain_freed(bool cycle, unsigned *made)
{
	struct pair head, cur;

	*made = 0;
	if (!make(&head))
		return false;
	cur = head;
	for (; *made < DEEP_LINKS; ++*made) {
		struct pair next;
		if (!make(&next))
			break;
		panda_handle_t h = next.far;
		send_with(cur.near, &h, 1);
		if (*made)
			panda_close(cur.near);
		cur = next;
	}
	if (cycle) {
		panda_handle_t h = head.far;
		send_with(cur.near, &h, 1);
	} else {
		panda_close(head.far);
	}
	bool gone = peer_closed(head.near) && peer_closed(cur.near);
	panda_close(cur.near);
	panda_close(head.near);
	return gone;
}

static void deep_chain(const char *name, bool cycle)
{
	unsigned made;
	bool gone = deep_chain_freed(cycle, &made);

	verdict(name, made == DEEP_LINKS && gone, "%u links made, gone %d", made, gone);
}

/* Builds and drops 3,000-link cycles until killed: most of its time goes
 * in freeing them, and it can be preempted there. */
__attribute__((noreturn)) static void churn(void)
{
	for (unsigned made;;)
		deep_chain_freed(true, &made);
}

/* Two-channel cycles while `churn` runs beside us: ours must go before
 * the send returns, not when the other collection gets the CPU back. */
static void cycles_beside_churn(void)
{
	const char *args[] = { "/test/chan-cycles", "churn" };
	long child = panda_spawn_simple(panda_startup_handle(0), args[0], 2, args);
	struct panda_exit_status st;

	if (child < 0)
		return (void)verdict("two-channel-cycles-beside-churn", false, "spawn: %s",
				     verdict_err_text(child));
	panda_sleep_ns(50000000);	/* let it get going */
	cycles("two-channel-cycles-beside-churn", ROUNDS, 2, 0);
	panda_process_kill((panda_handle_t)child);
	panda_process_wait((panda_handle_t)child, PANDA_DEADLINE_NEVER, &st);
	panda_close((panda_handle_t)child);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "churn") == 0)
		churn();
	verdict_start("chan-cycles");
	build_docs();
	cycles("two-channel-cycles", ROUNDS, 2, 0);
	cycles("two-channel-cycles-full-of-64k", BIG_ROUNDS, 2, BIG_PER_QUEUE);
	cycles("three-channel-cycles", TRIPLE_ROUNDS, 3, 1);
	chain_is_kept();
	cycle_off_a_held_queue();
	cycle_inside_a_cycle();
	deep_chain("deep-chain-closes", false);
	deep_chain("deep-cycle-is-freed", true);
	cycles_beside_churn();
	/* A cycle that becomes garbage only when exit closes our second
	 * handle to one of its ends. */
	struct pair p[2];
	bool made = make(&p[0]) && make(&p[1]);
	panda_handle_t keep = made ? (panda_handle_t)panda_dup(p[0].far, RIGHTS_SAME) : 0;
	panda_handle_t h = p[1].far;
	send_with(p[0].near, &h, 1);
	h = p[0].far;
	send_with(p[1].near, &h, 1);
	send_big(p[0].near);
	verdict("cycle-left-at-exit", made && keep && !peer_closed(p[0].near), "not kept");
	return verdict_finish();
}
