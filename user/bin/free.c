/* free [-k | -m]: one record of the memory figures the sysinfo object
 * reports ("memory", docs/protocols.md "sysinfo"):
 *     {"total", "used", "free", "available", "user", "kernel",
 *      "page_tables", "slab"}
 * in bytes, or whole KiB (-k) or MiB (-m), rounded down. In bytes,
 * used + free = total and user + kernel + page_tables + slab = used. */
#include "lib/bson.h"
#include "panda.h"

static const char *const figures[] = {
	"total", "used", "free", "available", "user", "kernel", "page_tables", "slab",
};

static const struct panda_command cmd = {
	"free", "free [-k | -m]",
	"Shows memory use as one record: total, used, free, available, and used\n"
	"split into user, kernel, page_tables and slab. Bytes, or KiB (-k) or\n"
	"MiB (-m).\n",
	"km",
};

/* The record of sysinfo's reply, each figure divided by unit. */
static long show(const uint8_t *reply, int64_t unit)
{
	uint8_t rec[256];
	struct bson_builder b;

	bson_build_init(&b, rec, sizeof(rec));
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		struct bson_iter it;
		int64_t v;
		if (!bson_find(reply, figures[i], &it) || !bson_iter_integer(&it, &v))
			return -EBADMSG;
		bson_append_int64(&b, figures[i], v / unit);
	}
	if (!bson_build_finish(&b))
		return -E2BIG;
	return out_record(rec);
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	bool kib = flags & PANDA_FLAG('k'), mib = flags & PANDA_FLAG('m');
	const uint8_t *reply;

	if (i < argc || (kib && mib))
		return panda_usage_error(&cmd);
	int64_t unit = kib ? 1024 : mib ? 1024 * 1024 : 1;
	if (!panda_sysinfo()) {
		eprintf("free: no sysinfo handle\n");
		return 1;
	}
	long rc = panda_sysinfo_call("memory", &reply);
	if (rc == 0)
		rc = show(reply, unit);
	return rc < 0 ? complain("free", NULL, (int)rc) : 0;
}
