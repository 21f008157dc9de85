/* where FIELD OP VALUE: passes on the records whose FIELD compares to
 * VALUE as OP says, in the order they came (docs/protocols.md, "records";
 * the comparison rules are record_where's, user/lib/record.h). */
#include "panda.h"
#include "record.h"

static const struct panda_command cmd = {
	"where", "where FIELD OP VALUE",
	"Passes on the records whose FIELD compares to VALUE as OP says.\n"
	"OP is = (or ==), !=, <, <=, >, >= or ~ (the string contains VALUE).\n"
	"VALUE is an integer, a number with a fraction or exponent, true or\n"
	"false, else a string. FIELD may be a dotted path (owner.uid). A\n"
	"missing field, or one of another kind than VALUE, passes only !=.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	struct record_value value;
	enum record_op op;
	const uint8_t *doc;

	if (argc - i != 3 || !record_op_parse(argv[i + 1], &op))
		return panda_usage_error(&cmd);
	record_value_parse(argv[i + 2], &value);
	while ((doc = in_next())) {
		if (!record_where(doc, argv[i], op, &value))
			continue;
		int rc = out_record(doc);
		if (rc < 0)
			return complain("where", NULL, rc);
	}
	return in_error() ? complain("where", NULL, in_error()) : 0;
}
