#include "core/params.h"

#include "core/log.h"
#include "lib/cmdline.h"
#include "lib/string.h"

extern const struct param __params_start[], __params_end[];

static const struct param *param_find(const char *name)
{
	/* The linker's start and end of one section: the same array. */
	/* cppcheck-suppress comparePointers */
	for (const struct param *p = __params_start; p < __params_end; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void params_apply(const struct cmdline *cl)
{
	for (size_t i = 0; i < cl->count; i++) {
		const struct cmdline_arg *arg = &cl->args[i];
		const struct param *p = param_find(arg->key);

		if (!p) {
			log_warn("cmdline: unknown option '%s' ignored\n", arg->key);
			continue;
		}
		p->handle(arg->value ? arg->value : "");
	}
}
