/* Day counts and dates (date.h). Both directions count years from March,
 * so the leap day is the last day of its year, in 400-year eras of 146,097
 * days (H. Hinnant's "chrono-compatible low-level date algorithms"). */
#include "lib/date.h"

#define DAYS_0000_03_01_TO_EPOCH 719468	/* from 0000-03-01 to 1970-01-01 */
#define DAYS_PER_ERA 146097		/* 400 years */

int64_t date_to_days(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned yoe = (unsigned)(year - era * 400);			/* [0, 399] */
	unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */

	return era * DAYS_PER_ERA + (int64_t)doe - DAYS_0000_03_01_TO_EPOCH;
}

void date_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
	int64_t era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
	uint64_t doe = (uint64_t)(z - era * DAYS_PER_ERA);		/* [0, 146096] */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	uint64_t mp = (5 * doy + 2) / 153;				/* from March */

	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int64_t)yoe + era * 400 + (*month <= 2);
}
