/* The `syscall` instruction behind every wrapper in syscall.h: number in
 * rax, arguments in rdi, rsi, rdx, r10, r8, r9, result in rax; the CPU
 * clobbers rcx and r11, and the kernel may read or write any memory we
 * passed, hence the "memory" clobber. */
#include "syscall.h"
#include "panda.h"

static inline long syscall6(long nr, long a0, long a1, long a2, long a3,
			    long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall3(long nr, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

#define syscall0(nr)		syscall3((nr), 0, 0, 0)
#define syscall1(nr, a)		syscall3((nr), (long)(a), 0, 0)
#define syscall2(nr, a, b)	syscall3((nr), (long)(a), (long)(b), 0)

long panda_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return syscall6(nr, a0, a1, a2, a3, a4, a5);
}

void panda_exit(int code)
{
	syscall1(SYS_EXIT, code);
	for (;;)
		__asm__ volatile("ud2");
}

long panda_yield(void) { return syscall0(SYS_YIELD); }
long panda_getpid(void) { return syscall0(SYS_GETPID); }
long panda_spawn(const struct panda_spawn *spawn) { return syscall1(SYS_SPAWN, spawn); }

long panda_process_wait(panda_handle_t h, uint64_t deadline,
			struct panda_exit_status *status)
{
	return syscall3(SYS_PROCESS_WAIT, (long)h, (long)deadline, (long)status);
}

long panda_process_kill(panda_handle_t h) { return syscall1(SYS_PROCESS_KILL, h); }

long panda_debug_write(const char *text, size_t len)
{
	return syscall2(SYS_DEBUG_WRITE, text, len);
}

long panda_sleep(uint64_t deadline) { return syscall1(SYS_SLEEP, deadline); }
uint64_t panda_clock(void) { return (uint64_t)syscall0(SYS_CLOCK); }

long panda_mem_map(void *addr, size_t len, unsigned prot)
{
	return syscall3(SYS_MEM_MAP, (long)addr, (long)len, (long)prot);
}

long panda_mem_unmap(void *addr, size_t len) { return syscall2(SYS_MEM_UNMAP, addr, len); }

long panda_mem_protect(void *addr, size_t len, unsigned prot)
{
	return syscall3(SYS_MEM_PROTECT, (long)addr, (long)len, (long)prot);
}

long panda_close(panda_handle_t h) { return syscall1(SYS_CLOSE, h); }

long panda_sleep_ns(uint64_t ns)
{
	uint64_t now = panda_clock();

	return panda_sleep(ns > UINT64_MAX - now ? PANDA_DEADLINE_NEVER : now + ns);
}

long panda_channel_create(panda_handle_t ends[2])
{
	return panda_syscall6(SYS_CHANNEL_CREATE, (long)ends, 0, 0, 0, 0, 0);
}

long panda_send(panda_handle_t h, const struct panda_msg *msg, unsigned flags)
{
	return panda_syscall6(SYS_SEND, h, (long)msg, flags, 0, 0, 0);
}

long panda_recv(panda_handle_t h, struct panda_msg *msg, unsigned flags, uint64_t deadline)
{
	return panda_syscall6(SYS_RECV, h, (long)msg, flags, (long)deadline, 0, 0);
}

long panda_call(panda_handle_t h, const struct panda_msg *req, struct panda_msg *reply,
		uint64_t deadline)
{
	return panda_syscall6(SYS_CALL, h, (long)req, (long)reply, (long)deadline, 0, 0);
}

long panda_wait(struct panda_wait_item *items, uint32_t count, uint64_t deadline)
{
	return panda_syscall6(SYS_WAIT, (long)items, count, (long)deadline, 0, 0, 0);
}

long panda_dup(panda_handle_t h, uint32_t rights)
{
	return panda_syscall6(SYS_DUP, h, rights, 0, 0, 0, 0);
}

long panda_send_doc(panda_handle_t h, const void *doc, size_t size)
{
	struct panda_msg msg = { .data = (void *)doc, .size = (uint32_t)size };

	return panda_send(h, &msg, 0);
}
