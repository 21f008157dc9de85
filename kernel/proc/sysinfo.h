/* The sysinfo object: the process list, memory figures and uptime, and
 * process handles opened by pid (DESIGN "Contracts", system information;
 * protocol in docs/protocols.md). There is one, never destroyed; the kernel
 * grants it to init, which passes it on. */
#ifndef PROC_SYSINFO_H
#define PROC_SYSINFO_H

#include "core/kobj.h"

extern const struct kobj_type sysinfo_type;

/* The sysinfo object, with one more reference for the caller. */
struct kobj *sysinfo_object(void);

#endif
