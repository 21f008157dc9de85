/* /bin/sh: the interactive shell (docs/shell.md). */
#include "panda.h"
#include "parse.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (;;) {
		eprintf("$ ");
		const uint8_t *rec = in_next();
		if (!rec)
			return 0;
		uint32_t len;
		const char *text = record_text(rec, &len);
		static struct sh_pipeline p;
		const char *error;
		if (sh_parse(text, len, &p, &error) < 0)
			eprintf("sh: %s\n", error);
	}
}
