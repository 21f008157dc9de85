/* Shared by the POSIX differential tests (docs/testing.md, "POSIX
 * differential tests"). Each program in tests/posix/ is built twice, with
 * musl-gcc -static and gcc -static, runs on the host and on Panda OS, and
 * must print the same lines on both. So everything it prints is
 * deterministic, every error path prints its errno by name, and a line
 * whose content legitimately differs between machines (a pid, the kernel's
 * release) starts with "~ KEY: ": the comparison keeps "~ KEY:" and drops
 * the rest, so the line must still be there.
 *
 * Output is one write(2) per line, never stdio: a forked child would flush
 * a copy of the parent's buffer, and on Panda the kernel's log shares the
 * serial line, so a line written in pieces could be split by a log line.
 * A line never starts with a lowercase word followed by ": " (that is how
 * kernel log lines look; tests/posix/posix_output.py drops those).
 *
 * A program runs as `NAME [BASE]`: it works in BASE/posix-test-NAME-PID
 * (BASE is /tmp when not given), which it creates and removes, and prints
 * "=== begin NAME" first and "=== end NAME STATUS" last, STATUS being its
 * exit status: the number of setup steps that failed so badly that the
 * rest could not run (0 normally; a wrong result is a wrong line, not a
 * status). */
#ifndef POSIX_TEST_COMMON_H
#define POSIX_TEST_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES 512

struct errno_entry {
	int code;
	const char *name;
};

#define E(x) { x, #x }
static const struct errno_entry errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
	E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY),
	E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE),
	E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS),
	E(ENOTEMPTY), E(ELOOP), E(EOVERFLOW), E(EOPNOTSUPP), E(ETIMEDOUT),
};
#undef E

/* The errno's symbolic name, or "E<number>" for one the table lacks
 * (a static buffer: use it before the next call). */
static inline const char *errno_name(int e)
{
	static char unknown[16];

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].code == e)
			return errno_names[i].name;
	snprintf(unknown, sizeof(unknown), "E%d", e);
	return unknown;
}

static inline void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static inline void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX_BYTES];
	int saved = errno;
	size_t n = strlen(prefix);

	memcpy(line, prefix, n);
	int k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (k < 0)
		k = 0;
	n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
	line[n++] = '\n';
	write_all(1, line, n);
	errno = saved;
}

/* One deterministic line. errno is kept, so a caller may still read it. */
__attribute__((format(printf, 1, 2)))
static inline void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

/* A machine-specific line: the comparison checks that it is there (its
 * text up to the first ": ") but not its value. */
__attribute__((format(printf, 1, 2)))
static inline void machine(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("~ ", fmt, ap);
	va_end(ap);
}

static inline void say_bool(const char *name, bool value)
{
	say("%s: %s", name, value ? "yes" : "no");
}

/* A call that returns -1 with errno on failure: "name: ok" or
 * "name: -1 ENOENT". Returns the call's result. */
static inline long check(const char *name, long result)
{
	if (result == -1)
		say("%s: -1 %s", name, errno_name(errno));
	else
		say("%s: ok", name);
	return result;
}
#define CHECK(name, expr) check((name), (long)(expr))

/* The same, printing the result itself when it is not -1 ("name: 5"). */
static inline long check_value(const char *name, long result)
{
	if (result == -1)
		say("%s: -1 %s", name, errno_name(errno));
	else
		say("%s: %ld", name, result);
	return result;
}
#define CHECK_VAL(name, expr) check_value((name), (long)(expr))

/* For calls that return an error number instead of setting errno
 * (posix_spawn, pthread-style): "name: ok" or "name: ENOENT". */
static inline int check_code(const char *name, int code)
{
	if (code)
		say("%s: %s", name, errno_name(code));
	else
		say("%s: ok", name);
	return code;
}

/* How a child ended, as a line: "name: exit 3" or "name: signal SIGKILL". */
static inline const char *signal_name(int sig)
{
	static char unknown[16];

	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGPIPE: return "SIGPIPE";
	case SIGTERM: return "SIGTERM";
	case SIGCHLD: return "SIGCHLD";
	case SIGABRT: return "SIGABRT";
	}
	snprintf(unknown, sizeof(unknown), "SIG%d", sig);
	return unknown;
}

static inline void say_status(const char *name, int status)
{
	if (WIFEXITED(status))
		say("%s: exit %d", name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("%s: signal %s", name, signal_name(WTERMSIG(status)));
	else
		say("%s: status %#x", name, status);
}

/* Waits for pid (retrying EINTR) and prints how it ended. */
static inline int reap(const char *name, pid_t pid)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r == -1 && errno == EINTR);
	if (r != pid) {
		say("%s: waitpid -1 %s", name, errno_name(errno));
		return -1;
	}
	say_status(name, status);
	return status;
}

/* --- the scratch directory and the markers -------------------------------- */

static char scratch_path[384];	/* BASE/posix-test-NAME-PID */
static char scratch_base[256];
static const char *test_name;
static int setup_failures;

static inline void fail_setup(const char *what)
{
	say("setup failed (%s): %s", what, errno_name(errno));
	setup_failures++;
}

/* Removes everything under the working directory's entry `name` (a file
 * or a tree of directories and files). */
static inline int remove_tree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return unlinkat(dirfd, name, 0);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree_at(fd, e->d_name);
	closedir(d);
	return unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Prints the begin marker, then makes the scratch directory and enters it. */
static inline void begin(const char *name, int argc, char **argv)
{
	test_name = name;
	say("=== begin %s", name);
	snprintf(scratch_base, sizeof(scratch_base), "%s", argc > 1 ? argv[1] : "/tmp");
	snprintf(scratch_path, sizeof(scratch_path), "%s/posix-test-%s-%ld", scratch_base, name,
		 (long)getpid());
	if (mkdir(scratch_path, 0755) < 0 || chdir(scratch_path) < 0)
		fail_setup(scratch_path);
}

/* Leaves and removes the scratch directory, checks it is gone, prints the
 * end marker and returns the exit status. What the test left behind is
 * its own business, but it must not outlive the run. */
static inline int end(void)
{
	struct stat st;

	if (chdir(scratch_base) < 0)
		fail_setup("chdir back to the base");
	remove_tree_at(AT_FDCWD, scratch_path);
	say_bool("scratch directory removed", stat(scratch_path, &st) < 0 && errno == ENOENT);
	say("=== end %s %d", test_name, setup_failures);
	return setup_failures;
}

/* Writes a small file in the working directory. */
/* A number that is surely closed: a fixed one may be open in a process
 * that inherited descriptors from its runner, as on the CI host. */
static inline int closed_descriptor(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

static inline int make_file(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fail_setup(name);
		return -1;
	}
	write_all(fd, text, strlen(text));
	close(fd);
	return 0;
}

/* FNV-1a over bytes: the checksum of large transfers. */
static inline uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}
#define FNV1A_INIT 2166136261u

#endif
