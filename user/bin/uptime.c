/* uptime: how long the system has been up and how many processes it runs,
 * as one line of text from the sysinfo object ("uptime" and "processes",
 * docs/protocols.md "sysinfo"):
 *     up 0:02:13, 5 processes
 *     up 3 days, 4:05:06, 1 process
 * A process that has exited but is still held (listed as "exited") is not
 * counted. */
#include "lib/bson.h"
#include "panda.h"

#define NS_PER_SECOND	1000000000ull
#define SECONDS_PER_DAY	86400ull

static const struct panda_command cmd = {
	"uptime", "uptime",
	"Shows the time since boot (days, hours:minutes:seconds) and the number\n"
	"of processes.\n",
	NULL,
};

/* Whether the process listed as proc has not ended. */
static bool alive(const uint8_t *proc)
{
	struct bson_iter it;
	uint32_t len;
	const char *state = bson_find(proc, "state", &it) ? bson_iter_utf8(&it, &len) : NULL;

	return !state || !(len == 6 && memcmp(state, "exited", 6) == 0);
}

/* Counts in *(long *)count the processes that have not ended. */
static int count_alive(void *count, const uint8_t *proc)
{
	*(long *)count += alive(proc);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	const uint8_t *reply;
	struct bson_iter it;
	int64_t up_ns;
	long procs = 0;

	if (i < argc)
		return panda_usage_error(&cmd);
	if (!panda_sysinfo()) {
		eprintf("uptime: no sysinfo handle\n");
		return 1;
	}
	long rc = panda_sysinfo_call("uptime", &reply);
	if (rc == 0 && (!bson_find(reply, "uptime_ns", &it) || !bson_iter_integer(&it, &up_ns) ||
			up_ns < 0))
		rc = -EBADMSG;
	if (rc == 0)
		rc = panda_processes(count_alive, &procs);
	if (rc < 0)
		return complain("uptime", NULL, (int)rc);

	uint64_t s = (uint64_t)up_ns / NS_PER_SECOND;
	uint64_t days = s / SECONDS_PER_DAY;
	s %= SECONDS_PER_DAY;
	char day_text[32] = "";
	if (days)
		snprintf(day_text, sizeof(day_text), "%lu day%s, ", (unsigned long)days,
			 days == 1 ? "" : "s");
	printf("up %s%lu:%02lu:%02lu, %ld process%s\n", day_text, (unsigned long)(s / 3600),
	       (unsigned long)(s / 60 % 60), (unsigned long)(s % 60), procs,
	       procs == 1 ? "" : "es");
	return 0;
}
