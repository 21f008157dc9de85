/* stat, fstat, lstat, newfstatat (fstatat with AT_FDCWD, a directory fd
 * and AT_EMPTY_PATH) and statx: the file type, the size and the link count
 * of files, directories, a pipe and /dev/null. Times, inodes, devices and
 * permission bits are not printed (Panda synthesises them; docs/posix.md),
 * nor a directory's size and link count, which differ between Linux file
 * systems (they are machine-specific lines). */
#include "common.h"

#include <sys/syscall.h>

/* statx's record as the Linux ABI lays it out (include/uapi/linux/stat.h):
 * musl 1.2.3 has neither the structure nor the wrapper. */
struct statx_timestamp_abi {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
struct statx_abi {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp_abi stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define STATX_TYPE_ABI 0x1u
#define STATX_NLINK_ABI 0x4u
#define STATX_SIZE_ABI 0x200u
#define STATX_BASIC_STATS_ABI 0x7ffu

static const char *type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "regular";
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISFIFO(mode))
		return "fifo";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	if (S_ISLNK(mode))
		return "symlink";
	if (S_ISSOCK(mode))
		return "socket";
	return "unknown";
}

/* The result of one stat call: type, and for all but directories size and
 * link count. */
static void say_stat(const char *name, int rc, const struct stat *st)
{
	if (rc < 0) {
		say("%s: -1 %s", name, errno_name(errno));
		return;
	}
	if (S_ISDIR(st->st_mode)) {
		say("%s: directory", name);
		machine("%s size and links: %lld %lu", name, (long long)st->st_size,
			(unsigned long)st->st_nlink);
		return;
	}
	say("%s: %s, size %lld, links %lu", name, type_name(st->st_mode),
	    (long long)st->st_size, (unsigned long)st->st_nlink);
}

static void say_statx(const char *name, int dirfd, const char *path, int flags)
{
	struct statx_abi sx;

	memset(&sx, 0, sizeof(sx));
	long rc = syscall(SYS_statx, dirfd, path, flags, STATX_BASIC_STATS_ABI, &sx);
	if (rc < 0) {
		say("%s: -1 %s", name, errno_name(errno));
		return;
	}
	unsigned need = STATX_TYPE_ABI | STATX_NLINK_ABI | STATX_SIZE_ABI;
	say_bool("statx mask has type, links and size", (sx.stx_mask & need) == need);
	if (S_ISDIR(sx.stx_mode)) {
		say("%s: directory", name);
		machine("%s size and links: %llu %u", name, (unsigned long long)sx.stx_size,
			sx.stx_nlink);
		return;
	}
	say("%s: %s, size %llu, links %u", name, type_name(sx.stx_mode),
	    (unsigned long long)sx.stx_size, sx.stx_nlink);
}

int main(int argc, char **argv)
{
	struct stat st;

	begin("stat", argc, argv);
	if (setup_failures)
		return end();
	make_file("f", "twelve bytes");
	make_file("empty", "");
	mkdir("d", 0755);
	mkdir("d/sub", 0755);

	say_stat("stat(f)", stat("f", &st), &st);
	say_stat("stat(empty)", stat("empty", &st), &st);
	say_stat("stat(d)", stat("d", &st), &st);
	say_stat("stat(d/sub/..)", stat("d/sub/..", &st), &st);
	say_stat("stat(missing)", stat("missing", &st), &st);
	say_stat("stat(f/x) under a file", stat("f/x", &st), &st);
	say_stat("stat(\"\")", stat("", &st), &st);
	say_stat("lstat(f)", lstat("f", &st), &st);
	say_stat("lstat(d)", lstat("d", &st), &st);
	say_stat("stat(/dev/null)", stat("/dev/null", &st), &st);

	int fd = open("f", O_RDWR);
	say_stat("fstat(f)", fstat(fd, &st), &st);
	write(fd, "+more", 5);
	lseek(fd, 0, SEEK_END);
	write(fd, "!", 1);
	say_stat("fstat(f) after writes", fstat(fd, &st), &st);
	ftruncate(fd, 3);
	say_stat("fstat(f) after ftruncate(3)", fstat(fd, &st), &st);
	close(fd);
	say_stat("fstat(closed fd)", fstat(fd, &st), &st);

	/* An unlinked file that is still open: no name, links 0. */
	fd = open("gone", O_RDWR | O_CREAT, 0644);
	write(fd, "abc", 3);
	unlink("gone");
	say_stat("fstat of an open unlinked file", fstat(fd, &st), &st);
	close(fd);

	int p[2];
	pipe(p);
	say_stat("fstat(pipe read end)", fstat(p[0], &st), &st);
	say_stat("fstat(pipe write end)", fstat(p[1], &st), &st);
	close(p[0]);
	close(p[1]);

	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	say_stat("fstat(directory fd)", fstat(dfd, &st), &st);
	make_file("d/inner", "inner file");
	say_stat("fstatat(AT_FDCWD, f)", fstatat(AT_FDCWD, "f", &st, 0), &st);
	say_stat("fstatat(d, inner)", fstatat(dfd, "inner", &st, 0), &st);
	say_stat("fstatat(d, inner, AT_SYMLINK_NOFOLLOW)",
		 fstatat(dfd, "inner", &st, AT_SYMLINK_NOFOLLOW), &st);
	say_stat("fstatat(d, \"\", AT_EMPTY_PATH)", fstatat(dfd, "", &st, AT_EMPTY_PATH), &st);
	say_stat("fstatat(d, missing)", fstatat(dfd, "missing", &st, 0), &st);
	say_stat("fstatat(bad fd, inner)", fstatat(closed_descriptor(), "inner", &st, 0), &st);
	say_stat("fstatat(d, inner, bad flags)", fstatat(dfd, "inner", &st, 0x40000000), &st);

	say_statx("statx(AT_FDCWD, f)", AT_FDCWD, "f", 0);
	say_statx("statx(d, inner)", dfd, "inner", 0);
	say_statx("statx(d, \"\", AT_EMPTY_PATH)", dfd, "", AT_EMPTY_PATH);
	say_statx("statx(d, missing)", dfd, "missing", 0);
	close(dfd);
	return end();
}
