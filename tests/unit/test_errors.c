/* Error names are what users read in messages and protocol replies. */
#include "lib/errors.h"
#include "unit.h"

TEST(test_names_of_positive_and_negative_codes)
{
	CHECK_STR(error_name(ENOENT), "ENOENT");
	CHECK_STR(error_name(-ENOMEM), "ENOMEM");
	CHECK_STR(error_name(-EBADHANDLE), "EBADHANDLE");
	CHECK_STR(error_name(-ETOOSMALL), "ETOOSMALL");
}

TEST(test_unknown_codes_have_a_name_too)
{
	CHECK_STR(error_name(9999), "EUNKNOWN");
	CHECK_STR(error_name(0), "EUNKNOWN");
}
