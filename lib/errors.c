#include "lib/errors.h"

static const struct { int code; const char *name, *text; } names[] = {
	{ EPERM, "EPERM", "operation not permitted" },
	{ ENOENT, "ENOENT", "no such file or directory" },
	{ EIO, "EIO", "input/output error" },
	{ E2BIG, "E2BIG", "argument list too long" },
	{ ENOEXEC, "ENOEXEC", "not an executable" },
	{ EAGAIN, "EAGAIN", "try again" },
	{ ENOMEM, "ENOMEM", "out of memory" },
	{ EFAULT, "EFAULT", "bad address" },
	{ EBUSY, "EBUSY", "busy" },
	{ EEXIST, "EEXIST", "already exists" },
	{ EXDEV, "EXDEV", "cannot move across filesystems" },
	{ ENOTDIR, "ENOTDIR", "not a directory" },
	{ EISDIR, "EISDIR", "is a directory" },
	{ EINVAL, "EINVAL", "invalid argument" },
	{ EMFILE, "EMFILE", "too many open handles" },
	{ ENOSPC, "ENOSPC", "no space left" },
	{ EPIPE, "EPIPE", "broken pipe" },
	{ ERANGE, "ERANGE", "out of range" },
	{ ENAMETOOLONG, "ENAMETOOLONG", "name too long" },
	{ ENOSYS, "ENOSYS", "not supported" },
	{ ENOTEMPTY, "ENOTEMPTY", "directory not empty" },
	{ EBADMSG, "EBADMSG", "malformed data" },
	{ ETIMEDOUT, "ETIMEDOUT", "timed out" },
	{ EDQUOT, "EDQUOT", "over the process tree's limit" },
	{ ECANCELED, "ECANCELED", "canceled" },
	{ EBADHANDLE, "EBADHANDLE", "bad handle" },
	{ EACCES, "EACCES", "permission denied" },
	{ ETOOSMALL, "ETOOSMALL", "buffer too small" },
	{ EOUTSIDE, "EOUTSIDE", "climbs above the directory it starts from" },
};

static int find(int code)
{
	if (code < 0)
		code = -code;
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (names[i].code == code)
			return i;
	return -1;
}

const char *error_name(int code)
{
	int i = find(code);

	return i < 0 ? "EUNKNOWN" : names[i].name;
}

const char *error_text(int code)
{
	int i = find(code);

	return i < 0 ? "unknown error" : names[i].text;
}
