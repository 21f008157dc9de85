/* select FIELD...: passes on each record with only the fields named, in
 * the order named. A dotted path (owner.uid) reaches into embedded
 * documents and arrays; its value goes out under the path as written
 * ({"owner.uid": 0}). Fields a record lacks are left out of its copy, so a
 * record with none of them goes out as {}. */
#include "lib/bson.h"
#include "panda.h"

static const struct panda_command cmd = {
	"select", "select FIELD...",
	"Passes on each record with only the fields named, in that order.\n"
	"A dotted path (owner.uid) names a field of an embedded document and\n"
	"keeps that name. Missing fields are left out.\n",
	NULL,
};

static uint8_t selected[PANDA_MSG_MAX];

/* Appends the element at it to selected[0..*len) under key, its type and
 * value bytes as they are: 0, or -E2BIG when the record would not fit a
 * message. */
static int append_as(size_t *len, const char *key, const struct bson_iter *it)
{
	size_t key_size = strlen(key) + 1;

	if (*len + 1 + key_size + it->value_len + 1 > sizeof(selected))
		return -E2BIG;
	selected[(*len)++] = it->type;
	memcpy(selected + *len, key, key_size);
	*len += key_size;
	memcpy(selected + *len, it->value, it->value_len);
	*len += it->value_len;
	return 0;
}

/* Whether fields[i] repeats an earlier field: it is taken once. */
static bool repeated(char **fields, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(fields[j], fields[i]) == 0)
			return true;
	return false;
}

/* The copy of doc with only fields[0..count) into selected: 0 or an error. */
static int select_fields(const uint8_t *doc, char **fields, int count)
{
	struct bson_iter it;
	size_t len = 4;
	int rc;

	for (int i = 0; i < count; i++) {
		if (repeated(fields, i) || !bson_find_path(doc, fields[i], &it))
			continue;
		if ((rc = append_as(&len, fields[i], &it)) < 0)
			return rc;
	}
	selected[len++] = 0;
	for (int i = 0; i < 4; i++)
		selected[i] = (uint8_t)(len >> (8 * i));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int first = panda_options(&cmd, argc, argv, &flags);
	const uint8_t *doc;
	int rc;

	if (first == argc)
		return panda_usage_error(&cmd);
	/* The names become keys, which BSON wants in UTF-8. */
	for (int i = first; i < argc; i++) {
		if (!bson_utf8_valid((const uint8_t *)argv[i], strlen(argv[i]), false)) {
			eprintf("select: usage: %s (FIELD in UTF-8)\n", cmd.usage);
			return 2;
		}
	}
	while ((doc = in_next())) {
		if ((rc = select_fields(doc, argv + first, argc - first)) < 0 ||
		    (rc = out_record(selected)) < 0)
			return complain("select", NULL, rc);
	}
	return in_error() ? complain("select", NULL, in_error()) : 0;
}
