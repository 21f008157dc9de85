/* Error names are what users read in messages and protocol replies. */
#include "lib/errors.h"
#include "unit.h"

TEST(test_names_of_positive_and_negative_codes)
{
	CHECK_STR(error_name(ENOENT), "ENOENT");
	CHECK_STR(error_name(-ENOMEM), "ENOMEM");
	CHECK_STR(error_name(-EBADHANDLE), "EBADHANDLE");
	CHECK_STR(error_name(-ETOOSMALL), "ETOOSMALL");
	CHECK_STR(error_name(-EOUTSIDE), "EOUTSIDE");
}

TEST(test_unknown_codes_have_a_name_too)
{
	CHECK_STR(error_name(9999), "EUNKNOWN");
	CHECK_STR(error_name(0), "EUNKNOWN");
}

TEST(test_texts_are_what_utilities_print)
{
	CHECK_STR(error_text(-ENOENT), "no such file or directory");
	CHECK_STR(error_text(ENOTEMPTY), "directory not empty");
	CHECK_STR(error_text(-EACCES), "permission denied");
	CHECK_STR(error_text(-EOUTSIDE), "climbs above the directory it starts from");
	CHECK_EQ(EOUTSIDE, 203);	/* the ABI: numbers are only added */
	CHECK_STR(error_text(9999), "unknown error");
	/* Every known code has a text of its own. */
	for (int code = 1; code < 300; code++)
		if (strcmp(error_name(code), "EUNKNOWN") != 0)
			CHECK(strcmp(error_text(code), "unknown error") != 0);
}
