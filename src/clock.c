/*
 * clock.c
 *		Calibration of the monotonic clock: what an empty timed region costs.
 */
#include "postgres.h"

#include "miscadmin.h"

#include "clock.h"

#define CALIBRATION_SAMPLES 4001

static int
cmp_int64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

double
tb_clock_read_cost_ns(void)
{
	int64_t    *d = palloc(sizeof(int64_t) * CALIBRATION_SAMPLES);
	double		result;
	int			i;

	/* warm the vDSO page and caches */
	for (i = 0; i < 1000; i++)
		(void) tb_clock_ns();

	for (i = 0; i < CALIBRATION_SAMPLES; i++)
	{
		int64_t		t0;
		int64_t		t1;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		t0 = tb_clock_ns();
		t1 = tb_clock_ns();
		d[i] = t1 - t0;
	}
	qsort(d, CALIBRATION_SAMPLES, sizeof(int64_t), cmp_int64);
	result = (double) d[CALIBRATION_SAMPLES / 2];
	pfree(d);
	return result;
}
