/* A stale handle value stays dead however often its slot is reused, run
 * as init (it holds the root and sysinfo handles). It closes a second
 * sysinfo handle and keeps its value, then opens and closes a handle to
 * the root directory in that slot once for each of the slot's 2^19
 * generations and once more: no new handle may have the stale value, and
 * a sysinfo request through it must give EBADHANDLE, not a directory's
 * answer (the bug: the generation wrapped and the directory answered).
 * Each check prints `handle-wrap: ok NAME` or `handle-wrap: FAIL NAME:
 * detail`; the last line counts them, and the exit status is 0 only when
 * none failed. */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define GENERATIONS	(1u << 19)	/* of one slot: 31 bits less 12 of index */

static long uptime(panda_handle_t h)
{
	static uint8_t req[64];
	const uint8_t *reply;
	struct bson_builder b;

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", "uptime");
	return panda_fs_call(h, req, bson_build_finish(&b), &reply, NULL);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	verdict_start("handle-wrap");
	panda_handle_t root = panda_startup_handle(STARTUP_ROOT);
	panda_handle_t sysinfo = panda_startup_handle(STARTUP_SYSINFO);
	if (!root || !sysinfo) {
		printf("handle-wrap: FAIL startup: needs the root and sysinfo handles "
		       "(run it as init)\n");
		return 1;
	}

	long stale = panda_dup(sysinfo, RIGHTS_SAME);
	verdict_expect_ok("dup-sysinfo", stale);
	verdict_expect("stale-sysinfo-answers-before-close", stale < 0 ? stale : uptime(stale), 0);
	verdict_expect("close-sysinfo", panda_close(stale), 0);

	uint64_t start = panda_clock();
	long failed = 0, same = 0, first_same = -1, answer = 0;
	for (uint32_t i = 0; i < GENERATIONS + 1; i++) {
		long h = panda_dup(root, RIGHTS_SAME);
		if (h < 0) {
			failed = h;
			break;
		}
		if (h == stale && same++ == 0) {
			first_same = i;
			answer = uptime(stale);		/* the directory's, not EBADHANDLE */
		}
		panda_close(h);
	}
	uint64_t ms = (panda_clock() - start) / 1000000;
	printf("handle-wrap: %u dup/close pairs in %lu ms\n", GENERATIONS + 1, (unsigned long)ms);
	verdict_expect("every-dup-succeeds", failed, 0);
	verdict("no-dup-has-the-stale-value", same == 0,
		"%ld dups gave the stale value %#lx, the first after %ld reuses; a sysinfo "
		"request through it then gave %s", same, (unsigned long)stale, first_same,
		verdict_err_text(answer));
	verdict_expect("stale-sysinfo-value-is-dead", uptime(stale), -EBADHANDLE);
	verdict_expect("stale-close-is-refused", panda_close(stale), -EBADHANDLE);
	verdict_expect("sysinfo-still-answers", uptime(sysinfo), 0);
	long h = panda_dup(root, RIGHTS_SAME);
	verdict_expect_ok("the-table-still-opens", h);
	panda_close(h);
	return verdict_finish();
}
