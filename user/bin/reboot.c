/* reboot: asks the power object to reset the machine ("reboot",
 * docs/protocols.md "power"). It needs the power handle: init holds it
 * and its shell passes it to poweroff and reboot alone. Without it the
 * program says so and exits 1; on success the request never returns. */
#include "panda.h"

static const struct panda_command cmd = {
	"reboot", "reboot",
	"Resets the machine (needs the power handle init holds).\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);

	if (i < argc)
		return panda_usage_error(&cmd);
	return panda_power_command("reboot", "reboot");
}
