/* The generator's parts that its self-test (random_selftest.c) checks
 * against the live state. Nobody outside kernel/dev/random*.c includes this. */
#ifndef DEV_RANDOM_PRIVATE_H
#define DEV_RANDOM_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/chacha20.h"

/* One request's step, fast key erasure (D. J. Bernstein, "Fast-key-erasure
 * random-number generators", 2017): the block at counter 0 of `key` gives
 * the next key (its first 32 bytes, written over key, so the key used is
 * gone) and `rest` (its last 32): the output itself for a request of up to
 * 32 bytes, else the key that random_expand stretches into the output. */
void random_ratchet(uint8_t key[CHACHA20_KEY_SIZE], uint8_t rest[CHACHA20_KEY_SIZE]);
/* len bytes of the keystream of key (no lock: the key is the request's). */
void random_expand(const uint8_t key[CHACHA20_KEY_SIZE], void *buf, size_t len);
/* The largest piece one ratchet step pays for; longer requests take a
 * step per piece. */
#define RANDOM_CHUNK 4096

/* A copy of the generator's key as it is now (under its lock). */
void random_peek_key(uint8_t key[CHACHA20_KEY_SIZE]);

#endif
