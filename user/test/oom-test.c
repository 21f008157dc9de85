/* The out-of-memory policy: when a page fault finds no free frame, the
 * largest process dies, not necessarily the one that faulted. Starts
 * /test/memhog holding HOG MiB (argv[1], default 40), then touches MINE MiB
 * (argv[2], default 40) itself, more than is left: the hog must be killed
 * and this process must get its memory and exit 0. Run it with --mem 64. */
#include "lib/bson.h"
#include "panda.h"

/* A failed run kills its hog: left asleep, it would hold its memory for
 * good (and be the next run's "largest process" in the soak). */
static int end_hog(long hog)
{
	struct panda_exit_status st;

	if (hog >= 0 && panda_process_kill((panda_handle_t)hog) == 0)
		panda_process_wait((panda_handle_t)hog, PANDA_DEADLINE_NEVER, &st);
	return 1;
}

int main(int argc, char **argv)
{
	const char *hog_mib = argc > 1 ? argv[1] : "40";
	size_t mine = argc > 2 ? panda_parse_ulong(argv[2], 40) : 40;
	panda_handle_t ends[2];
	struct panda_exit_status st;
	uint8_t buf[64];

	if (panda_channel_create(ends) < 0)
		return 1;
	panda_handle_t grants[STARTUP_STANDARD + 1] = {
		panda_startup_handle(STARTUP_ROOT), panda_startup_handle(STARTUP_CONSOLE),
		panda_startup_handle(STARTUP_CWD), panda_startup_handle(STARTUP_SYSINFO), ends[1]
	};
	const char *hog_argv[] = { "/test/memhog", hog_mib };
	struct panda_spawn sp = { .dir = grants[0], .handle_count = STARTUP_STANDARD + 1,
				  .path = hog_argv[0], .argv = hog_argv, .argc = 2, .handles = grants };
	long hog = panda_spawn(&sp);
	panda_close(ends[1]);
	struct panda_msg msg = { .data = buf, .size = sizeof(buf) };
	/* Bounded: a hog that cannot even start is a failed round, not a
	 * stuck one. */
	if (hog < 0 || panda_recv(ends[0], &msg, 0, panda_clock() + 60000000000ull) < 0) {
		printf("oom-test: the hog did not start\n");
		return end_hog(hog);
	}
	printf("oom-test: the hog holds %s MiB; now touching %zu MiB here\n", hog_mib, mine);
	long base = panda_mem_map(NULL, mine << 20, PROT_READ | PROT_WRITE);
	if (base < 0)
		return end_hog(hog);
	for (size_t off = 0; off < mine << 20; off += 4096)
		((volatile char *)base)[off] = 1;
	if (panda_process_wait((panda_handle_t)hog, panda_clock() + 5000000000ull, &st) < 0) {
		printf("oom-test: the hog is still alive\n");
		return end_hog(hog);
	}
	printf("oom-test: got %zu MiB; the hog ended: %s\n", mine, panda_exit_how_name(st.how));
	return st.how == EXIT_KILLED ? 0 : 1;
}
