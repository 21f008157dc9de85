/* ls: lists directories as records, one per entry, sorted by name:
 *     {"name": str, "type": "file" | "dir", "size": int64}
 * `-l` adds "modified" (a BSON datetime, ms). With no operand ls lists the
 * working directory; a file operand gives that file's own record (its name
 * as written); with more than one operand every entry of a directory
 * operand also carries that operand as "dir". `size` is bytes for a file
 * and entries for a directory (docs/protocols.md, "directory"). */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"

static const struct panda_command cmd = {
	"ls", "ls [-l] [PATH]...",
	"Lists each directory PATH (the working directory when there is none)\n"
	"as one record per entry, sorted by name: {\"name\", \"type\": \"file\" or\n"
	"\"dir\", \"size\"} (bytes for a file, entries for a directory). A file\n"
	"PATH gives the file's own record. -l adds \"modified\" (a date). With\n"
	"several PATHs each directory's entries also name it in \"dir\".\n",
	"l",
};

static bool long_form;			/* -l */
static bool several;			/* more than one operand: entries name theirs */

/* Heapsort by name, bytewise: names in one directory are unique, so
 * stability does not matter, and a large directory stays n log n. */
static void sift_down(struct panda_dir_entry *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && strcmp(v[child].name, v[child + 1].name) < 0)
			child++;
		if (strcmp(v[root].name, v[child].name) >= 0)
			return;
		struct panda_dir_entry t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

static void sort_by_name(struct panda_dir_entry *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end > 1; end--) {
		struct panda_dir_entry t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}

/* One record; mtime (ns) is used only with -l, dir only when not NULL. */
static int emit(const char *name, bool is_dir, uint64_t size, uint64_t mtime, const char *dir)
{
	static uint8_t doc[2048];	/* a name (255) and a dir path (1024) fit */
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "name", name);
	bson_append_cstr(&b, "type", is_dir ? "dir" : "file");
	bson_append_int64(&b, "size", (int64_t)size);
	if (long_form)
		bson_append_datetime(&b, "modified", (int64_t)(mtime / 1000000));
	if (dir)
		bson_append_cstr(&b, "dir", dir);
	if (!bson_build_finish(&b))
		return complain("ls", name, -E2BIG);
	int rc = out_record(doc);
	return rc < 0 ? complain("ls", "output", rc) : 0;
}

/* The entries of the directory dir, which path names in messages. */
static int list_dir(panda_handle_t dir, const char *path)
{
	struct panda_dir_list l;
	long rc = panda_dir_list(dir, &l);
	int status = 0;

	if (rc < 0)
		return complain("ls", path, (int)rc);
	sort_by_name(l.entries, l.count);
	for (size_t i = 0; i < l.count; i++) {
		struct panda_dir_entry *e = &l.entries[i];
		struct panda_stat st = { .is_dir = e->is_dir, .size = e->size };

		/* The entry may have gone since readdir: say so and go on. */
		if (long_form && (rc = panda_stat(dir, e->name, &st)) < 0) {
			status = complain("ls", e->name, (int)rc);
			continue;
		}
		if (emit(e->name, st.is_dir, st.size, st.mtime, several ? path : NULL))
			status = 1;
	}
	panda_dir_list_free(&l);
	return status;
}

static int list_operand(const char *path)
{
	struct panda_where at;
	struct panda_stat st;
	long rc = panda_resolve(path, &at);

	if (rc == 0)
		rc = panda_stat(at.dir, at.path, &st);
	if (rc < 0)
		return complain("ls", path, (int)rc);
	if (!st.is_dir)
		return emit(path, false, st.size, st.mtime, NULL);
	long h = panda_open(at.dir, at.path, OPEN_DIRECTORY);
	if (h < 0)
		return complain("ls", path, (int)h);
	int status = list_dir((panda_handle_t)h, path);
	panda_close((panda_handle_t)h);
	return status;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	long_form = flags & PANDA_FLAG('l');
	if (i == argc)
		return list_dir(panda_cwd(), ".");
	int status = 0;
	several = argc - i > 1;
	for (; i < argc; i++)
		status |= list_operand(argv[i]);
	return status;
}
