/* kill PID...: ends each process named by pid. The process is opened by
 * pid through the sysinfo object ("open", docs/protocols.md "sysinfo"),
 * which hands back a process handle with RIGHT_KILL only when it is kill
 * itself or one kill started (so run from the shell, kill can stop none
 * of the shell's jobs: the shell's kill builtin does that), and
 * process_kill ends it. Every argument must be a decimal pid before any
 * process is killed; a pid that names no process, or one kill may not
 * stop, is reported and the others are still tried (status 1). */
#include "panda.h"

static const struct panda_command cmd = {
	"kill", "kill PID...",
	"Ends the processes with these pids (see ps), of those it may stop:\n"
	"itself and what it started. At the prompt, the shell's kill builtin\n"
	"ends the shell's jobs.\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int first = panda_options(&cmd, argc, argv, &flags);
	uint64_t pid = 0;
	int status = 0;

	if (first == argc)
		return panda_usage_error(&cmd);
	for (int i = first; i < argc; i++) {
		if (!panda_parse_pid(argv[i], &pid)) {
			eprintf("kill: %s: not a pid\n", argv[i]);
			return panda_usage_error(&cmd);
		}
	}
	if (!panda_sysinfo()) {
		eprintf("kill: no sysinfo handle\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		panda_parse_pid(argv[i], &pid);
		long rc = panda_kill_pid(pid);
		if (rc < 0)
			status = complain("kill", argv[i], (int)rc);
	}
	return status;
}
