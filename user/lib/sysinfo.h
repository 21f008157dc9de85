/* The sysinfo and power objects from user space (docs/protocols.md,
 * "sysinfo" and "power"): requests to the process's sysinfo handle and to
 * the handle its startup message names "power". They return what the
 * object answered, or the call's own error; -EBADHANDLE without a call
 * when the process holds no such handle. Replies live in fs.c's shared
 * reply buffer (fs.h: not reentrant) until the next request. */
#ifndef USER_LIB_SYSINFO_H
#define USER_LIB_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

/* Sends {"op": op} to the sysinfo handle: 0 with *reply set ("memory",
 * "uptime"), or an error. */
long panda_sysinfo_call(const char *op, const uint8_t **reply);

/* Walks the process list a batch at a time with its cursor, calling fn
 * with each process's document ({"pid", "ppid", "name", "state", ...});
 * fn makes no requests of its own, as the batch is in the reply buffer.
 * 0 at the end, an error, or the first negative value fn returns. */
typedef int (*panda_process_fn)(void *ctx, const uint8_t *proc);
long panda_processes(panda_process_fn fn, void *ctx);

/* A process handle for pid ("open"), with the sysinfo handle's
 * RIGHT_KILL, or an error: -ENOENT when no process has that pid, which
 * is so for any pid past 32 bits too. */
long panda_process_open(uint64_t pid);

/* Opens pid and kills it: 0, open's error (-ENOENT), or -EACCES when the
 * handle came without RIGHT_KILL: sysinfo gives that right only over the
 * caller and what it started (docs/protocols.md, "Who may kill whom"). */
long panda_kill_pid(uint64_t pid);
/* A pid written in decimal digits (one too large for 32 bits becomes
 * UINT32_MAX + 1, which names no process); false when s is not a number. */
bool panda_parse_pid(const char *s, uint64_t *pid);

/* The limits record of pid's tree ("limits": "limit", "used", "own",
 * "refused" documents): 0 with *reply set, or an error. */
long panda_limits_record(uint64_t pid, const uint8_t **reply);
/* Has the kernel print where each thread of pid is in the kernel (its
 * log, not the reply): the number of threads, or an error. */
long panda_print_stacks(uint64_t pid);
/* One figure of a limits record: part "limit", "used", "own" or "refused",
 * kind "processes", "handles", ...; -1 when the record lacks it. */
int64_t panda_limits_field(const uint8_t *record, const char *part, const char *kind);

/* Asks the power object to act: op "poweroff" or "reboot". On success the
 * request never returns; a return of 0 means the machine kept running. */
long panda_power(const char *op);
/* The whole of /bin/poweroff and /bin/reboot after their options: asks
 * for op and reports why the machine is still running. Returns 1. */
int panda_power_command(const char *prog, const char *op);

#endif
