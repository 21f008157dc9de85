/* Waiting on many descriptors: poll, ppoll, select and pselect over
 * pipes (empty, holding bytes, full, without a writer, without a reader),
 * a regular file and /dev/null (always ready), a bad descriptor (POLLNVAL,
 * EBADF from select), a negative one (ignored); a timeout that runs out
 * (what is left is not compared: musl passes the kernel a copy); a wait that a child's write ends; and the
 * errors for bad pointers and arguments. */
#include "common.h"

#include <poll.h>
#include <sys/select.h>
#include <time.h>

static void say_revents(const char *name, short r)
{
	say("%s:%s%s%s%s%s%s", name, r ? "" : " none", r & POLLIN ? " POLLIN" : "",
	    r & POLLOUT ? " POLLOUT" : "", r & POLLERR ? " POLLERR" : "",
	    r & POLLHUP ? " POLLHUP" : "", r & POLLNVAL ? " POLLNVAL" : "");
}

/* poll on one descriptor at once, printing the count and revents. */
static void poll_one(const char *name, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	char line[128];

	snprintf(line, sizeof(line), "poll(%s) count", name);
	CHECK_VAL(line, poll(&p, 1, 0));
	snprintf(line, sizeof(line), "poll(%s) revents", name);
	say_revents(line, p.revents);
}

static void test_pipes(void)
{
	int p[2];

	CHECK("pipe(fds)", pipe(p));
	poll_one("empty pipe, read end", p[0], POLLIN);
	poll_one("empty pipe, write end", p[1], POLLIN | POLLOUT);
	CHECK_VAL("write 3 bytes", write(p[1], "abc", 3));
	poll_one("pipe with bytes, read end", p[0], POLLIN | POLLOUT);
	/* Both at once: the count is of descriptors, not events. */
	struct pollfd two[3] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { -1, POLLIN, 0 } };
	CHECK_VAL("poll(both ends and fd -1) count", poll(two, 3, 0));
	say_revents("  read end", two[0].revents);
	say_revents("  write end", two[1].revents);
	say_revents("  fd -1", two[2].revents);
	close(p[1]);
	poll_one("read end, bytes left, no writer", p[0], POLLIN);
	char buf[8];
	CHECK_VAL("read the 3 bytes", read(p[0], buf, sizeof(buf)));
	poll_one("read end, drained, no writer", p[0], POLLIN);
	close(p[0]);

	CHECK("pipe(fds)", pipe(p));
	close(p[0]);
	poll_one("write end, no reader", p[1], POLLOUT);
	close(p[1]);

	CHECK("pipe2(O_NONBLOCK)", pipe2(p, O_NONBLOCK));
	static char block[4096];
	long total = 0, n;
	while ((n = write(p[1], block, sizeof(block))) > 0)
		total += n;
	say("filled the pipe with %ld bytes, then: %s", total, errno_name(errno));
	poll_one("full pipe, write end", p[1], POLLOUT);
	close(p[0]);
	close(p[1]);
}

static void test_files(void)
{
	int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int null = open("/dev/null", O_RDWR);

	CHECK("open file", f);
	CHECK("open /dev/null", null);
	poll_one("regular file", f, POLLIN | POLLOUT);
	poll_one("/dev/null", null, POLLIN | POLLOUT);
	close(f);
	close(null);
	unlink("file");
	poll_one("a closed descriptor", closed_descriptor(), POLLIN);
}

static void test_timeouts(void)
{
	int p[2];

	CHECK("pipe(fds)", pipe(p));
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	CHECK_VAL("poll(empty pipe, 100 ms)", poll(&pf, 1, 100));

	struct timespec ts = { 0, 50 * 1000 * 1000 };
	CHECK_VAL("ppoll(empty pipe, 50 ms)", ppoll(&pf, 1, &ts, NULL));
	CHECK_VAL("poll(no descriptors, 20 ms)", poll(NULL, 0, 20));

	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = { 0, 30 * 1000 };
	CHECK_VAL("select(empty pipe, 30 ms)", select(p[0] + 1, &rd, NULL, NULL, &tv));
	say_bool("  the read set still has it", FD_ISSET(p[0], &rd));

	/* A child writes after 100 ms: the wait without a timeout ends. */
	pid_t child = fork();
	if (child == 0) {
		struct timespec d = { 0, 100 * 1000 * 1000 };
		nanosleep(&d, NULL);
		write(p[1], "x", 1);
		_exit(0);
	}
	CHECK_VAL("poll(pipe, no timeout) until the child writes", poll(&pf, 1, -1));
	say_revents("  revents", pf.revents);
	reap("the writing child", child);
	close(p[0]);
	close(p[1]);
}

static void test_select(void)
{
	int p[2];
	fd_set rd, wr;

	CHECK("pipe(fds)", pipe(p));
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	struct timeval zero = { 0, 0 };
	CHECK_VAL("select(read end, write end)", select(p[1] + 1, &rd, &wr, NULL, &zero));
	say("  read end readable: %s, write end writable: %s", FD_ISSET(p[0], &rd) ? "yes" : "no",
	    FD_ISSET(p[1], &wr) ? "yes" : "no");
	write(p[1], "y", 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timespec zts = { 0, 0 };
	CHECK_VAL("pselect(read end with a byte)", pselect(p[0] + 1, &rd, NULL, NULL, &zts, NULL));
	say_bool("  read end readable", FD_ISSET(p[0], &rd));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	int closed = closed_descriptor();
	FD_SET(closed, &rd);
	zero = (struct timeval){ 0, 0 };
	CHECK("select with a closed descriptor in the set", select(closed + 1, &rd, NULL, NULL, &zero));
	zero = (struct timeval){ 0, 0 };
	CHECK("select(nfds -1)", select(-1, NULL, NULL, NULL, &zero));
	close(p[0]);
	close(p[1]);
}

static void test_errors(void)
{
	uintptr_t volatile bad_address = 8;	/* hidden from the compiler's checks */
	CHECK("poll(bad pointer)", poll((struct pollfd *)bad_address, 1, 0));
	struct timespec bad = { 0, 1000000000 };
	struct pollfd pf = { .fd = 0, .events = 0 };
	CHECK("ppoll(tv_nsec 1e9)", ppoll(&pf, 1, &bad, NULL));
}

int main(int argc, char **argv)
{
	begin("poll", argc, argv);
	if (!setup_failures) {
		test_pipes();
		test_files();
		test_timeouts();
		test_select();
		test_errors();
	}
	return end();
}
