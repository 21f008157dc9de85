/* count: reads every record and then sends one, {"count": N} (int64). */
#include "lib/bson.h"
#include "panda.h"

static const struct panda_command cmd = {
	"count", "count",
	"Reads every record, then sends one: {\"count\": N}.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	uint8_t doc[32];
	struct bson_builder b;
	int64_t n = 0;

	if (i < argc)
		return panda_usage_error(&cmd);
	while (in_next())
		n++;
	if (in_error())
		return complain("count", NULL, in_error());
	bson_build_init(&b, doc, sizeof(doc));
	bson_append_int64(&b, "count", n);
	bson_build_finish(&b);
	int rc = out_record(doc);
	return rc < 0 ? complain("count", NULL, rc) : 0;
}
