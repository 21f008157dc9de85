/* ChaCha20 (RFC 8439 2.1-2.4): see chacha20.h. */
#include "lib/chacha20.h"

/* "expand 32-byte k" as four little-endian words (RFC 8439 2.3). */
#define SIGMA0 0x61707865u
#define SIGMA1 0x3320646eu
#define SIGMA2 0x79622d32u
#define SIGMA3 0x6b206574u

static uint32_t rotl32(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The quarter round on words a, b, c, d of the state (RFC 8439 2.1, 2.2). */
static void quarter_round(uint32_t *x, unsigned a, unsigned b, unsigned c, unsigned d)
{
	x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl32(x[d], 16);
	x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl32(x[b], 12);
	x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl32(x[d], 8);
	x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl32(x[b], 7);
}

void chacha20_wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t in[16], x[16];

	/* Constants, key, counter, nonce: the 4x4 state of RFC 8439 2.3. */
	in[0] = SIGMA0, in[1] = SIGMA1, in[2] = SIGMA2, in[3] = SIGMA3;
	for (unsigned i = 0; i < 8; i++)
		in[4 + i] = load32(key + 4 * i);
	in[12] = counter;
	for (unsigned i = 0; i < 3; i++)
		in[13 + i] = load32(nonce + 4 * i);

	for (unsigned i = 0; i < 16; i++)
		x[i] = in[i];
	for (unsigned i = 0; i < 10; i++) {	/* 20 rounds: a column and a diagonal each */
		quarter_round(x, 0, 4, 8, 12);
		quarter_round(x, 1, 5, 9, 13);
		quarter_round(x, 2, 6, 10, 14);
		quarter_round(x, 3, 7, 11, 15);
		quarter_round(x, 0, 5, 10, 15);
		quarter_round(x, 1, 6, 11, 12);
		quarter_round(x, 2, 7, 8, 13);
		quarter_round(x, 3, 4, 9, 14);
	}
	/* Adding the input back is what makes the block one-way: without it
	 * the rounds could be run backwards to the key. */
	for (unsigned i = 0; i < 16; i++)
		store32(out + 4 * i, x[i] + in[i]);
	/* in holds the key, and x with out gives in back. */
	chacha20_wipe(in, sizeof(in));
	chacha20_wipe(x, sizeof(x));
}

void chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		  const uint8_t nonce[CHACHA20_NONCE_SIZE], void *dst, const void *src,
		  size_t len)
{
	uint8_t stream[CHACHA20_BLOCK_SIZE];
	const uint8_t *s = src;
	uint8_t *d = dst;

	while (len) {
		size_t n = len < sizeof(stream) ? len : sizeof(stream);

		chacha20_block(key, counter++, nonce, stream);
		for (size_t i = 0; i < n; i++)
			d[i] = s[i] ^ stream[i];
		d += n, s += n, len -= n;
	}
	chacha20_wipe(stream, sizeof(stream));
}
