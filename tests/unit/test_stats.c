/*
 * test_stats.c
 *		Unit tests of stats.c (TAP output, exit 1 on any failure).
 *
 * Random samples come from a fixed-seed splitmix64 generator (normals by
 * Box-Muller), so every run sees the same numbers.  Reference values of
 * the distribution functions were computed with mpmath at 60 digits.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "stats.h"

static int	tests_run = 0;
static int	tests_failed = 0;

static void ok(int cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
ok(int cond, const char *fmt,...)
{
	va_list		ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int
close_rel(double got, double want, double tol)
{
	if (isnan(got) || isnan(want))
		return 0;
	if (want == 0.0)
		return fabs(got) <= tol;
	return fabs(got - want) <= tol * fabs(want);
}

/* ---- deterministic random numbers ---- */

typedef struct Rng
{
	uint64_t	state;
	int			have_spare;
	double		spare;
} Rng;

static void
rng_seed(Rng *r, uint64_t seed)
{
	r->state = seed;
	r->have_spare = 0;
	r->spare = 0.0;
}

static uint64_t
rng_next(Rng *r)
{
	uint64_t	z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* uniform in (0, 1) */
static double
rng_uniform(Rng *r)
{
	return ((double) (rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_normal(Rng *r)
{
	double		u1,
				u2,
				rad;

	if (r->have_spare)
	{
		r->have_spare = 0;
		return r->spare;
	}
	u1 = rng_uniform(r);
	u2 = rng_uniform(r);
	rad = sqrt(-2.0 * log(u1));
	r->spare = rad * sin(2.0 * M_PI * u2);
	r->have_spare = 1;
	return rad * cos(2.0 * M_PI * u2);
}

/* record n samples median * exp(sigma Z) into h (after tbh_init) */
static void
fill_lognormal(TbHist *h, Rng *r, int n, double median, double sigma)
{
	int			i;

	tbh_init(h);
	for (i = 0; i < n; i++)
	{
		int64_t		v = (int64_t) llround(median * exp(sigma * rng_normal(r)));

		tbh_record_n(h, v, 1);
	}
}

static TbHist *
new_hist(void)
{
	TbHist	   *h = malloc(sizeof(TbHist));

	if (h == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(1);
	}
	tbh_init(h);
	return h;
}

/* ---- distribution functions ---- */

static void
test_normal(void)
{
	static const struct
	{
		double		p;
		double		z;
	}			ref[] = {
		{1e-300, -37.047096299361199237},
		{1e-100, -21.273453560965324294},
		{1e-20, -9.2623400897984075796},
		{1e-10, -6.3613409024040561991},
		{1e-05, -4.2648907939228246102},
		{0.001, -3.0902323061678135354},
		{0.02425, -1.9729610513118848376},
		{0.05, -1.644853626951472688},
		{0.1, -1.2815515655446004353},
		{0.3, -0.52440051270804081597},
		{0.7, 0.52440051270804065631},
		{0.975, 1.9599639845400538556},
		{0.97575, 1.9729610513118849594},
		{0.999, 3.0902323061678132778},
		{1 - 1e-10, 6.3613408896974218642},
		{0.9999999999999999, 8.2095361516013868556},
	};
	int			i;
	int			bad = 0;
	double		worst = 0.0;
	double		p;

	ok(close_rel(tbs_normal_quantile(0.975), 1.959963984540054, 1e-12),
	   "normal quantile(0.975) = %.15f", tbs_normal_quantile(0.975));
	for (i = 0; i < (int) (sizeof(ref) / sizeof(ref[0])); i++)
	{
		double		got = tbs_normal_quantile(ref[i].p);
		double		err = fabs(got - ref[i].z) / fabs(ref[i].z);

		if (!(err < 1e-9))
		{
			bad++;
			printf("# quantile(%.17g) = %.17g, want %.17g\n", ref[i].p, got, ref[i].z);
		}
		if (err > worst)
			worst = err;
	}
	ok(bad == 0, "normal quantile at %d reference points, worst relative error %.2e",
	   (int) (sizeof(ref) / sizeof(ref[0])), worst);

	/* round trip through the CDF over a log grid of the lower tail */
	bad = 0;
	for (p = 1e-300; p < 0.5; p *= 1.7)
	{
		double		back = tbs_normal_cdf(tbs_normal_quantile(p));

		if (!(fabs(back - p) <= 1e-12 * p))
			bad++;
		if (tbs_normal_quantile(1.0 - p) != -tbs_normal_quantile(1.0 - (1.0 - p)))
			bad++;
	}
	ok(bad == 0, "normal cdf(quantile(p)) = p over 1e-300..0.5, symmetry");

	ok(tbs_normal_quantile(0.5) == 0.0 &&
	   isinf(tbs_normal_quantile(0.0)) && tbs_normal_quantile(0.0) < 0 &&
	   isinf(tbs_normal_quantile(1.0)) && tbs_normal_quantile(1.0) > 0 &&
	   isnan(tbs_normal_quantile(-0.1)) && isnan(tbs_normal_quantile(1.5)) &&
	   isnan(tbs_normal_quantile(NAN)),
	   "normal quantile edge cases");

	ok(tbs_normal_cdf(0.0) == 0.5 &&
	   close_rel(tbs_normal_cdf(-5.0), 2.8665157187919391167e-7, 1e-12) &&
	   close_rel(tbs_normal_cdf(-30.0), 4.9067139271481870595e-198, 1e-10) &&
	   close_rel(tbs_normal_cdf(1.5), 0.933192798731141934, 1e-14) &&
	   tbs_normal_cdf(INFINITY) == 1.0 && tbs_normal_cdf(-INFINITY) == 0.0,
	   "normal cdf reference values");
}

static void
test_t(void)
{
	static const struct
	{
		double		p;
		double		df;
		double		t;
	}			ref[] = {
		{0.975, 10, 2.2281388519862742245},
		{0.975, 1, 12.706204736174693314},
		{0.975, 30, 2.0422724563012378878},
		{0.975, 2, 4.3026527297494617894},
		{0.995, 3, 5.8409093097333554113},
		{0.9, 2.5, 1.730250928807176833},
		{0.975, 1000, 1.9623390808264081039},
		{0.025, 5, -2.570581835636315469},
		{1 - 1e-10, 4, 416.17513172081751892},
		{0.999999, 7, 14.24146965192115339},
		{0.975, 0.5, 164.5576734804882408},
	};
	int			i;
	int			bad = 0;
	double		worst = 0.0;
	double		x[] = {0.02, -0.01, 0.03, 0.05, 0.01, 0.04, 0.00, 0.02};
	double		same[] = {0.5, 0.5, 0.5};
	double		mean,
				lo,
				hi;

	ok(close_rel(tbs_t_quantile(0.975, 10), 2.228138851986, 1e-9),
	   "t quantile(0.975, 10) = %.12f", tbs_t_quantile(0.975, 10));
	ok(close_rel(tbs_t_quantile(0.975, 1), 12.7062047361747, 1e-9),
	   "t quantile(0.975, 1) = %.13f", tbs_t_quantile(0.975, 1));
	ok(close_rel(tbs_t_quantile(0.975, 30), 2.042272456301, 1e-9),
	   "t quantile(0.975, 30) = %.12f", tbs_t_quantile(0.975, 30));

	for (i = 0; i < (int) (sizeof(ref) / sizeof(ref[0])); i++)
	{
		double		got = tbs_t_quantile(ref[i].p, ref[i].df);
		double		err = fabs(got - ref[i].t) / fabs(ref[i].t);

		if (!(err < 1e-8))
		{
			bad++;
			printf("# t quantile(%.17g, %g) = %.17g, want %.17g\n",
				   ref[i].p, ref[i].df, got, ref[i].t);
		}
		if (err > worst)
			worst = err;
	}
	ok(bad == 0, "t quantile at %d reference points, worst relative error %.2e",
	   (int) (sizeof(ref) / sizeof(ref[0])), worst);

	ok(tbs_t_quantile(0.5, 7) == 0.0 &&
	   tbs_t_quantile(0.25, 12) == -tbs_t_quantile(0.75, 12) &&
	   close_rel(tbs_t_quantile(0.975, 1e8), 1.959963984540054, 1e-7) &&
	   close_rel(tbs_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-12) &&
	   isnan(tbs_t_quantile(0.975, 0)) && isnan(tbs_t_quantile(0.975, -1)) &&
	   isnan(tbs_t_quantile(1.5, 3)) && isnan(tbs_t_quantile(NAN, 3)),
	   "t quantile symmetry, large df, edge cases");

	/* t_{0.975,df} decreases monotonically towards z */
	bad = 0;
	for (i = 1; i < 300; i++)
		if (!(tbs_t_quantile(0.975, i + 1) < tbs_t_quantile(0.975, i)))
			bad++;
	ok(bad == 0 && tbs_t_quantile(0.975, 300) > 1.959963984540054,
	   "t quantile decreasing in df 1..300");

	ok(close_rel(tbs_t_test_p(x, 8, 0.0), 0.025463561683239262146, 1e-9),
	   "t-test p = %.12f (want 0.025463561683)", tbs_t_test_p(x, 8, 0.0));
	ok(close_rel(tbs_t_test_p(x, 8, 0.02), 1.0, 1e-12) &&
	   tbs_t_test_p(x, 8, 1.0) < 1e-9,
	   "t-test p = 1 at the mean, tiny far away");
	ok(isnan(tbs_t_test_p(x, 1, 0.0)) && isnan(tbs_t_test_p(x, 0, 0.0)) &&
	   tbs_t_test_p(same, 3, 0.5) == 1.0 && tbs_t_test_p(same, 3, 0.4) == 0.0,
	   "t-test degenerate: NaN for n < 2, 1 or 0 for sd = 0");

	ok(tbs_mean_ci(x, 8, 0.95, &mean, &lo, &hi) &&
	   close_rel(mean, 0.02, 1e-12) &&
	   close_rel(lo, 0.0032795815674057704701, 1e-9) &&
	   close_rel(hi, 0.036720418432594230363, 1e-9),
	   "mean CI [%.12f, %.12f]", lo, hi);
	ok(!tbs_mean_ci(x, 1, 0.95, &mean, &lo, &hi) && isnan(lo) && isnan(hi) &&
	   !tbs_mean_ci(x, 0, 0.95, &mean, &lo, &hi) && isnan(mean),
	   "mean CI false for n < 2");
}

/* ---- histogram statistics ---- */

/* i-th of a sequence of values that fall in distinct buckets */
static int64_t
geo_value(int i)
{
	return (int64_t) llround(1000.0 * pow(1.01, i));
}

static void
test_median_ci(void)
{
	TbHist	   *h = new_hist();
	Rng			rng;
	double		lo,
				hi;
	double		truth;
	int			i;
	int			trial;
	int			covered;

	/* 1..10: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024, so j = 2 */
	for (i = 1; i <= 10; i++)
		tbh_record_n(h, i, 1);
	ok(tbs_median_ci(h, 0.95, &lo, &hi) && lo == 2.0 && hi == 9.0,
	   "median CI of 1..10 at 95%% is [x(2), x(9)] = [%g, %g]", lo, hi);
	ok(tbs_median_ci(h, 0.99, &lo, &hi) && lo == 1.0 && hi == 10.0,
	   "median CI of 1..10 at 99%% is [x(1), x(10)] = [%g, %g]", lo, hi);

	/* too few samples for the level: widest interval, still true */
	tbh_init(h);
	tbh_record_n(h, 5, 1);
	tbh_record_n(h, 7, 1);
	ok(tbs_median_ci(h, 0.95, &lo, &hi) && lo == 5.0 && hi == 7.0,
	   "median CI of 2 samples is [min, max]");

	tbh_init(h);
	ok(!tbs_median_ci(h, 0.95, &lo, &hi) && isnan(lo) && isnan(hi),
	   "median CI of empty histogram: false, NaN");
	tbh_record_n(h, 5, 1);
	ok(!tbs_median_ci(h, 0.95, &lo, &hi) && isnan(lo) && isnan(hi),
	   "median CI of 1 sample: false, NaN");

	/*
	 * Coverage.  The true median is put on a bucket midpoint, the finest
	 * value a histogram can resolve.  The interval must be many buckets
	 * wide for the bucketing not to widen it noticeably (each end can move
	 * by up to half a bucket, 0.2 %), hence the wider distribution for the
	 * larger sample.
	 */
	truth = tbh_bucket_mid(tbh_bucket_index(1000000));
	rng_seed(&rng, 42);
	covered = 0;
	for (trial = 0; trial < 400; trial++)
	{
		fill_lognormal(h, &rng, 200, truth, 0.3);
		if (tbs_median_ci(h, 0.95, &lo, &hi) && lo <= truth && truth <= hi)
			covered++;
	}
	printf("# median CI coverage, n = 200 (exact ranks): %.4f\n", covered / 400.0);
	ok(covered >= 0.92 * 400 && covered <= 0.98 * 400,
	   "median CI coverage n=200 conf=0.95: %.3f", covered / 400.0);

	rng_seed(&rng, 43);
	covered = 0;
	for (trial = 0; trial < 400; trial++)
	{
		fill_lognormal(h, &rng, 3001, truth, 1.0);
		if (tbs_median_ci(h, 0.95, &lo, &hi) && lo <= truth && truth <= hi)
			covered++;
	}
	printf("# median CI coverage, n = 3001 (normal approximation): %.4f\n", covered / 400.0);
	ok(covered >= 0.92 * 400 && covered <= 0.98 * 400,
	   "median CI coverage n=3001 conf=0.95: %.3f", covered / 400.0);

	/*
	 * Ranks around the switch-over from exact to approximate ranks, on
	 * samples 1000 * 1.01^i, one per bucket: the exact rank for n = 1000 is
	 * 469 (P(B < 469) = 0.0231, P(B < 470) = 0.0268), the normal
	 * approximation for n = 1001 gives floor(501 - 1.96 sqrt(1001) / 2) =
	 * 469 (exact would be 470).
	 */
	tbh_init(h);
	for (i = 1; i <= 1000; i++)
		tbh_record_n(h, geo_value(i), 1);
	ok(tbs_median_ci(h, 0.95, &lo, &hi) &&
	   tbh_bucket_index((int64_t) lo) == tbh_bucket_index(geo_value(469)) &&
	   tbh_bucket_index((int64_t) hi) == tbh_bucket_index(geo_value(532)),
	   "median CI ranks n=1000 (exact) are 469 and 532");
	tbh_record_n(h, geo_value(1001), 1);
	ok(tbs_median_ci(h, 0.95, &lo, &hi) &&
	   tbh_bucket_index((int64_t) lo) == tbh_bucket_index(geo_value(469)) &&
	   tbh_bucket_index((int64_t) hi) == tbh_bucket_index(geo_value(533)),
	   "median CI ranks n=1001 (normal approximation) are 469 and 533");
	free(h);
}

static void
test_mann_whitney(void)
{
	TbHist	   *a = new_hist();
	TbHist	   *b = new_hist();
	TbsRankTest rt,
				rt2;
	Rng			rng;
	int			trial;
	int			rejected;

	/* a = {1, 2, 3}, b = {2, 4}: U_b = 1.5 + 3 = 4.5, ties {2, 2} */
	tbh_record_n(a, 1, 1);
	tbh_record_n(a, 2, 1);
	tbh_record_n(a, 3, 1);
	tbh_record_n(b, 2, 1);
	tbh_record_n(b, 4, 1);
	ok(tbs_mann_whitney(a, b, &rt) && rt.u == 4.5 && rt.auc == 0.75 &&
	   close_rel(rt.z, 0.5923488777590923573, 1e-12) &&
	   close_rel(rt.p, 0.55361699196578038081, 1e-12),
	   "hand example: U = %g, z = %.10f, p = %.10f, auc = %g",
	   rt.u, rt.z, rt.p, rt.auc);
	ok(tbs_mann_whitney(b, a, &rt2) && rt2.u == 1.5 && rt2.auc == 0.25 &&
	   rt2.z == -rt.z && rt2.p == rt.p,
	   "hand example swapped: U = %g, z = %.10f", rt2.u, rt2.z);

	/* all in one tie group */
	tbh_init(a);
	tbh_init(b);
	tbh_record_n(a, 1000, 50);
	tbh_record_n(b, 1001, 70);		/* same bucket as 1000 */
	ok(tbs_mann_whitney(a, b, &rt) && rt.p == 1.0 && rt.z == 0.0 &&
	   rt.u == 50.0 * 70.0 / 2.0 && rt.auc == 0.5,
	   "all ties: p = 1, U = n_a n_b / 2");

	/* empty */
	tbh_init(b);
	ok(!tbs_mann_whitney(a, b, &rt) && isnan(rt.p) &&
	   !tbs_mann_whitney(b, a, &rt) && isnan(rt.p),
	   "empty histogram: false, p = NaN");

	/* huge counts (N = 1e10), shifted by one bucket */
	tbh_init(a);
	tbh_init(b);
	tbh_record_n(a, 1000000, UINT64_C(3000000000));
	tbh_record_n(a, 1100000, UINT64_C(2000000000));
	tbh_record_n(b, 1000000, UINT64_C(2000000000));
	tbh_record_n(b, 1100000, UINT64_C(3000000000));
	ok(tbs_mann_whitney(a, b, &rt) && isfinite(rt.z) && rt.z > 0 &&
	   rt.p >= 0.0 && rt.p < 1e-100 && close_rel(rt.auc, 0.6, 1e-12) &&
	   close_rel(rt.u, 0.6 * 2.5e19, 1e-12),
	   "huge counts: U = %.6g, z = %.6g, auc = %.6f", rt.u, rt.z, rt.auc);
	tbh_init(b);
	tbh_record_n(b, 1000000, UINT64_C(3000000000));
	tbh_record_n(b, 1100000, UINT64_C(2000000000));
	ok(tbs_mann_whitney(a, b, &rt) && rt.p == 1.0 && rt.z == 0.0 &&
	   rt.auc == 0.5,
	   "huge counts, identical: p = 1");

	/* false positive rate */
	rng_seed(&rng, 7);
	rejected = 0;
	for (trial = 0; trial < 400; trial++)
	{
		fill_lognormal(a, &rng, 300, 1000000, 0.3);
		fill_lognormal(b, &rng, 300, 1000000, 0.3);
		if (tbs_mann_whitney(a, b, &rt) && rt.p < 0.05)
			rejected++;
	}
	printf("# Mann-Whitney false positive rate at alpha 0.05: %.4f\n", rejected / 400.0);
	ok(rejected >= 0.02 * 400 && rejected <= 0.09 * 400,
	   "false positive rate on identical distributions: %.3f", rejected / 400.0);

	/* detection of a 5 % slowdown */
	rng_seed(&rng, 8);
	fill_lognormal(a, &rng, 20000, 1000000, 0.3);
	fill_lognormal(b, &rng, 20000, 1050000, 0.3);
	ok(tbs_mann_whitney(a, b, &rt) && rt.p < 1e-6 && rt.z > 0 && rt.auc > 0.5,
	   "5%% slowdown n=20000 detected: z = %.2f, p = %.3g, auc = %.4f",
	   rt.z, rt.p, rt.auc);
	printf("# Mann-Whitney 5%% slowdown, n = 20000: z = %.3f, p = %.3g, auc = %.4f\n",
		   rt.z, rt.p, rt.auc);
	ok(tbs_mann_whitney(b, a, &rt2) && rt2.z == -rt.z &&
	   close_rel(rt2.auc, 1.0 - rt.auc, 1e-12),
	   "swapping a and b negates z");

	free(a);
	free(b);
}

static void
test_median_change(void)
{
	TbHist	   *a = new_hist();
	TbHist	   *b = new_hist();
	TbsChange	ch;
	Rng			rng;

	rng_seed(&rng, 11);
	fill_lognormal(a, &rng, 20000, 1000000, 0.3);
	fill_lognormal(b, &rng, 20000, 1050000, 0.3);
	ok(tbs_median_change(a, b, 0.95, &ch) &&
	   fabs(ch.change_pct - 5.0) < 1.0 &&
	   ch.ci_low_pct < 5.0 && ch.ci_high_pct > 5.0 && ch.ci_low_pct > 0.0 &&
	   ch.ci_low_pct < ch.change_pct && ch.change_pct < ch.ci_high_pct,
	   "5%% slowdown: change %.2f%% [%.2f, %.2f]",
	   ch.change_pct, ch.ci_low_pct, ch.ci_high_pct);
	printf("# median change on a 5%% slowdown, n = 20000: %.3f%% [%.3f, %.3f]\n",
		   ch.change_pct, ch.ci_low_pct, ch.ci_high_pct);

	ok(tbs_median_change(b, a, 0.95, &ch) &&
	   ch.change_pct < 0 && ch.ci_high_pct < 0,
	   "5%% speed-up: change %.2f%% [%.2f, %.2f]",
	   ch.change_pct, ch.ci_low_pct, ch.ci_high_pct);

	ok(tbs_median_change(a, a, 0.95, &ch) && ch.change_pct == 0.0 &&
	   ch.ci_low_pct < 0 && ch.ci_high_pct > 0,
	   "no change: 0%% [%.2f, %.2f]", ch.ci_low_pct, ch.ci_high_pct);

	tbh_init(b);
	ok(!tbs_median_change(a, b, 0.95, &ch) && isnan(ch.change_pct) &&
	   isnan(ch.ci_low_pct) && isnan(ch.ci_high_pct),
	   "empty b: false, NaN");
	tbh_record_n(b, 100, 1);
	ok(!tbs_median_change(a, b, 0.95, &ch) && !tbs_median_change(b, a, 0.95, &ch),
	   "count 1: false");
	tbh_init(b);
	tbh_record_n(b, 0, 10);
	ok(!tbs_median_change(b, a, 0.95, &ch) && !tbs_median_change(a, b, 0.95, &ch),
	   "median 0: false");
	free(a);
	free(b);
}

/* ---- Wilcoxon signed-rank statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* NaN-aware equality of two figures */
static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* identical figures (bit for bit, NaN equal to NaN) */
static int
same_result(const TbsSignedRank *a, const TbsSignedRank *b)
{
	return same(a->estimate, b->estimate) && same(a->low, b->low) &&
		same(a->high, b->high) && same(a->p, b->p) && same(a->v, b->v) &&
		a->k == b->k && a->n_nonzero == b->n_nonzero &&
		a->exact_p == b->exact_p && a->exact_ci == b->exact_ci;
}

/*
 * Brute force: every Walsh average materialised and sorted; the estimate
 * and the Walsh averages of ranks k and M - k + 1 must equal what
 * tbs_signed_rank selected.  Also T+ = the number of positive Walsh
 * averages when there are no ties or zeros.
 */
static int
walsh_brute_force_agrees(const double *x, int n, const TbsSignedRank *r, int check_v)
{
	int64_t		m = (int64_t) n * (n + 1) / 2;
	double	   *w = malloc(sizeof(double) * m);
	double		est;
	int64_t		pos = 0;
	int64_t		c = 0;
	int			i,
				j;
	int			good;

	if (w == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
		{
			w[c] = (x[i] + x[j]) / 2.0;
			if (w[c] > 0.0)
				pos++;
			c++;
		}
	qsort(w, m, sizeof(double), cmp_double);
	est = (m % 2 == 1) ? w[(m + 1) / 2 - 1] : (w[m / 2 - 1] + w[m / 2]) / 2.0;
	good = est == r->estimate;
	if (r->k >= 1)
		good = good && w[r->k - 1] == r->low && w[m - r->k] == r->high;
	else
		good = good && isnan(r->low) && isnan(r->high);
	if (check_v)
		good = good && (double) pos == r->v;
	free(w);
	return good;
}

static void
test_signed_rank(void)
{
	/* Hollander & Wolfe: Hamilton depression scale before and after (R's ?wilcox.test) */
	static const double dep_x[9] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
	static const double dep_y[9] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
	/* Darwin's Zea mays height differences (scipy.stats.wilcoxon docs: p = 0.041259765625) */
	static const double zea[15] = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
	/* ties and two zeros */
	static const double tz[12] = {1.5, -0.5, 0, 2, 2, 3.5, -1, 0, 4, 2.5, 1.5, 3};
	static const double six[6] = {0.3, -0.1, 0.5, 0.2, 0.9, 0.4};
	double		d[9];
	double		x[1500];
	double		y[1500];
	double	   *work;
	TbsSignedRank r;
	TbsSignedRank r2;
	Rng			rng;
	int			i;
	int			n;
	int			trial;
	int			bad;
	int64_t		m;

	for (i = 0; i < 9; i++)
		d[i] = dep_x[i] - dep_y[i];
	ok(tbs_signed_rank(d, 9, 0.95, &r) &&
	   close_rel(r.estimate, 0.46, 1e-12) && close_rel(r.low, 0.01, 1e-12) &&
	   close_rel(r.high, 0.786, 1e-12) && r.p == 0.0390625 && r.v == 40.0 &&
	   r.k == 6 && r.exact_p && r.exact_ci && r.n_nonzero == 9,
	   "depression data (R: V = 40, p = 0.03906, 0.46 [0.010, 0.786]): V = %g, p = %.7g, %.6g [%.6g, %.6g]",
	   r.v, r.p, r.estimate, r.low, r.high);
	ok(tbs_signed_rank(d, 9, 0.90, &r) && r.k == 9 &&
	   close_rel(r.low, 0.175, 1e-12) && close_rel(r.high, 0.726, 1e-12),
	   "depression data at 90 %%: [%.6g, %.6g]", r.low, r.high);
	ok(tbs_signed_rank(zea, 15, 0.95, &r) &&
	   r.estimate == 25.0 && r.low == 4.0 && r.high == 41.5 &&
	   r.p == 0.041259765625 && r.v == 96.0 && r.k == 26 && r.exact_p,
	   "Zea mays (p = 0.041259765625): V = %g, p = %.12g, %g [%g, %g]",
	   r.v, r.p, r.estimate, r.low, r.high);
	ok(tbs_signed_rank(tz, 12, 0.95, &r) && !r.exact_p && r.exact_ci &&
	   r.n_nonzero == 10 && r.v == 52.0 && close_rel(r.p, 0.01430587843542964, 1e-12) &&
	   r.estimate == 1.5 && r.low == 0.5 && r.high == 2.75,
	   "ties and zeros: normal approximation, V = %g, p = %.15g, %g [%g, %g]",
	   r.v, r.p, r.estimate, r.low, r.high);

	/* n > 50: normal approximation of k, with the tie correction */
	for (i = 0; i < 70; i++)
		x[i] = ((i * 37) % 101 - 40) / 8.0;
	ok(tbs_signed_rank(x, 70, 0.95, &r) && !r.exact_ci && r.k == 907 &&
	   r.estimate == 1.25 && r.low == 0.3125 && r.high == 2.1875 &&
	   r.v == 1639.5 && close_rel(r.p, 0.009879979730417458, 1e-12),
	   "n = 70: k = %lld, %g [%g, %g], V = %g, p = %.15g",
	   (long long) r.k, r.estimate, r.low, r.high, r.v, r.p);
	for (i = 0; i < 80; i++)
		x[i] = ((i * 7) % 5 - 1) * 0.25;
	ok(tbs_signed_rank(x, 80, 0.95, &r) && r.k == 1213 &&
	   r.estimate == 0.25 && r.low == 0.125 && r.high == 0.375 &&
	   r.v == 1816.0 && close_rel(r.p, 1.2374048431859392e-07, 1e-10),
	   "n = 80, 5 values tied 16 times: k = %lld (1211 without the tie correction), p = %.6g",
	   (long long) r.k, r.p);

	/* degenerate input */
	ok(!tbs_signed_rank(d, 0, 0.95, &r) && isnan(r.estimate) && isnan(r.low) &&
	   isnan(r.high) && isnan(r.p) && !tbs_signed_rank(NULL, 5, 0.95, &r),
	   "n = 0 or no values: false, NaN");
	ok(tbs_signed_rank(d, 1, 0.95, &r) && r.estimate == d[0] && isnan(r.low) &&
	   isnan(r.high) && r.p == 1.0 && r.k == 0,
	   "n = 1: estimate = x, no interval, p = 1");
	ok(tbs_signed_rank(six, 5, 0.95, &r) && r.k == 0 && isnan(r.low) &&
	   r.estimate == 0.35 && r.p == 0.125,
	   "n = 5 is too few for 95 %%: no interval, p = %g", r.p);
	ok(tbs_signed_rank(six, 6, 0.95, &r) && r.k == 1 && r.low == -0.1 &&
	   r.high == 0.9 && r.p == 0.0625,
	   "n = 6: the interval is the range [%g, %g], p = %g", r.low, r.high, r.p);
	for (i = 0; i < 10; i++)
		x[i] = 0.0;
	ok(tbs_signed_rank(x, 10, 0.95, &r) && r.estimate == 0.0 && !signbit(r.estimate) &&
	   r.low == 0.0 && r.high == 0.0 && r.p == 1.0 && r.n_nonzero == 0 && r.v == 0.0,
	   "all zeros: 0 [0, 0], p = 1");
	for (i = 0; i < 60; i++)
		x[i] = 0.0;
	ok(tbs_signed_rank(x, 60, 0.95, &r) && r.estimate == 0.0 && r.low == 0.0 &&
	   r.high == 0.0 && r.p == 1.0,
	   "all zeros, n = 60: 0 [0, 0], p = 1");
	for (i = 0; i < 10; i++)
		x[i] = 0.5;
	ok(tbs_signed_rank(x, 10, 0.95, &r) && r.estimate == 0.5 && r.low == 0.5 &&
	   r.high == 0.5 && r.v == 55.0 && !r.exact_p &&
	   close_rel(r.p, 0.001904195043004389, 1e-12),
	   "all equal: 0.5 [0.5, 0.5], all tied, p = %.6g", r.p);
	ok(!tbs_signed_rank(d, 9, 0.0, &r) && !tbs_signed_rank(d, 9, 1.0, &r) &&
	   !tbs_signed_rank(d, 9, NAN, &r) && isnan(r.estimate),
	   "conf outside (0, 1): false");
	x[0] = 1.0;
	x[1] = NAN;
	x[2] = 2.0;
	ok(!tbs_signed_rank(x, 3, 0.95, &r) && isnan(r.p), "NaN value: false");
	x[1] = INFINITY;
	ok(!tbs_signed_rank(x, 3, 0.95, &r) && isnan(r.p), "infinite value: false");

	/* above TBS_SIGNED_RANK_MAX only with scratch space of the caller's */
	rng_seed(&rng, 21);
	for (i = 0; i < 1500; i++)
		x[i] = 0.1 + rng_normal(&rng);
	work = malloc(sizeof(double) * 1500);
	if (work == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(1);
	}
	ok(!tbs_signed_rank(x, 1500, 0.95, &r) && isnan(r.estimate) &&
	   tbs_signed_rank_work(x, 1500, 0.95, work, &r2) &&
	   walsh_brute_force_agrees(x, 1500, &r2, 1) &&
	   r2.low < 0.1 && r2.high > 0.1 && r2.p < 0.05,
	   "n = 1500: tbs_signed_rank refuses, tbs_signed_rank_work gives %.4f [%.4f, %.4f], p = %.3g",
	   r2.estimate, r2.low, r2.high, r2.p);
	ok(tbs_signed_rank(x, 1000, 0.95, &r) && tbs_signed_rank_work(x, 1000, 0.95, work, &r2) &&
	   same_result(&r, &r2),
	   "n = 1000: both entry points agree");
	free(work);

	/* selection against brute force, and the T+ / Walsh average identity */
	rng_seed(&rng, 22);
	bad = 0;
	for (trial = 0; trial < 300; trial++)
	{
		double		conf = (trial % 3 == 0) ? 0.95 : (trial % 3 == 1) ? 0.9 : 0.5;

		n = 1 + trial % 120;
		for (i = 0; i < n; i++)
		{
			x[i] = 0.2 + rng_normal(&rng);
			/* every fourth sample quantised: ties and zeros */
			if (trial % 4 == 3)
				x[i] = round(4.0 * x[i]) / 4.0;
		}
		if (!tbs_signed_rank(x, n, conf, &r) ||
			!walsh_brute_force_agrees(x, n, &r, trial % 4 != 3))
		{
			bad++;
			printf("# mismatch: trial %d, n %d\n", trial, n);
		}
	}
	ok(bad == 0, "estimate, interval and T+ equal brute force in 300 samples");

	/* symmetry and invariance */
	rng_seed(&rng, 23);
	bad = 0;
	for (trial = 0; trial < 200; trial++)
	{
		int			perm;

		n = 2 + trial % 90;
		for (i = 0; i < n; i++)
			x[i] = 0.1 + 0.5 * rng_normal(&rng);
		tbs_signed_rank(x, n, 0.95, &r);
		/* negated: estimate and interval mirrored, same p, V' = M - V */
		for (i = 0; i < n; i++)
			y[i] = -x[i];
		tbs_signed_rank(y, n, 0.95, &r2);
		m = (int64_t) n * (n + 1) / 2;
		if (r2.estimate != -r.estimate || !same(r2.low, -r.high) ||
			!same(r2.high, -r.low) || r2.p != r.p || r2.v != (double) m - r.v)
			bad++;
		/* permuted (reversed and rotated): bit-identical */
		perm = trial % n;
		for (i = 0; i < n; i++)
			y[i] = x[(n - 1 - i + perm) % n];
		tbs_signed_rank(y, n, 0.95, &r2);
		if (!same_result(&r, &r2))
			bad++;
		/* shifted by 10: everything shifted (up to rounding) */
		for (i = 0; i < n; i++)
			y[i] = x[i] + 10.0;
		tbs_signed_rank(y, n, 0.95, &r2);
		if (fabs(r2.estimate - r.estimate - 10.0) > 1e-12 ||
			(r.k >= 1 && (fabs(r2.low - r.low - 10.0) > 1e-12 ||
						  fabs(r2.high - r.high - 10.0) > 1e-12)) ||
			r2.k != r.k)
			bad++;
	}
	ok(bad == 0, "negation mirrors, permutation changes nothing, shifts shift (200 samples): %d bad", bad);

	/* exactly: the interval excludes 0 if and only if p <= 1 - conf (n <= 50, no ties, no zeros) */
	rng_seed(&rng, 24);
	bad = 0;
	for (trial = 0; trial < 500; trial++)
	{
		n = 6 + trial % 45;
		for (i = 0; i < n; i++)
			x[i] = 0.4 + rng_normal(&rng);
		tbs_signed_rank(x, n, 0.95, &r);
		if (!r.exact_p || ((r.low > 0.0 || r.high < 0.0) != (r.p <= 0.05)))
			bad++;
	}
	ok(bad == 0, "exact: interval excludes 0 exactly when p <= 0.05 (500 samples): %d bad", bad);

	/* coverage, false positives and power by simulation */
	{
		static const int ns[5] = {8, 20, 50, 51, 120};
		int			t;

		for (t = 0; t < 5; t++)
		{
			int			covered = 0;
			int			rejected = 0;
			int			detected = 0;
			int			trials = 2000;
			int			heavy;

			n = ns[t];
			rng_seed(&rng, 100 + t);
			for (trial = 0; trial < trials; trial++)
			{
				/* half normal, half Cauchy (symmetric, heavy tails), centre 0.3 */
				heavy = trial % 2;
				for (i = 0; i < n; i++)
					x[i] = heavy ? tan(M_PI * (rng_uniform(&rng) - 0.5)) : rng_normal(&rng);
				for (i = 0; i < n; i++)
					y[i] = x[i] + 0.3;
				tbs_signed_rank(y, n, 0.95, &r);
				if (r.low <= 0.3 && 0.3 <= r.high)
					covered++;
				tbs_signed_rank(x, n, 0.95, &r);
				if (r.p < 0.05)
					rejected++;
				for (i = 0; i < n; i++)
					y[i] = x[i] + 1.0;
				tbs_signed_rank(y, n, 0.95, &r);
				if (r.p < 0.05 && r.low > 0.0)
					detected++;
			}
			printf("# signed rank n = %d: coverage %.4f, false positives %.4f, shift 1 detected %.4f\n",
				   n, covered / (double) trials, rejected / (double) trials,
				   detected / (double) trials);
			ok(covered >= 0.935 * trials && covered <= 0.975 * trials,
			   "n = %d: 95 %% interval covers the centre in %.3f of %d samples",
			   n, covered / (double) trials, trials);
			ok(rejected >= 0.025 * trials && rejected <= 0.065 * trials,
			   "n = %d: p < 0.05 under H0 in %.3f", n, rejected / (double) trials);
			/* the Cauchy half is what keeps it well below 1 */
			if (n >= 20)
				ok(detected >= (n >= 50 ? 0.9 : 0.65) * trials,
				   "n = %d: a shift of 1 detected in %.3f", n, detected / (double) trials);
		}
	}
}

static void
test_verdict(void)
{
	ok(tbs_verdict(5.0, 3.0, 7.0, 0.001, 0.05, 2.0) == TBS_REGRESSED,
	   "verdict regressed");
	ok(tbs_verdict(-5.0, -7.0, -3.0, 0.001, 0.05, 2.0) == TBS_IMPROVED,
	   "verdict improved");
	ok(tbs_verdict(0.5, -1.0, 1.5, 0.3, 0.05, 2.0) == TBS_UNCHANGED,
	   "verdict unchanged: interval within threshold");
	ok(tbs_verdict(1.0, -6.0, 8.0, 0.4, 0.05, 2.0) == TBS_UNCHANGED,
	   "verdict unchanged: p >= alpha, small change");
	ok(tbs_verdict(1.5, 0.5, 2.5, 0.001, 0.05, 2.0) == TBS_UNCHANGED,
	   "verdict unchanged: significant but below threshold");
	ok(tbs_verdict(5.0, -1.0, 11.0, 0.2, 0.05, 2.0) == TBS_INCONCLUSIVE,
	   "verdict inconclusive: large change, not significant");
	ok(tbs_verdict(5.0, -1.0, 11.0, 0.01, 0.05, 2.0) == TBS_INCONCLUSIVE,
	   "verdict inconclusive: significant but interval crosses 0");
	ok(tbs_verdict(-5.0, -11.0, 1.0, 0.01, 0.05, 2.0) == TBS_INCONCLUSIVE,
	   "verdict inconclusive: improvement, interval crosses 0");
	ok(tbs_verdict(3.0, 1.0, 5.0, 0.01, 0.05, 0.0) == TBS_REGRESSED &&
	   tbs_verdict(0.0, 0.0, 0.0, 1.0, 0.05, 0.0) == TBS_UNCHANGED &&
	   tbs_verdict(NAN, NAN, NAN, NAN, 0.05, 2.0) == TBS_INCONCLUSIVE,
	   "verdict with zero threshold and NaN input");
	ok(strcmp(tbs_verdict_name(TBS_UNCHANGED), "unchanged") == 0 &&
	   strcmp(tbs_verdict_name(TBS_IMPROVED), "improved") == 0 &&
	   strcmp(tbs_verdict_name(TBS_REGRESSED), "regressed") == 0 &&
	   strcmp(tbs_verdict_name(TBS_INCONCLUSIVE), "inconclusive") == 0,
	   "verdict names");
}

static double
model_f(int c, double n)
{
	switch (c)
	{
		case TBS_O_1:
			return 1.0;
		case TBS_O_LOG_N:
			return log(n);
		case TBS_O_N:
			return n;
		case TBS_O_N_LOG_N:
			return n * log(n);
		default:
			return n * n;
	}
}

static void
test_complexity(void)
{
	static const double sizes[4] = {1000, 5000, 10000, 100000};
	static const double scale[TBS_NCOMPLEXITY] = {50000, 1000, 20, 2, 0.001};
	double		y[4];
	TbsFit		fit;
	Rng			rng;
	int			c;
	int			i;
	int			trial;

	/* exact data */
	for (c = 0; c < TBS_NCOMPLEXITY; c++)
	{
		for (i = 0; i < 4; i++)
			y[i] = 300.0 + scale[c] * model_f(c, sizes[i]);
		ok(tbs_fit_complexity(sizes, y, 4, &fit) && (int) fit.best == c &&
		   close_rel(fit.r2[c], 1.0, 1e-9) &&
		   (c == TBS_O_1 || close_rel(fit.b[c], scale[c], 1e-6)),
		   "exact %s data fitted as %s", tbs_complexity_name(c),
		   tbs_complexity_name(fit.best));
	}

	/* +-3 % noise, 200 draws per model, all must be recovered */
	rng_seed(&rng, 99);
	for (c = 0; c < TBS_NCOMPLEXITY; c++)
	{
		int			right = 0;
		int			shown = 0;

		for (trial = 0; trial < 200; trial++)
		{
			for (i = 0; i < 4; i++)
				y[i] = scale[c] * model_f(c, sizes[i]) *
					(1.0 + 0.06 * (rng_uniform(&rng) - 0.5));
			if (tbs_fit_complexity(sizes, y, 4, &fit) && (int) fit.best == c)
				right++;
			else if (shown++ < 3)
				printf("# %s data fitted as %s\n", tbs_complexity_name(c),
					   tbs_complexity_name(fit.best));
		}
		printf("# complexity %s recovered in %d/200 noisy draws\n",
			   tbs_complexity_name(c), right);
		ok(right == 200, "noisy %s data recovered %d/200", tbs_complexity_name(c), right);
	}

	/* decreasing data: slopes clamped to 0 */
	for (i = 0; i < 4; i++)
		y[i] = 1000.0 - sizes[i] / 200.0;
	ok(tbs_fit_complexity(sizes, y, 4, &fit) && fit.best == TBS_O_1 &&
	   fit.b[TBS_O_N] == 0.0 && fit.b[TBS_O_N2] == 0.0 &&
	   close_rel(fit.a[TBS_O_N], (1000.0 * 4 - 116000.0 / 200.0) / 4, 1e-12),
	   "decreasing data: b clamped to 0, a = mean");

	/* degenerate input */
	y[0] = 5.0;
	y[1] = 5.0;
	ok(!tbs_fit_complexity(sizes, y, 1, &fit) && !tbs_fit_complexity(sizes, y, 0, &fit) &&
	   isnan(fit.sse[0]),
	   "complexity fit false for k < 2");
	{
		double		badn[2] = {0.0, 10.0};

		ok(!tbs_fit_complexity(badn, y, 2, &fit), "complexity fit false for n <= 0");
	}
	{
		double		one[3] = {10, 10, 10};
		double		yy[3] = {1, 2, 3};

		ok(tbs_fit_complexity(one, yy, 3, &fit) && fit.b[TBS_O_N] == 0.0,
		   "complexity fit with a single n: slopes 0");
	}
	ok(strcmp(tbs_complexity_name(TBS_O_1), "O(1)") == 0 &&
	   strcmp(tbs_complexity_name(TBS_O_LOG_N), "O(log n)") == 0 &&
	   strcmp(tbs_complexity_name(TBS_O_N), "O(n)") == 0 &&
	   strcmp(tbs_complexity_name(TBS_O_N_LOG_N), "O(n log n)") == 0 &&
	   strcmp(tbs_complexity_name(TBS_O_N2), "O(n^2)") == 0,
	   "complexity names");
}

static void
test_outliers(void)
{
	TbHist	   *h = new_hist();
	TbsOutliers o;

	/*
	 * 108 samples, all below 256 (exact buckets): 50, 100, 120, 150 x30,
	 * 160 x40, 170 x30, 200, 210, 250 x3.  q1 = x(27) = 150, q3 = x(81) =
	 * 170, iqr = 20; fences 90, 120, 200, 230.  120 and 200 sit exactly on
	 * the mild fences and are not outliers.
	 */
	tbh_record_n(h, 50, 1);
	tbh_record_n(h, 100, 1);
	tbh_record_n(h, 120, 1);
	tbh_record_n(h, 150, 30);
	tbh_record_n(h, 160, 40);
	tbh_record_n(h, 170, 30);
	tbh_record_n(h, 200, 1);
	tbh_record_n(h, 210, 1);
	tbh_record_n(h, 250, 3);
	tbs_outliers(h, &o);
	ok(o.q1 == 150.0 && o.q3 == 170.0 && o.iqr == 20.0 &&
	   o.low_severe == 90.0 && o.low_mild == 120.0 &&
	   o.high_mild == 200.0 && o.high_severe == 230.0,
	   "Tukey fences q1 %g q3 %g: %g %g %g %g", o.q1, o.q3,
	   o.low_severe, o.low_mild, o.high_mild, o.high_severe);
	ok(o.low_severe_n == 1 && o.low_mild_n == 1 &&
	   o.high_mild_n == 1 && o.high_severe_n == 3,
	   "Tukey counts %llu %llu %llu %llu",
	   (unsigned long long) o.low_severe_n, (unsigned long long) o.low_mild_n,
	   (unsigned long long) o.high_mild_n, (unsigned long long) o.high_severe_n);

	tbh_init(h);
	tbs_outliers(h, &o);
	ok(isnan(o.q1) && isnan(o.iqr) && isnan(o.high_severe) &&
	   o.low_severe_n == 0 && o.low_mild_n == 0 &&
	   o.high_mild_n == 0 && o.high_severe_n == 0,
	   "Tukey on empty histogram: NaN fences, no outliers");

	tbh_record_n(h, 5000, 1);
	tbs_outliers(h, &o);
	ok(o.iqr == 0.0 && o.low_severe_n + o.low_mild_n + o.high_mild_n + o.high_severe_n == 0,
	   "Tukey on one sample: no outliers");
	free(h);
}

static void
test_two_sample_shift(void)
{
	double		x[5] = {1, 2, 3, 4, 5};
	double		y[5] = {6, 7, 8, 9, 10};
	double		work[400];
	double		a[20];
	double		b[20];
	TbsShift	sh;
	int			i;
	int			trial;
	int			fp = 0;
	int			covered = 0;
	uint64_t	seed = 42;

	ok(tbs_two_sample_shift(x, 5, y, 5, 0.95, work, &sh) && sh.estimate == 5.0,
	   "shift: Hodges-Lehmann estimate of a 5-shift is 5 (%g)", sh.estimate);
	/* U = 25 of 25, normal approximation with continuity: z = 12 / sqrt(22.9167) */
	ok(fabs(sh.p - 0.012185) < 1e-4, "shift: Mann-Whitney p of separated samples 0.0122 (%g)", sh.p);
	ok(sh.lo <= 5.0 && sh.hi >= 5.0 && sh.lo >= 1.0 && sh.hi <= 9.0,
	   "shift: interval [%g, %g] holds the estimate and lies among the differences", sh.lo, sh.hi);
	ok(tbs_two_sample_shift(x, 5, x, 5, 0.95, work, &sh) && sh.estimate == 0.0 && sh.p == 1.0,
	   "shift: identical samples: estimate 0, p 1 (%g, %g)", sh.estimate, sh.p);
	ok(!tbs_two_sample_shift(x, 1, y, 5, 0.95, work, &sh) && isnan(sh.p),
	   "shift: one value on a side is refused");

	/* A/A false positives and coverage of a true shift of 0.05, normal noise */
	for (trial = 0; trial < 400; trial++)
	{
		for (i = 0; i < 20; i++)
		{
			double		u1 = ((double) ((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 11) + 0.5) / 9007199254740992.0;
			double		u2 = ((double) ((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 11) + 0.5) / 9007199254740992.0;

			a[i] = 0.03 * sqrt(-2.0 * log(u1)) * cos(2 * M_PI * u2);
			b[i] = 0.03 * sqrt(-2.0 * log(u1)) * sin(2 * M_PI * u2);
		}
		tbs_two_sample_shift(a, 20, b, 20, 0.95, work, &sh);
		if (sh.p < 0.05)
			fp++;
		for (i = 0; i < 20; i++)
			b[i] += 0.05;
		tbs_two_sample_shift(a, 20, b, 20, 0.95, work, &sh);
		if (sh.lo <= 0.05 && sh.hi >= 0.05)
			covered++;
	}
	ok(fp >= 8 && fp <= 36, "shift: A/A false positive rate at 5 %% is %.3f", fp / 400.0);
	ok(covered >= 368 && covered <= 392, "shift: 95 %% interval covers the true shift in %.3f", covered / 400.0);
}

/* ---- n-gated percentiles and rounding ---- */
static void
test_figures(void)
{
	ok(tbs_quantile_min_n(0.5) == 1 && tbs_quantile_min_n(0.9) == 10 &&
	   tbs_quantile_min_n(0.95) == 20 && tbs_quantile_min_n(0.99) == 100 &&
	   tbs_quantile_min_n(0.999) == 1000,
	   "quantile_min_n: p50 1, p90 10, p95 20, p99 100, p99.9 1000 (got %llu %llu %llu)",
	   (unsigned long long) tbs_quantile_min_n(0.95), (unsigned long long) tbs_quantile_min_n(0.99),
	   (unsigned long long) tbs_quantile_min_n(0.999));
	ok(tbs_quantile_min_n(1.0) == UINT64_MAX && tbs_quantile_min_n(NAN) == 1,
	   "quantile_min_n: q = 1 never, NaN as a median");
	ok(tbs_round_figure(63.64) == 63.6 && tbs_round_figure(113.449) == 113.0 &&
	   tbs_round_figure(123456.0) == 123000.0 && tbs_round_figure(-1.2345) == -1.23,
	   "round_figure: 3 significant digits (63.6, 113, 123000, -1.23)");
	ok(tbs_round_figure(0.0004567) == 0.0 && tbs_round_figure(0.0016) == 0.002 &&
	   tbs_round_figure(-0.012345) == -0.012 && tbs_round_figure(0.0525) == 0.053,
	   "round_figure: never finer than 0.001");
	ok(tbs_round_sig(0.000123456, 3, 0) == 0.000123 && tbs_round_sig(0.04567, 2, 0) == 0.046 &&
	   tbs_round_sig(98765.0, 3, 0) == 98800.0,
	   "round_sig: 3 digits at any scale without a limit (0.000123, 98800)");
	ok(isnan(tbs_round_figure(NAN)) && isinf(tbs_round_figure(INFINITY)) && tbs_round_figure(0.0) == 0.0,
	   "round_figure: NaN, infinity and 0 unchanged");
}

/* ---- verdicts with reasons ---- */
static void
test_judge(void)
{
	TbsReason	r;

	ok(tbs_judge(15, 12, 18, 0.001, 0.05, 5, 25, 1000, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_TOO_FEW, "judge: 25 samples are too few for a verdict");
	ok(tbs_judge(15, 12, 18, 0.001, 0.05, 5, 30, 30, TBS_VERDICT_MIN_N, &r) == TBS_REGRESSED &&
	   r == TBS_R_SIGNIFICANT, "judge: +15 %% [12, 18], p 0.001, floor 5: regressed");
	ok(tbs_judge(-15, -18, -12, 0.001, 0.05, 5, 30, 30, TBS_VERDICT_MIN_N, &r) == TBS_IMPROVED &&
	   r == TBS_R_SIGNIFICANT, "judge: -15 %%: improved");
	ok(tbs_judge(4, 3, 5, 0.001, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_UNCHANGED &&
	   r == TBS_R_CI_WITHIN_FLOOR, "judge: significant +4 %% under a 5 %% floor: unchanged");
	ok(tbs_judge(4, -3, 11, 0.3, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_UNCHANGED &&
	   r == TBS_R_WITHIN_FLOOR, "judge: +4 %% with a wide interval: unchanged, within the floor");
	ok(tbs_judge(8, -1, 17, 0.2, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_NOT_SIGNIFICANT, "judge: +8 %% not significant: inconclusive");
	ok(tbs_judge(8, -1, 17, 0.01, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_CI_REACHES_FLOOR, "judge: +8 %% significant but the interval includes 0: inconclusive");
	ok(tbs_judge(9, 4, 14, 0.001, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_CI_REACHES_FLOOR, "judge: +9 %% [4, 14] beyond a 5 %% floor, but its interval reaches into it: inconclusive");
	ok(tbs_judge(-9, -14, -4, 0.001, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_CI_REACHES_FLOOR, "judge: -9 %% [-14, -4] under a 5 %% floor: inconclusive");
	ok(tbs_judge(9, 5.5, 14, 0.001, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_REGRESSED,
	   "judge: +9 %% [5.5, 14], the whole interval beyond a 5 %% floor: regressed");
	ok(tbs_judge(NAN, NAN, NAN, NAN, 0.05, 5, 100, 100, TBS_VERDICT_MIN_N, &r) == TBS_INCONCLUSIVE &&
	   r == TBS_R_NO_FIGURES, "judge: no figures: inconclusive");
	ok(tbs_verdict(15, 12, 18, 0.001, 0.05, 5) == TBS_REGRESSED,
	   "verdict: the same rule without a sample count");
	ok(strcmp(tbs_reason_text(TBS_R_TOO_FEW), "too few samples") == 0, "reason text");
}

/* ---- noise floor from history ---- */
static void
test_noise_floor(void)
{
	double		lv[400];
	double		work[400];
	double		f;
	double		big;
	Rng			rng;
	int			i;

	rng_seed(&rng, 1313);
	ok(!tbs_noise_floor(lv, 4, 3.0, work, &f) && isnan(f), "noise_floor: 4 runs are too few");
	for (i = 0; i < 400; i++)
		lv[i] = 100.0 * exp(0.02 * rng_normal(&rng));
	/* the difference of two runs has sd 0.02 sqrt 2; floor 3 of those: about 8.8 % */
	ok(tbs_noise_floor(lv, 400, 3.0, work, &f) && f > 7.5 && f < 10.0,
	   "noise_floor: runs with 2 %% spread give about 8.8 %% at z 3 (got %.2f)", f);
	for (i = 200; i < 400; i++)
		lv[i] *= 1.3;
	ok(tbs_noise_floor(lv, 400, 3.0, work, &big) && fabs(big - f) < 0.5,
	   "noise_floor: one real shift in the history barely moves it (%.2f vs %.2f)", big, f);
	lv[3] = 0.0;
	ok(!tbs_noise_floor(lv, 40, 3.0, work, &f), "noise_floor: a level of 0 is refused");
}

/* ---- change points ---- */
static void
test_change_points(void)
{
	double		x[60];
	double		work[121];
	TbsChangePoint cp[8];
	Rng			rng;
	int			i;
	int			k;
	int			trial;
	int			exact = 0;

	/* a sustained 20 % shift after ten runs, 2 % noise: one point, at the shift */
	rng_seed(&rng, 2020);
	for (trial = 0; trial < 50; trial++)
	{
		for (i = 0; i < 20; i++)
			x[i] = (i < 10 ? 100.0 : 120.0) * exp(0.02 * rng_normal(&rng));
		k = tbs_change_points(x, 20, 3, 0.01, 5.0, work, cp, 8);
		exact += (k == 1 && cp[0].index == 10);
	}
	ok(exact == 50, "change_points: a 20 %% shift after 10 runs: one point at run 10 in %d of 50", exact);
	for (i = 0; i < 20; i++)
		x[i] = (i < 10 ? 100.0 : 120.0) * exp(0.02 * rng_normal(&rng));
	k = tbs_change_points(x, 20, 3, 0.01, 5.0, work, cp, 8);
	ok(k == 1 && cp[0].before > 95 && cp[0].before < 105 && cp[0].after > 114 && cp[0].after < 126 &&
	   cp[0].p < 0.01, "change_points: before about 100, after about 120 (%.1f -> %.1f, p %.2g)",
	   k ? cp[0].before : NAN, k ? cp[0].after : NAN, k ? cp[0].p : NAN);

	/* noise only, and one noisy run: none */
	exact = 0;
	for (trial = 0; trial < 50; trial++)
	{
		for (i = 0; i < 30; i++)
			x[i] = 100.0 * exp(0.02 * rng_normal(&rng));
		if (trial % 2)
			x[15] = 160.0;
		exact += (tbs_change_points(x, 30, 3, 0.01, 5.0, work, cp, 8) == 0);
	}
	ok(exact >= 49, "change_points: none in noise or after one run 60 %% slower, %d of 50", exact);

	/* two shifts */
	for (i = 0; i < 30; i++)
		x[i] = (i < 10 ? 100.0 : i < 20 ? 130.0 : 90.0) * exp(0.01 * rng_normal(&rng));
	k = tbs_change_points(x, 30, 3, 0.01, 5.0, work, cp, 8);
	ok(k == 2 && cp[0].index == 10 && cp[1].index == 20, "change_points: two shifts, at 10 and 20 (found %d)", k);
	ok(tbs_change_points(x, 30, 3, 0.01, 5.0, work, cp, 1) == 1, "change_points: at most max_out");

	/* bad input */
	ok(tbs_change_points(x, 5, 3, 0.01, 5.0, work, cp, 8) == 0, "change_points: too short a series");
	x[2] = -1.0;
	ok(tbs_change_points(x, 30, 3, 0.01, 5.0, work, cp, 8) == 0, "change_points: a negative value");
	ok(isnan(tbs_welch_p(x, 1, x, 5)) && tbs_welch_p(work, 3, work, 3) == 1.0,
	   "welch_p: NaN with one value, 1 for equal constant samples");
}

/* ---- the comparison of two runs (server's hcompare and the client's offline compare) ---- */

static void
test_compare_runs(void)
{
	TbHist	   *a = new_hist();
	TbHist	   *b = new_hist();
	Rng			rng;
	double		blocks_a[20];
	double		blocks_b[20];
	double		probes[20];
	double		la[20];
	double		lb[20];
	double		work[20 + 20 + 400];
	double		work2[400];
	TbsComparison c;
	TbsShift	sh;
	TbsChange	ch;
	TbsRankTest rt;
	int			i;

	rng_seed(&rng, 99);
	fill_lognormal(a, &rng, 2000, 100000.0, 0.1);
	fill_lognormal(b, &rng, 2000, 115000.0, 0.1);
	for (i = 0; i < 20; i++)
	{
		blocks_a[i] = 100000.0 * (1.0 + 0.01 * (i % 5));
		blocks_b[i] = 115000.0 * (1.0 + 0.01 * ((i + 2) % 5));
		probes[i] = 5000.0;
		la[i] = log(blocks_a[i]) - log(probes[i]);
		lb[i] = log(blocks_b[i]) - log(probes[i]);
	}

	/* with blocks: the shift of their logs relative to the probes */
	tbs_compare_runs(a, b, blocks_a, 20, probes, blocks_b, 20, probes, 5.0, 0.05, 0.95, work, &c);
	tbs_two_sample_shift(la, 20, lb, 20, 0.95, work2, &sh);
	ok(c.valid && c.change_pct == 100.0 * (exp(sh.estimate) - 1.0) && c.p == sh.p &&
	   c.verdict == TBS_REGRESSED && c.reason == TBS_R_SIGNIFICANT,
	   "compare_runs with blocks: the shift of the block medians, regressed (%.2f %%)", c.change_pct);

	/* too few blocks: the histograms */
	tbs_compare_runs(a, b, blocks_a, 3, probes, blocks_b, 3, probes, 5.0, 0.05, 0.95, work, &c);
	tbs_median_change(a, b, 0.95, &ch);
	tbs_mann_whitney(a, b, &rt);
	ok(c.valid && c.change_pct == ch.change_pct && c.p == rt.p && c.verdict == TBS_REGRESSED,
	   "compare_runs with too few blocks: the medians of the histograms (%.2f %%)", c.change_pct);

	/*
	 * the machine's speed differed: blocks 60 % slower with probes 60 %
	 * slower too would be unchanged; blocks 80 % slower with probes 40 %
	 * slower is a change relative to the probes, but not called
	 */
	{
		double		blocks_s[20];
		double		probes_s[20];

		for (i = 0; i < 20; i++)
		{
			blocks_s[i] = blocks_a[i] * 1.8;
			probes_s[i] = probes[i] * 1.4;
		}
		tbs_compare_runs(a, b, blocks_a, 20, probes, blocks_s, 20, probes_s, 5.0, 0.05, 0.95, work, &c);
		ok(c.valid && c.change_pct > 20.0 && c.verdict == TBS_INCONCLUSIVE && c.reason == TBS_R_MACHINE_SPEED,
		   "compare_runs: probes 40 %% apart, not called (%.1f %%, %s)", c.change_pct, tbs_reason_text(c.reason));
		{
			TbsComparison cs;
			int			w;

			tbs_compare_case(a, b, blocks_a, 20, probes, blocks_s, 20, probes_s, 5.0, 0.05,
							 a->count, b->count, 20.0, work, &cs, &w);
			ok(cs.verdict == TBS_INCONCLUSIVE && cs.reason == TBS_R_MACHINE_SPEED,
			   "compare_case: probes 40 %% apart, still not called after judging with the runs' n (%s)",
			   tbs_reason_text(cs.reason));
		}
		for (i = 0; i < 20; i++)
			probes_s[i] = probes[i] * 1.2;
		tbs_compare_runs(a, b, blocks_a, 20, probes, blocks_s, 20, probes_s, 5.0, 0.05, 0.95, work, &c);
		ok(c.verdict == TBS_REGRESSED && c.reason == TBS_R_SIGNIFICANT,
		   "compare_runs: probes 20 %% apart, still called (%.1f %%)", c.change_pct);
		/* 20 times slower with the probes 40 % slower: far beyond the machine's change, called */
		for (i = 0; i < 20; i++)
		{
			blocks_s[i] = blocks_a[i] * 20.0;
			probes_s[i] = probes[i] * 1.4;
		}
		tbs_compare_runs(a, b, blocks_a, 20, probes, blocks_s, 20, probes_s, 5.0, 0.05, 0.95, work, &c);
		ok(c.verdict == TBS_REGRESSED && c.reason == TBS_R_SIGNIFICANT,
		   "compare_runs: 20 times slower, probes 40 %% apart: still called (%.0f %%)", c.change_pct);
		/* the same blocks, the probes 15 % slower: -13 % relative to them, 0 % in time */
		for (i = 0; i < 20; i++)
			probes_s[i] = probes[i] * 1.15;
		tbs_compare_runs(a, a, blocks_a, 20, probes, blocks_a, 20, probes_s, 5.0, 0.05, 0.95, work, &c);
		ok(c.valid && c.change_pct < -10.0 && c.verdict == TBS_INCONCLUSIVE && c.reason == TBS_R_MACHINE_SPEED,
		   "compare_runs: the probes 15 %% slower, the blocks not: not called (%.1f %% relative to the probes, %s)",
		   c.change_pct, tbs_reason_text(c.reason));
	}

	/* the same run: unchanged; probes of one side missing are ignored on both */
	tbs_compare_runs(a, a, blocks_a, 20, probes, blocks_a, 20, NULL, 5.0, 0.05, 0.95, work, &c);
	ok(c.valid && c.change_pct == 0.0 && c.verdict == TBS_UNCHANGED, "compare_runs of a run with itself: unchanged");

	/* one case as tasker_bench_compare shows it: rounded figures, judged unrounded with the runs' n */
	{
		TbsComparison cc;
		int			within;

		tbs_compare_runs(a, b, blocks_a, 20, probes, blocks_b, 20, probes, 5.0, 0.05, 0.95, work, &c);
		tbs_compare_case(a, b, blocks_a, 20, probes, blocks_b, 20, probes, 5.0, 0.05,
						 a->count, b->count, 20.0, work, &cc, &within);
		ok(cc.valid && cc.change_pct == tbs_round_figure(c.change_pct) &&
		   cc.ci_low_pct == tbs_round_figure(c.ci_low_pct) && cc.p == tbs_round_sig(c.p, 3, 0.0) &&
		   cc.verdict == c.verdict && cc.reason == c.reason && within == 1,
		   "compare_case: compare_runs' figures rounded, its verdict, within a 20 %% tolerance (%g %%)",
		   cc.change_pct);
		tbs_compare_case(a, b, blocks_a, 20, probes, blocks_b, 20, probes, 5.0, 0.05,
						 a->count, b->count, 5.0, work, &cc, &within);
		ok(within == 0, "compare_case: beyond a 5 %% tolerance");
		tbs_compare_case(a, b, blocks_a, 20, probes, blocks_b, 20, probes, 5.0, 0.05,
						 10, b->count, NAN, work, &cc, &within);
		ok(cc.verdict == TBS_INCONCLUSIVE && cc.reason == TBS_R_TOO_FEW && within == -1,
		   "compare_case: judged with the given n (10: too few); no tolerance, no answer");
	}
	ok(tbs_category_tolerance("e2e", 3.0) == 10.0 && tbs_category_tolerance("lifecycle", 3.0) == 20.0 &&
	   tbs_category_tolerance("sql", 3.0) == 3.0 && tbs_category_tolerance(NULL, 4.0) == 4.0,
	   "category_tolerance: e2e 10, lifecycle 20, else the noise floor");

	/* too few samples: inconclusive whatever the change */
	tbh_init(a);
	tbh_init(b);
	for (i = 0; i < 10; i++)
	{
		tbh_record_n(a, 1000, 1);
		tbh_record_n(b, 5000, 1);
	}
	tbs_compare_runs(a, b, NULL, 0, NULL, NULL, 0, NULL, 5.0, 0.05, 0.95, NULL, &c);
	ok(c.verdict == TBS_INCONCLUSIVE && c.reason == TBS_R_TOO_FEW,
	   "compare_runs with 10 samples a side: inconclusive (too few)");

	/* empty: no figures */
	tbh_init(a);
	tbs_compare_runs(a, b, NULL, 0, NULL, NULL, 0, NULL, 5.0, 0.05, 0.95, NULL, &c);
	ok(!c.valid && isnan(c.change_pct) && c.verdict == TBS_INCONCLUSIVE, "compare_runs of an empty run: no figures");
	free(a);
	free(b);
}

int
main(void)
{
	test_normal();
	test_t();
	test_median_ci();
	test_mann_whitney();
	test_median_change();
	test_signed_rank();
	test_verdict();
	test_complexity();
	test_outliers();
	test_two_sample_shift();
	test_figures();
	test_judge();
	test_noise_floor();
	test_change_points();
	test_compare_runs();

	printf("1..%d\n", tests_run);
	if (tests_failed > 0)
	{
		printf("# %d of %d tests failed\n", tests_failed, tests_run);
		return 1;
	}
	return 0;
}
