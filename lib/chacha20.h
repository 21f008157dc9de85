/* The ChaCha20 block function and stream cipher (RFC 8439 section 2), in
 * portable C: 32-bit words, no vector registers, so the same file runs in
 * the kernel (which is built without SSE), in user space and on the host.
 *
 * A key is 32 bytes, a nonce 12, a block of keystream 64; the block counter
 * is 32 bits, so one key and nonce give at most 256 GiB of keystream (the
 * caller keeps below that: the counter wraps silently). Keys and nonces are
 * byte strings, read as little-endian words as the RFC says, so results do
 * not depend on the host's byte order. */
#ifndef LIB_CHACHA20_H
#define LIB_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_SIZE	32
#define CHACHA20_NONCE_SIZE	12
#define CHACHA20_BLOCK_SIZE	64

/* The block at `counter` of the keystream of key and nonce (RFC 8439
 * 2.3). Leaves nothing of the key or the working state on the stack. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE],
		    uint8_t out[CHACHA20_BLOCK_SIZE]);

/* XORs len bytes of src with the keystream starting at block `counter`
 * into dst (RFC 8439 2.4): encryption and decryption are this one
 * function. dst may be src; otherwise they must not overlap. */
void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		  const uint8_t nonce[CHACHA20_NONCE_SIZE], void *dst, const void *src,
		  size_t len);

/* Zeroes n bytes where the compiler may not drop the stores as dead (a
 * key on the stack just before it goes out of scope). */
void chacha20_wipe(void *p, size_t n);

#endif
