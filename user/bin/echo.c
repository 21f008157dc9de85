/* echo: its arguments, separated by spaces, as one line of standard output
 * (one text record). Only a first argument of exactly "-h" is an option;
 * everything else, dashes included, is printed as it is. */
#include "panda.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-h")) {
		printf("usage: echo [ARG]...\n\n"
		       "Prints the ARGs separated by single spaces as one line of text. Only\n"
		       "\"-h\" as the first ARG is an option; any other ARG is printed as\n"
		       "it is.\n");
		return 0;
	}
	/* The line is built whole so that it is written at once: on the
	 * console, another process's output cannot land inside it. */
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *line = malloc(len);
	if (!line)
		return complain("echo", NULL, -ENOMEM);
	size_t at = 0;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > 1)
			line[at++] = ' ';
		memcpy(line + at, argv[i], n);
		at += n;
	}
	line[at++] = '\n';
	out_write(line, at);
	free(line);
	return 0;
}
