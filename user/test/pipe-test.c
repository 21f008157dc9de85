/* The structured pipelines without the shell, run as init: real programs
 * from /bin started with panda_launch() and connected by channels, as the
 * shell connects `a | b | c`. This process writes the input records into
 * the first channel and reads the last one itself. Checked: where with
 * every operator on numbers (int32, int64 and double alike) and strings;
 * sort and sort -r, stable for equal keys; select with dotted paths and
 * missing fields; count; head, which ends without reading the rest while
 * the writer upstream, finding its reader gone, exits with 0 instead of
 * hanging; json; render's table (alignment, windows of 64 records, the
 * header again only for new columns, text records between) and render -j,
 * both written to a file in /tmp given as render's "text" handle and read
 * back (and once on the console, which the system test reads);
 * pipelines of three and four stages; 400 random records of every BSON
 * type, nested, through every filter and render; -h and bad usage of every program;
 * and that every stage exits with the status it should. Each check prints
 * `pipe-test: ok NAME` or `pipe-test: FAIL NAME: detail`; the last line
 * counts them, and the exit status is 0 only when none failed.
 *
 * `pipe-test gen [N]` is the generator the pipelines start with: it sends
 * N records {"n": i, "k": i * 7 % 5, "name": "r<i>"} (without N, until its
 * reader goes away). */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define STAGES_MAX	5
#define WORDS_MAX	8		/* per stage, the program's name included */
#define MS		1000000ull	/* ns */
#define PIPELINE_TIMEOUT (30000 * MS)	/* for one pipeline to finish (generous: a loaded host) */
#define RENDER_FILE	"/tmp/pipe-test-render"

/* Exit statuses run() reports besides a program's own code. */
#define STATUS_ABNORMAL	-100		/* killed or faulted */
#define STATUS_STUCK	-101		/* still running at the deadline: killed */

static panda_handle_t root;

static uint64_t after(uint64_t ns)
{
	return panda_clock() + ns;
}

/* --- the generator ------------------------------------------------------ */

static void gen_record(uint8_t *buf, size_t size, int64_t i)
{
	struct bson_builder b;
	char name[24];

	snprintf(name, sizeof(name), "r%lld", (long long)i);
	bson_build_init(&b, buf, size);
	bson_append_int64(&b, "n", i);
	bson_append_int32(&b, "k", (int32_t)(i * 7 % 5));
	bson_append_cstr(&b, "name", name);
	bson_build_finish(&b);
}

/* `pipe-test gen [N]`: out_record() ends this process once the reader is
 * gone, so without N this ends only that way. */
static int generate(long count)
{
	uint8_t doc[64];

	for (int64_t i = 0; count < 0 || i < count; i++) {
		gen_record(doc, sizeof(doc), i);
		int rc = out_record(doc);
		if (rc < 0)
			return complain("pipe-test", "gen", rc);
	}
	return 0;
}

/* --- input records ------------------------------------------------------- */

#define PEOPLE	6

static uint8_t people_buf[PEOPLE][256];
static const uint8_t *people[PEOPLE];

/* ann and bob have an owner document; ed has no city. Ages are int32,
 * int64 and double, which compare by value alike. */
static void make_people(void)
{
	static const struct {
		const char *name, *city;
		int kind;		/* of age: 0 int32, 1 int64, 2 double */
		int age, uid;		/* uid < 0: no owner */
	} p[PEOPLE] = {
		{ "ann", "oslo", 0, 31, 0 },
		{ "bob", "rome", 1, 25, 1000 },
		{ "cy", "lima", 2, 31, -1 },
		{ "dee", "oslo", 0, 19, -1 },
		{ "ed", NULL, 0, 40, -1 },
		{ "fay", "bern", 1, 25, -1 },
	};

	for (int i = 0; i < PEOPLE; i++) {
		struct bson_builder b;

		bson_build_init(&b, people_buf[i], sizeof(people_buf[i]));
		bson_append_cstr(&b, "name", p[i].name);
		if (p[i].kind == 0)
			bson_append_int32(&b, "age", p[i].age);
		else if (p[i].kind == 1)
			bson_append_int64(&b, "age", p[i].age);
		else
			bson_append_double(&b, "age", p[i].age);
		if (p[i].city)
			bson_append_cstr(&b, "city", p[i].city);
		if (p[i].uid >= 0) {
			bson_begin_document(&b, "owner");
			bson_append_int32(&b, "uid", p[i].uid);
			bson_end_document(&b);
		}
		people[i] = bson_build_finish(&b) ? people_buf[i] : NULL;
	}
}

