/* stat: one record per path with everything the stat request tells:
 *     {"name": str, "type": "file" | "dir", "size", "nlink", "ino",
 *      "blocks": int64, "accessed", "modified", "changed": datetime}
 * "name" is the path as given; times are BSON datetimes (ms); "size" is
 * bytes for a file and entries for a directory, "blocks" the 4 KiB pages
 * a file holds (docs/protocols.md, "directory"). */
#include "lib/bson.h"
#include "panda.h"

static const struct panda_command cmd = {
	"stat", "stat PATH...",
	"Emits one record per PATH: \"name\" (the PATH), \"type\" (file or dir),\n"
	"\"size\" (bytes, or a directory's entries), \"nlink\", \"ino\", \"blocks\"\n"
	"(4 KiB pages held), and the dates \"accessed\", \"modified\" and\n"
	"\"changed\".\n",
	NULL,
};

static int stat_one(const char *path)
{
	static uint8_t doc[2048];	/* a path (1024) and the fields fit */
	struct panda_stat st;
	struct bson_builder b;
	long rc = panda_stat_path(path, &st);

	if (rc < 0)
		return complain("stat", path, (int)rc);
	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "name", path);
	bson_append_cstr(&b, "type", st.is_dir ? "dir" : "file");
	bson_append_int64(&b, "size", (int64_t)st.size);
	bson_append_int64(&b, "nlink", (int64_t)st.nlink);
	bson_append_int64(&b, "ino", (int64_t)st.ino);
	bson_append_int64(&b, "blocks", (int64_t)st.blocks);
	bson_append_datetime(&b, "accessed", (int64_t)(st.atime / 1000000));
	bson_append_datetime(&b, "modified", (int64_t)(st.mtime / 1000000));
	bson_append_datetime(&b, "changed", (int64_t)(st.ctime / 1000000));
	if (!bson_build_finish(&b))
		return complain("stat", path, -E2BIG);
	rc = out_record(doc);
	return rc < 0 ? complain("stat", "output", (int)rc) : 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	return panda_each_operand(&cmd, i, argc, argv, stat_one);
}
