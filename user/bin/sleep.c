/* sleep SECONDS: waits that long. SECONDS is a whole number or a decimal
 * ("0.5", ".25", "2."); digits past the ninth decimal (a nanosecond) are
 * dropped. No floating point: the time is counted in nanoseconds. */
#include "panda.h"

#define NS_PER_SECOND	1000000000ull

static const struct panda_command cmd = {
	"sleep", "sleep SECONDS",
	"Waits SECONDS seconds, a whole number or a decimal (0.5).\n",
	NULL,
};

/* SECONDS in ns: 0, -EINVAL when s is not a number, -ERANGE when it does
 * not fit 64 bits of nanoseconds. */
static int parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = NS_PER_SECOND;
	bool digits = false, too_big = false;

	for (; *s >= '0' && *s <= '9'; s++, digits = true) {
		/* Below 2^64 / 10^9 before, so this cannot wrap. */
		if (!too_big)
			whole = whole * 10 + (uint64_t)(*s - '0');
		too_big = too_big || whole > UINT64_MAX / NS_PER_SECOND;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits = true) {
			scale /= 10;
			frac += scale * (uint64_t)(*s - '0');
		}
	}
	if (*s || !digits)
		return -EINVAL;
	if (too_big || whole > (UINT64_MAX - frac) / NS_PER_SECOND)
		return -ERANGE;
	*ns = whole * NS_PER_SECOND + frac;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	uint64_t ns;

	if (argc - i != 1)
		return panda_usage_error(&cmd);
	int rc = parse_seconds(argv[i], &ns);
	if (rc == -EINVAL)
		return panda_usage_error(&cmd);
	if (rc < 0)
		return complain("sleep", argv[i], rc);
	long err = panda_sleep_ns(ns);
	return err < 0 ? complain("sleep", NULL, (int)err) : 0;
}