/* Records built one by one into a pool, for the smaller inputs. */
static uint8_t pool[32768];
static size_t pool_used;

static const uint8_t *text_record(const char *text)
{
	struct bson_builder b;
	uint8_t *doc = pool + pool_used;

	bson_build_init(&b, doc, sizeof(pool) - pool_used);
	bson_append_cstr(&b, "text", text);
	pool_used += bson_build_finish(&b);
	return doc;
}

/* {"text": <binary>}: text that is not UTF-8, as cat sends it. */
static const uint8_t *binary_text_record(const char *text)
{
	struct bson_builder b;
	uint8_t *doc = pool + pool_used;

	bson_build_init(&b, doc, sizeof(pool) - pool_used);
	bson_append_binary(&b, "text", 0, text, strlen(text));
	pool_used += bson_build_finish(&b);
	return doc;
}

/* {"a": a, "b": false or true} for kind 0 or 1, else {"a": a, "when":
 * 2024-02-29 12:34:56} (a datetime). */
static const uint8_t *ab_record(int64_t a, int kind)
{
	struct bson_builder b;
	uint8_t *doc = pool + pool_used;

	bson_build_init(&b, doc, sizeof(pool) - pool_used);
	bson_append_int64(&b, "a", a);
	if (kind == 0 || kind == 1)
		bson_append_bool(&b, "b", kind);
	else
		bson_append_datetime(&b, "when", 1709210096000);
	pool_used += bson_build_finish(&b);
	return doc;
}

/* {"render": text, "n": n}, for the table shown on the console. */
static const uint8_t *console_record(const char *text, int32_t n)
{
	struct bson_builder b;
	uint8_t *doc = pool + pool_used;

	bson_build_init(&b, doc, sizeof(pool) - pool_used);
	bson_append_cstr(&b, "render", text);
	bson_append_int32(&b, "n", n);
	pool_used += bson_build_finish(&b);
	return doc;
}

/* --- running a pipeline --------------------------------------------------- */

/* What a pipeline sent back, and how its stages ended. */
struct result {
	char lines[16384];	/* each record's text, or else its JSON, a line each */
	size_t len;
	char names[1024];	/* the records' "name" fields, comma-separated */
	size_t names_len;
	unsigned records, texts;
	unsigned stages;
	int status[STAGES_MAX];	/* exit codes, or STATUS_* */
	long error;		/* the first failure to run it, or 0 */
};

static struct result result;
static uint8_t received[PANDA_MSG_MAX];

static void append(char *buf, size_t cap, size_t *len, const char *text, size_t n)
{
	if (*len + n >= cap)
		n = cap - 1 - *len;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
}

static void keep(struct result *r, const uint8_t *doc)
{
	struct bson_iter it;
	const char *s;
	uint32_t len;

	r->records++;
	if ((s = record_text(doc, &len))) {
		r->texts++;
		append(r->lines, sizeof(r->lines), &r->len, s, len);
	} else {
		size_t room = sizeof(r->lines) - r->len;
		size_t n = bson_to_json_buf(doc, r->lines + r->len, room);
		r->len += n < room ? n : room - 1;
	}
	append(r->lines, sizeof(r->lines), &r->len, "\n", 1);
	if (bson_find(doc, "name", &it) && (s = bson_iter_utf8(&it, &len))) {
		if (r->names_len)
			append(r->names, sizeof(r->names), &r->names_len, ",", 1);
		append(r->names, sizeof(r->names), &r->names_len, s, len);
	}
}

/* Splits "a x | b y" in place into stages of words (one space between
 * words); the number of stages, or 0 for too many. */
static unsigned parse_pipeline(char *text, const char *argv[STAGES_MAX][WORDS_MAX + 1],
			       int argc[STAGES_MAX])
{
	unsigned n = 0;
	char *w = text;

	argc[0] = 0;
	while (*w) {
		char *end = strchr(w, ' ');
		if (end)
			*end = '\0';
		if (strcmp(w, "|") == 0) {
			argv[n][argc[n]] = NULL;
			if (++n == STAGES_MAX)
				return 0;
			argc[n] = 0;
		} else if (*w && argc[n] < WORDS_MAX) {
			argv[n][argc[n]++] = w;
		}
		w = end ? end + 1 : w + strlen(w);
	}
	argv[n][argc[n]] = NULL;
	return n + 1;
}

