/* The sysinfo and power objects (sysinfo.h). */
#include "sysinfo.h"

#include <stdbool.h>

#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "fs.h"
#include "io.h"
#include "syscall.h"

/* Sends {"op": op}, and key: value when key is not NULL, to h. */
static long request(panda_handle_t h, const char *op, const char *key, int64_t value,
		    const uint8_t **reply, panda_handle_t *handle)
{
	uint8_t req[64];
	struct bson_builder b;

	if (!h)
		return -EBADHANDLE;
	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", op);
	if (key)
		bson_append_int64(&b, key, value);
	return panda_fs_call(h, req, bson_build_finish(&b), reply, handle);
}

long panda_sysinfo_call(const char *op, const uint8_t **reply)
{
	return request(panda_sysinfo(), op, NULL, 0, reply, NULL);
}

long panda_processes(panda_process_fn fn, void *ctx)
{
	int64_t cursor = 0, next;
	bool end = false;

	while (!end) {
		const uint8_t *reply;
		struct bson_iter it, list;
		long rc = request(panda_sysinfo(), "processes", "cursor", cursor, &reply, NULL);

		if (rc < 0)
			return rc;
		if (!bson_find(reply, "cursor", &it) || !bson_iter_integer(&it, &next) ||
		    !bson_find(reply, "end", &it) || !bson_iter_bool(&it, &end) ||
		    !bson_find(reply, "processes", &it) || it.type != BSON_ARRAY ||
		    !bson_iter_recurse(&it, &list))
			return -EBADMSG;
		if (next < cursor || (!end && next == cursor))
			return -EBADMSG;	/* a cursor that does not advance */
		while (bson_iter_next(&list)) {
			uint32_t len;
			const uint8_t *proc = bson_iter_document(&list, &len);

			if (!proc)
				return -EBADMSG;
			if ((rc = fn(ctx, proc)) < 0)
				return rc;
		}
		cursor = next;
	}
	return 0;
}

long panda_process_open(uint64_t pid)
{
	const uint8_t *reply;
	panda_handle_t h = PANDA_HANDLE_NONE;

	if (pid > UINT32_MAX)
		return -ENOENT;		/* no pid is that large; sysinfo says EINVAL */
	long rc = request(panda_sysinfo(), "open", "pid", (int64_t)pid, &reply, &h);
	if (rc < 0)
		return rc;
	return h ? (long)h : -EBADMSG;
}

long panda_limits_record(uint64_t pid, const uint8_t **reply)
{
	if (pid > UINT32_MAX)
		return -ENOENT;
	return request(panda_sysinfo(), "limits", "pid", (int64_t)pid, reply, NULL);
}

long panda_print_stacks(uint64_t pid)
{
	const uint8_t *reply;
	struct bson_iter it;
	int64_t n;

	if (pid > UINT32_MAX)
		return -ENOENT;
	long rc = request(panda_sysinfo(), "stacks", "pid", (int64_t)pid, &reply, NULL);
	if (rc < 0)
		return rc;
	return bson_find(reply, "threads", &it) && bson_iter_integer(&it, &n) ? (long)n : -EBADMSG;
}

int64_t panda_limits_field(const uint8_t *record, const char *part, const char *kind)
{
	struct bson_iter it, in;
	int64_t v;

	if (!bson_find(record, part, &it) || !bson_iter_recurse(&it, &in))
		return -1;
	while (bson_iter_next(&in))
		if (!strcmp(in.key, kind))
			return bson_iter_integer(&in, &v) ? v : -1;
	return -1;
}

long panda_kill_pid(uint64_t pid)
{
	long h = panda_process_open(pid);

	if (h < 0)
		return h;
	long rc = panda_process_kill((panda_handle_t)h);
	panda_close((panda_handle_t)h);
	return rc;
}

bool panda_parse_pid(const char *s, uint64_t *pid)
{
	const uint64_t none = (uint64_t)UINT32_MAX + 1;	/* above any pid */
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v < none)
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*pid = v < none ? v : none;
	return true;
}

long panda_power(const char *op)
{
	const uint8_t *reply;

	return request(panda_handle_named("power"), op, NULL, 0, &reply, NULL);
}

int panda_power_command(const char *prog, const char *op)
{
	long rc = panda_power(op);

	if (rc == -EBADHANDLE)
		eprintf("%s: no power handle (init's shell passes it to poweroff and reboot)\n",
			prog);
	else if (rc < 0)
		return complain(prog, NULL, (int)rc);
	else
		eprintf("%s: the machine is still running\n", prog);
	return 1;
}
