/*
 * stats.h
 *		Benchmark statistics on latency histograms (plain C, no PostgreSQL
 *		headers): outlier classification, confidence intervals, the rank
 *		test between two histograms, the signed-rank statistics of paired
 *		rounds, change verdicts, and the complexity fit of the scale sweep.
 *
 * All figures are in the histogram's unit (nanoseconds) unless a name says
 * _pct.  Functions never crash on degenerate input (empty histograms,
 * zero variance, n < 2): they return NaN figures or a documented default.
 */
#ifndef TB_STATS_H
#define TB_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "histogram.h"

/* Tukey fences from the histogram's quartiles. */
typedef struct TbsOutliers
{
	double		q1,
				q3,
				iqr;
	double		low_severe,		/* q1 - 3.0 iqr */
				low_mild,		/* q1 - 1.5 iqr */
				high_mild,		/* q3 + 1.5 iqr */
				high_severe;	/* q3 + 3.0 iqr */
	uint64_t	low_severe_n,	/* samples below low_severe */
				low_mild_n,		/* in [low_severe, low_mild) */
				high_mild_n,	/* in (high_mild, high_severe] */
				high_severe_n;	/* above high_severe */
} TbsOutliers;

/* A bucket counts as beyond a fence when its midpoint is. */
extern void tbs_outliers(const TbHist *h, TbsOutliers *out);

/* Standard normal inverse CDF (p in (0, 1)) and CDF. */
extern double tbs_normal_quantile(double p);	/* inverse CDF, p in (0,1) */
extern double tbs_normal_cdf(double x);

/*
 * Distribution-free confidence interval of the median from order
 * statistics: ranks n/2 -+ z*sqrt(n)/2 (normal approximation of the
 * binomial; exact binomial ranks for n <= 1000), values from the histogram.
 * Returns false (lo = hi = NaN) when count < 2.
 */
extern bool tbs_median_ci(const TbHist *h, double conf, double *lo, double *hi);

/*
 * Mann-Whitney U test between two histograms, values in the same bucket
 * treated as ties (tie-corrected variance, continuity correction, normal
 * approximation).  p is two-sided.  auc = P(A < B) + P(A = B)/2 (the
 * common-language effect size: > 0.5 means B tends to be larger/slower).
 * Returns false (p = NaN) if either is empty.
 */
typedef struct TbsRankTest
{
	double		u;				/* U statistic of B */
	double		z;
	double		p;
	double		auc;
} TbsRankTest;

extern bool tbs_mann_whitney(const TbHist *a, const TbHist *b, TbsRankTest *out);

/*
 * Relative change of the median from a (baseline) to b (current), in
 * percent, with a conf-level interval by the delta method on the log
 * ratio, using the order-statistic CIs of both medians for their standard
 * errors.  Returns false when either has count < 2 or a median <= 0.
 */
typedef struct TbsChange
{
	double		change_pct;		/* 100 * (median_b / median_a - 1) */
	double		ci_low_pct;
	double		ci_high_pct;
} TbsChange;

extern bool tbs_median_change(const TbHist *a, const TbHist *b, double conf, TbsChange *out);

/*
 * Interval of the mean of x[0..n-1] at level conf from Student's t
 * (used on per-round log ratios of an interleaved A/B).  Returns false
 * when n < 2.  t quantiles computed, not tabulated.
 */
extern double tbs_t_quantile(double p, double df);
extern bool tbs_mean_ci(const double *x, int n, double conf, double *mean, double *lo, double *hi);

/* Two-sided one-sample t-test p-value of mean(x) = mu. NaN when n < 2; 1 or 0 when sd = 0. */
extern double tbs_t_test_p(const double *x, int n, double mu);

