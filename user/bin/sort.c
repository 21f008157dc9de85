/* sort [-r] FIELD: reads every record, then passes them on ordered by
 * FIELD: numbers by value, then strings bytewise, then booleans, then
 * other types, then records without the field (record_compare's order,
 * user/lib/record.h). The sort is stable: records that compare equal keep
 * the order they came in, with -r too, which reverses the order of the
 * keys only. */
#include "lib/bson.h"
#include "panda.h"
#include "record.h"

static const char *field;
static int direction = 1;		/* -1 with -r */

static const struct panda_command cmd = {
	"sort", "sort [-r] FIELD",
	"Reads every record, then passes them on ordered by FIELD (a dotted\n"
	"path may name a field of an embedded document): numbers, then\n"
	"strings, then booleans, then other types, then records without\n"
	"FIELD. Equal records keep their order. -r reverses the order.\n",
	"r",
};

/* The records read so far, each a copy this program owns. */
struct records {
	const uint8_t **doc;
	size_t count, cap;
};

static void records_free(struct records *r)
{
	for (size_t i = 0; i < r->count; i++)
		free((void *)r->doc[i]);
	free(r->doc);
	*r = (struct records){ 0 };
}

/* Keeps a copy of doc: 0, or -ENOMEM. */
static int records_add(struct records *r, const uint8_t *doc)
{
	uint32_t size = bson_doc_length(doc);

	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		const uint8_t **grown = realloc(r->doc, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		r->doc = grown;
		r->cap = cap;
	}
	uint8_t *copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, doc, size);
	r->doc[r->count++] = copy;
	return 0;
}

static int compare(const uint8_t *a, const uint8_t *b)
{
	return direction * record_compare(a, b, field);
}

/* Sorts a[0..n) stably, with tmp (room for n) as scratch: when two
 * records compare equal the one from the left half goes first. */
static void merge_sort(const uint8_t **a, const uint8_t **tmp, size_t n)
{
	size_t half = n / 2, i = 0, j = half, k = 0;

	if (n < 2)
		return;
	merge_sort(a, tmp, half);
	merge_sort(a + half, tmp, n - half);
	while (i < half && j < n)
		tmp[k++] = compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
	while (i < half)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

/* Reads, sorts and sends the records: 0, or an error. */
static int sort_stream(struct records *r)
{
	const uint8_t *doc;
	int rc;

	while ((doc = in_next()))
		if ((rc = records_add(r, doc)) < 0)
			return rc;
	if (in_error())
		return in_error();
	const uint8_t **tmp = malloc((r->count ? r->count : 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	merge_sort(r->doc, tmp, r->count);
	free(tmp);
	for (size_t i = 0; i < r->count; i++)
		if ((rc = out_record(r->doc[i])) < 0)
			return rc;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	struct records records = { 0 };

	if (argc - i != 1)
		return panda_usage_error(&cmd);
	if (flags & PANDA_FLAG('r'))
		direction = -1;
	field = argv[i];
	int rc = sort_stream(&records);
	records_free(&records);
	return rc < 0 ? complain("sort", NULL, rc) : 0;
}
