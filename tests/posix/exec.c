/* exec: execve of this same program (argv[0]) with arguments and an
 * environment of its own; the pid kept across execve; fds kept across it
 * (with their shared offset) and the FD_CLOEXEC ones closed; execve's
 * errors (ENOENT, a file that is no executable, a directory);
 * posix_spawn with file actions (dup2 of a pipe onto fd 1, close) and
 * posix_spawnp, and posix_spawn's error for a missing program; "#!"
 * scripts (the interpreter's argument, spaces, a script run by a script,
 * a loop, a missing interpreter, an empty line). The copies
 * started again run with "--child MODE ..." and print their own lines,
 * without the markers. */
#include "common.h"

#include <spawn.h>

#define KEPT_FD 10
#define CLOEXEC_FD 11

extern char **environ;

/* --- what the started copies do --------------------------------------- */

static int child_after_execve(int argc, char **argv)
{
	say("exec'd copy argument count: %d", argc);
	for (int i = 4; i < argc; i++)	/* argv[3] is the pid */
		say("exec'd copy argv[%d]: %s", i, argv[i]);
	const char *v = getenv("POSIX_TEST_VAR");
	say("exec'd copy POSIX_TEST_VAR: %s", v ? v : "(unset)");
	say_bool("exec'd copy has no PWD (the environment was replaced)", getenv("PWD") == NULL);
	say_bool("exec'd copy keeps the pid", argc > 3 && atol(argv[3]) == (long)getpid());
	CHECK_VAL("exec'd copy F_GETFD of the kept fd", fcntl(KEPT_FD, F_GETFD));
	CHECK("exec'd copy F_GETFD of the FD_CLOEXEC fd", fcntl(CLOEXEC_FD, F_GETFD));
	char buf[8] = "";
	ssize_t n = read(KEPT_FD, buf, 3);
	say("exec'd copy reads the kept fd at its offset: %zd \"%.*s\"", n, (int)(n > 0 ? n : 0), buf);
	return 3;
}

static int child_after_spawn(int argc, char **argv)
{
	say("spawned copy argument count: %d", argc);
	say("spawned copy argv[3]: %s", argc > 3 ? argv[3] : "(none)");
	say_bool("spawned copy sees the environment passed", getenv("POSIX_TEST_VAR") != NULL);
	CHECK("spawned copy F_GETFD of the fd closed by a file action", fcntl(KEPT_FD, F_GETFD));
	return 7;
}

/* Run as a script's interpreter: argv[1] is the "#!" line's argument. */
static int child_as_interpreter(int argc, char **argv)
{
	say("interpreter argument count: %d", argc);
	say("interpreter argv[1]: [%s]", argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');
		say("interpreter argv[%d]: %s", i, base ? base + 1 : argv[i]);
	}
	return 5;
}

/* --- the parent ---------------------------------------------------------- */

static void write_script(const char *name, const char *line)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	write(fd, line, strlen(line));
	write(fd, "echo not run\n", 13);
	close(fd);
}

/* Runs name with two arguments in a child; prints how it went. */
static void run_script(const char *what, const char *name)
{
	char *args[] = { (char *)name, "first", "second", NULL };
	pid_t child = fork();

	if (child == 0) {
		execve(name, args, environ);
		say("%s: execve -1 %s", what, errno_name(errno));
		_exit(99);
	}
	reap(what, child);
}

static void test_scripts(const char *self)
{
	char line[600];

	snprintf(line, sizeof(line), "#!%s --script\n", self);
	write_script("s-plain", line);
	run_script("a script", "./s-plain");
	snprintf(line, sizeof(line), "#!  \t%s   --script  two words \t \n", self);
	write_script("s-spaces", line);
	run_script("a script with spaces", "./s-spaces");
	write_script("s-nested", "#!./s-plain\n");
	run_script("a script run by a script", "s-nested");
	write_script("s-loop", "#!./s-loop\n");
	run_script("a script that runs itself", "./s-loop");
	write_script("s-missing", "#!./no-such-interpreter\n");
	run_script("a missing interpreter", "./s-missing");
	write_script("s-empty", "#!\n");
	run_script("an empty #! line", "./s-empty");
	unlink("s-plain");
	unlink("s-spaces");
	unlink("s-nested");
	unlink("s-loop");
	unlink("s-missing");
	unlink("s-empty");
}


