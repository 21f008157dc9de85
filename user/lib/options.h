/* Command lines of utilities: each program describes itself once, in a
 * struct panda_command, and gets -h, usage errors and its flags handled
 * the same way as every other program:
 *
 *     static const struct panda_command cmd = {
 *             "ls", "ls [-l] [PATH]...", "Lists each directory...\n", "l",
 *     };
 *     unsigned flags;
 *     int i = panda_options(&cmd, argc, argv, &flags);
 *     bool long_form = flags & PANDA_FLAG('l');
 *
 * Options are the leading arguments that start with '-' and have more
 * after it ("-l", "-lr"); "--" ends them, and so does the first operand. */
#ifndef USER_LIB_OPTIONS_H
#define USER_LIB_OPTIONS_H

struct panda_command {
	const char *name;		/* "ls" */
	const char *usage;		/* "ls [-l] [PATH]..." */
	const char *help;		/* what it does: lines, each ending in \n */
	const char *flags;		/* the letters it takes besides h ("lr"), or NULL */
};

#define PANDA_FLAG(letter)	(1u << ((letter) - 'a'))

/* Parses argv's options into *flags (PANDA_FLAG bits; lower-case letters
 * only) and returns the index of the first operand. -h prints "usage:
 * USAGE", a blank line and the help to standard output and exits 0; a
 * letter the program does not take is a usage error: the program exits 2. */
int panda_options(const struct panda_command *cmd, int argc, char **argv, unsigned *flags);

/* Reports "NAME: usage: USAGE" on the console; returns 2, the status for
 * main to return when the operands are wrong. */
int panda_usage_error(const struct panda_command *cmd);

/* For a program whose every operand is a path to act on, one at a time
 * (stat, touch, mkdir, rmdir, rm): a usage error without one, else fn on
 * each of argv[i..argc) in order, and 1 when any failed (fn returns 0 or
 * 1, as complain does), the status for main to return. */
int panda_each_operand(const struct panda_command *cmd, int i, int argc, char **argv,
		       int (*fn)(const char *operand));

#endif