/*
 * Wilcoxon signed-rank statistics of x[0..n-1] (used on the per-round log
 * ratios of an interleaved A/B), all in the unit of x:
 *
 *   estimate  the Hodges-Lehmann estimate: the median of the M = n(n+1)/2
 *             Walsh averages (x_i + x_j) / 2, i <= j
 *   low, high its distribution-free interval at level conf: the Walsh
 *             averages of rank k and M - k + 1, where k - 1 is the largest
 *             t with P(T+ <= t) <= (1 - conf) / 2 under H0.  For n <= 50
 *             from the exact null distribution of T+ (dynamic programming;
 *             the tie-free distribution even when values are tied, which
 *             only makes the interval conservative); above that the normal
 *             approximation k = floor(M/2 - z sqrt(var)), var with the tie
 *             correction for groups of equal values.  NaN when n is too
 *             small for the level (k < 1, e.g. n < 6 at 95 %).
 *   p         two-sided p-value of H0: location 0.  Zeros are dropped and
 *             tied |x| get midranks; exact for n <= 50 when there are no
 *             zeros and no ties, else the normal approximation with tie
 *             and continuity corrections (as R's wilcox.test).  1 when
 *             every value is zero.
 *
 * Returns false (every figure NaN) when n < 1, conf is not in (0, 1) or a
 * value is not finite; then also when n > TBS_SIGNED_RANK_MAX for
 * tbs_signed_rank, which keeps its scratch space on the stack.
 * tbs_signed_rank_work has no limit: the caller passes scratch space for
 * n doubles.  Nothing is allocated; time O(n log n) (the Walsh averages are
 * selected by bisection over the values, never stored).
 */
#define TBS_SIGNED_RANK_MAX			1000
#define TBS_SIGNED_RANK_EXACT_MAX	50

typedef struct TbsSignedRank
{
	double		estimate;
	double		low;
	double		high;
	double		p;
	double		v;				/* T+ (R's V): rank sum of the positive values */
	int			n_nonzero;		/* values left for the test after dropping zeros */
	int64_t		k;				/* rank of low among the Walsh averages; 0: none */
	bool		exact_p;		/* p from the exact null distribution */
	bool		exact_ci;		/* k from the exact null distribution */
} TbsSignedRank;

extern bool tbs_signed_rank(const double *x, int n, double conf, TbsSignedRank *out);
extern bool tbs_signed_rank_work(const double *x, int n, double conf, double *work,
								 TbsSignedRank *out);

/*
 * Verdict of a change given its interval, p-value, significance alpha and
 * noise threshold (percent, >= 0):
 *   TBS_REGRESSED    p < alpha, ci_low > 0 and change > threshold
 *   TBS_IMPROVED     p < alpha, ci_high < 0 and change < -threshold
 *   TBS_UNCHANGED    the whole interval lies within [-threshold, threshold],
 *                    or p >= alpha and |change| <= threshold,
 *                    or p < alpha but |change| <= threshold
 *   TBS_INCONCLUSIVE anything else (too noisy to say)
 */
typedef enum TbsVerdict
{
	TBS_UNCHANGED = 0,
	TBS_IMPROVED,
	TBS_REGRESSED,
	TBS_INCONCLUSIVE
} TbsVerdict;

extern TbsVerdict tbs_verdict(double change_pct, double ci_low_pct, double ci_high_pct,
							  double p, double alpha, double threshold_pct);
extern const char *tbs_verdict_name(TbsVerdict v);

/*
 * Figures only where the samples support them.  tbs_quantile_min_n(q) is
 * the fewest samples for which quantile q is more than the maximum seen:
 * ceil(1 / (1 - q)) (p90: 10, p95: 20, p99: 100, p99.9: 1000); 1 for
 * q <= 0.5.  tbs_round_figure(x) is x rounded to 3 significant digits, but
 * never to a step finer than 0.001 (NaN and infinities unchanged).
 */
extern uint64_t tbs_quantile_min_n(double q);
extern double tbs_round_figure(double x);

/* x rounded to digits significant digits, never to a step finer than finest (a power of ten; <= 0: no limit) */
extern double tbs_round_sig(double x, int digits, double finest);

/*
 * Verdict of a comparison of two separate runs, with its reason.  The rule
 * of tbs_verdict, first refusing to judge on too few samples: fewer than
 * min_n samples on either side is TBS_INCONCLUSIVE (TBS_R_TOO_FEW).  In
 * order:
 *   TBS_R_TOO_FEW          n_a or n_b below min_n                  inconclusive
 *   TBS_R_SIGNIFICANT      p < alpha and the whole interval (so
 *                          the change too) beyond the noise floor  regressed / improved
 *   TBS_R_CI_WITHIN_FLOOR  the whole interval within +-floor       unchanged
 *   TBS_R_WITHIN_FLOOR     the change within +-floor               unchanged
 *   TBS_R_NO_FIGURES       change or p unknown (NaN)               inconclusive
 *   TBS_R_NOT_SIGNIFICANT  beyond the floor but p >= alpha         inconclusive
 *   TBS_R_CI_REACHES_FLOOR beyond the floor, p < alpha, but the
 *                          interval reaches into the floor         inconclusive
 * (a change is called only when its whole interval lies beyond the floor:
 * the interval measures the spread within the runs, and two separate runs
 * differ by more than that, so a change at the floor's edge is not called)
 * and, from tbs_compare_runs only (not tbs_judge):
 *   TBS_R_MACHINE_SPEED    regressed / improved by the above, but the
 *                          change in time alone (blocks without their
 *                          probes) does not point the same way, or the
 *                          machine's speed (the median probe) differed by
 *                          more than TBS_SPEED_CHANGE_PCT between the
 *                          runs and the change is not larger than
 *                          that                                    inconclusive
 */
