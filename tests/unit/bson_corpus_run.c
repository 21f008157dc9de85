/* The C side of tests/unit/test_bson_corpus.py: reads one hex-encoded
 * document per line on stdin and answers one line each:
 *
 *   invalid <TAB> OFFSET <TAB> MESSAGE
 *   valid <TAB> REBUILT-HEX <TAB> JSON        (REBUILT-HEX is "-" on failure)
 *
 * REBUILT-HEX is the document rebuilt through iterator and builder
 * (tests/unit/bson_rebuild.h); JSON is bson_to_json's output (it holds no
 * tab or newline: control characters are escaped). Built with ASan and
 * UBSan, and each document is copied to a buffer of its exact size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bson.h"
#include "tests/unit/bson_rebuild.h"

static void die(const char *why)
{
	fprintf(stderr, "bson-corpus-run: %s\n", why);
	exit(2);
}

static size_t unhex(const char *s, size_t n, uint8_t *out)
{
	if (n % 2)
		die("odd number of hex digits");
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hex digit");
		out[i] = (uint8_t)v;
	}
	return n / 2;
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02X", p[i]);
}

static void count_sink(void *ctx, const char *text, size_t n)
{
	(void)text;
	*(size_t *)ctx += n;
}

static void answer(const uint8_t *doc, size_t size)
{
	struct bson_error err = { 0 };
	size_t counted = 0, n, rebuilt_len;
	uint8_t *rebuilt;
	char *json;

	if (bson_validate(doc, size, BSON_MAX_DEPTH, &err) != 0) {
		printf("invalid\t%zu\t%s\n", err.offset, err.message ? err.message : "(none)");
		return;
	}
	rebuilt = malloc(size);
	rebuilt_len = bson_rebuild(doc, rebuilt, size);
	printf("valid\t");
	if (rebuilt_len)
		print_hex(rebuilt, rebuilt_len);
	else
		printf("-");
	free(rebuilt);

	/* The sink and the buffer forms must agree on length and bytes. */
	n = bson_to_json(doc, count_sink, &counted);
	json = malloc(n + 1);
	if (counted != n || bson_to_json_buf(doc, json, n + 1) != n || strlen(json) != n)
		die("bson_to_json and bson_to_json_buf disagree");
	printf("\t%s\n", json);
	free(json);
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		uint8_t *doc;
		size_t size;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		doc = malloc(len / 2 + 1);
		size = unhex(line, (size_t)len, doc);
		answer(doc, size);
		free(doc);
		fflush(stdout);
	}
	free(line);
	return 0;
}
