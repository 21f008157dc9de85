/* Memory: brk (the system call; musl's sbrk refuses to move the break),
 * malloc of small and large blocks and a large realloc (musl moves it with
 * mremap), anonymous private mmap across fork (shared: memshared.c), MAP_FIXED
 * replacing part of a mapping, a PROT_NONE guard page and an unmapped page
 * (a child touches each and is killed by SIGSEGV), munmap, mprotect,
 * mremap with MREMAP_MAYMOVE, madvise(MADV_DONTNEED) zeroing. No address
 * is printed. */
#include "common.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define PAGE 4096ul

static bool all_bytes(const unsigned char *p, size_t n, unsigned char value)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != value)
			return false;
	return true;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static bool filled(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			return false;
	return true;
}

static void *map_anon(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static void check_map(const char *name, void *p)
{
	if (p == MAP_FAILED)
		say("%s: -1 %s", name, errno_name(errno));
	else
		say("%s: ok", name);
}

/* Forks a child that does what `how` says at p; prints how it ended. A
 * fault there must kill it with SIGSEGV. */
enum touch { TOUCH_READ, TOUCH_WRITE };

static void touch_in_child(const char *name, volatile unsigned char *p, enum touch how)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_CORE, &none);	/* no core file on the host */
		if (how == TOUCH_READ)
			(void)*p;
		else
			*p = 1;
		_exit(0);
	}
	reap(name, pid);
}

/* The first test, before malloc has run: moving the break under a libc's
 * allocator would confuse it, so the break is put back where it was. */
static void test_brk(void)
{
	uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t want = start + 4 * PAGE;

	say_bool("brk(0) answers a break", start != 0 && start != (uintptr_t)-1);
	say_bool("sbrk(0) is brk(0)", (uintptr_t)sbrk(0) == start);
	uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
	say_bool("brk(+16 KiB) moves the break", got == want);
	if (got == want) {
		unsigned char *p = (unsigned char *)start;
		say_bool("the new heap is zero", all_bytes(p, 4 * PAGE, 0));
		fill(p, 4 * PAGE, 3);
		say_bool("the new heap holds what was written", filled(p, 4 * PAGE, 3));
	}
	got = (uintptr_t)syscall(SYS_brk, start);
	say_bool("brk(start) moves it back", got == start);
	got = (uintptr_t)syscall(SYS_brk, 1);
	say_bool("brk(1) below the start leaves the break", got == start);
}

static void test_malloc(void)
{
	unsigned char *small[100];
	bool ok = true;

	for (int i = 0; i < 100; i++) {
		small[i] = malloc((size_t)(i * 13 + 1));
		ok = ok && small[i];
		if (small[i])
			fill(small[i], (size_t)(i * 13 + 1), (unsigned)i);
	}
	for (int i = 0; i < 100; i++)
		ok = ok && small[i] && filled(small[i], (size_t)(i * 13 + 1), (unsigned)i);
	for (int i = 0; i < 100; i += 2)
		free(small[i]);
	for (int i = 1; i < 100; i += 2)
		ok = ok && filled(small[i], (size_t)(i * 13 + 1), (unsigned)i);
	for (int i = 1; i < 100; i += 2)
		free(small[i]);
	say_bool("100 small blocks keep their contents", ok);

	size_t big = 8u << 20;
	unsigned char *p = malloc(big);
	say_bool("malloc(8 MiB)", p != NULL);
	if (!p)
		return;
	fill(p, big, 5);
	say_bool("8 MiB hold what was written", filled(p, big, 5));
	unsigned char *q = realloc(p, 2 * big);
	say_bool("realloc to 16 MiB", q != NULL);
	if (q) {
		say_bool("realloc kept the contents", filled(q, big, 5));
		fill(q + big, big, 9);
		say_bool("the grown part is usable", filled(q + big, big, 9));
		p = q;
	}
	free(p);
	unsigned char *z = calloc(1, 3u << 20);
	say_bool("calloc(3 MiB) is zero", z && all_bytes(z, 3u << 20, 0));
	free(z);
}

