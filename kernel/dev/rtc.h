/* Wall-clock time: the CMOS real-time clock, read once at boot, carried
 * forward by the monotonic clock (the RTC counts whole seconds, and reading
 * it takes microseconds of port I/O, so nobody reads it twice). */
#ifndef DEV_RTC_H
#define DEV_RTC_H

#include <stdint.h>

/* Reads the RTC; a clock that reads as nonsense is reported and taken as
 * the Unix epoch. */
void rtc_init(void);
/* Nanoseconds since 1970-01-01 00:00:00 UTC (the RTC is taken to run in
 * UTC, as QEMU's does by default). */
uint64_t rtc_now_ns(void);

#endif
