/* Time: clock_gettime (MONOTONIC never goes back and moves across a sleep,
 * REALTIME agrees with time() and gettimeofday within 2 s and is past
 * 2020, the process and thread CPU clocks answer), clock_getres,
 * nanosleep and clock_nanosleep of 10 ms last at least 10 ms, and the
 * errors of bad clocks and bad times. Only booleans and errors are
 * printed: no time is the same twice. */
#include "common.h"

#include <sys/time.h>
#include <time.h>

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns_of(&t);
}

static void test_clocks(void)
{
	struct timespec a, b, res;
	bool back = false;

	CHECK("clock_gettime(CLOCK_MONOTONIC)", clock_gettime(CLOCK_MONOTONIC, &a));
	for (int i = 0; i < 10000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		back = back || ns_of(&b) < ns_of(&a);
		a = b;
	}
	say_bool("MONOTONIC never went back in 10000 reads", !back);
	say_bool("tv_nsec in range", b.tv_nsec >= 0 && b.tv_nsec < 1000000000);

	CHECK("clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, &a));
	say_bool("REALTIME is after 2020-01-01", a.tv_sec > 1577836800);
	time_t t = time(NULL);
	say_bool("time() agrees with REALTIME within 2 s", llabs((long long)(t - a.tv_sec)) <= 2);
	struct timeval tv;
	CHECK("gettimeofday(&tv, NULL)", gettimeofday(&tv, NULL));
	say_bool("gettimeofday agrees with time() within 2 s",
		 llabs((long long)(tv.tv_sec - t)) <= 2);
	say_bool("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	time_t t2;
	say_bool("time(&t) stores what it returns", time(&t2) == t2);

	CHECK("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)",
	      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
	CHECK("clock_gettime(CLOCK_THREAD_CPUTIME_ID)", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b));
	say_bool("CPU times are not negative", ns_of(&a) >= 0 && ns_of(&b) >= 0);
	CHECK("clock_getres(CLOCK_MONOTONIC)", clock_getres(CLOCK_MONOTONIC, &res));
	say_bool("MONOTONIC's resolution is at most 10 ms", ns_of(&res) > 0 && ns_of(&res) <= 10000000);
	CHECK("clock_gettime(bad clock 1000)", clock_gettime(1000, &a));
	CHECK("clock_getres(bad clock 1000)", clock_getres(1000, &res));
}

static void test_sleeps(void)
{
	struct timespec ten_ms = { 0, 10000000 }, rem;

	int64_t start = monotonic_ns();
	CHECK("nanosleep(10 ms)", nanosleep(&ten_ms, &rem));
	int64_t took = monotonic_ns() - start;
	say_bool("nanosleep(10 ms) lasted at least 10 ms", took >= 10000000);
	say_bool("nanosleep(10 ms) lasted less than 5 s", took < 5000000000);

	start = monotonic_ns();
	check_code("clock_nanosleep(MONOTONIC, 10 ms)",
		   clock_nanosleep(CLOCK_MONOTONIC, 0, &ten_ms, NULL));
	say_bool("clock_nanosleep(10 ms) lasted at least 10 ms", monotonic_ns() - start >= 10000000);

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 10000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	check_code("clock_nanosleep(MONOTONIC, TIMER_ABSTIME)",
		   clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
	say_bool("the absolute deadline has passed", monotonic_ns() >= ns_of(&until));
	struct timespec past = { 0, 0 };
	check_code("clock_nanosleep(TIMER_ABSTIME, a time passed)",
		   clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));

	struct timespec zero = { 0, 0 }, bad_ns = { 0, 1000000000 }, negative = { -1, 0 };
	CHECK("nanosleep(0)", nanosleep(&zero, NULL));
	CHECK("nanosleep(tv_nsec 1e9)", nanosleep(&bad_ns, NULL));
	CHECK("nanosleep(tv_sec -1)", nanosleep(&negative, NULL));
	check_code("clock_nanosleep(bad clock 1000)", clock_nanosleep(1000, 0, &ten_ms, NULL));
}

int main(int argc, char **argv)
{
	begin("time", argc, argv);
	if (!setup_failures) {
		test_clocks();
		test_sleeps();
	}
	return end();
}
