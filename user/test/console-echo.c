/* Reads the console (startup handle 1) and reports what arrives, for the
 * input tests:
 *   console-echo [N]      prints each of up to N typed lines (cooked mode)
 *                         as `console-echo: line "..."`; Ctrl-D ends input.
 *   console-echo raw N    raw mode: prints N key events as
 *                         `console-echo: key 0x61 mods 0x0`.
 *   console-echo ctrl-c   runs /test/spin as the console's foreground process
 *                         and reports how it ended (Ctrl-C: "interrupted").
 * Prints `console-echo: ready` once it is reading. */
#include "lib/bson.h"
#include "panda.h"

static panda_handle_t console;

/* Sends {"op": op, ...} with an optional bool field and handle; 0 or error. */
static long request(const char *op, const char *bool_key, bool value, panda_handle_t h)
{
	uint8_t doc[128], reply_doc[256];
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", op);
	if (bool_key)
		bson_append_bool(&b, bool_key, value);
	struct panda_msg req = { .data = doc, .size = (uint32_t)bson_build_finish(&b),
				 .handles = &h, .handle_count = h ? 1 : 0 };
	struct panda_msg reply = { .data = reply_doc, .size = sizeof(reply_doc) };
	long n = panda_call(console, &req, &reply, PANDA_DEADLINE_NEVER);
	if (n < 0)
		return n;
	struct bson_iter it;
	int32_t code = 0;
	if (bson_find(reply_doc, "code", &it))
		bson_iter_int32(&it, &code);
	return code;
}

static long next(uint8_t *buf, size_t size)
{
	struct panda_msg msg = { .data = buf, .size = (uint32_t)size };

	return panda_recv(console, &msg, 0, PANDA_DEADLINE_NEVER);
}

static int read_lines(long count)
{
	uint8_t buf[2048];
	struct bson_iter it;

	printf("console-echo: ready\n");
	for (long i = 0; i < count; i++) {
		long n = next(buf, sizeof(buf));
		if (n == -EPIPE) {
			printf("console-echo: end of input\n");
			return 0;
		}
		if (n < 0) {
			printf("console-echo: recv: %s\n", error_name((int)n));
			return 1;
		}
		uint32_t len = 0;
		const char *line = bson_find(buf, "line", &it) ? bson_iter_utf8(&it, &len) : NULL;
		printf("console-echo: line \"%.*s\"\n", (int)len, line ? line : "");
	}
	return 0;
}

static int read_keys(long count)
{
	uint8_t buf[256];
	struct bson_iter it;
	int64_t key = 0;
	int32_t mods = 0;

	if (request("mode", "raw", true, 0) != 0)
		return 1;
	printf("console-echo: ready\n");
	for (long i = 0; i < count; i++) {
		if (next(buf, sizeof(buf)) < 0)
			return 1;
		if (bson_find(buf, "key", &it))
			bson_iter_int64(&it, &key);
		if (bson_find(buf, "mods", &it))
			bson_iter_int32(&it, &mods);
		printf("console-echo: key 0x%lx mods 0x%x\n", (unsigned long)key, (unsigned)mods);
	}
	request("mode", "raw", false, 0);
	return 0;
}

static int interrupt_child(void)
{
	static const char *const argv[] = { "/test/spin" };
	struct panda_exit_status st;
	long child = panda_spawn_simple(panda_startup_handle(STARTUP_ROOT), "/test/spin", 1, argv);

	if (child < 0)
		return 1;
	long dup = panda_dup((panda_handle_t)child, RIGHTS_SAME);
	long rc = dup < 0 ? dup : request("foreground", NULL, false, (panda_handle_t)dup);
	if (rc != 0) {
		printf("console-echo: foreground: %s\n", error_text((int)rc));
		panda_process_kill((panda_handle_t)child);
		return 1;
	}
	printf("console-echo: ready\n");
	if (panda_process_wait((panda_handle_t)child, PANDA_DEADLINE_NEVER, &st) < 0)
		return 1;
	printf("console-echo: child ended: %s\n", panda_exit_how_name(st.how));
	return st.how == EXIT_INTERRUPTED ? 0 : 1;
}

int main(int argc, char **argv)
{
	console = panda_startup_handle(STARTUP_CONSOLE);
	if (!console) {
		printf("console-echo: no console handle\n");
		return 2;
	}
	if (argc > 1 && strcmp(argv[1], "raw") == 0)
		return read_keys(argc > 2 ? panda_parse_long(argv[2], 1) : 1);
	if (argc > 1 && strcmp(argv[1], "ctrl-c") == 0)
		return interrupt_child();
	return read_lines(argc > 1 ? panda_parse_long(argv[1], 1) : 1);
}
