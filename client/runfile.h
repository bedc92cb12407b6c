/*
 * runfile.h
 *		The client's view of a run file (tasker_bench_export) and the offline
 *		comparison of two of them, with the statistics of the server
 *		(src/stats.c, src/histogram.c).
 */
#ifndef TBC_RUNFILE_H
#define TBC_RUNFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "histogram.h"
#include "json.h"

typedef struct RunCase
{
	const char *name;
	const char *category;
	int			ordinal;
	double		p50_us;			/* NaN when missing */
	uint64_t	n;				/* samples (results.n; the histogram's count when missing) */
	TbHist	   *hist;
	double	   *blocks;			/* block medians (raw ns); NULL when missing */
	int			nblocks;
	double	   *probes;
	int			nprobes;
	bool		has_tolerance;	/* the exporting database's case or suite tolerance */
	double		tolerance_pct;
	double		noise_floor_pct;	/* its noise floor with this run as baseline; NaN unknown */
} RunCase;

typedef struct RunFile
{
	Json	   *doc;
	const char *what;
	double		noise_threshold_pct;	/* NaN when the file does not say */
	int			ncases;
	RunCase    *cases;
} RunFile;

/* Reads and checks a run file; false with a one-line reason in err. */
extern bool runfile_read(const char *path, RunFile *rf, char *err, size_t errlen);
extern void runfile_free(RunFile *rf);

/* Reads a whole file into memory (NUL-terminated); NULL with errno set. */
extern char *read_file(const char *path, size_t *len);

typedef struct CompareOptions
{
	double		threshold_pct;	/* NaN: per case (file's tolerance, category default, noise) */
	double		noise_pct;		/* NaN: the baseline file's floor of the case (see runfile.c) */
	double		alpha;
	bool		json;			/* output JSON instead of a table */
} CompareOptions;

/*
 * Compares current with base as the server's tasker_bench_compare does and
 * prints one line per case.  Sets *regressed and *outside (a case's change
 * exceeded its tolerance).
 */
extern void runfile_compare(const RunFile *base, const RunFile *cur, const CompareOptions *o,
							FILE *out, bool *regressed, bool *outside);

#endif							/* TBC_RUNFILE_H */
