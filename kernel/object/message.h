/* A message: one validated BSON document and the handles travelling with
 * it. While a message exists it owns those handles (still counted as
 * handles: in transit, not closed); freeing an undelivered message closes
 * them. */
#ifndef OBJECT_MESSAGE_H
#define OBJECT_MESSAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kobj.h"
#include "core/list.h"
#include "mm/redzone.h"

struct message {
	struct list_node link;		/* on a queue; guarded by its channel */
	uint32_t size;			/* bytes in data */
	uint32_t txid;			/* a call's request or reply; 0: plain */
	uint32_t handle_count;
	struct kobj **objs;		/* handle_count entries */
	uint32_t *rights;
	uint8_t *data;
	struct kobj *parked_for;	/* a parked reply: the object called (a ref) */
	uint8_t cache;			/* the size class it came from (message.c) */
	/* The tree it is charged to (a reference; NULL: the kernel's), for its
	 * bytes (QUOTA_KMEM) and charged_handles handles (QUOTA_HANDLES):
	 * whoever sent it until it is received, the caller once parked. */
	struct quota *quota;
	uint32_t footprint;		/* bytes of kernel memory it takes */
	uint32_t charged_handles;
};

/* The most document bytes a cached page-sized message holds. Objects that
 * size their own replies (readdir, the process list) stay within it, so a
 * reply comes from the cache instead of a fresh 16 KiB block, twice the
 * memory, on every call. Less the sanitized kernel's redzone, so that a
 * page message is one 8 KiB block there too. */
#define MESSAGE_PAGE_ROOM	(8192u - 128u - REDZONE_LARGE_EXTRA)

/* Room for size bytes and handle_count handles (none attached yet:
 * handle_count starts at 0), or NULL without memory. */
struct message *message_alloc(uint32_t size, uint32_t handle_room);
/* Registers the message caches' drain with memory pressure. */
void message_cache_init(void);
/* Charges m (its bytes and the handles it carries now) to q instead of
 * whoever it was charged to: 0, or -EDQUOT with m as it was. Nothing to
 * do when it is charged to q already. */
int message_charge(struct message *m, struct quota *q);
/* The handles leaving m for a table are charged there: message_out gives
 * up m's charge for them first, and takes it back if the move fails. */
uint32_t message_uncharge_handles(struct message *m);
void message_recharge_handles(struct message *m, uint32_t n);
/* The same move into a table of the node m is charged to: the charge
 * passes to the table as it stands (returns how many). */
uint32_t message_hand_over_handles(struct message *m);
/* Closes the handles it still carries, gives back its charges and frees
 * it. NULL is fine. */
void message_free(struct message *m);
DEFINE_FREE(message_free, struct message *, message_free(_T))

/* Attaches a new handle to obj with rights to a kernel object's reply:
 * one more handle and reference, which travel to the caller (or are
 * closed with the reply if it is never delivered). -E2BIG past
 * KOBJ_REPLY_HANDLES; -EDQUOT past the handle limit of the tree the
 * reply is charged to. */
int kobj_reply_attach(struct kobj_reply *reply, struct kobj *obj, uint32_t rights);

/* Live messages, for leak tests. */
uint64_t message_count(void);

#endif
