/* The other end of ipc-test's channels: a helper process that finds its
 * endpoint at startup handle STARTUP_STANDARD and behaves as argv[1] says.
 *
 *   echo     receives forever; a call's request is answered with the same
 *            document and handles (send with its txid), a plain message is
 *            sent back as it came; exits 0 when the channel ends (EPIPE),
 *            4 when a recv fails otherwise.
 *   flood N  sends N small documents {"i": k} (blocking); exits 0 when all
 *            went, 3 when a send got EPIPE, 4 on any other error.
 *   hold     spins forever, holding its handles, until it is killed.
 *   silent   receives one call and does not answer it in time: it sleeps
 *            200 ms and replies late; exits 5 when that reply got ECANCELED
 *            (the caller had given up), 6 otherwise.
 *
 * A missing endpoint or an unknown mode exits 2. */
#include "lib/bson.h"
#include "panda.h"

static uint8_t buf[PANDA_MSG_MAX];
static panda_handle_t handles[PANDA_MSG_HANDLES];

/* Receives into the static buffers, waiting as long as it takes. */
static long receive(panda_handle_t ep, struct panda_msg *msg)
{
	*msg = (struct panda_msg){ .data = buf, .size = sizeof(buf),
				   .handles = handles, .handle_count = PANDA_MSG_HANDLES };
	return panda_recv(ep, msg, 0, PANDA_DEADLINE_NEVER);
}

static int echo(panda_handle_t ep)
{
	struct panda_msg msg;

	for (;;) {
		long n = receive(ep, &msg);
		if (n == -EPIPE)
			return 0;
		if (n < 0) {
			printf("ipc-peer: echo: recv: %s\n", error_name((int)n));
			return 4;
		}
		/* The same document and handles back; txid (if any) makes it
		 * the reply. A caller that gave up (ECANCELED) or a closed
		 * channel (EPIPE, seen by the next recv) is no error here. */
		panda_send(ep, &msg, 0);
	}
}

static int flood(panda_handle_t ep, long count)
{
	uint8_t doc[32];
	struct bson_builder b;

	for (long i = 0; i < count; i++) {
		bson_build_init(&b, doc, sizeof(doc));
		bson_append_int32(&b, "i", (int32_t)i);
		long rc = panda_send_doc(ep, doc, bson_build_finish(&b));
		if (rc == -EPIPE)
			return 3;
		if (rc < 0) {
			printf("ipc-peer: flood: send %ld: %s\n", i, error_name((int)rc));
			return 4;
		}
	}
	return 0;
}

static __attribute__((noreturn)) void hold(void)
{
	volatile unsigned long counter = 0;

	for (;;)
		counter++;
}

static int silent(panda_handle_t ep)
{
	struct panda_msg msg;
	long n = receive(ep, &msg);

	if (n < 0 || msg.txid == 0) {
		printf("ipc-peer: silent: expected a call, got %s (txid %u)\n",
		       n < 0 ? error_name((int)n) : "a message", msg.txid);
		return 6;
	}
	panda_sleep_ns(200000000ull);
	long rc = panda_send(ep, &msg, 0);
	if (rc == -ECANCELED)
		return 5;
	printf("ipc-peer: silent: the late reply gave %ld (%s), want ECANCELED\n", rc,
	       rc < 0 ? error_name((int)rc) : "ok");
	return 6;
}

int main(int argc, char **argv)
{
	panda_handle_t ep = panda_startup_handle(STARTUP_STANDARD);
	const char *mode = argc > 1 ? argv[1] : "";

	if (ep == PANDA_HANDLE_NONE) {
		printf("ipc-peer: no endpoint was granted (startup handle %d)\n", STARTUP_STANDARD);
		return 2;
	}
	if (strcmp(mode, "echo") == 0)
		return echo(ep);
	if (strcmp(mode, "flood") == 0 && argc > 2)
		return flood(ep, panda_parse_long(argv[2], 0));
	if (strcmp(mode, "hold") == 0)
		hold();
	if (strcmp(mode, "silent") == 0)
		return silent(ep);
	printf("ipc-peer: unknown mode \"%s\" (echo, flood N, hold, silent)\n", mode);
	return 2;
}