/* Sends input into `to` and keeps what arrives on `from`, at once, so that
 * neither waits on the other however many records there are; `to` is
 * closed when all is sent or its reader has gone (head needs no more). */
static void exchange(panda_handle_t to, panda_handle_t from, const uint8_t *const *input,
		     unsigned count, struct result *r)
{
	uint64_t deadline = after(PIPELINE_TIMEOUT);
	unsigned sent = 0;
	long rc;

	for (;;) {
		if (to && sent == count) {
			panda_close(to);
			to = PANDA_HANDLE_NONE;
		}
		if (to) {
			struct panda_msg out = { .data = (void *)input[sent],
						 .size = bson_doc_length(input[sent]) };
			rc = panda_send(to, &out, PANDA_NONBLOCK);
			if (rc == 0) {
				sent++;
				continue;
			}
			if (rc != -EAGAIN) {		/* -EPIPE: the first stage ended */
				panda_close(to);
				to = PANDA_HANDLE_NONE;
				continue;
			}
		}
		struct panda_msg in = { .data = received, .size = sizeof(received) };
		rc = panda_recv(from, &in, PANDA_NONBLOCK, PANDA_DEADLINE_POLL);
		if (rc >= 0) {
			keep(r, received);
			continue;
		}
		if (rc == -EPIPE)
			break;			/* the last stage closed its end */
		if (rc != -EAGAIN) {
			r->error = rc;
			break;
		}
		struct panda_wait_item items[2] = {
			{ .handle = from, .want = SIGNAL_READABLE | SIGNAL_PEER_CLOSED },
			{ .handle = to, .want = SIGNAL_WRITABLE | SIGNAL_PEER_CLOSED },
		};
		rc = panda_wait(items, to ? 2 : 1, deadline);
		if (rc < 0) {
			r->error = rc;		/* -ETIMEDOUT: a stage is stuck */
			break;
		}
	}
	if (to)
		panda_close(to);
}

/* How a stage ended: its exit code, or STATUS_*; one still running at
 * the deadline is killed. */
static int stage_status(panda_handle_t proc, uint64_t deadline)
{
	struct panda_exit_status st;

	if (panda_process_wait(proc, deadline, &st) < 0) {
		panda_process_kill(proc);
		panda_process_wait(proc, PANDA_DEADLINE_NEVER, NULL);
		return STATUS_STUCK;
	}
	return st.how == EXIT_NORMAL ? st.code : STATUS_ABNORMAL;
}

/* Runs pipeline: programs in /bin (a name with a '/' is a path, as in the
 * shell), words apart by a space, stages by " | ", each stage's "out" the
 * next one's "in" (the startup message names them), input sent into the
 * first stage and the last one's output kept. The last stage also gets
 * text, unless it is none, as its "text" handle. */
static struct result *run(const char *pipeline, const uint8_t *const *input, unsigned count,
			  panda_handle_t text)
{
	static char words[256];
	const char *argv[STAGES_MAX][WORDS_MAX + 1];
	int argc[STAGES_MAX];
	panda_handle_t ch[STAGES_MAX + 1][2] = { 0 };
	panda_handle_t proc[STAGES_MAX] = { 0 };
	struct result *r = &result;
	unsigned n;
	long rc = 0;

	memset(r, 0, sizeof(*r));
	strlcpy(words, pipeline, sizeof(words));
	n = parse_pipeline(words, argv, argc);
	if (!n) {
		r->error = -E2BIG;
		return r;
	}
	r->stages = n;
	for (unsigned i = 0; i <= n && rc >= 0; i++)
		rc = panda_channel_create(ch[i]);
	for (unsigned i = 0; i < n && rc >= 0; i++) {
		char path[64];
		struct panda_named_handle extra[] = {
			{ "in", ch[i][1] }, { "out", ch[i + 1][0] }, { "text", text },
		};
		struct panda_launch l = {
			.dir = root, .path = path, .argc = argc[i], .argv = argv[i],
			.extra = extra, .extra_count = i == n - 1 && text ? 3 : 2,
		};
		snprintf(path, sizeof(path), strchr(argv[i][0], '/') ? "%s" : "/bin/%s", argv[i][0]);
		rc = panda_launch(&l);
		if (rc >= 0)
			proc[i] = (panda_handle_t)rc;
	}
	/* The stages hold their own ends now; ours would keep streams open. */
	for (unsigned i = 0; i < n; i++) {
		if (ch[i][1])
			panda_close(ch[i][1]);
		if (ch[i + 1][0])
			panda_close(ch[i + 1][0]);
	}
	if (rc >= 0)
		exchange(ch[0][0], ch[n][1], input, count, r);
	else if (ch[0][0])
		panda_close(ch[0][0]);
	if (ch[n][1])
		panda_close(ch[n][1]);
	if (rc < 0)
		r->error = rc;
	uint64_t deadline = after(PIPELINE_TIMEOUT);
	for (unsigned i = 0; i < n; i++) {
		r->status[i] = proc[i] ? stage_status(proc[i], deadline) : STATUS_STUCK;
		if (proc[i])
			panda_close(proc[i]);
	}
	return r;
}

