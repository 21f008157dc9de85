/* ps: one record per process, from the sysinfo object's "processes"
 * request (docs/protocols.md, "sysinfo"), walked batch by batch with its
 * cursor:
 *     {"pid", "name", "state", "memory", "cpu", "ppid", "threads"}
 * memory in bytes (resident user memory), cpu in milliseconds. */
#include "lib/bson.h"
#include "panda.h"

#define NS_PER_MS	1000000

static const struct panda_command cmd = {
	"ps", "ps",
	"Lists the processes, a record each: pid, name, state, memory (bytes),\n"
	"cpu (ms), ppid, threads.\n",
	NULL,
};

static int64_t int_field(const uint8_t *doc, const char *key)
{
	struct bson_iter it;
	int64_t v;

	return bson_find(doc, key, &it) && bson_iter_integer(&it, &v) ? v : -1;
}

/* Appends doc's string key to b (an empty string when it is missing). */
static void copy_string(struct bson_builder *b, const uint8_t *doc, const char *key)
{
	struct bson_iter it;
	uint32_t len = 0;
	const char *s = bson_find(doc, key, &it) ? bson_iter_utf8(&it, &len) : NULL;

	bson_append_utf8(b, key, s ? s : "", s ? len : 0);
}

/* One process as sysinfo lists it, as ps's record. */
static int show(void *ctx, const uint8_t *proc)
{
	uint8_t rec[512];
	struct bson_builder b;

	(void)ctx;
	bson_build_init(&b, rec, sizeof(rec));
	bson_append_int64(&b, "pid", int_field(proc, "pid"));
	copy_string(&b, proc, "name");
	copy_string(&b, proc, "state");
	bson_append_int64(&b, "memory", int_field(proc, "memory"));
	bson_append_int64(&b, "cpu", int_field(proc, "cpu_ns") / NS_PER_MS);
	bson_append_int64(&b, "ppid", int_field(proc, "ppid"));
	bson_append_int64(&b, "threads", int_field(proc, "threads"));
	if (!bson_build_finish(&b))
		return -E2BIG;
	return out_record(rec);
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	if (i < argc)
		return panda_usage_error(&cmd);
	if (!panda_sysinfo()) {
		eprintf("ps: no sysinfo handle\n");
		return 1;
	}
	long rc = panda_processes(show, NULL);
	return rc < 0 ? complain("ps", NULL, (int)rc) : 0;
}
