/* Dates of the proleptic Gregorian calendar as day counts from 1970-01-01
 * (negative before it), both ways. Shared by the RTC driver (CMOS date to
 * the epoch), BSON's JSON form and the render stage (epoch to a date). */
#ifndef LIB_DATE_H
#define LIB_DATE_H

#include <stdint.h>

/* The day count of year-month-day (month 1-12, day 1-31). */
int64_t date_to_days(int64_t year, unsigned month, unsigned day);
/* The date of a day count, for any count an int64 of milliseconds names. */
void date_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#endif
