/* lib/bson.h's functions under host names (lib_bson_validate, ...), for
 * host builds only: libbson, which test_bson_libbson links, exports many
 * of the same names (bson_validate, bson_iter_init, bson_append_int32...).
 * host_names.h includes this for lib/; the Makefile force-includes it into
 * every unit test and the fuzzer, so they call ours by the usual names.
 * tests/unit/bson_names_undo.h takes the names back, for code that must
 * then call libbson's. Keep both lists equal to lib/bson.h's functions. */
#define bson_append_array lib_bson_append_array
#define bson_append_binary lib_bson_append_binary
#define bson_binary_shrink lib_bson_binary_shrink
#define bson_append_binary_space lib_bson_append_binary_space
#define bson_append_bool lib_bson_append_bool
#define bson_append_code lib_bson_append_code
#define bson_append_code_w_scope lib_bson_append_code_w_scope
#define bson_append_cstr lib_bson_append_cstr
#define bson_append_datetime lib_bson_append_datetime
#define bson_append_dbpointer lib_bson_append_dbpointer
#define bson_append_decimal128 lib_bson_append_decimal128
#define bson_append_document lib_bson_append_document
#define bson_append_double lib_bson_append_double
#define bson_append_double_bits lib_bson_append_double_bits
#define bson_append_int32 lib_bson_append_int32
#define bson_append_int64 lib_bson_append_int64
#define bson_append_maxkey lib_bson_append_maxkey
#define bson_append_minkey lib_bson_append_minkey
#define bson_append_null lib_bson_append_null
#define bson_append_objectid lib_bson_append_objectid
#define bson_append_regex lib_bson_append_regex
#define bson_append_symbol lib_bson_append_symbol
#define bson_append_timestamp lib_bson_append_timestamp
#define bson_append_undefined lib_bson_append_undefined
#define bson_append_utf8 lib_bson_append_utf8
#define bson_begin_array lib_bson_begin_array
#define bson_begin_document lib_bson_begin_document
#define bson_build_finish lib_bson_build_finish
#define bson_build_init lib_bson_build_init
#define bson_doc_length lib_bson_doc_length
#define bson_end_array lib_bson_end_array
#define bson_end_document lib_bson_end_document
#define bson_find lib_bson_find
#define bson_find_path lib_bson_find_path
#define bson_iter_binary lib_bson_iter_binary
#define bson_iter_bool lib_bson_iter_bool
#define bson_iter_code_w_scope lib_bson_iter_code_w_scope
#define bson_iter_datetime lib_bson_iter_datetime
#define bson_iter_dbpointer lib_bson_iter_dbpointer
#define bson_iter_decimal128 lib_bson_iter_decimal128
#define bson_iter_document lib_bson_iter_document
#define bson_iter_double lib_bson_iter_double
#define bson_iter_double_bits lib_bson_iter_double_bits
#define bson_iter_find lib_bson_iter_find
#define bson_iter_init lib_bson_iter_init
#define bson_iter_int32 lib_bson_iter_int32
#define bson_iter_int64 lib_bson_iter_int64
#define bson_iter_integer lib_bson_iter_integer
#define bson_iter_next lib_bson_iter_next
#define bson_iter_objectid lib_bson_iter_objectid
#define bson_iter_recurse lib_bson_iter_recurse
#define bson_iter_regex lib_bson_iter_regex
#define bson_iter_timestamp lib_bson_iter_timestamp
#define bson_iter_utf8 lib_bson_iter_utf8
#define bson_to_json lib_bson_to_json
#define bson_to_json_buf lib_bson_to_json_buf
#define bson_validate lib_bson_validate
#define bson_utf8_valid lib_bson_utf8_valid
