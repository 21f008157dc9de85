/* Day counts and calendar dates both ways: the RTC, BSON's JSON dates and
 * the render stage's cells all rest on these. */
#include "lib/date.h"
#include "unit.h"

static void check_date(int64_t days, int64_t y, unsigned m, unsigned d)
{
	int64_t year;
	unsigned month, day;

	CHECK_EQ(date_to_days(y, m, d), days);
	date_from_days(days, &year, &month, &day);
	CHECK_EQ(year, y);
	CHECK_EQ(month, m);
	CHECK_EQ(day, d);
}

TEST(test_known_dates)
{
	check_date(0, 1970, 1, 1);
	check_date(-1, 1969, 12, 31);
	check_date(59, 1970, 3, 1);
	check_date(11016, 2000, 2, 29);			/* a leap day of a 400th year */
	check_date(11017, 2000, 3, 1);
	check_date(-25508, 1900, 3, 1);			/* 1900 has no Feb 29 */
	check_date(-719468, 0, 3, 1);
	check_date(2932896, 9999, 12, 31);
	check_date(20786, 2026, 11, 29);
}

TEST(test_every_day_of_800_years_round_trips_and_follows_the_last)
{
	int64_t year, prev_year;
	unsigned month, day, prev_month, prev_day;

	date_from_days(-146097 - 1, &prev_year, &prev_month, &prev_day);
	for (int64_t days = -146097; days < 146097; days++) {
		date_from_days(days, &year, &month, &day);
		CHECK_EQ(date_to_days(year, month, day), days);
		bool next_day = year == prev_year && month == prev_month && day == prev_day + 1;
		bool next_month = year == prev_year && month == prev_month + 1 && day == 1;
		bool next_year = year == prev_year + 1 && month == 1 && day == 1 &&
				 prev_month == 12 && prev_day == 31;
		CHECK(next_day || next_month || next_year);
		prev_year = year, prev_month = month, prev_day = day;
	}
}

TEST(test_the_ends_of_int64_milliseconds)
{
	int64_t year;
	unsigned month, day;

	/* INT64_MAX ms is 292,278,994-08-17; INT64_MIN ms is before year 0. */
	date_from_days(INT64_MAX / 86400000, &year, &month, &day);
	CHECK_EQ(year, 292278994);
	CHECK_EQ(month, 8u);
	CHECK_EQ(day, 17u);
	date_from_days(INT64_MIN / 86400000 - 1, &year, &month, &day);
	CHECK(year < -292000000);
	CHECK(month >= 1 && month <= 12 && day >= 1 && day <= 31);
}