#define TBS_VERDICT_MIN_N	30

typedef enum TbsReason
{
	TBS_R_TOO_FEW = 0,
	TBS_R_SIGNIFICANT,
	TBS_R_CI_WITHIN_FLOOR,
	TBS_R_WITHIN_FLOOR,
	TBS_R_NO_FIGURES,
	TBS_R_NOT_SIGNIFICANT,
	TBS_R_CI_REACHES_FLOOR,
	TBS_R_MACHINE_SPEED
} TbsReason;

/*
 * Two runs whose probes of the machine's speed differ by more than this
 * (percent, either way) ran on what was in effect another machine (a
 * virtual machine's host busy, the CPU clocked down): relating each block
 * to its probe corrects part of that, not all of it, as different work
 * slows down differently; a change between them is not called.
 */
#define TBS_SPEED_CHANGE_PCT 25.0

extern TbsVerdict tbs_judge(double change_pct, double ci_low_pct, double ci_high_pct,
							double p, double alpha, double floor_pct,
							uint64_t n_a, uint64_t n_b, uint64_t min_n, TbsReason *reason);
extern const char *tbs_reason_text(TbsReason r);

/*
 * Noise floor of a case from its own history: levels[0..k-1] are its
 * figure (e.g. the median) in k earlier runs, in time order, all > 0.  The
 * run-to-run change d_i = ln(levels[i+1] / levels[i]) of an unchanged case
 * is noise; its spread is estimated robustly (a real shift in the history
 * is one large d_i, which the median ignores) as s = 1.4826 median |d_i|,
 * and the floor is 100 (exp(z s) - 1) percent: a change between two runs
 * that noise alone exceeds with probability about 2 (1 - Phi(z)).  Returns
 * false (floor NaN) with fewer than TBS_NOISE_FLOOR_MIN_RUNS levels or a
 * level that is not positive and finite.  work holds k doubles.
 */
#define TBS_NOISE_FLOOR_MIN_RUNS	5

extern bool tbs_noise_floor(const double *levels, int k, double z, double *work,
							double *floor_pct);

/*
 * Change points of a series (a case's figure over runs, time order, > 0):
 * E-Divisive means on ln x with a t-test.  Binary segmentation: in every
 * segment of at least 2 min_size points the split tau (both parts at least
 * min_size long) maximising m k / (m + k) (mean_left - mean_right)^2 is a
 * candidate; it is accepted when Welch's t-test of the two parts gives
 * p < alpha and the change exp(mean_right - mean_left) - 1 is at least
 * min_shift_pct percent in size.  Of the accepted candidates the one with
 * the smallest p is kept, its segment split, and the search repeated until
 * none is accepted or max_out points are found.  So one outlying run
 * (fewer than min_size points at the new level) is not a change point.
 *
 * out[] gets the points in series order: index (first point of the new
 * level), before / after (geometric means of the neighbouring segments of
 * the final segmentation), p (of the test that accepted it).  work holds
 * 2 n + 1 doubles.  Returns the number found (0 on bad input: n < 2 min_size,
 * min_size < 2, a value not positive and finite).
 */
typedef struct TbsChangePoint
{
	int			index;
	double		before;
	double		after;
	double		p;
} TbsChangePoint;

extern int	tbs_change_points(const double *x, int n, int min_size, double alpha,
							  double min_shift_pct, double *work,
							  TbsChangePoint *out, int max_out);

/* Welch's two-sided t-test p of two samples (NaN when either has < 2 values). */
extern double tbs_welch_p(const double *x, int nx, const double *y, int ny);