/* --- checks ---------------------------------------------------------------- */

/* "error ok, status 0,0": how a run went, for a failure's detail. */
static const char *how(const struct result *r)
{
	static char text[96];
	size_t len = (size_t)snprintf(text, sizeof(text), "error %s, status ",
				      verdict_err_text(r->error));

	for (unsigned i = 0; i < r->stages && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, i ? ",%d" : "%d",
					r->status[i]);
	return text;
}

/* Nothing failed and every stage exited with want. */
static bool ended(const struct result *r, int want)
{
	if (r->error || !r->stages)
		return false;
	for (unsigned i = 0; i < r->stages; i++)
		if (r->status[i] != want)
			return false;
	return true;
}

static bool clean(const struct result *r)
{
	return ended(r, 0);
}

/* The "name" fields of what pipeline sends back for the people. */
static void expect_names(const char *name, const char *pipeline, const char *want)
{
	struct result *r = run(pipeline, people, PEOPLE, PANDA_HANDLE_NONE);

	verdict(name, clean(r) && strcmp(r->names, want) == 0, "%s: got \"%s\", want \"%s\" (%s)",
		pipeline, r->names, want, how(r));
}

/* Shows both texts whole: a verdict's detail has room for little. */
static bool same_text(const char *name, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	printf("pipe-test: %s: got:\n%s\npipe-test: %s: want:\n%s\n", name, got, name, want);
	return false;
}

/* The lines (text, or JSON) pipeline sends back for input. */
static void expect_lines(const char *name, const char *pipeline, const uint8_t *const *input,
			 unsigned count, const char *want)
{
	struct result *r = run(pipeline, input, count, PANDA_HANDLE_NONE);

	verdict(name, clean(r) && same_text(name, r->lines, want), "%s: %u records (%s)",
		pipeline, r->records, how(r));
}

static char file_text[16384];

/* The whole of RENDER_FILE into file_text: its length, or an error. */
static long read_render_file(void)
{
	long f = panda_open(root, RENDER_FILE, OPEN_READ);
	size_t len = 0;
	long n = 0;

	if (f < 0)
		return f;
	while (len < sizeof(file_text) - 1 &&
	       (n = panda_read((panda_handle_t)f, file_text + len,
				sizeof(file_text) - 1 - len)) > 0)
		len += (size_t)n;
	file_text[len] = '\0';
	panda_close((panda_handle_t)f);
	return n < 0 ? n : (long)len;
}

/* What pipeline (ending in render) writes to the file it gets as "text". */
static void expect_rendered(const char *name, const char *pipeline, const uint8_t *const *input,
			    unsigned count, const char *want)
{
	long f = panda_open(root, RENDER_FILE, OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);

	if (f < 0) {
		verdict_expect(name, f, 0);
		return;
	}
	struct result *r = run(pipeline, input, count, (panda_handle_t)f);
	panda_close((panda_handle_t)f);
	long len = read_render_file();
	verdict(name, clean(r) && r->records == 0 && len >= 0 && same_text(name, file_text, want),
		"%s: read %ld (%s)", pipeline, len, how(r));
}

