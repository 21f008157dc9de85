/* head [N]: passes on the first N records (10 without N) and ends without
 * reading the rest; the writer upstream then finds its reader gone and
 * ends too (io.h). */
#include "panda.h"

#define DEFAULT_COUNT	10

static const struct panda_command cmd = {
	"head", "head [N]",
	"Passes on the first N records (10 without N) and ends without\n"
	"reading the rest, which ends the program writing them.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	long count = DEFAULT_COUNT;
	const uint8_t *doc;

	if (argc - i > 1 || (argc - i == 1 && (count = panda_parse_long(argv[i], -1)) < 0))
		return panda_usage_error(&cmd);
	for (long n = 0; n < count && (doc = in_next()); n++) {
		int rc = out_record(doc);
		if (rc < 0)
			return complain("head", NULL, rc);
	}
	return in_error() ? complain("head", NULL, in_error()) : 0;
}
