/* env: the environment, as records {"name", "value"} in the startup
 * message's order; or, with a COMMAND, runs it with NAME=value pairs added
 * to (or replacing in) the environment, its streams being env's own, and
 * exits with its status. */
#include "lib/bson.h"
#include "panda.h"

#define ENV_MAX		256	/* variables env passes on */

static const struct panda_command cmd = {
	"env", "env [NAME=value]... [COMMAND [ARGS]...]",
	"Without a command, sends one record per environment variable (name,\n"
	"value). With one, runs COMMAND (a name in /bin, or a path) with the\n"
	"NAME=value pairs added to its environment and exits with its status.\n",
	NULL,
};

static int status;

static void send_variable(void *ctx, const char *name, const char *value)
{
	uint8_t doc[PANDA_MSG_MAX];
	struct bson_builder b;

	(void)ctx;
	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "name", name);
	bson_append_cstr(&b, "value", value);
	size_t size = bson_build_finish(&b);
	if (!size || out_record(doc) < 0)
		status = 1;
}

struct environment {
	const char *pair[ENV_MAX + 1];
	unsigned count;
	char *const *set;		/* the NAME=value operands */
	unsigned set_count;
};

/* The inherited variables that no operand replaces, as NAME=value. */
static void keep_variable(void *ctx, const char *name, const char *value)
{
	struct environment *e = ctx;
	size_t n = strlen(name);

	for (unsigned i = 0; i < e->set_count; i++)
		if (strncmp(e->set[i], name, n) == 0 && e->set[i][n] == '=')
			return;
	size_t size = n + strlen(value) + 2;
	char *pair = e->count < ENV_MAX ? malloc(size) : NULL;
	if (!pair) {
		status = 1;
		return;
	}
	snprintf(pair, size, "%s=%s", name, value);
	e->pair[e->count++] = pair;
}

/* The environment with the operands applied: e->pair. */
static void build(struct environment *e, char *const *set, unsigned set_count)
{
	e->set = set;
	e->set_count = set_count;
	panda_env_each(keep_variable, e);
	for (unsigned i = 0; i < set_count && e->count < ENV_MAX; i++)
		e->pair[e->count++] = set[i];
}

static int run(const struct environment *e, int argc, char **argv)
{
	char path[PANDA_PATH_MAX];
	struct panda_where at;
	struct panda_exit_status exit_status;
	struct panda_named_handle extra[4];
	static const char *const names[] = { "in", "out", "err", "text" };
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		panda_handle_t h = panda_handle_named(names[i]);
		if (h)
			extra[n++] = (struct panda_named_handle){ names[i], h };
	}
	if (strchr(argv[0], '/'))
		strlcpy(path, argv[0], sizeof(path));
	else
		snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	long rc = panda_resolve(path, &at);
	if (rc < 0)
		return complain("env", argv[0], (int)rc);
	struct panda_launch l = {
		.dir = at.dir, .path = at.path, .argc = argc,
		.argv = (const char *const *)argv, .extra = extra, .extra_count = n,
		.env = e->pair,
	};
	long h = panda_launch(&l);
	if (h < 0)
		return complain("env", argv[0], (int)h);
	/* The child has its own copies: env must not hold its output open. */
	out_flush();
	rc = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &exit_status);
	if (rc < 0)
		return complain("env", argv[0], (int)rc);
	return exit_status.how == EXIT_NORMAL ? exit_status.code : 128 + 9;
}

int main(int argc, char **argv)
{
	static struct environment e;
	unsigned flags;
	int i = panda_options(&cmd, argc, argv, &flags);
	int first = i;

	while (i < argc && strchr(argv[i], '=') && argv[i][0] != '=')
		i++;
	build(&e, argv + first, (unsigned)(i - first));
	if (status)
		return complain("env", NULL, -ENOMEM);
	if (i < argc)
		return run(&e, argc - i, argv + i);
	for (unsigned k = 0; k < e.count; k++) {
		char name[256];
		const char *eq = strchr(e.pair[k], '=');
		size_t n = (size_t)(eq - e.pair[k]);
		if (n >= sizeof(name))
			continue;
		memcpy(name, e.pair[k], n);
		name[n] = 0;
		send_variable(NULL, name, eq + 1);
	}
	return status;
}
