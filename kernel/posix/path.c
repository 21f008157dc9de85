/* Linux path arguments, resolved the way a confined Unix process sees
 * them: "/" is the root directory handle the process was given, and ".."
 * at that root stays there (as at a chroot's), so no path reaches beyond
 * what the handle reaches. A path relative to a directory whose path
 * beneath the root is known (the working directory, a directory opened by
 * path) is joined onto that path and cleaned; relative to a directory of
 * unknown path, it is resolved beneath that directory, where ".." may not
 * climb out (EACCES). */
#include "posix/internal.h"

#include "fs/vfs_object.h"
#include "lib/errors.h"
#include "lib/path.h"
#include "lib/string.h"
#include "mm/usercopy.h"

void posix_path_done(struct posix_path *p)
{
	if (p->dir)
		posix_file_put(p->dir);
	p->dir = NULL;
}

/* The directory a relative path starts from: the working directory or
 * dirfd's description, which must be a directory. */
static int start_dir(struct posix_proc *pp, int dirfd, struct posix_file **out)
{
	if (dirfd == LINUX_AT_FDCWD) {
		guard(spinlock)(&pp->lock);
		if (!pp->cwd)
			return -ENOENT;
		*out = posix_file_get(pp->cwd);
		return 0;
	}
	int rc = posix_fd_get(&pp->fds, dirfd, out);
	if (rc == 0 && (*out)->ops != &posix_dir_ops) {
		posix_file_put(*out);
		return -ENOTDIR;
	}
	return rc;
}

/* 1 when the path's last component is ".", 2 for ".." ("a/.", "b/../"),
 * else 0: cleaning the path loses that, and rmdir and friends refuse
 * such paths. */
static uint8_t last_dots(const char *p, size_t len)
{
	while (len > 1 && p[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && p[start - 1] != '/')
		start--;
	size_t n = len - start;
	if (n == 1 && p[start] == '.')
		return 1;
	return n == 2 && p[start] == '.' && p[start + 1] == '.' ? 2 : 0;
}

int posix_path_get(struct posix_proc *pp, int dirfd, const char __user *user_path,
		   bool empty_ok, struct posix_path *out)
{
	char raw[PATH_MAX_LEN + 1];
	long len = copy_string_from_user(raw, user_path, sizeof(raw));

	*out = (struct posix_path){ 0 };
	if (len < 0)
		return (int)len;
	return posix_path_resolve(pp, dirfd, raw, (size_t)len, empty_ok, out);
}

int posix_path_resolve(struct posix_proc *pp, int dirfd, const char *given, size_t given_len,
		       bool empty_ok, struct posix_path *out)
{
	char raw[PATH_MAX_LEN + 1];
	long len = (long)given_len;
	struct posix_file *base;

	*out = (struct posix_path){ 0 };
	if (given_len > PATH_MAX_LEN)
		return -ENAMETOOLONG;
	memcpy(raw, given, given_len);
	raw[given_len] = 0;
	if (len == 0)
		return empty_ok ? 0 : -ENOENT;	/* "": dirfd itself, the caller's to find */
	if (!pp->root)
		return -ENOENT;		/* started without a file system */
	out->last_dots = last_dots(raw, (size_t)len);
	if (raw[0] == '/') {
		out->dir = posix_file_get(pp->root);
		len = path_join_clean("/", raw, out->path, sizeof(out->path));
		if (len < 0) {
			posix_path_done(out);
			return (int)len;
		}
		out->len = (size_t)len;
		return 0;
	}
	int rc = start_dir(pp, dirfd, &base);
	if (rc < 0)
		return rc;
	if (base->path) {
		len = path_join_clean(base->path, raw, out->path, sizeof(out->path));
		posix_file_put(base);
		if (len < 0)
			return (int)len;
		out->dir = posix_file_get(pp->root);
	} else {
		memcpy(out->path, raw, (size_t)len + 1);
		out->dir = base;
	}
	out->len = (size_t)len;
	return 0;
}

bool posix_path_is(const struct posix_path *p, const struct posix_proc *pp, const char *abs)
{
	return p->dir == pp->root && strcmp(p->path, abs) == 0;
}
