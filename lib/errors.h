/* Error codes shared by the kernel, user space and tests. Functions return
 * them negated (-ENOENT); 0 or a positive value means success. The numbers
 * are part of the syscall ABI: never renumber, only add (docs/errors.md). */
#ifndef LIB_ERRORS_H
#define LIB_ERRORS_H

#define EPERM		1	/* operation not permitted */
#define ENOENT		2	/* no such file or object */
#define EIO		5	/* device or format-level I/O error */
#define E2BIG		7	/* argument list or message too big */
#define ENOEXEC		8	/* not a valid executable */
#define EAGAIN		11	/* would block (a non-blocking call) */
#define ENOMEM		12	/* out of memory */
#define EFAULT		14	/* bad user address */
#define EBUSY		16
#define EEXIST		17
#define EXDEV		18	/* across filesystems (rename) */
#define ENOTDIR		20
#define EISDIR		21
#define EINVAL		22	/* invalid argument */
#define EMFILE		24	/* handle table full */
#define ENOSPC		28
#define EPIPE		32	/* peer closed: end of stream */
#define ERANGE		34
#define ENAMETOOLONG	36
#define ENOSYS		38	/* no such system call or operation */
#define ENOTEMPTY	39
#define EBADMSG		74	/* malformed data (archive, document) */
#define ETIMEDOUT	110
#define EDQUOT		122	/* over a limit of the process tree (docs/memory.md) */
#define ECANCELED	125
#define EBADHANDLE	200	/* closed, forged or stale handle */
#define EACCES		201	/* the handle lacks the right */
#define ETOOSMALL	202	/* buffer too small; the sizes needed are reported */
#define EOUTSIDE	203	/* a path's ".." climbs above the directory it starts from */

/* The symbolic name ("ENOENT") of a positive or negative code. */
const char *error_name(int code);
/* What it means, in lower case for messages ("no such file or directory"). */
const char *error_text(int code);

#endif