/* --- the checks ------------------------------------------------------------ */

static void check_where(void)
{
	expect_names("where-eq-int", "where age = 31", "ann,cy");
	expect_names("where-eqeq-int", "where age == 31", "ann,cy");
	expect_names("where-ne-int", "where age != 31", "bob,dee,ed,fay");
	expect_names("where-lt-int", "where age < 25", "dee");
	expect_names("where-le-int", "where age <= 25", "bob,dee,fay");
	expect_names("where-gt-int", "where age > 31", "ed");
	expect_names("where-ge-int", "where age >= 31", "ann,cy,ed");
	expect_names("where-eq-double-operand", "where age = 2.5e1", "bob,fay");
	expect_names("where-eq-string", "where city = oslo", "ann,dee");
	expect_names("where-ne-string-and-missing", "where city != oslo", "bob,cy,ed,fay");
	expect_names("where-lt-string", "where city < oslo", "cy,fay");
	expect_names("where-le-string", "where city <= oslo", "ann,cy,dee,fay");
	expect_names("where-gt-string", "where city > lima", "ann,bob,dee");
	expect_names("where-ge-string", "where city >= rome", "bob");
	expect_names("where-contains", "where name ~ e", "dee,ed");
	expect_names("where-string-field-number-operand", "where city > 5", "");
	expect_names("where-dotted-path", "where owner.uid = 1000", "bob");
}

/* The "name"s of `pipe-test gen count`'s records with k in keys, in that
 * order of keys and in order of n within each: a stable sort's result. */
static void gen_names(char *out, size_t size, int count, const int *keys, unsigned nkeys)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned j = 0; j < nkeys; j++)
		for (int i = 0; i < count; i++)
			if (i * 7 % 5 == keys[j])
				len += (size_t)snprintf(out + len, size - len, "%sr%d",
							len ? "," : "", i);
}

/* Cuts a comma-separated list after its first n items. */
static void keep_first(char *list, unsigned n)
{
	for (char *p = list; *p; p++)
		if (*p == ',' && --n == 0)
			*p = '\0';
}

static void check_sort(void)
{
	static const int up[] = { 0, 1, 2, 3, 4 }, down[] = { 4, 3, 2, 1, 0 };
	static const int down_not_1[] = { 4, 3, 2, 0 };
	static char want[1024];

	/* bob and fay are both 25, ann (int32) and cy (double) both 31. */
	expect_names("sort-int-stable", "sort age", "dee,bob,fay,ann,cy,ed");
	expect_names("sort-reverse-stable", "sort -r age", "ed,ann,cy,bob,fay,dee");
	expect_names("sort-string-missing-last", "sort city", "fay,cy,ann,dee,bob,ed");
	expect_names("sort-reverse-string", "sort -r city", "ed,bob,ann,dee,cy,fay");
	expect_names("sort-dotted-path", "sort owner.uid", "ann,bob,cy,dee,ed,fay");
	/* 40 records over 5 keys: 8 equal ones each, in the order they came. */
	gen_names(want, sizeof(want), 40, up, 5);
	struct result *r = run("/test/pipe-test gen 40 | sort k", NULL, 0, PANDA_HANDLE_NONE);
	verdict("sort-many-equal-stable", clean(r) && strcmp(r->names, want) == 0,
		"got %s (%s)", r->names, how(r));
	gen_names(want, sizeof(want), 40, down, 5);
	r = run("/test/pipe-test gen 40 | sort -r k", NULL, 0, PANDA_HANDLE_NONE);
	verdict("sort-reverse-many-equal-stable", clean(r) && strcmp(r->names, want) == 0,
		"got %s (%s)", r->names, how(r));
	/* Three stages and this process: generator, where, sort. */
	gen_names(want, sizeof(want), 50, down_not_1, 4);
	r = run("/test/pipe-test gen 50 | where k != 1 | sort -r k", NULL, 0, PANDA_HANDLE_NONE);
	verdict("three-stages", clean(r) && r->stages == 3 && strcmp(r->names, want) == 0,
		"got %s (%s)", r->names, how(r));
	/* Four: head 5 leaves sort with records nobody reads. */
	gen_names(want, sizeof(want), 50, down_not_1, 4);
	keep_first(want, 5);
	r = run("/test/pipe-test gen 50 | where k != 1 | sort -r k | head 5", NULL, 0,
		PANDA_HANDLE_NONE);
	verdict("four-stages", clean(r) && r->stages == 4 && strcmp(r->names, want) == 0,
		"got %s, want %s (%s)", r->names, want, how(r));
}

