#include "dev/rtc.h"

#include "arch/arch.h"
#include "core/log.h"
#include "lib/date.h"

/* CMOS registers (MC146818A data sheet; every PC RTC follows it). */
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define NMI_DISABLE	0x80		/* keep NMIs masked while indexing */
enum { REG_SEC = 0x00, REG_MIN = 0x02, REG_HOUR = 0x04, REG_DAY = 0x07, REG_MONTH = 0x08,
       REG_YEAR = 0x09, REG_STATUS_A = 0x0a, REG_STATUS_B = 0x0b };
#define STATUS_A_UPDATING	0x80	/* the registers are changing: wait */
#define STATUS_B_24H		0x02
#define STATUS_B_BINARY		0x04	/* else BCD */
#define HOUR_PM			0x80	/* 12-hour mode */

static uint64_t boot_wall_ns;		/* wall clock at monotonic 0; set at boot */

struct rtc_time {
	unsigned sec, min, hour, day, month, year;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
	t->sec = cmos_read(REG_SEC);
	t->min = cmos_read(REG_MIN);
	t->hour = cmos_read(REG_HOUR);
	t->day = cmos_read(REG_DAY);
	t->month = cmos_read(REG_MONTH);
	t->year = cmos_read(REG_YEAR);
}

/* An update takes under 2 ms (data sheet); a clock stuck updating is
 * broken, and read anyway rather than waited on forever. */
static void wait_update(void)
{
	for (int spins = 0; spins < 1000000; spins++)
		if (!(cmos_read(REG_STATUS_A) & STATUS_A_UPDATING))
			return;
}

static unsigned from_bcd(unsigned v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

void rtc_init(void)
{
	struct rtc_time a, b;
	uint64_t at;

	/* Read until two reads agree with no update in progress, so no
	 * field is taken from either side of a rollover. */
	for (int tries = 0;; tries++) {
		wait_update();
		read_raw(&a);
		at = arch_clock_ns();
		wait_update();
		read_raw(&b);
		if (__builtin_memcmp(&a, &b, sizeof(a)) == 0 || tries == 4)
			break;
	}
	uint8_t status = cmos_read(REG_STATUS_B);
	bool pm = !(status & STATUS_B_24H) && (a.hour & HOUR_PM);
	a.hour &= ~HOUR_PM;
	if (!(status & STATUS_B_BINARY)) {
		a.sec = from_bcd(a.sec), a.min = from_bcd(a.min), a.hour = from_bcd(a.hour);
		a.day = from_bcd(a.day), a.month = from_bcd(a.month), a.year = from_bcd(a.year);
	}
	if (!(status & STATUS_B_24H))
		a.hour = a.hour % 12 + (pm ? 12 : 0);
	/* The century register's place is in the FADT, when it exists at
	 * all; a two-digit year is taken to be 2000-2099. */
	unsigned year = 2000 + a.year;
	if (a.sec > 59 || a.min > 59 || a.hour > 23 || a.day < 1 || a.day > 31 ||
	    a.month < 1 || a.month > 12 || a.year > 99) {
		log_warn("rtc: the clock reads nonsense (%u-%u-%u %u:%u:%u); time starts at "
			 "1970-01-01\n", a.year, a.month, a.day, a.hour, a.min, a.sec);
		boot_wall_ns = 0;
		return;
	}
	int64_t secs = date_to_days(year, a.month, a.day) * 86400 + a.hour * 3600 +
		       a.min * 60 + a.sec;
	uint64_t wall = (uint64_t)secs * 1000000000ull;
	boot_wall_ns = wall > at ? wall - at : 0;
	log_info("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC\n", year, a.month, a.day, a.hour,
		 a.min, a.sec);
}

uint64_t rtc_now_ns(void)
{
	return boot_wall_ns + arch_clock_ns();
}
