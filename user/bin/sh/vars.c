#include "vars.h"

#include "lib/search.h"
#include "panda.h"
#include "parse.h"

struct sought {
	const struct vars *vs;
	const char *name;
	size_t len;
};

static int var_cmp(const void *ctx, size_t i)
{
	const struct sought *k = ctx;
	int c = strncmp(k->vs->v[i].name, k->name, k->len);

	return c == 0 && k->vs->v[i].name[k->len] ? 1 : c;
}

/* Where name[0..len) is, or would be inserted: *found says which. */
static unsigned find(const struct vars *vs, const char *name, size_t len, bool *found)
{
	const struct sought k = { vs, name, len };

	return (unsigned)search_sorted(vs->count, var_cmp, &k, found);
}

const char *vars_get(const struct vars *vs, const char *name, size_t len)
{
	bool found;
	unsigned i = find(vs, name, len, &found);

	return found ? vs->v[i].value : NULL;
}

static char *copy(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c) {
		memcpy(c, s, len);
		c[len] = 0;
	}
	return c;
}

int vars_set(struct vars *vs, const char *name, size_t len, const char *value, bool export)
{
	bool found;
	unsigned i = find(vs, name, len, &found);
	char *v = copy(value, strlen(value));

	if (!v)
		return -ENOMEM;
	if (found) {
		free(vs->v[i].value);
		vs->v[i].value = v;
		vs->v[i].exported |= export;
		return 0;
	}
	if (vs->count == vs->cap) {
		unsigned cap = vs->cap ? 2 * vs->cap : 16;
		struct var *grown = realloc(vs->v, cap * sizeof(*grown));
		if (!grown) {
			free(v);
			return -ENOMEM;
		}
		vs->v = grown;
		vs->cap = cap;
	}
	char *n = copy(name, len);
	if (!n) {
		free(v);
		return -ENOMEM;
	}
	memmove(vs->v + i + 1, vs->v + i, (vs->count - i) * sizeof(*vs->v));
	vs->v[i] = (struct var){ .name = n, .value = v, .exported = export };
	vs->count++;
	return 0;
}

int vars_assign(struct vars *vs, const char *assignment, bool export)
{
	const char *eq = strchr(assignment, '=');

	if (!eq || !sh_name_valid(assignment, (size_t)(eq - assignment)))
		return -EINVAL;
	return vars_set(vs, assignment, (size_t)(eq - assignment), eq + 1, export);
}

int vars_export(struct vars *vs, const char *name)
{
	const char *value = vars_get(vs, name, strlen(name));

	return vars_set(vs, name, strlen(name), value ? value : "", true);
}

void vars_unset(struct vars *vs, const char *name)
{
	bool found;
	unsigned i = find(vs, name, strlen(name), &found);

	if (!found)
		return;
	free(vs->v[i].name);
	free(vs->v[i].value);
	memmove(vs->v + i, vs->v + i + 1, (vs->count - i - 1) * sizeof(*vs->v));
	vs->count--;
}

/* Whether extra[0..n) assigns the variable called name. */
static bool overridden(const char *name, char *const *extra, unsigned n)
{
	size_t len = strlen(name);

	for (unsigned i = 0; i < n; i++)
		if (strncmp(extra[i], name, len) == 0 && extra[i][len] == '=')
			return true;
	return false;
}

char **vars_environ(const struct vars *vs, char *const *extra, unsigned n)
{
	size_t bytes = 0, count = n;

	for (unsigned i = 0; i < vs->count; i++)
		if (vs->v[i].exported) {
			bytes += strlen(vs->v[i].name) + strlen(vs->v[i].value) + 2;
			count++;
		}
	for (unsigned i = 0; i < n; i++)
		bytes += strlen(extra[i]) + 1;
	char **env = malloc((count + 1) * sizeof(*env) + bytes);
	if (!env)
		return NULL;
	char *text = (char *)(env + count + 1);
	unsigned k = 0;
	for (unsigned i = 0; i < vs->count; i++) {
		const struct var *v = &vs->v[i];
		if (!v->exported || overridden(v->name, extra, n))
			continue;
		size_t len = strlen(v->name) + strlen(v->value) + 2;
		env[k++] = text;
		snprintf(text, len, "%s=%s", v->name, v->value);
		text += len;
	}
	for (unsigned i = 0; i < n; i++) {
		env[k++] = text;
		size_t len = strlen(extra[i]) + 1;
		memcpy(text, extra[i], len);
		text += len;
	}
	env[k] = NULL;
	return env;
}
