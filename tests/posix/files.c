/* Files: open/openat and their flags (O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
 * O_DIRECTORY, O_CLOEXEC), read/write, pread64/pwrite64, readv/writev,
 * lseek (SEEK_SET/CUR/END, past the end: a hole reads as zeros),
 * ftruncate (shrink and grow), fsync and fdatasync. */
#include "common.h"

#include <sys/uio.h>

static off_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? -1 : st.st_size;
}

/* Reads the whole file from offset 0 with pread and prints it, bytes
 * outside printable ASCII as \xNN. */
static void say_contents(const char *name, int fd)
{
	char buf[128], text[512];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	size_t k = 0;

	if (n < 0) {
		say("%s: -1 %s", name, errno_name(errno));
		return;
	}
	for (ssize_t i = 0; i < n && k < sizeof(text) - 5; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			text[k++] = (char)c;
		else
			k += (size_t)snprintf(text + k, sizeof(text) - k, "\\x%02x", c);
	}
	text[k] = 0;
	say("%s: %zd bytes \"%s\"", name, n, text);
}

static void test_open_flags(void)
{
	int fd = CHECK("open(new, O_CREAT|O_EXCL)", open("a", O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK_VAL("write(\"hello world\")", write(fd, "hello world", 11));
	close(fd);
	CHECK("open(existing, O_CREAT|O_EXCL)", open("a", O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK("open(missing, O_RDONLY)", open("missing", O_RDONLY));

	fd = CHECK("open(existing, O_CREAT) keeps data", open("a", O_RDWR | O_CREAT, 0644));
	CHECK_VAL("size after O_CREAT of an existing file", file_size(fd));
	close(fd);

	fd = CHECK("open(O_TRUNC)", open("a", O_RDWR | O_TRUNC));
	CHECK_VAL("size after O_TRUNC", file_size(fd));
	CHECK_VAL("write(\"0123456789\")", write(fd, "0123456789", 10));
	close(fd);

	fd = CHECK("open(O_WRONLY|O_APPEND)", open("a", O_WRONLY | O_APPEND));
	CHECK_VAL("lseek(0, SEEK_SET) before an append", lseek(fd, 0, SEEK_SET));
	CHECK_VAL("write(\"abc\") appends", write(fd, "abc", 3));
	CHECK_VAL("offset after the append", lseek(fd, 0, SEEK_CUR));
	CHECK_VAL("pwrite(\"Z\", 0) on O_APPEND appends too", pwrite(fd, "Z", 1, 0));
	close(fd);
	fd = open("a", O_RDONLY);
	say_contents("contents after appends", fd);
	CHECK("write on O_RDONLY", write(fd, "x", 1));
	close(fd);

	CHECK("open(file, O_DIRECTORY)", open("a", O_RDONLY | O_DIRECTORY));
	fd = CHECK("open(., O_DIRECTORY)", open(".", O_RDONLY | O_DIRECTORY));
	char c;
	CHECK("read on a directory", read(fd, &c, 1));
	close(fd);
	CHECK("open(., O_WRONLY)", open(".", O_WRONLY));

	fd = CHECK("open(O_CLOEXEC)", open("a", O_RDONLY | O_CLOEXEC));
	say_bool("FD_CLOEXEC set by O_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	close(fd);
	fd = open("a", O_RDONLY);
	say_bool("FD_CLOEXEC clear without O_CLOEXEC", fcntl(fd, F_GETFD) == 0);
	close(fd);

	int dir = CHECK("open(., O_DIRECTORY) for openat", open(".", O_RDONLY | O_DIRECTORY));
	fd = CHECK("openat(dir, \"b\", O_CREAT)", openat(dir, "b", O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK_VAL("write through openat's fd", write(fd, "bee", 3));
	close(fd);
	fd = CHECK("openat(AT_FDCWD, \"b\")", openat(AT_FDCWD, "b", O_RDONLY));
	say_contents("openat's file", fd);
	close(fd);
	CHECK("openat(bad dirfd, relative)", openat(12345, "b", O_RDONLY));
	close(dir);
	unlink("a");
	unlink("b");
}

static void test_read_write(void)
{
	char buf[64];
	int fd = open("rw", O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK_VAL("write 26 letters", write(fd, "abcdefghijklmnopqrstuvwxyz", 26));
	CHECK_VAL("read at end of file", read(fd, buf, sizeof(buf)));
	CHECK_VAL("lseek(0, SEEK_SET)", lseek(fd, 0, SEEK_SET));
	ssize_t n = CHECK_VAL("read 5", read(fd, buf, 5));
	say("read 5 gave: %.*s", (int)(n > 0 ? n : 0), buf);
	CHECK_VAL("offset after read 5", lseek(fd, 0, SEEK_CUR));
	CHECK_VAL("lseek(3, SEEK_CUR)", lseek(fd, 3, SEEK_CUR));
	n = CHECK_VAL("read 4 after SEEK_CUR", read(fd, buf, 4));
	say("read 4 gave: %.*s", (int)(n > 0 ? n : 0), buf);
	CHECK_VAL("lseek(-2, SEEK_END)", lseek(fd, -2, SEEK_END));
	n = CHECK_VAL("read past the last two bytes", read(fd, buf, sizeof(buf)));
	say("last two bytes: %.*s", (int)(n > 0 ? n : 0), buf);
	CHECK_VAL("lseek(-1, SEEK_SET)", lseek(fd, -1, SEEK_SET));
	CHECK_VAL("lseek(whence 99)", lseek(fd, 0, 99));

	n = CHECK_VAL("pread(4, offset 10)", pread(fd, buf, 4, 10));
	say("pread gave: %.*s", (int)(n > 0 ? n : 0), buf);
	CHECK_VAL("offset unchanged by pread", lseek(fd, 0, SEEK_CUR));
	CHECK_VAL("pwrite(\"XY\", offset 1)", pwrite(fd, "XY", 2, 1));
	CHECK_VAL("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR));
	CHECK_VAL("pread past the end", pread(fd, buf, 4, 1000));
	CHECK_VAL("pread(negative offset)", pread(fd, buf, 4, -1));

	struct iovec out[3] = {
		{ "one ", 4 }, { "", 0 }, { "two three", 9 },
	};
	CHECK_VAL("lseek(0, SEEK_END)", lseek(fd, 0, SEEK_END));
	CHECK_VAL("writev of 3 buffers (one empty)", writev(fd, out, 3));
	char a[3], b[5], c[40];
	struct iovec in[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	lseek(fd, 24, SEEK_SET);
	n = CHECK_VAL("readv into 3, 5, 40 bytes", readv(fd, in, 3));
	say("readv pieces: \"%.3s\" \"%.5s\" \"%.*s\"", a, b, (int)(n > 8 ? n - 8 : 0), c);
	CHECK_VAL("readv with a negative length", readv(fd, (struct iovec[]){ { a, (size_t)-1 } }, 1));
	say_contents("after pwrite and writev", fd);
	close(fd);
	unlink("rw");
}

static void test_seek_truncate_sync(void)
{
	int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16];

	CHECK_VAL("lseek(100000) past the end", lseek(fd, 100000, SEEK_SET));
	CHECK_VAL("size before writing past the end", file_size(fd));
	CHECK_VAL("write 1 byte at 100000", write(fd, "!", 1));
	CHECK_VAL("size after the write", file_size(fd));
	ssize_t n = pread(fd, buf, sizeof(buf), 50000);
	bool zero = n == (ssize_t)sizeof(buf);
	for (ssize_t i = 0; i < n; i++)
		zero = zero && buf[i] == 0;
	say_bool("the hole reads as zeros", zero);

	CHECK("ftruncate(10) shrinks", ftruncate(fd, 10));
	CHECK_VAL("size after shrinking", file_size(fd));
	CHECK_VAL("offset kept by ftruncate", lseek(fd, 0, SEEK_CUR));
	CHECK("ftruncate(5000) grows", ftruncate(fd, 5000));
	CHECK_VAL("size after growing", file_size(fd));
	n = pread(fd, buf, 4, 4000);
	say_bool("the grown part reads as zeros", n == 4 && !buf[0] && !buf[1] && !buf[2] && !buf[3]);
	CHECK("ftruncate(-1)", ftruncate(fd, -1));
	CHECK("fsync(fd)", fsync(fd));
	CHECK("fdatasync(fd)", fdatasync(fd));
	close(fd);

	fd = open("big", O_RDONLY);
	CHECK("ftruncate on O_RDONLY", ftruncate(fd, 0));
	close(fd);
	CHECK("fsync(closed fd)", fsync(fd));
	unlink("big");
}

int main(int argc, char **argv)
{
	begin("files", argc, argv);
	if (!setup_failures) {
		test_open_flags();
		test_read_write();
		test_seek_truncate_sync();
	}
	return end();
}