static void test_private(void)
{
	unsigned char *priv = map_anon(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	check_map("mmap(anonymous private, 2 pages)", priv);
	if (priv == MAP_FAILED)
		return;
	say_bool("anonymous memory starts zero", all_bytes(priv, 2 * PAGE, 0));
	priv[0] = 'P';
	pid_t pid = fork();
	if (pid == 0) {
		say_bool("child sees the parent's private write", priv[0] == 'P');
		priv[0] = 'c';
		priv[PAGE] = 'c';
		_exit(0);
	}
	reap("child writing the mapping", pid);
	say_bool("parent does not see the child's private writes", priv[0] == 'P' && priv[PAGE] == 0);
	priv[1] = 'x';
	say_bool("parent's private copy is still writable", priv[1] == 'x');
	CHECK("munmap(private)", munmap(priv, 2 * PAGE));
}

static void test_fixed_guard_unmap(void)
{
	unsigned char *p = map_anon(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	check_map("mmap(3 pages)", p);
	if (p == MAP_FAILED)
		return;
	fill(p, 3 * PAGE, 1);
	unsigned char *mid = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check_map("mmap(MAP_FIXED over the middle page)", mid);
	say_bool("MAP_FIXED mapped at the address asked", mid == p + PAGE);
	say_bool("the replaced page is zero", all_bytes(p + PAGE, PAGE, 0));
	say_bool("the pages around it are kept", filled(p, PAGE, 1)
		 && filled(p + 2 * PAGE, PAGE, 1 + (unsigned)(2 * PAGE * 7)));

	CHECK("mprotect(middle, PROT_NONE)", mprotect(p + PAGE, PAGE, PROT_NONE));
	touch_in_child("child reading the PROT_NONE guard page", p + PAGE, TOUCH_READ);
	touch_in_child("child reading the page before the guard", p, TOUCH_READ);
	CHECK("mprotect(first, PROT_READ)", mprotect(p, PAGE, PROT_READ));
	touch_in_child("child writing a read-only page", p, TOUCH_WRITE);
	say_bool("the read-only page still reads", filled(p, PAGE, 1));
	CHECK("mprotect(first, PROT_READ|PROT_WRITE)", mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	p[0] = 42;
	say_bool("writable again after mprotect", p[0] == 42);
	/* (No unaligned mprotect: musl rounds the address down itself.) */

	CHECK("munmap(last page)", munmap(p + 2 * PAGE, PAGE));
	touch_in_child("child reading an unmapped page", p + 2 * PAGE, TOUCH_READ);
	CHECK("munmap(already unmapped page)", munmap(p + 2 * PAGE, PAGE));
	CHECK("munmap(unaligned)", munmap(p + 1, PAGE));
	CHECK("munmap(length 0)", munmap(p, 0));
	CHECK("munmap(rest)", munmap(p, 2 * PAGE));
	check_map("mmap(length 0)", map_anon(0, PROT_READ, MAP_PRIVATE));
	check_map("mmap(neither private nor shared)", map_anon(PAGE, PROT_READ, 0));
}

static void test_mremap_madvise(void)
{
	/* Two pages, the second made a mapping of its own by its protection,
	 * so the first cannot grow in place. */
	unsigned char *p = map_anon(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned char *block = p + PAGE;

	if (p == MAP_FAILED || mprotect(block, PAGE, PROT_READ) < 0) {
		fail_setup("mmap for mremap");
		return;
	}
	fill(p, PAGE, 4);
	CHECK("mremap(grow without MREMAP_MAYMOVE) when blocked", mremap(p, PAGE, 4 * PAGE, 0) == MAP_FAILED ? -1 : 0);
	unsigned char *q = mremap(p, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	check_map("mremap(1 page to 4, MREMAP_MAYMOVE)", q);
	if (q != MAP_FAILED) {
		say_bool("mremap kept the contents", filled(q, PAGE, 4));
		say_bool("mremap's new pages are zero", all_bytes(q + PAGE, 3 * PAGE, 0));
		q[4 * PAGE - 1] = 1;
		unsigned char *r = mremap(q, 4 * PAGE, 2 * PAGE, 0);
		check_map("mremap(shrink to 2 pages)", r);
		say_bool("shrinking stays in place", r == q);
		say_bool("shrinking kept the contents", filled(q, PAGE, 4));
		fill(q, 2 * PAGE, 6);
		CHECK("madvise(first page, MADV_DONTNEED)", madvise(q, PAGE, MADV_DONTNEED));
		say_bool("MADV_DONTNEED zeroed the private page", all_bytes(q, PAGE, 0));
		say_bool("the page after it is kept", filled(q + PAGE, PAGE, 6 + (unsigned)(PAGE * 7)));
		CHECK("madvise(unaligned)", madvise(q + 1, PAGE, MADV_DONTNEED));
		munmap(q, 2 * PAGE);
	}
	munmap(block, PAGE);
	CHECK("mremap(bad flags)", mremap(block, PAGE, PAGE, 0x1000) == MAP_FAILED ? -1 : 0);
}

int main(int argc, char **argv)
{
	begin("memory", argc, argv);
	if (!setup_failures) {
		test_brk();
		test_malloc();
		test_private();
		test_fixed_guard_unmap();
		test_mremap_madvise();
	}
	return end();
}