/*
 * Two-sample shift between x (baseline) and y (current), distribution free:
 * the Hodges-Lehmann estimate (median of the nx * ny differences y_j - x_i),
 * its confidence interval from the Mann-Whitney distribution (order
 * statistics k and nx*ny + 1 - k of the differences, normal approximation)
 * and the Mann-Whitney two-sided p-value (tie-corrected, continuity
 * corrected).  Used on per-block medians (log scale) of two runs, so the
 * interval reflects how much a run's figure drifts over time, which two
 * separate runs are exposed to.  work must hold nx * ny doubles.  Returns
 * false (NaN figures) when nx or ny is below 2.
 */
typedef struct TbsShift
{
	double		estimate;
	double		lo;
	double		hi;
	double		p;
} TbsShift;

extern bool tbs_two_sample_shift(const double *x, int nx, const double *y, int ny, double conf,
								 double *work, TbsShift *out);

/*
 * The comparison of two runs' results (hcompare in SQL, and the offline
 * compare of the command-line client, so both give the same verdicts):
 * when both sides kept at least TBS_MIN_BLOCKS block medians, the
 * two-sample shift of their logs (each relative to the probe of the
 * machine's speed before it, when both probe arrays are given); otherwise
 * the change of the medians of the histograms with the Mann-Whitney p;
 * the verdict is tbs_judge's (TBS_VERDICT_MIN_N samples on each side).
 * valid = false (figures NaN, verdict inconclusive) when neither applies.
 * work must hold na + nb + na * nb doubles (NULL: the blocks are not used).
 */
#define TBS_MIN_BLOCKS 5

typedef struct TbsComparison
{
	bool		valid;
	double		change_pct;
	double		ci_low_pct;
	double		ci_high_pct;
	double		p;
	TbsVerdict	verdict;		/* tbs_judge with both histograms' counts */
	TbsReason	reason;
} TbsComparison;

extern void tbs_compare_runs(const TbHist *a, const TbHist *b,
							 const double *blocks_a, int na, const double *probes_a,
							 const double *blocks_b, int nb, const double *probes_b,
							 double threshold_pct, double alpha, double conf,
							 double *work, TbsComparison *out);

/*
 * One case of a comparison of two runs, exactly as tasker_bench_compare
 * (tasker_bench._compare_case) and the client's offline compare show it:
 * tbs_compare_runs at confidence 1 - alpha against the noise floor
 * floor_pct; the verdict tbs_judge of the unrounded figures with the runs'
 * sample counts n_a, n_b (results.n); then the figures rounded as shown
 * (tbs_round_figure; p to 3 significant digits) and *within = the rounded
 * change <= tolerance_pct (1/0; -1 when there is no change or tolerance is
 * NaN).  work as for tbs_compare_runs.
 *
 * tbs_category_tolerance: the tolerance of a case without one of its own or
 * its suite's: e2e 10 %, lifecycle 20 %, else the noise floor.
 */
extern void tbs_compare_case(const TbHist *a, const TbHist *b,
							 const double *blocks_a, int na, const double *probes_a,
							 const double *blocks_b, int nb, const double *probes_b,
							 double floor_pct, double alpha, uint64_t n_a, uint64_t n_b,
							 double tolerance_pct, double *work, TbsComparison *out, int *within);
extern double tbs_category_tolerance(const char *category, double floor_pct);

/*
 * Complexity fit for the scale sweep: for each model f in
 * {1, log n, n, n log n, n^2} least squares y = a + b f(n) with b >= 0
 * (for O(1), b = 0), goodness of fit R^2 (1 - SSE/SST; 1 when SST = 0).
 * The chosen model is the simplest whose SSE is within 10 % of the best
 * SSE (so noise does not promote O(1) data to O(n^2)), and O(1) when the
 * spread of y is under 5 % of its mean.  k >= 2 points, n > 0.
 */
typedef enum TbsComplexity
{
	TBS_O_1 = 0,
	TBS_O_LOG_N,
	TBS_O_N,
	TBS_O_N_LOG_N,
	TBS_O_N2,
	TBS_NCOMPLEXITY
} TbsComplexity;

typedef struct TbsFit
{
	TbsComplexity best;
	double		a[TBS_NCOMPLEXITY];
	double		b[TBS_NCOMPLEXITY];
	double		r2[TBS_NCOMPLEXITY];
	double		sse[TBS_NCOMPLEXITY];
} TbsFit;

extern bool tbs_fit_complexity(const double *n, const double *y, int k, TbsFit *out);
extern const char *tbs_complexity_name(TbsComplexity c);	/* "O(1)", "O(log n)", ... */

#endif							/* TB_STATS_H */
