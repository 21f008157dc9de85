/* File descriptors: dup (the lowest free number), dup2 and dup3, fcntl
 * F_DUPFD/F_DUPFD_CLOEXEC/F_GETFD/F_SETFD/F_GETFL/F_SETFL, and the open
 * file (offset and status flags) shared by duplicates and across fork. */
#include "common.h"

#include <limits.h>

/* The status flags of interest, by name (F_GETFL also reports access
 * mode bits and, on x86-64 Linux, O_LARGEFILE, which is not printed). */
static void say_flags(const char *name, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0) {
		say("%s: -1 %s", name, errno_name(errno));
		return;
	}
	const char *mode = (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
			   : (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
			   : (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_ACCMODE?";
	say("%s: %s%s%s", name, mode, fl & O_APPEND ? "|O_APPEND" : "",
	    fl & O_NONBLOCK ? "|O_NONBLOCK" : "");
}

static void test_dup(void)
{
	int fd = CHECK_VAL("open(f) is the lowest free fd", open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	int d = CHECK_VAL("dup(f)", dup(fd));
	CHECK("close(3) frees the lowest", close(fd));
	CHECK_VAL("dup(d) takes 3 again", dup(d));
	CHECK_VAL("dup2(d, 9)", dup2(d, 9));
	CHECK_VAL("dup2(d, 9) onto an open fd", dup2(d, 9));
	CHECK_VAL("dup2(9, 9) same fd", dup2(9, 9));
	CHECK_VAL("dup2(closed 20, 9)", dup2(20, 9));
	say_bool("9 still open after the failed dup2", fcntl(9, F_GETFD) >= 0);
	CHECK_VAL("dup2(d, -1)", dup2(d, -1));
	CHECK_VAL("dup2(d, INT_MAX)", dup2(d, INT_MAX));
	CHECK_VAL("dup(closed 20)", dup(20));
	CHECK_VAL("dup3(d, 10, O_CLOEXEC)", dup3(d, 10, O_CLOEXEC));
	say_bool("FD_CLOEXEC on dup3's copy", fcntl(10, F_GETFD) == FD_CLOEXEC);
	say_bool("FD_CLOEXEC not on dup2's copy", fcntl(9, F_GETFD) == 0);
	CHECK_VAL("dup3(10, 10, 0) same fd", dup3(10, 10, 0));
	/* (Flags other than O_CLOEXEC are not tried: musl drops them itself.) */
	CHECK_VAL("dup3(d, 11, 0)", dup3(d, 11, 0));
	for (int i = 3; i <= 11; i++)
		close(i);
}

static void test_fcntl(void)
{
	int fd = open("f", O_RDWR);

	CHECK_VAL("fcntl(F_DUPFD, 0) lowest", fcntl(fd, F_DUPFD, 0));
	CHECK_VAL("fcntl(F_DUPFD, 20)", fcntl(fd, F_DUPFD, 20));
	CHECK_VAL("fcntl(F_DUPFD, 20) again", fcntl(fd, F_DUPFD, 20));
	CHECK_VAL("fcntl(F_DUPFD_CLOEXEC, 30)", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	CHECK_VAL("F_GETFD of the F_DUPFD_CLOEXEC copy", fcntl(30, F_GETFD));
	CHECK_VAL("F_GETFD of the F_DUPFD copy", fcntl(20, F_GETFD));
	CHECK_VAL("fcntl(F_DUPFD, -1)", fcntl(fd, F_DUPFD, -1));
	CHECK_VAL("fcntl(F_DUPFD, INT_MAX)", fcntl(fd, F_DUPFD, INT_MAX));
	CHECK("fcntl(F_SETFD, FD_CLOEXEC)", fcntl(20, F_SETFD, FD_CLOEXEC));
	CHECK_VAL("F_GETFD after F_SETFD", fcntl(20, F_GETFD));
	say_bool("F_SETFD is per descriptor", fcntl(fd, F_GETFD) == 0);
	CHECK("fcntl(F_SETFD, 0)", fcntl(20, F_SETFD, 0));
	CHECK_VAL("F_GETFD after clearing", fcntl(20, F_GETFD));

	say_flags("F_GETFL of O_RDWR", fd);
	CHECK("fcntl(F_SETFL, O_APPEND|O_NONBLOCK)", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	say_flags("F_GETFL after F_SETFL", fd);
	say_flags("F_GETFL of a dup sees the same open file", 20);
	CHECK("fcntl(F_SETFL, O_RDONLY) cannot change the access mode", fcntl(fd, F_SETFL, O_RDONLY));
	say_flags("F_GETFL after setting O_RDONLY", fd);
	int ro = open("f", O_RDONLY);
	say_flags("F_GETFL of O_RDONLY", ro);
	int wo = open("f", O_WRONLY | O_APPEND);
	say_flags("F_GETFL of O_WRONLY|O_APPEND", wo);
	close(ro);
	close(wo);
	CHECK("fcntl(closed fd, F_GETFD)", fcntl(40, F_GETFD));
	CHECK("fcntl(fd, bad command)", fcntl(fd, 12345));
	close(20);
	close(30);
	close(4);
	close(fd);
}

static void test_shared_offsets(void)
{
	int fd = open("f", O_RDWR | O_TRUNC);
	int d = dup(fd);
	char buf[16] = "";

	CHECK_VAL("write(\"0123456789\") through fd", write(fd, "0123456789", 10));
	CHECK_VAL("offset seen through the dup", lseek(d, 0, SEEK_CUR));
	CHECK_VAL("lseek(2) through the dup", lseek(d, 2, SEEK_SET));
	ssize_t n = CHECK_VAL("read 3 through fd", read(fd, buf, 3));
	say("read gave: %.*s", (int)(n > 0 ? n : 0), buf);
	int other = open("f", O_RDONLY);
	CHECK_VAL("a second open has its own offset", lseek(other, 0, SEEK_CUR));
	close(other);

	pid_t pid = fork();
	if (pid == 0) {
		char c[2];
		ssize_t r = read(fd, c, 2);
		say("child read 2 through the inherited fd: %zd \"%.*s\"", r, (int)(r > 0 ? r : 0), c);
		lseek(d, 8, SEEK_SET);
		_exit(0);
	}
	reap("child that read and seeked", pid);
	CHECK_VAL("parent's offset after the child read and seeked", lseek(fd, 0, SEEK_CUR));

	/* After fork the descriptors are the child's own: closing one there
	 * leaves the parent's open. */
	pid = fork();
	if (pid == 0) {
		close(fd);
		close(d);
		_exit(0);
	}
	reap("child that closed its copies", pid);
	say_bool("parent's fd still open", fcntl(fd, F_GETFD) >= 0);
	close(d);
	close(fd);
	unlink("f");
}

int main(int argc, char **argv)
{
	begin("fds", argc, argv);
	if (!setup_failures) {
		test_dup();
		test_fcntl();
		test_shared_offsets();
	}
	return end();
}
