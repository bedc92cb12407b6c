/*
 * clock.h
 *		The monotonic clock of the measurement loop and its calibration.
 */
#ifndef TB_CLOCK_H
#define TB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Current monotonic time in nanoseconds. */
static inline int64_t
tb_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Cost of timing an empty region (two back-to-back reads), in ns: the
 * median over many tries.  Subtracted from reported figures.
 */
extern double tb_clock_read_cost_ns(void);

#endif							/* TB_CLOCK_H */
