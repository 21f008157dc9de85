/* Intrusive circular doubly-linked lists: a node lives inside the object
 * it links, so adding and removing never allocates. */
#ifndef CORE_LIST_H
#define CORE_LIST_H

#include <stdbool.h>

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *head)
{
	head->next = head->prev = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* A node that is on no list points at itself (after list_init or del). */
static inline bool list_linked(const struct list_node *node)
{
	return node->next != node;
}

static inline void list_insert_before(struct list_node *pos, struct list_node *node)
{
	node->prev = pos->prev;
	node->next = pos;
	pos->prev->next = node;
	pos->prev = node;
}

static inline void list_add_tail(struct list_node *head, struct list_node *node)
{
	list_insert_before(head, node);
}

static inline void list_del(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/* Moves every node of `from` to the end of `to`, leaving `from` empty. */
static inline void list_splice_tail(struct list_node *from, struct list_node *to)
{
	if (list_empty(from))
		return;
	struct list_node *first = from->next, *last = from->prev;

	first->prev = to->prev;
	to->prev->next = first;
	last->next = to;
	to->prev = last;
	list_init(from);
}

#define list_entry(node, type, member) \
	((type *)((char *)(node) - __builtin_offsetof(type, member)))

#define list_for_each(pos, head) \
	for (struct list_node *pos = (head)->next; pos != (head); pos = pos->next)

#endif
