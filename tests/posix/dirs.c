/* Directories: mkdir/mkdirat, rmdir, getdents64 (through readdir; names
 * sorted before printing, since no order is promised), rename/renameat and
 * renameat2 with RENAME_NOREPLACE, unlink/unlinkat (AT_REMOVEDIR),
 * getcwd/chdir/fchdir. */
#include "common.h"

#include <sys/syscall.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1	/* linux/fs.h; not in musl 1.2.3's headers */
#endif

/* renameat2 has no wrapper in musl 1.2.3: the system call itself. */
static long rename2(int olddir, const char *old, int newdir, const char *new, unsigned flags)
{
	return syscall(SYS_renameat2, olddir, old, newdir, new, flags);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_letter(unsigned char type)
{
	switch (type) {
	case DT_REG: return 'f';
	case DT_DIR: return 'd';
	case DT_FIFO: return 'p';
	case DT_CHR: return 'c';
	case DT_LNK: return 'l';
	case DT_UNKNOWN: return '?';
	}
	return '*';
}

/* Lists a directory: its entries sorted by name, each with its d_type. */
static void say_listing(const char *name, const char *path)
{
	char *names[64];
	size_t n = 0;
	DIR *d = opendir(path);

	if (!d) {
		say("%s: opendir -1 %s", name, errno_name(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		char entry[300];
		snprintf(entry, sizeof(entry), "%s(%c)", e->d_name, type_letter(e->d_type));
		names[n++] = strdup(entry);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_strings);
	char line[LINE_MAX_BYTES] = "";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		k += (size_t)snprintf(line + k, sizeof(line) - k, "%s%s", i ? " " : "", names[i]);
		if (k >= sizeof(line))
			k = sizeof(line) - 1;
		free(names[i]);
	}
	say("%s: %zu entries: %s", name, n, line);
}

static void test_mkdir_rmdir(void)
{
	CHECK("mkdir(d)", mkdir("d", 0755));
	CHECK("mkdir(d) again", mkdir("d", 0755));
	CHECK("mkdir(missing/x)", mkdir("missing/x", 0755));
	int dfd = CHECK("open(d, O_DIRECTORY)", open("d", O_RDONLY | O_DIRECTORY));
	CHECK("mkdirat(d, sub)", mkdirat(dfd, "sub", 0755));
	CHECK("mkdirat(AT_FDCWD, d/sub2)", mkdirat(AT_FDCWD, "d/sub2", 0755));
	int fd = openat(dfd, "file", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK("openat(d, file, O_CREAT)", fd);
	close(fd);
	say_listing("listing of d", "d");
	CHECK("mkdir(d/file/x) under a file", mkdir("d/file/x", 0755));
	CHECK("rmdir(d) not empty", rmdir("d"));
	CHECK("rmdir(d/file) a file", rmdir("d/file"));
	CHECK("rmdir(missing)", rmdir("missing"));
	CHECK("rmdir(d/sub2)", rmdir("d/sub2"));
	CHECK("unlinkat(d, sub, AT_REMOVEDIR)", unlinkat(dfd, "sub", AT_REMOVEDIR));
	CHECK("unlinkat(d, file, AT_REMOVEDIR) a file", unlinkat(dfd, "file", AT_REMOVEDIR));
	CHECK("unlink(d) a directory", unlink("d"));
	CHECK("unlinkat(d, file, 0)", unlinkat(dfd, "file", 0));
	CHECK("unlink(d/file) again", unlink("d/file"));
	say_listing("listing of d emptied", "d");
	close(dfd);
	CHECK("rmdir(d)", rmdir("d"));
	CHECK("rmdir(.)", rmdir("."));
}

static void test_rename(void)
{
	make_file("a", "A");
	make_file("b", "B");
	mkdir("dir", 0755);
	mkdir("full", 0755);
	make_file("full/x", "X");

	CHECK("rename(a, c)", rename("a", "c"));
	CHECK("rename(a, c) again", rename("a", "c"));
	CHECK("rename(c, b) over a file", rename("c", "b"));
	char buf[4] = "";
	int fd = open("b", O_RDONLY);
	CHECK_VAL("read b after the rename", read(fd, buf, sizeof(buf)));
	say("b holds: %.1s", buf);
	close(fd);
	CHECK("rename(b, dir) file over a directory", rename("b", "dir"));
	CHECK("rename(dir, b) directory over a file", rename("dir", "b"));
	CHECK("rename(dir, full) over a non-empty directory", rename("dir", "full"));
	mkdir("empty", 0755);
	CHECK("rename(dir, empty) over an empty directory", rename("dir", "empty"));
	CHECK("rename(empty, empty/sub) into itself", rename("empty", "empty/sub"));
	CHECK("rename(b, b) onto itself", rename("b", "b"));

	int full = open("full", O_RDONLY | O_DIRECTORY);
	CHECK("renameat(full, x, AT_FDCWD, y)", renameat(full, "x", AT_FDCWD, "y"));
	CHECK("renameat(AT_FDCWD, y, full, x)", renameat(AT_FDCWD, "y", full, "x"));
	make_file("n", "N");
	CHECK("renameat2(n, b, RENAME_NOREPLACE) onto an existing file",
	      rename2(AT_FDCWD, "n", AT_FDCWD, "b", RENAME_NOREPLACE));
	CHECK("renameat2(n, full/m, RENAME_NOREPLACE)",
	      rename2(AT_FDCWD, "n", full, "m", RENAME_NOREPLACE));
	CHECK("renameat2(flags 0x80000000)", rename2(AT_FDCWD, "b", AT_FDCWD, "q", 0x80000000u));
	close(full);
	say_listing("listing after renames", ".");
	say_listing("listing of full", "full");
	remove_tree_at(AT_FDCWD, "full");
	remove_tree_at(AT_FDCWD, "empty");
	unlink("b");
}

/* The last component of the current directory. */
static void say_cwd(const char *name)
{
	char buf[512];

	if (!getcwd(buf, sizeof(buf))) {
		say("%s: -1 %s", name, errno_name(errno));
		return;
	}
	const char *slash = strrchr(buf, '/');
	say("%s: absolute %s, last component %s", name, buf[0] == '/' ? "yes" : "no",
	    slash ? slash + 1 : buf);
}

static void test_cwd(void)
{
	char buf[512], start[512];

	mkdir("here", 0755);
	mkdir("here/deeper", 0755);
	make_file("here/f", "f");
	say_bool("getcwd is the scratch directory",
		 getcwd(start, sizeof(start)) && strcmp(start, scratch_path) == 0);
	int back = open(".", O_RDONLY | O_DIRECTORY);
	CHECK("chdir(here/deeper)", chdir("here/deeper"));
	say_cwd("getcwd after chdir");
	CHECK("chdir(..)", chdir(".."));
	say_cwd("getcwd after chdir(..)");
	CHECK("chdir(f) a file", chdir("f"));
	CHECK("chdir(missing)", chdir("missing"));
	int fd = open("f", O_RDONLY);
	CHECK("fchdir(file fd)", fchdir(fd));
	close(fd);
	CHECK("fchdir(closed fd)", fchdir(fd));
	CHECK("fchdir(saved fd)", fchdir(back));
	say_bool("getcwd back at the start", getcwd(buf, sizeof(buf)) && strcmp(buf, start) == 0);
	close(back);
	CHECK("getcwd(buf, 1)", getcwd(buf, 1) ? 0 : -1);

	/* A directory removed while it is the working directory. */
	CHECK("chdir(here/deeper) again", chdir("here/deeper"));
	CHECK("rmdir(the working directory)", rmdir("../deeper"));
	CHECK("open(new, O_CREAT) in a removed directory", open("newfile", O_WRONLY | O_CREAT, 0644));
	CHECK("chdir(start)", chdir(start));
	remove_tree_at(AT_FDCWD, "here");
}

int main(int argc, char **argv)
{
	begin("dirs", argc, argv);
	if (!setup_failures) {
		test_mkdir_rmdir();
		test_rename();
		test_cwd();
		say_listing("listing of the scratch directory at the end", ".");
	}
	return end();
}
