/* Holds memory for the out-of-memory test: touches N MiB (argv[1]) of
 * anonymous memory, sends {"ready": true} on its channel (startup handle 4)
 * and then holds it until it is killed or whoever started it is gone (its
 * end of the channel closes): an orphaned hog would hold its memory for
 * good. */
#include "lib/bson.h"
#include "panda.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? panda_parse_ulong(argv[1], 16) : 16;
	long base = panda_mem_map(NULL, mib << 20, PROT_READ | PROT_WRITE);
	uint8_t doc[32];
	struct bson_builder b;

	if (base < 0)
		return 1;
	for (size_t off = 0; off < mib << 20; off += 4096)
		((volatile char *)base)[off] = 1;
	bson_build_init(&b, doc, sizeof(doc));
	bson_append_bool(&b, "ready", true);
	panda_handle_t peer = panda_startup_handle(STARTUP_STANDARD);
	/* Without memory for the message (the machine is short of it, which
	 * is the point) the starter would wait for it forever: end instead,
	 * and its recv sees the channel close. */
	if (panda_send_doc(peer, doc, bson_build_finish(&b)) < 0)
		return 1;
	struct panda_msg msg = { .data = doc, .size = sizeof(doc) };
	while (panda_recv(peer, &msg, 0, PANDA_DEADLINE_NEVER) >= 0)
		msg.size = sizeof(doc);
	return 0;
}
