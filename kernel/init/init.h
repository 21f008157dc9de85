/* The first process (init.c). */
#ifndef PROC_INIT_H
#define PROC_INIT_H

/* Starts init and waits for it; when it ends, so does the system. */
void init_run(void);

#endif