static void check_select(void)
{
	expect_lines("select-in-order", "select name city", people, PEOPLE,
		     "{\"name\":\"ann\",\"city\":\"oslo\"}\n"
		     "{\"name\":\"bob\",\"city\":\"rome\"}\n"
		     "{\"name\":\"cy\",\"city\":\"lima\"}\n"
		     "{\"name\":\"dee\",\"city\":\"oslo\"}\n"
		     "{\"name\":\"ed\"}\n"
		     "{\"name\":\"fay\",\"city\":\"bern\"}\n");
	expect_lines("select-dotted-path", "select owner.uid age name", people, PEOPLE,
		     "{\"owner.uid\":0,\"age\":31,\"name\":\"ann\"}\n"
		     "{\"owner.uid\":1000,\"age\":25,\"name\":\"bob\"}\n"
		     "{\"age\":31.0,\"name\":\"cy\"}\n"
		     "{\"age\":19,\"name\":\"dee\"}\n"
		     "{\"age\":40,\"name\":\"ed\"}\n"
		     "{\"age\":25,\"name\":\"fay\"}\n");
	expect_lines("select-missing", "where age > 30 | select nope", people, PEOPLE,
		     "{}\n{}\n{}\n");
}

static void check_count_head_json(void)
{
	expect_lines("count", "count", people, PEOPLE, "{\"count\":6}\n");
	expect_lines("count-none", "where age > 100 | count", people, PEOPLE, "{\"count\":0}\n");
	expect_names("head-2", "head 2", "ann,bob");
	expect_names("head-0", "head 0", "");
	struct result *r = run("/test/pipe-test gen 12 | head", NULL, 0, PANDA_HANDLE_NONE);
	verdict("head-default-10",
		clean(r) && strcmp(r->names, "r0,r1,r2,r3,r4,r5,r6,r7,r8,r9") == 0,
		"got %s (%s)", r->names, how(r));
	/* The generator never ends by itself: only finding head gone does. */
	r = run("/test/pipe-test gen | head 3", NULL, 0, PANDA_HANDLE_NONE);
	verdict("head-stops-early", r->error == 0 && strcmp(r->names, "r0,r1,r2") == 0,
		"got %s (%s)", r->names, how(r));
	verdict("head-writer-exits-0-on-epipe", clean(r), "%s", how(r));

	r = run("head 2 | json", people, PEOPLE, PANDA_HANDLE_NONE);
	verdict("json-text-records", clean(r) && r->records == 2 && r->texts == 2,
		"%u records, %u text (%s)", r->records, r->texts, how(r));
	verdict("json-lines", same_text("json-lines", r->lines,
		"{\"name\":\"ann\",\"age\":31,\"city\":\"oslo\",\"owner\":{\"uid\":0}}\n"
		"{\"name\":\"bob\",\"age\":25,\"city\":\"rome\",\"owner\":{\"uid\":1000}}\n"),
		"differ");
}

