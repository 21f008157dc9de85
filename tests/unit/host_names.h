/* Included first when lib/ is compiled for host tests: gives lib's string
 * functions their own names so they do not replace the C library's (which the
 * sanitizers intercept). */
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define memchr lib_memchr
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strrchr lib_strrchr
#define strlcpy lib_strlcpy
#include "tests/unit/bson_names.h"
