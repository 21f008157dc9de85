/* poweroff and reboot, one program under two names: it asks the power
 * object for the op its name says ("poweroff" or "reboot",
 * docs/protocols.md "power"). The initrd's /bin/reboot is a copy of
 * /bin/poweroff (user/user.mk). It needs the power handle: init holds it
 * and its shell passes it to these two alone. Without it the program says
 * so and exits 1; on success the request never returns. */
#include "panda.h"

static const struct panda_command commands[] = {
	{
		"poweroff", "poweroff",
		"Powers the machine off (needs the power handle init holds).\n",
		NULL,
	},
	{
		"reboot", "reboot",
		"Resets the machine (needs the power handle init holds).\n",
		NULL,
	},
};

/* The command argv[0] names, by its last component; poweroff for any
 * other name. */
static const struct panda_command *command_named(const char *argv0)
{
	const char *name = argv0 ? strrchr(argv0, '/') : NULL;

	name = name ? name + 1 : argv0;
	return name && strcmp(name, "reboot") == 0 ? &commands[1] : &commands[0];
}

int main(int argc, char **argv)
{
	const struct panda_command *cmd = command_named(argc > 0 ? argv[0] : NULL);
	unsigned flags;
	int i = panda_options(cmd, argc, argv, &flags);

	if (i < argc)
		return panda_usage_error(cmd);
	return panda_power_command(cmd->name, cmd->name);
}
