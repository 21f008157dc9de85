/* The Linux x86-64 personality (DESIGN, "The POSIX subsystem";
 * docs/posix.md): static Linux executables run unmodified, each Linux
 * system call mapped onto Panda's own objects. What the rest of the
 * kernel sees of it is this header; its system calls reach it through
 * the table it registers with spawn (proc/personality.h). */
#ifndef POSIX_POSIX_H
#define POSIX_POSIX_H

/* Registers the personality with spawn, unless the command line says
 * posix=off (then executables without the native mark are refused). */
void posix_init(void);

#endif
