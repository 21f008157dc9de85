/* Kernel command line options. A subsystem declares the option it owns next
 * to its code:
 *
 *	static bool parse_loglevel(const char *value) { ... }
 *	PARAM("loglevel", parse_loglevel);
 *
 * The handler gets "" for a bare word; it reports a bad value itself and
 * returns false. Unknown options are reported, never silently ignored. */
#ifndef CORE_PARAMS_H
#define CORE_PARAMS_H

#include <stdbool.h>

struct cmdline;

struct param {
	const char *name;
	bool (*handle)(const char *value);
};

#define PARAM(name_, handler_)						\
	static const struct param param_##handler_			\
	__attribute__((used, section(".params"), aligned(8))) =	\
		{ .name = (name_), .handle = (handler_) }

/* Applies every option of the parsed command line, in order. */
void params_apply(const struct cmdline *cl);

#endif
