/* How objects implemented in the kernel (console, directory, file,
 * sysinfo, power, ...) take a send or a call: their type's send and call
 * ops are these two, and its `answer` op says what the object does
 * (core/kobj.h). */
#ifndef OBJECT_ANSWER_H
#define OBJECT_ANSWER_H

#include "core/kobj.h"

/* A request whose reply nobody reads: the answer's status (0 or a
 * negative error), no document built for it. Consumes req. */
int kobj_answer_send(struct kobj *obj, struct message *req, struct kobj_send *s);
/* A request and its reply: the answer, or {"error": NAME, "code": -N},
 * charged to s->quota, with req's txid (stamped by s->prepare, which runs
 * before the object acts). Consumes req. */
int kobj_answer_call(struct kobj *obj, struct message *req, struct kobj_send *s,
		     struct message **reply);

#endif
