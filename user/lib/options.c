/* Option parsing for utilities (options.h). */
#include "options.h"

#include "io.h"
#include "lib/string.h"
#include "print.h"

int panda_usage_error(const struct panda_command *cmd)
{
	eprintf("%s: usage: %s\n", cmd->name, cmd->usage);
	return 2;
}

int panda_options(const struct panda_command *cmd, int argc, char **argv, unsigned *flags)
{
	int i = 1;

	*flags = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'h') {
				printf("usage: %s\n\n%s", cmd->usage, cmd->help);
				exit(0);
			}
			if (*f < 'a' || *f > 'z' || !cmd->flags || !strchr(cmd->flags, *f))
				exit(panda_usage_error(cmd));
			*flags |= PANDA_FLAG(*f);
		}
	}
	return i;
}

int panda_each_operand(const struct panda_command *cmd, int i, int argc, char **argv,
		       int (*fn)(const char *operand))
{
	int status = 0;

	if (i == argc)
		return panda_usage_error(cmd);
	for (; i < argc; i++)
		status |= fn(argv[i]);
	return status;
}
