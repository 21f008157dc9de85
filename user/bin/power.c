/* power off | power reboot: asks the kernel's power object (startup handle
 * STARTUP_POWER, which only init is granted) to power the machine off or
 * reset it. On success the call never returns; an error reply is printed
 * and the program exits 1. Protocol in docs/protocols.md ("power"). */
#include "panda.h"
#include "lib/bson.h"

static int usage(void)
{
	printf("usage: power off | power reboot\n");
	return 2;
}

int main(int argc, char **argv)
{
	panda_handle_t power = panda_startup_handle(STARTUP_POWER);
	uint8_t req[64], reply[256];
	struct bson_builder b;
	struct bson_iter it;
	const char *op;
	const char *name;
	uint32_t len;
	int64_t code;

	if (argc != 2)
		return usage();
	if (strcmp(argv[1], "off") == 0)
		op = "poweroff";
	else if (strcmp(argv[1], "reboot") == 0)
		op = "reboot";
	else
		return usage();
	if (power == PANDA_HANDLE_NONE) {
		printf("power: no power handle was granted (only init gets one)\n");
		return 1;
	}

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", op);
	struct panda_msg q = { .data = req, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg r = { .data = reply, .size = sizeof(reply) };
	long rc = panda_call(power, &q, &r, PANDA_DEADLINE_NEVER);

	if (rc < 0) {
		printf("power: %s failed: %s\n", op, error_name((int)rc));
		return 1;
	}
	if (bson_find(reply, "error", &it) && (name = bson_iter_utf8(&it, &len))) {
		code = 0;
		if (bson_find(reply, "code", &it))
			bson_iter_integer(&it, &code);
		printf("power: %s refused: %.*s (%ld)\n", op, (int)len, name, (long)code);
		return 1;
	}
	printf("power: %s returned, but the machine is still running\n", op);
	return 1;
}