static void check_render(void)
{
	const uint8_t *mixed[] = {
		text_record("before"), ab_record(1, 1), ab_record(22, 0), text_record("middle"),
		ab_record(4444, 1), text_record("later"), ab_record(5, 2), text_record("after"),
		binary_text_record("bin\xff" "ary"),
	};
	static const uint8_t *many[70];
	static char want[2048];
	size_t len;

	expect_rendered("render-table", "render", people, PEOPLE,
			"name   age  city  owner\n"
			"ann     31  oslo  {\"uid\":0}\n"
			"bob     25  rome  {\"uid\":1000}\n"
			"cy    31.0  lima\n"
			"dee     19  oslo\n"
			"ed      40\n"
			"fay     25  bern\n");
	/* Text ends a window; the same columns again go without a header. */
	expect_rendered("render-text-between-windows", "render", mixed, 9,
			"before\n"
			" a  b\n"
			" 1  true\n"
			"22  false\n"
			"middle\n"
			"4444  true\n"
			"later\n"
			"a  when\n"
			"5  2024-02-29 12:34:56\n"
			"after\n"
			"bin\xff" "ary\n");	/* not UTF-8: as it is */
	/* 70 records: 64 measured together, then 6 wider ones on their own. */
	for (int i = 0; i < 70; i++)
		many[i] = ab_record(i < 64 ? i : 100000 + i, 3);
	len = (size_t)snprintf(want, sizeof(want), " a  when\n");
	for (int i = 0; i < 70; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
					i < 64 ? "%2d  2024-02-29 12:34:56\n" :
						 "%d  2024-02-29 12:34:56\n",
					i < 64 ? i : 100000 + i);
	expect_rendered("render-window-of-64", "render", many, 70, want);
	expect_rendered("render-json", "render -j", mixed, 4,
			"before\n"
			"{\"a\":1,\"b\":true}\n"
			"{\"a\":22,\"b\":false}\n"
			"middle\n");
	expect_rendered("render-after-filters",
			"where age > 20 | sort -r age | select name age | render", people, PEOPLE,
			"name   age\n"
			"ed      40\n"
			"ann     31\n"
			"cy    31.0\n"
			"bob     25\n"
			"fay     25\n");
	panda_unlink(root, RENDER_FILE);
	/* Without a "text" handle, to the console: the system test looks. */
	const uint8_t *shown[] = { console_record("to-console", 7), console_record("x", 1234) };
	struct result *r = run("render", shown, 2, PANDA_HANDLE_NONE);
	verdict("render-to-console", clean(r) && r->records == 0, "%s", how(r));
}

/* -h: usage and a description on standard output, status 0; bad usage:
 * status 2 and nothing sent. */
/* --- random records -------------------------------------------------------- */

#define RANDOM_RECORDS	400
#define RANDOM_SIZE	1536

static uint8_t random_pool[RANDOM_RECORDS][RANDOM_SIZE];
static const uint8_t *random_records[RANDOM_RECORDS];
static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t next_random(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(seed >> 33);
}

/* A field of a random type under key, nested at most depth more levels:
 * every BSON type the filters and render may meet, with edge values. */
static void random_field(struct bson_builder *b, const char *key, unsigned depth)
{
	static const char *const strings[] = {
		"", "x", "ann", "\xc3\xa9t\xc3\xa9", "tab\there", "\x1b[31mred", "a much longer "
		"string that a table has to cut somewhere past forty bytes",
	};
	static const uint64_t doubles[] = {
		0, 0x3ff8000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
		0x7ff8000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull,
	};
	static const uint8_t oid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint32_t r = next_random();

	switch (r % 16) {
	case 0: bson_append_int32(b, key, (int32_t)next_random()); break;
	case 1: bson_append_int64(b, key, (int64_t)((uint64_t)next_random() << 32 | next_random()));
		break;
	case 2: bson_append_double_bits(b, key, doubles[next_random() % 7]); break;
	case 3: bson_append_cstr(b, key, strings[next_random() % 7]); break;
	case 4: bson_append_bool(b, key, r & 16); break;
	case 5: bson_append_null(b, key); break;
	case 6: bson_append_datetime(b, key, (int64_t)((uint64_t)next_random() << 32 |
						      next_random())); break;
	case 7: bson_append_binary(b, key, (uint8_t)next_random(), "\0\1\xff", 3); break;
	case 8: bson_append_objectid(b, key, oid); break;
	case 9: bson_append_regex(b, key, "^a.*", "i"); break;
	case 10: bson_append_timestamp(b, key, next_random(), next_random()); break;
	case 11: bson_append_decimal128(b, key, next_random(), 0x3040000000000000ull); break;
	case 12: bson_append_minkey(b, key); break;
	case 13: bson_append_code(b, key, "f()", 3); break;
	default:
		if (!depth) {
			bson_append_undefined(b, key);
			break;
		}
		if (r & 16)
			bson_begin_array(b, key);
		else
			bson_begin_document(b, key);
		for (unsigned i = 0, n = next_random() % 4; i < n; i++) {
			char k[8];
			snprintf(k, sizeof(k), r & 16 ? "%u" : "k%u", i);
			random_field(b, k, depth - 1);
		}
		if (r & 16)
			bson_end_array(b);
		else
			bson_end_document(b);
	}
}

