/* lib/chacha20.c against the test vectors of RFC 8439 (2.3.2, 2.4.2,
 * A.1), and the stream's handling of lengths that are not whole blocks:
 * the kernel's random generator (kernel/dev/random.c) rests on it. */
#include "lib/chacha20.h"
#include "unit.h"

/* RFC 8439 2.3.2 and 2.4.2: the key 00 01 02 ... 1f. */
static void counting_key(uint8_t key[CHACHA20_KEY_SIZE])
{
	for (unsigned i = 0; i < CHACHA20_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
}

static void from_hex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static bool equal_hex(const uint8_t *got, const char *hex)
{
	size_t n = strlen(hex) / 2;
	uint8_t want[256];

	from_hex(hex, want, n);
	return memcmp(got, want, n) == 0;
}

/* RFC 8439 2.3.2: the serialized block. */
static const char block_2_3_2[] =
	"10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
	"d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";

TEST(test_block_function_rfc8439_2_3_2)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE], out[CHACHA20_BLOCK_SIZE];

	counting_key(key);
	from_hex("000000090000004a00000000", nonce, sizeof(nonce));
	chacha20_block(key, 1, nonce, out);
	CHECK(equal_hex(out, block_2_3_2));
}

/* RFC 8439 A.1, test vector #1: all-zero key, nonce and counter. */
TEST(test_block_function_zero_key_rfc8439_a_1)
{
	uint8_t key[CHACHA20_KEY_SIZE] = { 0 }, nonce[CHACHA20_NONCE_SIZE] = { 0 };
	uint8_t out[CHACHA20_BLOCK_SIZE];

	chacha20_block(key, 0, nonce, out);
	CHECK(equal_hex(out, "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
			     "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"));
}

/* RFC 8439 2.4.2: the sunscreen plaintext, 114 bytes, from counter 1. */
static const char sunscreen[] =
	"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
	"for the future, sunscreen would be it.";
static const char sunscreen_cipher[] =
	"6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
	"f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
	"07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
	"5af90bbf74a35be6b40b8eedf2785e42874d";

static void sunscreen_params(uint8_t key[CHACHA20_KEY_SIZE], uint8_t nonce[CHACHA20_NONCE_SIZE])
{
	counting_key(key);
	from_hex("000000000000004a00000000", nonce, CHACHA20_NONCE_SIZE);
}

TEST(test_encryption_rfc8439_2_4_2)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE], out[sizeof(sunscreen) - 1];

	CHECK_EQ(sizeof(out), 114);
	sunscreen_params(key, nonce);
	chacha20_xor(key, 1, nonce, out, sunscreen, sizeof(out));
	CHECK(equal_hex(out, sunscreen_cipher));
}

TEST(test_decryption_in_place_gives_the_plaintext_back)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE], buf[114];

	sunscreen_params(key, nonce);
	from_hex(sunscreen_cipher, buf, sizeof(buf));
	chacha20_xor(key, 1, nonce, buf, buf, sizeof(buf));
	CHECK(memcmp(buf, sunscreen, sizeof(buf)) == 0);
}

/* The stream is the blocks one after the other, whatever the length: every
 * prefix of the 2.4.2 ciphertext comes out of a call of that length. */
TEST(test_every_length_is_a_prefix_of_the_stream)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE], want[114], out[114 + 1];

	sunscreen_params(key, nonce);
	from_hex(sunscreen_cipher, want, sizeof(want));
	for (size_t n = 0; n <= sizeof(want); n++) {
		memset(out, 0xa5, sizeof(out));
		chacha20_xor(key, 1, nonce, out, sunscreen, n);
		if (memcmp(out, want, n) != 0)
			UNIT_FAIL("length %zu: not a prefix of the stream", n);
		if (out[n] != 0xa5)
			UNIT_FAIL("length %zu: wrote past the end", n);
	}
}

/* Block 1 of the 2.4.2 key and nonce is the keystream's first block:
 * chacha20_xor over zeros and chacha20_block agree, and the counter steps. */
TEST(test_stream_counts_blocks_from_the_counter_given)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE];
	uint8_t zeros[3 * CHACHA20_BLOCK_SIZE] = { 0 }, stream[sizeof(zeros)];
	uint8_t block[CHACHA20_BLOCK_SIZE];

	sunscreen_params(key, nonce);
	chacha20_xor(key, 7, nonce, stream, zeros, sizeof(zeros));
	for (uint32_t i = 0; i < 3; i++) {
		chacha20_block(key, 7 + i, nonce, block);
		CHECK(memcmp(stream + i * CHACHA20_BLOCK_SIZE, block, sizeof(block)) == 0);
	}
	chacha20_block(key, 8, nonce, block);
	CHECK(memcmp(stream, block, sizeof(block)) != 0);
}

TEST(test_one_key_bit_changes_about_half_the_block)
{
	uint8_t key[CHACHA20_KEY_SIZE] = { 0 }, nonce[CHACHA20_NONCE_SIZE] = { 0 };
	uint8_t a[CHACHA20_BLOCK_SIZE], b[CHACHA20_BLOCK_SIZE];
	unsigned differ = 0;

	chacha20_block(key, 0, nonce, a);
	key[31] ^= 0x80;
	chacha20_block(key, 0, nonce, b);
	for (unsigned i = 0; i < sizeof(a); i++)
		differ += (unsigned)__builtin_popcount(a[i] ^ b[i]);
	CHECK(differ > 192 && differ < 320);		/* 256 expected of 512 */
}

TEST(test_wipe_zeroes_every_byte_asked_and_no_more)
{
	uint8_t buf[40];

	memset(buf, 0xff, sizeof(buf));
	chacha20_wipe(buf + 1, 37);
	CHECK_EQ(buf[0], 0xff);
	for (unsigned i = 1; i < 38; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(buf[38], 0xff);
	chacha20_wipe(buf, 0);
	CHECK_EQ(buf[0], 0xff);
}
