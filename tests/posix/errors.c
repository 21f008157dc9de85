/* Errors: one call per error a Linux program meets, each printed by
 * name: ENOENT, EEXIST, ENOTDIR, EISDIR, EBADF, EINVAL, EFAULT (a bad
 * pointer handed to read, write, stat, open, pipe and getcwd's syscall),
 * ENOTEMPTY, ESPIPE, ECHILD, ESRCH, ERANGE, ENAMETOOLONG. EMFILE is left
 * out: reaching it means raising or lowering RLIMIT_NOFILE, which is not
 * part 1 of the personality. The bad pointers are an address that was
 * mapped and then unmapped, and the first page (never mapped), so no libc
 * dereferences them on the way. */
#include "common.h"

#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>

/* Read through a volatile, so the compiler does not see a constant address
 * and warn about the buffer size. */
static void *volatile null_page_address = (void *)16;

static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail_setup("mmap");
		return (void *)8;
	}
	munmap(p, 4096);
	return p;
}

static void test_names(void)
{
	struct stat st;

	make_file("file", "contents\n");
	mkdir("dir", 0755);
	make_file("dir/inside", "x");
	CHECK("open(missing) ENOENT", open("missing", O_RDONLY));
	CHECK("open(missing/x) ENOENT", open("missing/x", O_RDONLY));
	CHECK("stat(\"\") ENOENT", stat("", &st));
	CHECK("unlink(missing) ENOENT", unlink("missing"));
	CHECK("mkdir(file) EEXIST", mkdir("file", 0755));
	CHECK("open(dir, O_CREAT|O_EXCL) EEXIST", open("dir", O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK("open(file/x) ENOTDIR", open("file/x", O_RDONLY));
	CHECK("stat(file/) ENOTDIR", stat("file/", &st));
	CHECK("chdir(file) ENOTDIR", chdir("file"));
	CHECK("rmdir(file) ENOTDIR", rmdir("file"));
	CHECK("open(dir, O_WRONLY) EISDIR", open("dir", O_WRONLY));
	CHECK("open(dir, O_RDWR) EISDIR", open("dir", O_RDWR));
	CHECK("unlink(dir) EISDIR", unlink("dir"));
	CHECK("rmdir(dir) ENOTEMPTY", rmdir("dir"));
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK("open(a 299-byte name) ENAMETOOLONG", open(longname, O_RDONLY | O_CREAT, 0644));
	static char longpath[5000];
	for (size_t i = 0; i + 2 < sizeof(longpath); i += 2)
		memcpy(longpath + i, "a/", 2);
	CHECK("stat(a 5000-byte path) ENAMETOOLONG", stat(longpath, &st));
}

static void test_descriptors(void)
{
	char c;
	int p[2];
	int closed = closed_descriptor();

	CHECK("read(closed fd) EBADF", read(closed, &c, 1));
	CHECK("write(-1) EBADF", write(-1, "x", 1));
	CHECK("close(closed fd) EBADF", close(closed));
	CHECK("close(-1) EBADF", close(-1));
	CHECK("fstat(closed fd) EBADF", fstat(closed, &(struct stat){ 0 }));
	CHECK("lseek(closed fd) EBADF", lseek(closed, 0, SEEK_SET));
	int ro = open("file", O_RDONLY);
	CHECK("write(read-only fd) EBADF", write(ro, "x", 1));
	int wo = open("file", O_WRONLY);
	CHECK("read(write-only fd) EBADF", read(wo, &c, 1));
	close(wo);
	CHECK("lseek(whence 7) EINVAL", lseek(ro, 0, 7));
	CHECK("lseek(to -1) EINVAL", lseek(ro, -1, SEEK_SET));
	CHECK("fcntl(bad command) EINVAL", fcntl(ro, 9999));
	close(ro);
	pipe(p);
	CHECK("lseek(pipe) ESPIPE", lseek(p[0], 0, SEEK_SET));
	CHECK("pread(pipe) ESPIPE", pread(p[0], &c, 1, 0));
	CHECK("pwrite(pipe) ESPIPE", pwrite(p[1], "x", 1, 0));
	close(p[0]);
	close(p[1]);
}

static void test_faults(void)
{
	void *bad = unmapped_page();
	void *null_page = null_page_address;
	int fd = open("file", O_RDWR);

	CHECK("read(into an unmapped page) EFAULT", read(fd, bad, 8));
	CHECK_VAL("offset unchanged by the failed read", lseek(fd, 0, SEEK_CUR));
	CHECK("read(into the null page) EFAULT", read(fd, null_page, 8));
	CHECK("write(from an unmapped page) EFAULT", write(fd, bad, 8));
	CHECK("pwrite(from the null page) EFAULT", pwrite(fd, null_page, 8, 0));
	struct iovec iov = { bad, 8 };
	CHECK("readv(into an unmapped page) EFAULT", readv(fd, &iov, 1));
	CHECK("readv(iovec array unmapped) EFAULT", readv(fd, bad, 1));
	close(fd);
	int p[2];
	pipe(p);
	CHECK("write(pipe, from an unmapped page) EFAULT", write(p[1], bad, 8));
	close(p[0]);
	close(p[1]);
	CHECK("stat(path unmapped) EFAULT", stat(bad, &(struct stat){ 0 }));
	CHECK("open(path unmapped) EFAULT", open(bad, O_RDONLY));
	CHECK("mkdir(path in the null page) EFAULT", mkdir(null_page, 0755));
	CHECK("unlink(path unmapped) EFAULT", unlink(bad));
	CHECK("pipe(array unmapped) EFAULT", pipe(bad));
	struct timespec *ts = bad;
	CHECK("nanosleep(request unmapped) EFAULT", nanosleep(ts, NULL));
}

static void test_processes(void)
{
	char buf[4];
	int status;

	CHECK("waitpid(no children) ECHILD", waitpid(-1, &status, 0));
	CHECK("kill(no such pid) ESRCH", kill(99999999, 0));
	CHECK("kill(bad signal) EINVAL", kill(getpid(), 99999));
	CHECK("getcwd(buffer of 1) ERANGE", getcwd(buf, 1) ? 0 : -1);
	CHECK("getcwd(buffer of 0) EINVAL", getcwd(buf, 0) ? 0 : -1);
	char *args[] = { "x", NULL };
	CHECK("execve(missing) ENOENT", execve("missing", args, args + 1));
}

int main(int argc, char **argv)
{
	begin("errors", argc, argv);
	if (!setup_failures) {
		test_names();
		test_descriptors();
		test_faults();
		test_processes();
		remove_tree_at(AT_FDCWD, "dir");
		unlink("file");
	}
	return end();
}
