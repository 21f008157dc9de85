/* Pipes: pipe and pipe2 (O_CLOEXEC, O_NONBLOCK: EAGAIN when empty),
 * bytes written in one process read in another across fork, EOF once
 * every writer closed (including a child's inherited copy), 1 MiB sent in
 * odd-sized writes and checked with a checksum, writes to a pipe with no
 * reader: EPIPE with SIGPIPE ignored, death by SIGPIPE with it at its
 * default; lseek on a pipe. */
#include "common.h"

#define TRANSFER (1u << 20)

static void test_basics(void)
{
	int p[2];
	char buf[32];

	CHECK("pipe(fds)", pipe(p));
	say_bool("pipe's ends are the lowest fds", p[0] == 3 && p[1] == 4);
	CHECK_VAL("write(\"hello\") to the pipe", write(p[1], "hello", 5));
	ssize_t n = CHECK_VAL("read(32) gets what is there", read(p[0], buf, sizeof(buf)));
	say("read gave: %.*s", (int)(n > 0 ? n : 0), buf);
	CHECK("write to the read end", write(p[0], "x", 1));
	CHECK("read from the write end", read(p[1], buf, 1));
	CHECK("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
	close(p[1]);
	CHECK_VAL("read after the only writer closed (EOF)", read(p[0], buf, sizeof(buf)));
	close(p[0]);

	CHECK("pipe2(O_CLOEXEC)", pipe2(p, O_CLOEXEC));
	say_bool("both ends FD_CLOEXEC", fcntl(p[0], F_GETFD) == FD_CLOEXEC
		 && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	CHECK("pipe2(O_NONBLOCK)", pipe2(p, O_NONBLOCK));
	say_bool("O_NONBLOCK in F_GETFL of both ends", (fcntl(p[0], F_GETFL) & O_NONBLOCK)
		 && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
	CHECK("read of an empty O_NONBLOCK pipe", read(p[0], buf, 1));
	close(p[0]);
	close(p[1]);
	CHECK("pipe2(bad flags)", pipe2(p, O_APPEND));
}

static void test_across_fork(void)
{
	int to_child[2], to_parent[2];

	pipe(to_child);
	pipe(to_parent);
	pid_t pid = fork();
	if (pid == 0) {
		char buf[64];
		close(to_child[1]);
		close(to_parent[0]);
		size_t n = 0;
		ssize_t r;
		/* Read until EOF: the parent's only copy of the write end is
		 * what keeps it open. */
		while ((r = read(to_child[0], buf + n, sizeof(buf) - n)) > 0)
			n += (size_t)r;
		for (size_t i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 'a' + 'A');
		write(to_parent[1], buf, n);
		_exit(r == 0 ? 0 : 1);
	}
	close(to_child[0]);
	close(to_parent[1]);
	write(to_child[1], "ping ", 5);
	write(to_child[1], "pong", 4);
	close(to_child[1]);
	char buf[64];
	size_t n = 0;
	ssize_t r;
	while ((r = read(to_parent[0], buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	say("the child sent back: %.*s", (int)n, buf);
	say_bool("EOF after the child's copy of the write end closed", r == 0);
	close(to_parent[0]);
	reap("the echoing child", pid);
}

static void test_large_transfer(void)
{
	int p[2];

	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		static unsigned char chunk[7919];	/* odd size: crosses page and pipe buffers */
		uint32_t h = FNV1A_INIT;
		size_t sent = 0;
		close(p[0]);
		while (sent < TRANSFER) {
			size_t n = TRANSFER - sent < sizeof(chunk) ? TRANSFER - sent : sizeof(chunk);
			for (size_t i = 0; i < n; i++)
				chunk[i] = (unsigned char)((sent + i) * 31 + ((sent + i) >> 12));
			h = fnv1a(h, chunk, n);
			for (size_t done = 0; done < n;) {
				ssize_t w = write(p[1], chunk + done, n - done);
				if (w <= 0)
					_exit(2);
				done += (size_t)w;
			}
			sent += n;
		}
		/* The checksum last, so the reader can compare. */
		write(p[1], &h, sizeof(h));
		_exit(0);
	}
	close(p[1]);
	static unsigned char buf[TRANSFER + sizeof(uint32_t)];
	size_t got = 0;
	ssize_t r;
	size_t reads = 0;
	while ((r = read(p[0], buf + got, sizeof(buf) - got)) > 0) {
		got += (size_t)r;
		reads++;
	}
	close(p[0]);
	uint32_t want = 0, h = fnv1a(FNV1A_INIT, buf, got >= TRANSFER ? TRANSFER : got);
	if (got == sizeof(buf))
		memcpy(&want, buf + TRANSFER, sizeof(want));
	say("received %zu bytes of %zu", got, sizeof(buf));
	say_bool("the checksum of 1 MiB matches the writer's", got == sizeof(buf) && h == want);
	say_bool("the data needed more than one read", reads > 1);
	reap("the 1 MiB writer", pid);
}

static void test_no_reader(void)
{
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	CHECK("write with no reader, SIGPIPE ignored", write(p[1], "x", 1));
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);

	/* The child writes once the parent closed its read end too: it
	 * waits for EOF on a gate pipe that the parent closes after that. */
	int gate[2];
	pipe(p);
	pipe(gate);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[0]);
		close(gate[1]);
		read(gate[0], &c, 1);
		write(p[1], "x", 1);	/* no reader: killed here */
		_exit(0);
	}
	close(p[0]);
	close(p[1]);
	close(gate[0]);
	close(gate[1]);
	reap("child writing with no reader, SIGPIPE default", pid);
}

int main(int argc, char **argv)
{
	begin("pipes", argc, argv);
	if (!setup_failures) {
		test_basics();
		test_across_fork();
		test_large_transfer();
		test_no_reader();
	}
	return end();
}
