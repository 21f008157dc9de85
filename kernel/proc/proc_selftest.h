/* What the `proc` self-tests use to run a program as init would be run,
 * shared with other suites that check a user workload for leaks. */
#ifndef PROC_PROC_SELFTEST_H
#define PROC_PROC_SELFTEST_H

#include <stdbool.h>
#include <stdint.h>

struct kobj;
struct panda_limits;
struct process;

/* Spawns `cmd` (space-separated words, the first the path, at most 255
 * bytes) with init's four standard handles and all their rights; *out is
 * set, with a reference for the caller, only on success. */
int proc_selftest_spawn(const char *cmd, struct process **out);
/* The same, with the directory dir as the program's root and working
 * directory (all it can reach by path) and its tree within limits (NULL:
 * the default share). */
int proc_selftest_spawn_confined(const char *cmd, struct kobj *dir,
				 const struct panda_limits *limits, struct process **out);
/* Waits (at most 3 s) until `threads` threads and no process are left. */
bool proc_selftest_settle(uint32_t threads);
/* tmpfs_check over the root filesystem and /tmp, logging what is wrong. */
bool proc_selftest_filesystems_consistent(void);

#endif
