/* A pipe within one process: bytes come out in order and in the pieces
 * asked for, FIONREAD counts them, an empty non-blocking pipe says EAGAIN,
 * a full one takes no more, pipe2's flags land on both ends, and with the
 * write end closed a read is end of file. (pipes.c does the same across
 * fork.) */
#include "common.h"

#include <sys/ioctl.h>

int main(void)
{
	int p[2];
	char buf[8192];

	say("=== begin pipebytes");
	if (CHECK("pipe()", pipe(p)) < 0) {
		say("=== end pipebytes 1");
		return 1;
	}
	CHECK_VAL("write 11 bytes", write(p[1], "hello world", 11));
	int n = -1;
	CHECK("ioctl(FIONREAD)", ioctl(p[0], FIONREAD, &n));
	say("bytes waiting: %d", n);
	CHECK_VAL("read 5 of them", read(p[0], buf, 5));
	CHECK_VAL("read the rest, asking for more", read(p[0], buf + 5, sizeof(buf) - 5));
	say("they came in order: %s", memcmp(buf, "hello world", 11) ? "no" : "yes");
	CHECK_VAL("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
	CHECK_VAL("pread on a pipe", pread(p[0], buf, 1, 0));
	CHECK_VAL("write on the read end", write(p[0], "x", 1));
	CHECK_VAL("read on the write end", read(p[1], buf, 1));

	CHECK("fcntl(F_SETFL, O_NONBLOCK) on both ends",
	      fcntl(p[0], F_SETFL, O_NONBLOCK) | fcntl(p[1], F_SETFL, O_NONBLOCK));
	CHECK_VAL("read of an empty non-blocking pipe", read(p[0], buf, 1));
	long total = 0, w;
	memset(buf, 'x', sizeof(buf));
	while ((w = write(p[1], buf, sizeof(buf))) > 0)
		total += w;
	say("filling stopped with: %s", errno_name(errno));
	machine("capacity: %ld", total);
	say_bool("it holds at least 4096 bytes", total >= 4096);
	long drained = 0, r;
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		drained += r;
	say_bool("everything written comes back out", drained == total);
	CHECK("close the write end", close(p[1]));
	CHECK_VAL("read with no writer left (end of file)", read(p[0], buf, 1));
	CHECK("close the read end", close(p[0]));

	CHECK("pipe2(O_CLOEXEC | O_NONBLOCK)", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	say("read end: cloexec %s, nonblock %s", fcntl(p[0], F_GETFD) & FD_CLOEXEC ? "yes" : "no",
	    fcntl(p[0], F_GETFL) & O_NONBLOCK ? "yes" : "no");
	say("write end: cloexec %s, write-only %s", fcntl(p[1], F_GETFD) & FD_CLOEXEC ? "yes" : "no",
	    (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY ? "yes" : "no");
	CHECK_VAL("pipe2 with a bad flag", pipe2(p, 0x40000000));
	int *nowhere = (int *)(uintptr_t)8;	/* an address no program maps */
	__asm__("" : "+r"(nowhere));		/* hidden from the compiler's checks */
	CHECK_VAL("pipe into a bad address", pipe(nowhere));
	say("=== end pipebytes 0");
	return 0;
}
