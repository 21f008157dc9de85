/* ps: one record per process, from the sysinfo object's "processes"
 * request (docs/protocols.md, "sysinfo"), walked batch by batch with its
 * cursor:
 *     {"pid", "name", "state", "memory", "cpu", "ppid", "threads"}
 * memory in bytes (resident user memory), cpu in milliseconds. With -l,
 * the limits of each process's tree instead ("limits"), what the tree
 * uses beside each limit:
 *     {"pid", "name", "processes", "processes_max", ..., "user_memory",
 *      "user_memory_max"}   (memory in bytes; docs/memory.md, "Quotas") */
#include "lib/bson.h"
#include "panda.h"

#define NS_PER_MS	1000000

static const struct panda_command cmd = {
	"ps", "ps [-l]",
	"Lists the processes, a record each: pid, name, state, memory (bytes),\n"
	"cpu (ms), ppid, threads. -l: the limits of each one's tree and what\n"
	"the tree uses (processes, threads, handles, mappings, kernel_memory,\n"
	"user_memory, each beside its _max).\n",
	"l",
};

#define LIMITS_MAX	256	/* processes ps -l reports */

static const char *const kinds[] = {
	"processes", "threads", "handles", "mappings", "kernel_memory", "user_memory",
};

struct listed {
	int64_t pid[LIMITS_MAX];
	char name[LIMITS_MAX][32];
	unsigned n;
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

/* Notes each process: the callback may make no requests of its own. */
static int note(void *ctx, const uint8_t *proc)
{
	struct listed *l = ctx;
	struct bson_iter it;
	uint32_t len = 0;
	const char *s = bson_find(proc, "name", &it) ? bson_iter_utf8(&it, &len) : NULL;

	if (l->n == LIMITS_MAX)
		return 0;
	l->pid[l->n] = int_field(proc, "pid");
	snprintf(l->name[l->n], sizeof(l->name[0]), "%.*s", s ? (int)len : 0, s ? s : "");
	l->n++;
	return 0;
}

static int show_limits(void)
{
	static struct listed l;
	long rc = panda_processes(note, &l);

	for (unsigned i = 0; rc >= 0 && i < l.n; i++) {
		const uint8_t *reply;
		uint8_t rec[512];
		struct bson_builder b;
		char key[32];

		if (panda_limits_record((uint64_t)l.pid[i], &reply) < 0)
			continue;	/* ended since it was listed */
		bson_build_init(&b, rec, sizeof(rec));
		bson_append_int64(&b, "pid", l.pid[i]);
		bson_append_cstr(&b, "name", l.name[i]);
		for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			snprintf(key, sizeof(key), "%s_max", kinds[k]);
			bson_append_int64(&b, kinds[k], panda_limits_field(reply, "used", kinds[k]));
			bson_append_int64(&b, key, panda_limits_field(reply, "limit", kinds[k]));
		}
		rc = bson_build_finish(&b) ? out_record(rec) : -E2BIG;
	}
	return rc < 0 ? complain("ps", NULL, (int)rc) : 0;
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
	if (flags & PANDA_FLAG('l'))
		return show_limits();
	long rc = panda_processes(show, NULL);
	return rc < 0 ? complain("ps", NULL, (int)rc) : 0;
}