static void test_execve(const char *self)
{
	int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 4, SEEK_SET);
	dup2(fd, KEPT_FD);
	dup3(fd, CLOEXEC_FD, O_CLOEXEC);
	close(fd);

	pid_t pid = fork();
	if (pid == 0) {
		char pidtext[24];
		snprintf(pidtext, sizeof(pidtext), "%ld", (long)getpid());
		char *args[] = { (char *)self, scratch_base, "--child", pidtext, "two words", "",
				 NULL };
		char *env[] = { "POSIX_TEST_VAR=hello from the parent", NULL };
		execve(self, args, env);
		say("execve of itself: -1 %s", errno_name(errno));
		_exit(127);
	}
	reap("exec'd copy", pid);
	CHECK_VAL("offset of the kept fd after the copy read 3", lseek(KEPT_FD, 0, SEEK_CUR));
	close(KEPT_FD);
	close(CLOEXEC_FD);
	unlink("data");
}

static void test_execve_errors(void)
{
	char *args[] = { "x", NULL };

	CHECK("execve(missing)", execve("missing", args, environ));
	CHECK("execve(missing/dir/x)", execve("missing/dir/x", args, environ));
	int fd = open("notelf", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	static const char junk[] = "\x01\x02\x03 not an executable\n";
	write(fd, junk, sizeof(junk) - 1);
	close(fd);
	CHECK("execve(a file that is no executable)", execve("notelf", args, environ));
	unlink("notelf");
	mkdir("dir", 0755);
	CHECK("execve(a directory)", execve("dir", args, environ));
	rmdir("dir");
}

static void test_posix_spawn(const char *self)
{
	posix_spawn_file_actions_t fa;
	int out[2];
	pid_t pid;
	char *args[] = { (char *)self, scratch_base, "--spawned", "spawned arg", NULL };
	char *env[] = { "POSIX_TEST_VAR=1", NULL };

	if (pipe(out) < 0) {
		fail_setup("pipe");
		return;
	}
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	dup2(fd, KEPT_FD);
	close(fd);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, KEPT_FD);
	check_code("posix_spawn(itself)", posix_spawn(&pid, self, &fa, NULL, args, env));
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);

	/* What the copy wrote to fd 1 arrives on the pipe, in order. */
	char buf[2048];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) - 1 && (r = read(out[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(out[0]);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		say("through the pipe: %s", line);
	reap("spawned copy", pid);
	say_bool("the kept fd is still open in the parent", fcntl(KEPT_FD, F_GETFD) >= 0);
	close(KEPT_FD);

	char *missing[] = { "missing", NULL };
	int rc = posix_spawn(&pid, "./missing-program", NULL, NULL, missing, env);
	if (rc == 0) {	/* a libc may report the exec's failure as exit 127 */
		reap("posix_spawn(missing) child", pid);
	} else {
		check_code("posix_spawn(missing)", rc);
	}
	rc = posix_spawnp(&pid, "posix-test-no-such-program", NULL, NULL, missing, env);
	if (rc == 0)
		reap("posix_spawnp(missing) child", pid);
	else
		check_code("posix_spawnp(missing)", rc);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[2], "--child") == 0)
		return child_after_execve(argc, argv);
	if (argc > 2 && strcmp(argv[2], "--spawned") == 0)
		return child_after_spawn(argc, argv);
	if (argc > 1 && strncmp(argv[1], "--script", 8) == 0)
		return child_as_interpreter(argc, argv);

	begin("exec", argc, argv);
	if (argv[0][0] != '/') {
		say("argv[0] is not an absolute path; run this program by its full path");
		return 1;
	}
	if (!setup_failures) {
		test_execve(argv[0]);
		test_execve_errors();
		test_posix_spawn(argv[0]);
		test_scripts(argv[0]);
	}
	return end();
}
