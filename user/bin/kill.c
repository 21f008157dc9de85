/* kill PID...: ends each process named by pid. The process is opened by
 * pid through the sysinfo object ("open", docs/protocols.md "sysinfo"),
 * which hands back a process handle with the sysinfo handle's RIGHT_KILL,
 * and process_kill ends it. Every argument must be a decimal pid before
 * any process is killed; a pid that names no process is reported and the
 * others are still killed (status 1). */
#include "panda.h"

/* Above any pid: sysinfo names processes by 32-bit pids. */
#define PID_NONE	((uint64_t)UINT32_MAX + 1)

static const struct panda_command cmd = {
	"kill", "kill PID...",
	"Ends the processes with these pids (see ps).\n",
	NULL,
};

/* A pid written in decimal digits; one too large to be a pid is PID_NONE.
 * false when s is not a number at all. */
static bool parse_pid(const char *s, uint64_t *pid)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v < PID_NONE)
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*pid = v < PID_NONE ? v : PID_NONE;
	return true;
}

static long kill_pid(uint64_t pid)
{
	long h = panda_process_open(pid);

	if (h < 0)
		return h;
	long rc = panda_process_kill((panda_handle_t)h);
	panda_close((panda_handle_t)h);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned flags;
	int first = panda_options(&cmd, argc, argv, &flags);
	uint64_t pid = 0;
	int status = 0;

	if (first == argc)
		return panda_usage_error(&cmd);
	for (int i = first; i < argc; i++) {
		if (!parse_pid(argv[i], &pid)) {
			eprintf("kill: %s: not a pid\n", argv[i]);
			return panda_usage_error(&cmd);
		}
	}
	if (!panda_sysinfo()) {
		eprintf("kill: no sysinfo handle\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		parse_pid(argv[i], &pid);
		long rc = kill_pid(pid);
		if (rc < 0)
			status = complain("kill", argv[i], (int)rc);
	}
	return status;
}
