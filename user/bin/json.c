/* json: turns each record into a text record holding its relaxed
 * Extended JSON on one line (docs/bson.md), so what follows shows it as
 * text: `ls | json`. */
#include "lib/bson.h"
#include "panda.h"

/* The most JSON one text record carries: a message less the record's own
 * bytes ({"text": ...}: length, type, key, string length, NUL, end). */
#define JSON_MAX	(PANDA_MSG_MAX - 16)

static char json[JSON_MAX + 1];

static const struct panda_command cmd = {
	"json", "json",
	"Turns each record into a text record holding its JSON.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	const uint8_t *doc;
	int status = 0;

	if (i < argc)
		return panda_usage_error(&cmd);
	while ((doc = in_next())) {
		size_t n = bson_to_json_buf(doc, json, sizeof(json));
		if (n > JSON_MAX) {
			/* Escapes and base64 make JSON longer than its record. */
			status = complain("json", "a record's JSON", -E2BIG);
			continue;
		}
		int rc = out_text(json, n);
		if (rc < 0)
			return complain("json", NULL, rc);
	}
	return in_error() ? complain("json", NULL, in_error()) : status;
}
