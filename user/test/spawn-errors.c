/* Bad requests get clear errors: spawn, wait, kill and close called with
 * forged, stale and wrong-kind handles, bad pointers, missing and invalid
 * programs, too many arguments and malformed startup documents. Each must fail with its documented
 * code (docs/syscalls.md) and leave this process running. Exits 0 when
 * every answer was right. */
#include "panda.h"

static int failures;

static void expect(const char *what, long got, long want)
{
	if (got != want) {
		printf("spawn-errors: %s gave %ld (%s), want %ld (%s)\n", what, got,
		       got < 0 ? error_name((int)got) : "ok", want, error_name((int)want));
		failures++;
	}
}

static long spawn_path(panda_handle_t dir, const char *path)
{
	struct panda_spawn s = { .dir = dir, .path = path };

	return panda_spawn(&s);
}

int main(int argc, char **argv)
{
	panda_handle_t root = panda_startup_handle(0);
	struct panda_exit_status st;

	(void)argc, (void)argv;
	expect("spawn beneath handle 0", spawn_path(0, "/test/hello"), -EBADHANDLE);
	expect("spawn beneath a forged handle", spawn_path(0x80000123, "/test/hello"), -EBADHANDLE);
	expect("spawn of a missing file", spawn_path(root, "/bin/no-such"), -ENOENT);
	expect("spawn of a directory", spawn_path(root, "/bin"), -EISDIR);
	expect("spawn of a text file", spawn_path(root, "/etc/panda-release"), -ENOEXEC);
	expect("spawn climbing out with ..", spawn_path(root, "test/../../test/hello"), -EOUTSIDE);
	expect("spawn of a missing file by ..", spawn_path(root, "/bin/../../no-such"), -ENOENT);
	expect("spawn with a bad path pointer", spawn_path(root, (const char *)8), -EFAULT);
	expect("spawn with a kernel path pointer",
	       spawn_path(root, (const char *)0xffffffff80000000ul), -EFAULT);
	expect("spawn with a bad request pointer", panda_spawn((const struct panda_spawn *)16),
	       -EFAULT);

	static char longpath[400];
	memset(longpath, 'a', sizeof(longpath) - 1);
	expect("spawn with a 399-byte path", spawn_path(root, longpath), -ENAMETOOLONG);

	static const char *many[PANDA_ARGS_MAX + 1];
	for (int i = 0; i <= PANDA_ARGS_MAX; i++)
		many[i] = "x";
	struct panda_spawn s = { .dir = root, .path = "/test/hello", .argv = many,
				 .argc = PANDA_ARGS_MAX + 1 };
	expect("spawn with 65 arguments", panda_spawn(&s), -E2BIG);
	panda_handle_t forged = 0x80000777;
	s = (struct panda_spawn){ .dir = root, .path = "/test/hello", .handles = &forged,
				  .handle_count = 1 };
	expect("spawn granting a forged handle", panda_spawn(&s), -EBADHANDLE);

	/* The startup document is checked whole before anything starts. */
	static uint8_t doc[PANDA_STARTUP_DOC_MAX + 8] = { 12, 0, 0, 0, 2, 'a', 0, 9, 0, 0, 0, 0 };
	s = (struct panda_spawn){ .dir = root, .path = "/test/hello", .doc = doc, .doc_size = 12 };
	expect("spawn with a malformed startup document", panda_spawn(&s), -EBADMSG);
	s.doc_size = 4;
	expect("spawn with a 4-byte startup document", panda_spawn(&s), -EBADMSG);
	s.doc_size = PANDA_STARTUP_DOC_MAX + 1;
	expect("spawn with a startup document over the limit", panda_spawn(&s), -E2BIG);
	s.doc = (const void *)8, s.doc_size = 5;
	expect("spawn with a bad startup document pointer", panda_spawn(&s), -EFAULT);
	s.doc = NULL, s.doc_size = 5;
	expect("spawn with a size but no startup document", panda_spawn(&s), -EINVAL);

	long h = spawn_path(root, "/test/exit-code");
	expect("spawn of /test/exit-code", h > 0 ? 0 : h, 0);
	expect("wait with a bad status pointer", panda_process_wait(h, PANDA_DEADLINE_NEVER,
		(struct panda_exit_status *)8), -EFAULT);
	expect("wait after it ended", panda_process_wait(h, PANDA_DEADLINE_NEVER, &st), 0);
	expect("wait on a directory handle", panda_process_wait(root, 0, &st), -EINVAL);
	expect("kill of a directory handle", panda_process_kill(root), -EINVAL);
	expect("kill of an exited process", panda_process_kill(h), 0);
	expect("close", panda_close(h), 0);
	expect("wait on the closed handle", panda_process_wait(h, 0, &st), -EBADHANDLE);
	expect("close again", panda_close(h), -EBADHANDLE);

	long spinner = spawn_path(root, "/test/spin");
	expect("poll a running process", panda_process_wait(spinner, 0, &st), -ETIMEDOUT);
	expect("wait with a deadline that passes",
	       panda_process_wait(spinner, panda_clock() + 5000000, &st), -ETIMEDOUT);
	expect("kill", panda_process_kill(spinner), 0);
	expect("wait for the killed", panda_process_wait(spinner, PANDA_DEADLINE_NEVER, &st), 0);
	expect("how it ended", st.how, EXIT_KILLED);

	expect("map writable and executable", panda_mem_map(0, 4096, PROT_WRITE | PROT_EXEC),
	       -EINVAL);
	expect("map at a kernel address", panda_mem_map((void *)0xffff800000000000ul, 4096,
							PROT_READ), -EINVAL);
	expect("map of 0 bytes", panda_mem_map(0, 0, PROT_READ), -EINVAL);
	expect("unmap of the program", panda_mem_unmap((void *)0x400000, 4096), -EINVAL);
	expect("debug_write from a bad pointer", panda_debug_write((const char *)8, 4), -EFAULT);
	expect("an unknown syscall", panda_syscall6(1000, 0, 0, 0, 0, 0, 0), -ENOSYS);

	if (failures)
		return 1;
	printf("spawn-errors: every bad request got its error\n");
	return 0;
}
