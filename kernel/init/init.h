/* The first process (init.c). */
#ifndef INIT_INIT_H
#define INIT_INIT_H

/* Starts init and waits for it; when it ends, so does the system. */
void init_run(void);

#endif
