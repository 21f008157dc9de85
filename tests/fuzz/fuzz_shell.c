/* libFuzzer target for the shell's parser and glob matcher
 * (user/bin/sh/parse.c, glob.c): for any line, splitting and parsing every
 * pipeline (with variables that expand to text holding quotes and
 * metacharacters) end with a result or a reason; accepted pipelines have
 * well-formed stages; matching any pattern against any name ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/bin/sh/glob.h"
#include "user/bin/sh/parse.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const char *lookup(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	return (len + (unsigned char)name[0]) & 1 ? "a b*'\"$x" : NULL;
}

static char *const args[] = { "one", "two words", "" };
static const struct sh_expand expand = { lookup, NULL, 3, args };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sh_list list;
	static struct sh_pipeline p;
	const char *line = (const char *)data, *error = NULL;

	if (sh_split(line, size, &list, &error) < 0) {
		CHECK(error && list.count == 0);
	} else {
		for (unsigned i = 0; i < list.count; i++) {
			const struct sh_item *it = &list.item[i];
			CHECK(it->start + it->len <= size);
			error = NULL;
			if (sh_parse(line + it->start, it->len, &expand, &p, &error) < 0) {
				CHECK(error);
				continue;
			}
			for (unsigned s = 0; s < p.count; s++) {
				CHECK(p.stage[s].argc <= SH_ARGS_MAX && !p.stage[s].argv[p.stage[s].argc]);
				for (unsigned w = 0; w < p.stage[s].argc; w++)
					CHECK(p.stage[s].argv[w] >= p.storage &&
					      p.stage[s].argv[w] < p.storage + sizeof(p.storage));
			}
		}
	}
	/* The first half as a pattern, the rest as a name. */
	char name[256];
	size_t half = size / 2, n = size - half < sizeof(name) - 1 ? size - half : sizeof(name) - 1;
	memcpy(name, line + half, n);
	name[n] = 0;
	sh_glob_match(line, half, name);
	return 0;
}