static void make_random_records(void)
{
	static const char *const keys[] = { "a", "b", "name", "size", "text", "c" };

	for (unsigned i = 0; i < RANDOM_RECORDS; i++) {
		struct bson_builder b;

		bson_build_init(&b, random_pool[i], RANDOM_SIZE);
		for (unsigned f = 0, n = next_random() % 6; f < n; f++)
			random_field(&b, keys[next_random() % 6], 3);
		if (!bson_build_finish(&b)) {	/* too big: an empty record instead */
			bson_build_init(&b, random_pool[i], RANDOM_SIZE);
			bson_build_finish(&b);
		}
		random_records[i] = random_pool[i];
	}
}

/* Records of every type, nested, with keys that collide with "text" and
 * with the filters' fields, through every filter and render: every stage
 * ends cleanly, and the counts add up where they must. */
static void check_random_records(void)
{
	static const char *const filtering[] = {
		"where a > 0", "where b ~ a", "where name != x", "select a name c", "json",
		"where size <= 100 | sort -r size", "sort b | head 7",
	};

	make_random_records();
	struct result *r = run("sort a", random_records, RANDOM_RECORDS, PANDA_HANDLE_NONE);
	verdict("random-sort-keeps-every-record", clean(r) && r->records == RANDOM_RECORDS,
		"%u records (%s)", r->records, how(r));
	r = run("where a = 1 | count", random_records, RANDOM_RECORDS, PANDA_HANDLE_NONE);
	verdict("random-count", clean(r) && r->records == 1, "%s", how(r));
	for (unsigned i = 0; i < sizeof(filtering) / sizeof(filtering[0]); i++) {
		r = run(filtering[i], random_records, RANDOM_RECORDS, PANDA_HANDLE_NONE);
		verdict("random-filter", clean(r) && r->records <= RANDOM_RECORDS, "%s: %s",
			filtering[i], how(r));
	}
	static const char *const drawing[] = { "render", "render -j", "sort size | render" };
	for (unsigned i = 0; i < sizeof(drawing) / sizeof(drawing[0]); i++) {
		long f = panda_open(root, RENDER_FILE, OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);
		if (f < 0) {
			verdict_expect("random-render-file", f, 0);
			continue;
		}
		r = run(drawing[i], random_records, RANDOM_RECORDS, (panda_handle_t)f);
		panda_close((panda_handle_t)f);
		struct panda_stat st;
		long rc = panda_stat(root, RENDER_FILE, &st);
		verdict("random-render", clean(r) && rc == 0 && st.size > 0, "%s: %s",
			drawing[i], how(r));
	}
	panda_unlink(root, RENDER_FILE);
}

static void check_usage(void)
{
	static const char *const programs[] = {
		"where", "sort", "select", "count", "head", "json", "render",
	};
	static const char *const bad[] = {
		"where age", "where age => 1", "sort", "sort -x age", "sort a b", "select",
		"count extra", "head -1", "head x", "json extra", "render -x",
	};
	char pipeline[32], name[48];

	for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		snprintf(pipeline, sizeof(pipeline), "%s -h", programs[i]);
		snprintf(name, sizeof(name), "help-%s", programs[i]);
		struct result *r = run(pipeline, NULL, 0, PANDA_HANDLE_NONE);
		size_t n = strlen("usage: ") + strlen(programs[i]);
		char want[32];
		snprintf(want, sizeof(want), "usage: %s", programs[i]);
		verdict(name, clean(r) && r->texts >= 2 && strncmp(r->lines, want, n) == 0,
			"%u text records, first \"%.40s\" (%s)", r->texts, r->lines, how(r));
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "usage-%s", bad[i]);
		for (char *p = name; *p; p++)
			if (*p == ' ')
				*p = '-';
		struct result *r = run(bad[i], people, PEOPLE, PANDA_HANDLE_NONE);
		verdict(name, ended(r, 2) && r->records == 0, "%u records (%s)", r->records,
			how(r));
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gen") == 0)
		return generate(argc >= 3 ? panda_parse_long(argv[2], -1) : -1);
	verdict_start("pipe-test");
	root = panda_root();
	if (!root) {
		printf("pipe-test: FAIL startup: needs the root handle (run it as init)\n");
		return 1;
	}
	make_people();
	check_where();
	check_sort();
	check_select();
	check_count_head_json();
	check_render();
	check_random_records();
	check_usage();
	return verdict_finish();
}
