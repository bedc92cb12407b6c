/*
 * histogram_type.h
 *		The SQL type tasker_bench.histogram around the pure-C histogram.
 */
#ifndef TB_HISTOGRAM_TYPE_H
#define TB_HISTOGRAM_TYPE_H

#include "postgres.h"
#include "fmgr.h"

#include "histogram.h"

/* Decode a stored histogram (detoasting it) into palloc'd memory. */
extern TbHist *tb_hist_from_datum(Datum d);

/* Encode a histogram as a datum of the SQL type. */
extern Datum tb_hist_to_datum(const TbHist *h);

/* A new, empty histogram in the current memory context. */
extern TbHist *tb_hist_new(void);

#endif							/* TB_HISTOGRAM_TYPE_H */
