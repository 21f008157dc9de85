/* The first process. The kernel starts /bin/init from the root filesystem
 * (or what `init=PATH` or `init="PATH ARGS..."` names), hands it the root
 * directory, the console, the root again as its working directory, the
 * sysinfo object and the power object (STARTUP_ROOT, STARTUP_CONSOLE,
 * STARTUP_CWD, STARTUP_SYSINFO, STARTUP_POWER, each named in its startup
 * message) and waits for it; when init
 * ends, so does the system, with init's status: 0 powers off as a pass,
 * anything else as a failure (which is how system tests run a user program
 * as init and read its verdict). */
#include "core/boot_info.h"
#include "core/log.h"
#include "core/params.h"
#include "core/shutdown.h"
#include "dev/acpi.h"
#include "dev/console.h"
#include "fs/root.h"
#include "core/panic.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "init/init.h"
#include "proc/process.h"
#include "proc/spawn.h"
#include "proc/sysinfo.h"

#define INIT_CMD_MAX 256

static char init_cmd[INIT_CMD_MAX] = "/bin/init";	/* set once at boot */

static bool parse_init(const char *value)
{
	if (!*value || strlen(value) >= sizeof(init_cmd)) {
		log_warn("cmdline: init= needs a path of at most %d bytes\n", INIT_CMD_MAX - 1);
		return false;
	}
	strlcpy(init_cmd, value, sizeof(init_cmd));
	return true;
}
PARAM("init", parse_init);

/* Splits init_cmd at spaces into back-to-back strings; returns argc. */
static uint32_t split_args(char *out, size_t *len)
{
	uint32_t argc = 0;
	size_t n = 0;

	for (const char *c = init_cmd; *c;) {
		while (*c == ' ')
			c++;
		if (!*c)
			break;
		while (*c && *c != ' ')
			out[n++] = *c++;
		out[n++] = 0;
		argc++;
	}
	*len = n;
	return argc;
}

/* init's startup message (docs/protocols.md), as a parent in user space
 * would write it: every handle by name, the root as working directory. */
static size_t startup_message(uint8_t *doc, size_t size)
{
	struct bson_builder b;

	bson_build_init(&b, doc, size);
	bson_begin_document(&b, "env");
	bson_append_cstr(&b, "PWD", "/");
	bson_end_document(&b);
	bson_begin_document(&b, "handles");
	bson_append_int32(&b, "root", STARTUP_ROOT);
	bson_append_int32(&b, "console", STARTUP_CONSOLE);
	bson_append_int32(&b, "cwd", STARTUP_CWD);
	bson_append_int32(&b, "sysinfo", STARTUP_SYSINFO);
	bson_append_int32(&b, "power", STARTUP_POWER);
	bson_end_document(&b);
	size_t n = bson_build_finish(&b);
	KASSERT(n);
	return n;
}

void init_run(void)
{
	static struct spawn_request req;
	static char args[INIT_CMD_MAX + 1];
	struct kobj *root __free(kobj_put) = fs_root_dir();
	struct process *init;
	struct panda_exit_status status;

	if (!root || !boot_initrd()) {
		log_warn("kernel: no %s, so there is no init to start; the CPU idles\n",
			 root ? "initrd" : "root filesystem");
		return;
	}
	req.argc = split_args(args, &req.args_len);
	req.args = args;
	req.path = args;
	req.dir = root;
	struct kobj *console __free(kobj_put) = console_object();
	struct kobj *sysinfo __free(kobj_put) = sysinfo_object();
	struct kobj *power __free(kobj_put) = power_object();
	req.grants[STARTUP_ROOT] = (struct spawn_grant){ root, RIGHTS_ALL };
	req.grants[STARTUP_CONSOLE] = (struct spawn_grant){ console, RIGHTS_ALL };
	req.grants[STARTUP_CWD] = (struct spawn_grant){ root, RIGHTS_ALL };
	req.grants[STARTUP_SYSINFO] = (struct spawn_grant){ sysinfo, RIGHTS_ALL };
	req.grants[STARTUP_POWER] = (struct spawn_grant){ power, RIGHTS_ALL };
	req.grant_count = STARTUP_POWER + 1;
	req.oom_exempt = true;
	uint8_t doc[128];
	req.doc = doc;
	req.doc_size = startup_message(doc, sizeof(doc));
	int rc = spawn_process(&req, &init);
	if (rc < 0) {
		log_error("kernel: cannot start init \"%s\": %s\n", init_cmd, error_name(rc));
		system_exit(EXIT_TESTS_FAILED);
	}
	log_info("kernel: started %s as pid %u\n", args, init->pid);
	process_wait(init, UINT64_MAX, &status);
	process_put(init);
	if (status.how == EXIT_NORMAL)
		log_info("kernel: init exited with status %d; powering off\n", status.code);
	else
		log_info("kernel: init was %s; powering off\n",
			 status.how == EXIT_FAULT ? "killed by a fault" : "killed");
	system_exit(status.how == EXIT_NORMAL && status.code == 0 ? EXIT_TESTS_PASSED
								  : EXIT_TESTS_FAILED);
}
