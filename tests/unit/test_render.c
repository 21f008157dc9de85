/* How /bin/render lays records out (user/lib/render.c): cells of every
 * kind, cutting long text, datetimes, and tables drawn a window at a time
 * with the header only when the columns change. */
#include "unit.h"

#include "lib/bson.h"
#include "user/lib/render.h"

/* What the sink received, as a C string. */
static char out[1 << 16];
static size_t out_len;

static void sink(void *ctx, const char *text, size_t n)
{
	(void)ctx;
	if (out_len + n < sizeof(out)) {
		memcpy(out + out_len, text, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

/* s through a call, so the compiler does not size CHECK_STR's message by
 * the whole buffer s is in. */
__attribute__((noinline)) static const char *unsized(const char *s)
{
	return s;
}

static const char *output(void)
{
	return unsized(out);
}

static void out_reset(void)
{
	out_len = 0;
	out[0] = '\0';
}

/* The cell of doc's field key. */
static struct render_cell cell_of(const uint8_t *doc, const char *key)
{
	struct render_cell cell = { .len = 999 };
	struct bson_iter it;

	if (bson_find(doc, key, &it))
		render_cell_of(&it, &cell);
	return cell;
}

/* A document of the values every cell test looks at. */
static const uint8_t *values(void)
{
	static uint8_t buf[512];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_int32(&b, "i32", -7);
	bson_append_int64(&b, "i64", INT64_MAX);
	bson_append_double(&b, "half", 2.5);
	bson_append_double(&b, "one", 1.0);
	bson_append_double(&b, "big", 1e100);
	bson_append_double(&b, "inf", -__builtin_inf());
	bson_append_double(&b, "nan", __builtin_nan(""));
	bson_append_cstr(&b, "s", "hello");
	bson_append_cstr(&b, "ctl", "a\tb\n");
	bson_append_bool(&b, "t", true);
	bson_append_bool(&b, "f", false);
	bson_append_null(&b, "null");
	bson_append_datetime(&b, "epoch", 0);
	bson_append_datetime(&b, "leap", 1709210096000);
	bson_append_datetime(&b, "before", -1);
	bson_append_datetime(&b, "old", -2203891200000);
	bson_begin_document(&b, "doc");
	bson_append_int32(&b, "k", 1);
	bson_append_cstr(&b, "s", "x");
	bson_end_document(&b);
	bson_begin_array(&b, "arr");
	bson_append_cstr(&b, NULL, "a");
	bson_append_double(&b, NULL, 0.5);
	bson_begin_document(&b, NULL);
	bson_append_bool(&b, "z", false);
	bson_end_document(&b);
	bson_begin_array(&b, NULL);
	bson_end_array(&b);
	bson_end_array(&b);
	return bson_build_finish(&b) ? buf : NULL;
}

TEST(test_numbers_are_decimal_and_right_aligned)
{
	const uint8_t *v = values();

	CHECK(v);
	struct render_cell c = cell_of(v, "i32");
	CHECK_STR(c.text, "-7");
	CHECK(c.right);
	CHECK_EQ(c.len, 2);
	CHECK_STR(cell_of(v, "i64").text, "9223372036854775807");
	c = cell_of(v, "half");
	CHECK_STR(c.text, "2.5");
	CHECK(c.right);
	CHECK_STR(cell_of(v, "one").text, "1.0");
	CHECK_STR(cell_of(v, "big").text, "1.0E+100");	/* as bson_to_json prints it */
	CHECK_STR(cell_of(v, "inf").text, "-inf");
	CHECK_STR(cell_of(v, "nan").text, "nan");
}

TEST(test_strings_booleans_and_others_are_left_aligned)
{
	const uint8_t *v = values();

	struct render_cell c = cell_of(v, "s");
	CHECK_STR(c.text, "hello");
	CHECK(!c.right);
	CHECK_STR(cell_of(v, "ctl").text, "a?b?");
	CHECK_STR(cell_of(v, "t").text, "true");
	CHECK_STR(cell_of(v, "f").text, "false");
	CHECK(!cell_of(v, "f").right);
	CHECK_STR(cell_of(v, "null").text, "null");
	CHECK_STR(cell_of(v, "doc").text, "{\"k\":1,\"s\":\"x\"}");
	CHECK_STR(cell_of(v, "arr").text, "[\"a\",0.5,{\"z\":false},[]]");
	CHECK(!cell_of(v, "arr").right);
}

TEST(test_datetimes_are_utc_calendar_times)
{
	const uint8_t *v = values();
	char buf[32];

	CHECK_STR(cell_of(v, "epoch").text, "1970-01-01 00:00:00");
	CHECK_STR(cell_of(v, "leap").text, "2024-02-29 12:34:56");
	CHECK_STR(cell_of(v, "before").text, "1969-12-31 23:59:59");
	CHECK_STR(cell_of(v, "old").text, "1900-03-01 00:00:00");
	CHECK(!cell_of(v, "epoch").right);
	/* 2000 is a leap year. */
	CHECK_EQ(render_datetime(951782400000, buf, sizeof(buf)), 19);
	CHECK_STR(buf, "2000-02-29 00:00:00");
}

TEST(test_long_text_is_cut_to_forty_bytes_with_an_ellipsis)
{
	static uint8_t buf[1024];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_cstr(&b, "forty", "0123456789012345678901234567890123456789");
	bson_append_cstr(&b, "forty-one", "01234567890123456789012345678901234567890");
	/* 36 ASCII bytes, then "é" (2 bytes) across the cut at 37. */
	bson_append_cstr(&b, "utf8", "012345678901234567890123456789012345\xc3\xa9xxxxx");
	bson_append_cstr(&b, "wide", "\xc3\xa9\xc3\xa9\xc3\xa9");
	bson_begin_array(&b, "long-string");
	char abc[301];
	for (int i = 0; i < 300; i++)
		abc[i] = "abc"[i % 3];
	bson_append_utf8(&b, NULL, abc, 300);
	bson_end_array(&b);
	bson_begin_array(&b, "long-json");
	for (int i = 0; i < 30; i++)
		bson_append_int32(&b, NULL, i);
	bson_end_array(&b);
	CHECK(bson_build_finish(&b));

	CHECK_STR(cell_of(buf, "forty").text, "0123456789012345678901234567890123456789");
	struct render_cell c = cell_of(buf, "forty-one");
	CHECK_STR(c.text, "0123456789012345678901234567890123456...");
	CHECK_EQ(c.len, 40);
	c = cell_of(buf, "utf8");
	CHECK_STR(c.text, "012345678901234567890123456789012345...");
	CHECK_EQ(c.width, 39);
	c = cell_of(buf, "wide");
	CHECK_EQ(c.len, 6);
	CHECK_EQ(c.width, 3);		/* characters, not bytes */
	CHECK_STR(cell_of(buf, "long-json").text, "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,1...");
	/* A string in an array longer than a wrapper on the stack holds. */
	CHECK_STR(cell_of(buf, "long-string").text, "[\"abcabcabcabcabcabcabcabcabcabcabcab...");
}

/* {"name": name, "size": size} plus "ok" unless size < 0. */
static const uint8_t *row(const char *name, int64_t size)
{
	static uint8_t bufs[4][256];
	static unsigned next;
	uint8_t *buf = bufs[next++ % 4];
	struct bson_builder b;

	bson_build_init(&b, buf, 256);
	bson_append_cstr(&b, "name", name);
	bson_append_int64(&b, "size", size);
	if (size >= 0)
		bson_append_bool(&b, "ok", size > 100);
	return bson_build_finish(&b) ? buf : NULL;
}

TEST(test_table_columns_are_the_union_of_keys_aligned_by_kind)
{
	struct render_table t;
	static uint8_t buf[256];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_cstr(&b, "name", "a-very-long-name-that-goes-past-forty-bytes");
	bson_append_double(&b, "ratio", 2.5);
	bson_begin_array(&b, "tags");
	bson_append_cstr(&b, NULL, "x");
	bson_end_array(&b);
	CHECK(bson_build_finish(&b));

	out_reset();
	render_table_init(&t, sink, NULL);
	CHECK_EQ(render_table_add(&t, row("ann", 12)), 0);
	CHECK_EQ(render_table_add(&t, row("bob", 4096)), 0);
	CHECK_EQ(render_table_add(&t, buf), 0);
	CHECK_EQ(render_table_add(&t, row("cy", -3)), 0);
	CHECK_STR(output(), "");		/* nothing until the window ends */
	CHECK_EQ(render_table_flush(&t), 0);
	CHECK_STR(output(),
		  "name                                      size  ok     ratio  tags\n"
		  "ann                                         12  false\n"
		  "bob                                       4096  true\n"
		  "a-very-long-name-that-goes-past-forty...                 2.5  [\"x\"]\n"
		  "cy                                          -3\n");
	out_reset();
	CHECK_EQ(render_table_flush(&t), 0);	/* an empty window prints nothing */
	CHECK_STR(output(), "");
	render_table_free(&t);
}

TEST(test_table_prints_a_full_window_and_repeats_the_header_only_for_new_columns)
{
	struct render_table t;
	char expect[8192];
	size_t n = 0;

	out_reset();
	render_table_init(&t, sink, NULL);
	for (int i = 0; i < RENDER_WINDOW; i++)
		CHECK_EQ(render_table_add(&t, row("x", i)), 0);
	/* The 64th record printed the window: widths over it alone. */
	n += (size_t)snprintf(expect + n, sizeof(expect) - n, "name  size  ok\n");
	for (int i = 0; i < RENDER_WINDOW; i++)
		n += (size_t)snprintf(expect + n, sizeof(expect) - n, "x     %4d  false\n", i);
	CHECK_STR(output(), unsized(expect));

	/* The same columns: no header, widths of this window (and of the
	 * names above). */
	out_reset();
	CHECK_EQ(render_table_add(&t, row("yy", 123456)), 0);
	CHECK_EQ(render_table_flush(&t), 0);
	CHECK_STR(output(), "yy    123456  true\n");

	/* Other columns (no "ok"): a header again. */
	out_reset();
	CHECK_EQ(render_table_add(&t, row("z", -1)), 0);
	CHECK_EQ(render_table_flush(&t), 0);
	CHECK_STR(output(), "name  size\nz       -1\n");
	render_table_free(&t);
}

TEST(test_a_key_name_goes_where_its_numbers_go)
{
	struct render_table t;
	static uint8_t bufs[2][64];
	struct bson_builder b;

	bson_build_init(&b, bufs[0], sizeof(bufs[0]));
	bson_append_int32(&b, "n", 12345);
	bson_append_int32(&b, "mixed", 1);
	CHECK(bson_build_finish(&b));
	bson_build_init(&b, bufs[1], sizeof(bufs[1]));
	bson_append_cstr(&b, "mixed", "x");
	CHECK(bson_build_finish(&b));

	out_reset();
	render_table_init(&t, sink, NULL);
	CHECK_EQ(render_table_add(&t, bufs[0]), 0);
	CHECK_EQ(render_table_add(&t, bufs[1]), 0);
	CHECK_EQ(render_table_flush(&t), 0);
	/* n: numbers and an empty cell; mixed: a number and a string. */
	CHECK_STR(output(),
		  "    n  mixed\n"
		  "12345      1\n"
		  "       x\n");
	render_table_free(&t);
}

TEST(test_json_lines)
{
	out_reset();
	render_json_line(row("ann", 12), sink, NULL);
	CHECK_STR(output(), "{\"name\":\"ann\",\"size\":12,\"ok\":false}\n");
}
