/*
 * stats.c
 *		Benchmark statistics on latency histograms.
 *
 * Plain C (libc and libm only, no PostgreSQL headers): Tukey outliers,
 * normal and Student t distributions, the distribution-free confidence
 * interval of the median, the Mann-Whitney rank test between two
 * histograms, the relative change of the median, the Wilcoxon signed-rank
 * statistics of paired rounds, change verdicts and the complexity fit of
 * the scale sweep.  See stats.h for the contracts.
 *
 * Nothing here allocates memory or keeps state between calls.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "stats.h"

#define TBS_SQRT2		1.41421356237309504880
#define TBS_SQRT2PI		2.50662827463100050242
#define TBS_LOGPI		1.14472988584940017414
#define TBS_PI			3.14159265358979323846

/* above this many degrees of freedom t is computed by its expansion in z */
#define TBS_T_DF_LARGE	1e6

/* exact binomial ranks for the median interval up to this many samples */
#define TBS_MEDIAN_EXACT_MAX	1000


/* ------------------------------------------------------------------------
 * Normal distribution
 * ------------------------------------------------------------------------
 */

double
tbs_normal_cdf(double x)
{
	if (isnan(x))
		return NAN;
	return 0.5 * erfc(-x / TBS_SQRT2);
}

/*
 * Lower-tail normal quantile for 0 < p <= 0.5 (result <= 0).
 *
 * A rational approximation (Acklam's coefficients, relative error about
 * 1e-9) is polished by one step of Halley's method on the exact CDF, which
 * in the lower tail is computed by erfc without cancellation; the step
 * brings the result to nearly full double precision.
 */
static double
normal_quantile_lower(double p)
{
	static const double a[6] = {
		-3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00
	};
	static const double b[5] = {
		-5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01
	};
	static const double c[6] = {
		-7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00
	};
	static const double d[4] = {
		7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00
	};
	double		x;
	double		q;
	double		r;
	double		pdf;
	double		e;
	double		u;

	if (p < 0.02425)
	{
		/* tail region */
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else
	{
		/* central region */
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}

	/* one Halley step: f(x) = Phi(x) - p, f' = pdf, f'' = -x pdf */
	pdf = exp(-0.5 * x * x) / TBS_SQRT2PI;
	if (pdf > 0.0 && isfinite(pdf))
	{
		e = tbs_normal_cdf(x) - p;
		u = e / pdf;
		if (isfinite(u))
			x = x - u / (1.0 + 0.5 * x * u);
	}
	return x;
}

double
tbs_normal_quantile(double p)
{
	if (isnan(p) || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	if (p == 0.5)
		return 0.0;
	/* for p > 0.5, 1 - p is exact (Sterbenz), so use the symmetry */
	if (p > 0.5)
		return -normal_quantile_lower(1.0 - p);
	return normal_quantile_lower(p);
}

/* z such that P(|Z| <= z) = conf; NaN unless 0 < conf < 1 */
static double
two_sided_z(double conf)
{
	if (!(conf > 0.0 && conf < 1.0))
		return NAN;
	return tbs_normal_quantile(0.5 + 0.5 * conf);
}


/* ------------------------------------------------------------------------
 * Student's t distribution
 * ------------------------------------------------------------------------
 */

/*
 * Continued fraction of the regularized incomplete beta function
 * (I_x(a,b) = x^a y^b / (a B(a,b)) * cf), evaluated by the modified Lentz
 * method.  It converges quickly for x < (a + 1) / (a + b + 2).
 */
static double
beta_contfrac(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		c;
	double		d;
	double		f;
	double		num;
	double		delta;
	double		m;
	double		maxit;

	maxit = 200.0 + 20.0 * sqrt(a + b);
	c = 1.0;
	d = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	f = d;
	for (m = 1.0; m <= maxit; m += 1.0)
	{
		/* even term */
		num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		f *= c * d;

		/* odd term */
		num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		delta = c * d;
		f *= delta;
		if (fabs(delta - 1.0) < 1e-16)
			break;
	}
	return f;
}

/*
 * Regularized incomplete beta I_x(a, b); y = 1 - x is passed separately so
 * callers can supply it without cancellation.
 */
static double
incomplete_beta(double a, double b, double x, double y)
{
	double		lfront;

	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lfront) * beta_contfrac(a, b, x) / a;
	return 1.0 - exp(lfront) * beta_contfrac(b, a, y) / b;
}

/*
 * Cornish-Fisher expansion of the t quantile in terms of the normal
 * quantile z; very accurate for large df, a starting point otherwise.
 */
static double
t_from_z(double z, double df)
{
	double		z2 = z * z;
	double		g1,
				g2,
				g3,
				g4;

	g1 = (z2 + 1.0) * z / 4.0;
	g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
	g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
	g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
	return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/* Upper tail P(T > t) for t >= 0. */
static double
t_upper_tail(double t, double df)
{
	double		t2;

	if (t <= 0.0)
		return 0.5;
	if (isinf(t))
		return 0.0;
	if (df > TBS_T_DF_LARGE)
	{
		/* Fisher's normalizing transformation; error O(df^-2) */
		double		z = t * (1.0 - 1.0 / (4.0 * df)) / sqrt(1.0 + t * t / (2.0 * df));

		return 0.5 * erfc(z / TBS_SQRT2);
	}
	t2 = t * t;
	return 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2));
}

/* log density of t at t */
static double
t_log_pdf(double t, double df)
{
	return lgamma(0.5 * (df + 1.0)) - lgamma(0.5 * df) -
		0.5 * (log(df) + TBS_LOGPI) -
		0.5 * (df + 1.0) * log1p(t * t / df);
}

/* t > 0 with P(T > t) = q, for 0 < q < 0.5 */
static double
t_upper_quantile(double q, double df)
{
	double		lo;
	double		hi;
	double		t;
	double		logq;
	int			iter;

	if (df == 1.0)
		return cos(TBS_PI * q) / sin(TBS_PI * q);
	if (df == 2.0)
		return (1.0 - 2.0 * q) / sqrt(2.0 * q * (1.0 - q));

	t = t_from_z(-normal_quantile_lower(q), df);
	if (df > TBS_T_DF_LARGE)
		return t;
	if (!(t > 0.0) || !isfinite(t))
		t = 1.0;

	/* bracket the root: tail(lo) >= q > tail(hi) */
	lo = 0.0;
	hi = t;
	while (t_upper_tail(hi, df) >= q)
	{
		lo = hi;
		hi *= 2.0;
		if (!isfinite(hi))
			return INFINITY;
	}

	/*
	 * Safeguarded Newton on log tail(t) - log q, which is close to linear in
	 * log t far out in the tail.
	 */
	logq = log(q);
	for (iter = 0; iter < 200; iter++)
	{
		double		tail = t_upper_tail(t, df);
		double		g;
		double		step;
		double		next;

		if (tail >= q)
			lo = t;
		else
			hi = t;
		if (tail <= 0.0)
			g = -INFINITY;
		else
			g = log(tail) - logq;

		/* derivative of log tail is -pdf / tail */
		step = (tail > 0.0) ? g * tail / exp(t_log_pdf(t, df)) : NAN;
		next = t + step;
		if (!isfinite(next) || next <= lo || next >= hi)
			next = 0.5 * (lo + hi);
		if (fabs(next - t) <= 1e-13 * t || hi - lo <= 1e-15 * hi)
		{
			t = next;
			break;
		}
		t = next;
	}
	return t;
}

double
tbs_t_quantile(double p, double df)
{
	if (isnan(p) || isnan(df) || df <= 0.0 || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	if (p == 0.5)
		return 0.0;
	if (isinf(df))
		return tbs_normal_quantile(p);
	if (p > 0.5)
		return t_upper_quantile(1.0 - p, df);
	return -t_upper_quantile(p, df);
}

/* mean and sample standard deviation of x[0..n-1], n >= 2 */
static void
mean_sd(const double *x, int n, double *mean, double *sd)
{
	double		s = 0.0;
	double		ss = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		s += x[i];
	s /= n;
	for (i = 0; i < n; i++)
		ss += (x[i] - s) * (x[i] - s);
	*mean = s;
	*sd = sqrt(ss / (n - 1));
}

bool
tbs_mean_ci(const double *x, int n, double conf, double *mean, double *lo, double *hi)
{
	double		m;
	double		sd;
	double		t;
	double		half;

	*mean = NAN;
	*lo = NAN;
	*hi = NAN;
	if (x == NULL || n < 1)
		return false;
	if (n < 2)
	{
		*mean = x[0];
		return false;
	}
	mean_sd(x, n, &m, &sd);
	*mean = m;
	if (!(conf > 0.0 && conf < 1.0) || !isfinite(m) || !isfinite(sd))
		return false;
	t = tbs_t_quantile(0.5 + 0.5 * conf, (double) (n - 1));
	half = t * sd / sqrt((double) n);
	*lo = m - half;
	*hi = m + half;
	return true;
}

double
tbs_t_test_p(const double *x, int n, double mu)
{
	double		m;
	double		sd;
	double		t;
	double		df;

	if (x == NULL || n < 2 || isnan(mu))
		return NAN;
	mean_sd(x, n, &m, &sd);
	if (isnan(m) || isnan(sd))
		return NAN;
	if (sd == 0.0)
		return (m == mu) ? 1.0 : 0.0;
	t = fabs(m - mu) / (sd / sqrt((double) n));
	df = (double) (n - 1);
	if (df > TBS_T_DF_LARGE)
		return fmin(1.0, 2.0 * t_upper_tail(t, df));
	/* two-sided p = I_{df/(df+t^2)}(df/2, 1/2) */
	return incomplete_beta(0.5 * df, 0.5, df / (df + t * t), t * t / (df + t * t));
}


/* ------------------------------------------------------------------------
 * Histogram statistics
 * ------------------------------------------------------------------------
 */

void
tbs_outliers(const TbHist *h, TbsOutliers *out)
{
	int			cursor = 0;
	TbHistBucket bk;

	out->low_severe_n = 0;
	out->low_mild_n = 0;
	out->high_mild_n = 0;
	out->high_severe_n = 0;
	if (h == NULL || h->count == 0)
	{
		out->q1 = out->q3 = out->iqr = NAN;
		out->low_severe = out->low_mild = NAN;
		out->high_mild = out->high_severe = NAN;
		return;
	}

	out->q1 = tbh_percentile(h, 0.25);
	out->q3 = tbh_percentile(h, 0.75);
	out->iqr = out->q3 - out->q1;
	out->low_severe = out->q1 - 3.0 * out->iqr;
	out->low_mild = out->q1 - 1.5 * out->iqr;
	out->high_mild = out->q3 + 1.5 * out->iqr;
	out->high_severe = out->q3 + 3.0 * out->iqr;

	/*
	 * Midpoints are clamped to [min, max] like the quartiles are, so the
	 * outer buckets are judged by values that actually occurred (a lone
	 * sample must not be an outlier from itself).
	 */
	while (tbh_next_bucket(h, &cursor, &bk))
	{
		double		mid = tbh_bucket_mid(bk.index);

		if (mid < (double) h->min)
			mid = (double) h->min;
		if (mid > (double) h->max)
			mid = (double) h->max;

		if (mid < out->low_severe)
			out->low_severe_n += bk.count;
		else if (mid < out->low_mild)
			out->low_mild_n += bk.count;
		else if (mid > out->high_severe)
			out->high_severe_n += bk.count;
		else if (mid > out->high_mild)
			out->high_mild_n += bk.count;
	}
}

/*
 * Rank j of the lower end of the median interval [x_(j), x_(n-j+1)] of n
 * samples, coverage conf; 1 <= j <= (n + 1) / 2.
 *
 * Exactly, the interval covers the median with probability
 * 1 - 2 P(B < j), B ~ Bin(n, 1/2); we take the largest j keeping that at
 * least conf (j = 1 when even the full range cannot reach conf).  For
 * large n the binomial is replaced by its normal approximation with
 * continuity correction, j = floor(n/2 + 1/2 - z sqrt(n) / 2).
 */
static uint64_t
median_rank(uint64_t n, double conf)
{
	double		half_alpha = 0.5 * (1.0 - conf);
	double		j;

	if (n <= TBS_MEDIAN_EXACT_MAX)
	{
		/* P(B = 0) = 2^-n does not underflow for n <= 1000 */
		double		pmf = ldexp(1.0, -(int) n);
		double		cdf = pmf;	/* P(B <= k) */
		uint64_t	k = 0;
		uint64_t	best = 0;

		while (cdf <= half_alpha * (1.0 + 1e-12) && k < n)
		{
			best = k + 1;		/* P(B < k + 1) <= alpha/2 */
			k++;
			pmf *= (double) (n - k + 1) / (double) k;
			cdf += pmf;
		}
		return (best < 1) ? 1 : best;
	}

	j = floor(0.5 * (double) n + 0.5 - 0.5 * two_sided_z(conf) * sqrt((double) n));
	if (!(j >= 1.0))
		return 1;
	if (j > 0.5 * ((double) n + 1.0))
		j = floor(0.5 * ((double) n + 1.0));
	return (uint64_t) j;
}

bool
tbs_median_ci(const TbHist *h, double conf, double *lo, double *hi)
{
	uint64_t	n;
	uint64_t	j;

	*lo = NAN;
	*hi = NAN;
	if (h == NULL || h->count < 2 || !(conf > 0.0 && conf < 1.0))
		return false;
	n = h->count;
	j = median_rank(n, conf);
	*lo = tbh_value_at_rank(h, j);
	*hi = tbh_value_at_rank(h, n - j + 1);
	return !isnan(*lo) && !isnan(*hi);
}

bool
tbs_mann_whitney(const TbHist *a, const TbHist *b, TbsRankTest *out)
{
	int			ca = 0,
				cb = 0;
	TbHistBucket ba,
				bb;
	bool		has_a,
				has_b;
	long double na,
				nb,
				nn;
	long double below_a = 0.0L;	/* a values in lower tie groups */
	long double u = 0.0L;
	long double ties = 0.0L;	/* sum over groups of (t^3 - t) / (N (N - 1)) */
	long double mean,
				var,
				diff;

	out->u = NAN;
	out->z = NAN;
	out->p = NAN;
	out->auc = NAN;
	if (a == NULL || b == NULL || a->count == 0 || b->count == 0)
		return false;

	na = (long double) a->count;
	nb = (long double) b->count;
	nn = na + nb;

	/* merge-walk the non-empty buckets; each bucket index is a tie group */
	has_a = tbh_next_bucket(a, &ca, &ba);
	has_b = tbh_next_bucket(b, &cb, &bb);
	while (has_a || has_b)
	{
		int			idx;
		long double ta = 0.0L,
					tb = 0.0L,
					t;

		if (has_a && has_b)
			idx = (ba.index < bb.index) ? ba.index : bb.index;
		else
			idx = has_a ? ba.index : bb.index;

		if (has_a && ba.index == idx)
		{
			ta = (long double) ba.count;
			has_a = tbh_next_bucket(a, &ca, &ba);
		}
		if (has_b && bb.index == idx)
		{
			tb = (long double) bb.count;
			has_b = tbh_next_bucket(b, &cb, &bb);
		}

		u += tb * (below_a + 0.5L * ta);
		below_a += ta;
		t = ta + tb;
		if (t > 1.0L)
			ties += (t / nn) * ((t - 1.0L) / (nn - 1.0L)) * (t + 1.0L);
	}

	mean = 0.5L * na * nb;
	var = na * nb / 12.0L * ((nn + 1.0L) - ties);
	diff = u - mean;

	out->u = (double) u;
	out->auc = (double) (u / (na * nb));
	/* relative to the scale of var, anything this small is rounding */
	if (!(var > 1e-9L * na * nb))
	{
		out->z = 0.0;
		out->p = 1.0;
		return true;
	}
	if (fabsl(diff) <= 0.5L)
		diff = 0.0L;
	else
		diff -= (diff > 0.0L) ? 0.5L : -0.5L;
	out->z = (double) (diff / sqrtl(var));
	/* 2 (1 - Phi(|z|)) without cancellation */
	out->p = erfc(fabs(out->z) / TBS_SQRT2);
	if (out->p > 1.0)
		out->p = 1.0;
	return true;
}

bool
tbs_median_change(const TbHist *a, const TbHist *b, double conf, TbsChange *out)
{
	double		ma,
				mb;
	double		alo,
				ahi,
				blo,
				bhi;
	double		z;
	double		sea,
				seb;
	double		lr,
				sd;

	out->change_pct = NAN;
	out->ci_low_pct = NAN;
	out->ci_high_pct = NAN;
	if (a == NULL || b == NULL || a->count < 2 || b->count < 2)
		return false;
	z = two_sided_z(conf);
	if (isnan(z))
		return false;
	ma = tbh_percentile(a, 0.5);
	mb = tbh_percentile(b, 0.5);
	if (!(ma > 0.0) || !(mb > 0.0))
		return false;
	if (!tbs_median_ci(a, conf, &alo, &ahi) ||
		!tbs_median_ci(b, conf, &blo, &bhi))
		return false;

	sea = (ahi - alo) / (2.0 * z);
	seb = (bhi - blo) / (2.0 * z);
	sd = sqrt((sea / ma) * (sea / ma) + (seb / mb) * (seb / mb));
	lr = log(mb / ma);

	out->change_pct = 100.0 * expm1(lr);
	out->ci_low_pct = 100.0 * expm1(lr - z * sd);
	out->ci_high_pct = 100.0 * expm1(lr + z * sd);
	return true;
}


/* ------------------------------------------------------------------------
 * Wilcoxon signed-rank statistics of paired rounds
 * ------------------------------------------------------------------------
 */

#define TBS_SIGN_BIT	UINT64_C(0x8000000000000000)

/* largest T+ of the exact null distribution: M for n = 50 */
#define TBS_SIGNED_RANK_EXACT_M \
	(TBS_SIGNED_RANK_EXACT_MAX * (TBS_SIGNED_RANK_EXACT_MAX + 1) / 2)

static inline bool
sorts_before(double a, double b, bool by_abs)
{
	return by_abs ? fabs(a) < fabs(b) : a < b;
}

static void
sift_down(double *v, int root, int end, bool by_abs)
{
	for (;;)
	{
		int			child = 2 * root + 1;
		double		tmp;

		if (child >= end)
			break;
		if (child + 1 < end && sorts_before(v[child], v[child + 1], by_abs))
			child++;
		if (!sorts_before(v[root], v[child], by_abs))
			break;
		tmp = v[root];
		v[root] = v[child];
		v[child] = tmp;
		root = child;
	}
}

/*
 * Heapsort of v[0..n-1], ascending by value or by absolute value (not
 * qsort: glibc's may allocate a buffer).
 */
static void
sort_doubles(double *v, int n, bool by_abs)
{
	int			i;

	for (i = n / 2 - 1; i >= 0; i--)
		sift_down(v, i, n, by_abs);
	for (i = n - 1; i > 0; i--)
	{
		double		tmp = v[0];

		v[0] = v[i];
		v[i] = tmp;
		sift_down(v, 0, i, by_abs);
	}
}

/*
 * cdf[t] = P(T+ <= t), t = 0 .. n(n+1)/2, for n <= 50 values without ties:
 * the number of subsets of {1..n} with sum t, over 2^n.  The counts are
 * below 2^50, so every step is exact in double.
 */
static void
signed_rank_cdf(int n, double *cdf)
{
	int			m = n * (n + 1) / 2;
	int			i;
	int			t;
	double		cum = 0.0;
	double		total = ldexp(1.0, n);

	cdf[0] = 1.0;
	for (t = 1; t <= m; t++)
		cdf[t] = 0.0;
	for (i = 1; i <= n; i++)
		for (t = i * (i + 1) / 2; t >= i; t--)
			cdf[t] += cdf[t - i];
	for (t = 0; t <= m; t++)
	{
		cum += cdf[t];
		cdf[t] = cum / total;
	}
}

/*
 * Order-preserving map of doubles to unsigned integers (NaN excluded):
 * consecutive keys are adjacent doubles, -0 sorts just below +0.
 */
static uint64_t
order_key(double d)
{
	uint64_t	u;

	memcpy(&u, &d, sizeof(u));
	return (u & TBS_SIGN_BIT) ? ~u : (u | TBS_SIGN_BIT);
}

static double
key_value(uint64_t key)
{
	uint64_t	u = (key & TBS_SIGN_BIT) ? (key & ~TBS_SIGN_BIT) : ~key;
	double		d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/*
 * Number of pairs i <= j with s[i] + s[j] <= v, s sorted ascending.
 * Rounding is monotone, so the sums grow along both indexes and the
 * boundary column only moves left as i grows.
 */
static int64_t
pair_sums_at_most(const double *s, int n, double v)
{
	int64_t		count = 0;
	int			j = n - 1;
	int			i;

	for (i = 0; i < n; i++)
	{
		while (j >= i && s[i] + s[j] > v)
			j--;
		if (j < i)
			break;
		count += j - i + 1;
	}
	return count;
}

/*
 * The k-th smallest (1-based) of the n(n+1)/2 sums s[i] + s[j], i <= j, s
 * sorted: the smallest double v with at least k sums <= v, found by
 * bisection over the doubles in order (at most 64 steps of O(n)).  That v
 * is one of the sums, computed exactly as they are.
 */
static double
kth_pair_sum(const double *s, int n, int64_t k)
{
	uint64_t	lo = order_key(s[0] + s[0]);
	uint64_t	hi = order_key(s[n - 1] + s[n - 1]);

	while (lo < hi)
	{
		uint64_t	mid = lo + (hi - lo) / 2;

		if (pair_sums_at_most(s, n, key_value(mid)) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* a zero sum is found as -0; report +0 */
	return key_value(lo) + 0.0;
}

/* the k-th smallest Walsh average (s[i] + s[j]) / 2 */
static double
walsh_average(const double *s, int n, int64_t k)
{
	return kth_pair_sum(s, n, k) / 2.0;
}

static void
signed_rank_nan(TbsSignedRank *out)
{
	out->estimate = NAN;
	out->low = NAN;
	out->high = NAN;
	out->p = NAN;
	out->v = NAN;
	out->n_nonzero = 0;
	out->k = 0;
	out->exact_p = false;
	out->exact_ci = false;
}

bool
tbs_signed_rank_work(const double *x, int n, double conf, double *work, TbsSignedRank *out)
{
	double		cdf[TBS_SIGNED_RANK_EXACT_M + 1];
	double		half_alpha;
	double		ties = 0.0;		/* sum of t^3 - t over tie groups */
	double		nn;
	double		mm;
	int64_t		m;
	int64_t		k = 0;
	int			zeros;
	int			i;
	int			j;

	signed_rank_nan(out);
	if (x == NULL || work == NULL || n < 1 || !(conf > 0.0 && conf < 1.0))
		return false;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	half_alpha = (1.0 - conf) / 2.0;
	m = (int64_t) n * (n + 1) / 2;
	if (n <= TBS_SIGNED_RANK_EXACT_MAX)
		signed_rank_cdf(n, cdf);

	/*
	 * The test: ranks of |x| among the non-zero values, midranks for ties.
	 * Sorted by |x|, the zeros come first.
	 */
	memcpy(work, x, sizeof(double) * n);
	sort_doubles(work, n, true);
	for (zeros = 0; zeros < n && work[zeros] == 0.0; zeros++)
		;
	out->n_nonzero = n - zeros;
	out->v = 0.0;
	for (i = zeros; i < n; i = j)
	{
		double		t;
		double		midrank;

		for (j = i + 1; j < n && fabs(work[j]) == fabs(work[i]); j++)
			;
		t = (double) (j - i);
		/* 1-based ranks i - zeros + 1 .. j - zeros */
		midrank = 0.5 * ((double) (i - zeros + 1) + (double) (j - zeros));
		if (t > 1.0)
			ties += t * t * t - t;
		for (; i < j; i++)
			if (work[i] > 0.0)
				out->v += midrank;
	}
	if (out->n_nonzero == 0)
		out->p = 1.0;
	else if (zeros == 0 && ties == 0.0 && n <= TBS_SIGNED_RANK_EXACT_MAX)
	{
		/* P(T+ <= v) and, by symmetry, P(T+ >= v) = P(T+ <= M - v) */
		int			v = (int) out->v;
		double		tail = fmin(cdf[v], cdf[m - v]);

		out->p = fmin(1.0, 2.0 * tail);
		out->exact_p = true;
	}
	else
	{
		double		nd = (double) out->n_nonzero;
		double		mean = nd * (nd + 1.0) / 4.0;
		double		var = nd * (nd + 1.0) * (2.0 * nd + 1.0) / 24.0 - ties / 48.0;
		double		diff = fabs(out->v - mean) - 0.5;

		if (!(var > 0.0))
			out->p = 1.0;
		else
		{
			if (diff < 0.0)
				diff = 0.0;
			/* 2 (1 - Phi(diff / sd)) without cancellation */
			out->p = fmin(1.0, erfc(diff / sqrt(var) / TBS_SQRT2));
		}
	}

	/* Walsh averages, by selection from the values sorted */
	sort_doubles(work, n, false);
	if (m % 2 == 1)
		out->estimate = walsh_average(work, n, (m + 1) / 2);
	else
		out->estimate = (walsh_average(work, n, m / 2) +
						 walsh_average(work, n, m / 2 + 1)) / 2.0;

	/* the interval: k = 1 + the largest t with P(T+ <= t) <= alpha / 2 */
	if (n <= TBS_SIGNED_RANK_EXACT_MAX)
	{
		while (k <= m && cdf[k] <= half_alpha)
			k++;
		out->exact_ci = true;
	}
	else
	{
		double		tx = 0.0;	/* ties among the values themselves */
		double		kd;

		for (i = 0; i < n; i = j)
		{
			double		t;

			for (j = i + 1; j < n && work[j] == work[i]; j++)
				;
			t = (double) (j - i);
			tx += t * t * t - t;
		}
		nn = (double) n;
		mm = (double) m;
		kd = floor(mm / 2.0 - two_sided_z(conf) *
				   sqrt(nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - tx / 48.0));
		if (kd >= 1.0)
			k = (int64_t) kd;
	}
	if (k > (m + 1) / 2)
		k = (m + 1) / 2;
	out->k = k;
	if (k >= 1)
	{
		out->low = walsh_average(work, n, k);
		out->high = walsh_average(work, n, m - k + 1);
	}
	return true;
}

bool
tbs_signed_rank(const double *x, int n, double conf, TbsSignedRank *out)
{
	double		work[TBS_SIGNED_RANK_MAX];

	if (n > TBS_SIGNED_RANK_MAX)
	{
		signed_rank_nan(out);
		return false;
	}
	return tbs_signed_rank_work(x, n, conf, work, out);
}


/* ------------------------------------------------------------------------
 * Verdicts
 * ------------------------------------------------------------------------
 */

TbsVerdict
tbs_verdict(double change_pct, double ci_low_pct, double ci_high_pct,
			double p, double alpha, double threshold_pct)
{
	return tbs_judge(change_pct, ci_low_pct, ci_high_pct, p, alpha, threshold_pct,
					 0, 0, 0, NULL);
}

TbsVerdict
tbs_judge(double change_pct, double ci_low_pct, double ci_high_pct,
		  double p, double alpha, double floor_pct,
		  uint64_t n_a, uint64_t n_b, uint64_t min_n, TbsReason *reason)
{
	double		thr = (floor_pct > 0.0) ? floor_pct : 0.0;
	TbsReason	r;
	TbsVerdict	v;

	if (n_a < min_n || n_b < min_n)
	{
		r = TBS_R_TOO_FEW;
		v = TBS_INCONCLUSIVE;
	}
	else if (p < alpha && ci_low_pct > thr && change_pct > thr)
	{
		r = TBS_R_SIGNIFICANT;
		v = TBS_REGRESSED;
	}
	else if (p < alpha && ci_high_pct < -thr && change_pct < -thr)
	{
		r = TBS_R_SIGNIFICANT;
		v = TBS_IMPROVED;
	}
	else if (ci_low_pct >= -thr && ci_high_pct <= thr)
	{
		r = TBS_R_CI_WITHIN_FLOOR;
		v = TBS_UNCHANGED;
	}
	/* "p >= alpha or p < alpha": any p that compares at all */
	else if (!isnan(p) && !isnan(alpha) && fabs(change_pct) <= thr)
	{
		r = TBS_R_WITHIN_FLOOR;
		v = TBS_UNCHANGED;
	}
	else
	{
		v = TBS_INCONCLUSIVE;
		if (isnan(change_pct) || isnan(p) || isnan(alpha))
			r = TBS_R_NO_FIGURES;
		else if (!(p < alpha))
			r = TBS_R_NOT_SIGNIFICANT;
		else
			r = TBS_R_CI_REACHES_FLOOR;
	}
	if (reason)
		*reason = r;
	return v;
}

const char *
tbs_reason_text(TbsReason r)
{
	switch (r)
	{
		case TBS_R_TOO_FEW:
			return "too few samples";
		case TBS_R_SIGNIFICANT:
			return "beyond the noise floor, significant";
		case TBS_R_CI_WITHIN_FLOOR:
			return "interval within the noise floor";
		case TBS_R_WITHIN_FLOOR:
			return "within the noise floor";
		case TBS_R_NO_FIGURES:
			return "no figures";
		case TBS_R_NOT_SIGNIFICANT:
			return "beyond the noise floor, not significant";
		case TBS_R_CI_REACHES_FLOOR:
			return "interval reaches into the noise floor";
		case TBS_R_MACHINE_SPEED:
			return "the machine's speed differed between the runs";
	}
	return "?";
}

const char *
tbs_verdict_name(TbsVerdict v)
{
	switch (v)
	{
		case TBS_UNCHANGED:
			return "unchanged";
		case TBS_IMPROVED:
			return "improved";
		case TBS_REGRESSED:
			return "regressed";
		case TBS_INCONCLUSIVE:
			return "inconclusive";
	}
	return "inconclusive";
}


/* ------------------------------------------------------------------------
 * Complexity fit
 * ------------------------------------------------------------------------
 */

static double
complexity_f(TbsComplexity c, double n)
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
		case TBS_O_N2:
			return n * n;
		case TBS_NCOMPLEXITY:
			break;
	}
	return NAN;
}

bool
tbs_fit_complexity(const double *n, const double *y, int k, TbsFit *out)
{
	double		ymean = 0.0;
	double		sst = 0.0;
	double		best_sse;
	int			i;
	int			c;

	out->best = TBS_O_1;
	for (c = 0; c < TBS_NCOMPLEXITY; c++)
	{
		out->a[c] = NAN;
		out->b[c] = NAN;
		out->r2[c] = NAN;
		out->sse[c] = NAN;
	}
	if (n == NULL || y == NULL || k < 2)
		return false;
	for (i = 0; i < k; i++)
	{
		if (!(n[i] > 0.0) || !isfinite(n[i]) || !isfinite(y[i]))
			return false;
		ymean += y[i];
	}
	ymean /= k;
	for (i = 0; i < k; i++)
		sst += (y[i] - ymean) * (y[i] - ymean);

	for (c = 0; c < TBS_NCOMPLEXITY; c++)
	{
		double		fmean = 0.0;
		double		sff = 0.0;
		double		sfy = 0.0;
		double		a = ymean;
		double		b = 0.0;
		double		sse = 0.0;

		if (c != TBS_O_1)
		{
			for (i = 0; i < k; i++)
				fmean += complexity_f((TbsComplexity) c, n[i]);
			fmean /= k;
			for (i = 0; i < k; i++)
			{
				double		df = complexity_f((TbsComplexity) c, n[i]) - fmean;

				sff += df * df;
				sfy += df * (y[i] - ymean);
			}
			/* b >= 0: a negative slope is clamped and a refitted as mean */
			if (sff > 0.0 && sfy > 0.0)
			{
				b = sfy / sff;
				a = ymean - b * fmean;
			}
		}
		for (i = 0; i < k; i++)
		{
			double		r = y[i] - a - b * complexity_f((TbsComplexity) c, n[i]);

			sse += r * r;
		}
		out->a[c] = a;
		out->b[c] = b;
		out->sse[c] = sse;
		out->r2[c] = (sst > 0.0) ? 1.0 - sse / sst : 1.0;
	}

	/* O(1) when the spread (standard deviation) of y is under 5 % of its mean */
	if (sqrt(sst / k) < 0.05 * fabs(ymean))
	{
		out->best = TBS_O_1;
		return true;
	}

	/*
	 * Otherwise the simplest model whose SSE is within 10 % of the best;
	 * SSEs negligible against SST count as equal (exact data, rounding).
	 */
	best_sse = out->sse[0];
	for (c = 1; c < TBS_NCOMPLEXITY; c++)
		if (out->sse[c] < best_sse)
			best_sse = out->sse[c];
	for (c = 0; c < TBS_NCOMPLEXITY; c++)
	{
		if (out->sse[c] <= 1.10 * best_sse || out->sse[c] <= 1e-12 * sst)
		{
			out->best = (TbsComplexity) c;
			break;
		}
	}
	return true;
}

const char *
tbs_complexity_name(TbsComplexity c)
{
	switch (c)
	{
		case TBS_O_1:
			return "O(1)";
		case TBS_O_LOG_N:
			return "O(log n)";
		case TBS_O_N:
			return "O(n)";
		case TBS_O_N_LOG_N:
			return "O(n log n)";
		case TBS_O_N2:
			return "O(n^2)";
		case TBS_NCOMPLEXITY:
			break;
	}
	return "?";
}

/* ---- two-sample shift (Hodges-Lehmann / Mann-Whitney on arrays) ---- */

bool
tbs_two_sample_shift(const double *x, int nx, const double *y, int ny, double conf,
					 double *work, TbsShift *out)
{
	int			m;
	int			i;
	int			j;
	int			k;
	double		mean;
	double		var;
	double		u;
	double		z;
	double		ties;
	double		zc;
	int			n;

	out->estimate = out->lo = out->hi = out->p = NAN;
	if (x == NULL || y == NULL || work == NULL || nx < 2 || ny < 2 || !(conf > 0.0 && conf < 1.0))
		return false;
	m = nx * ny;
	for (i = 0; i < nx; i++)
		for (j = 0; j < ny; j++)
			work[i * ny + j] = y[j] - x[i];
	sort_doubles(work, m, false);
	out->estimate = (m % 2) ? work[m / 2] : 0.5 * (work[m / 2 - 1] + work[m / 2]);

	/* U of y: pairs with y > x, ties counted half */
	u = 0.0;
	for (i = 0; i < m; i++)
		u += (work[i] > 0.0) ? 1.0 : (work[i] == 0.0 ? 0.5 : 0.0);

	/* tie correction over the pooled sample */
	n = nx + ny;
	{
		double		pooled[2048];
		int			a;

		ties = 0.0;
		if (n <= (int) (sizeof(pooled) / sizeof(pooled[0])))
		{
			for (a = 0; a < nx; a++)
				pooled[a] = x[a];
			for (a = 0; a < ny; a++)
				pooled[nx + a] = y[a];
			sort_doubles(pooled, n, false);
			for (a = 0; a < n;)
			{
				int			b = a;

				while (b < n && pooled[b] == pooled[a])
					b++;
				ties += pow((double) (b - a), 3) - (double) (b - a);
				a = b;
			}
		}
	}
	mean = (double) m / 2.0;
	var = (double) m / 12.0 * (((double) n + 1.0) - ties / ((double) n * ((double) n - 1.0)));
	if (var <= 0.0)
		out->p = 1.0;
	else
	{
		z = (fabs(u - mean) - 0.5) / sqrt(var);
		if (z < 0.0)
			z = 0.0;
		out->p = fmin(1.0, 2.0 * (1.0 - tbs_normal_cdf(z)));
	}

	/* interval: order statistics of the differences */
	zc = tbs_normal_quantile(0.5 + 0.5 * conf);
	k = (int) floor(mean - zc * sqrt((double) m * ((double) n + 1.0) / 12.0));
	if (k < 1)
		k = 1;
	if (k > m)
		k = m;
	out->lo = work[k - 1];
	out->hi = work[m - k];
	return true;
}


/* ------------------------------------------------------------------------
 * Figures only where the samples support them
 * ------------------------------------------------------------------------
 */

uint64_t
tbs_quantile_min_n(double q)
{
	double		need;

	if (!(q > 0.5))
		return 1;
	if (!(q < 1.0))
		return UINT64_MAX;
	/* 1 / (1 - q), less a hair so 1 / (1 - 0.99) = 100.000000001 gives 100 */
	need = ceil(1.0 / (1.0 - q) - 1e-6);
	return need < 1.0 ? 1 : (uint64_t) need;
}

double
tbs_round_sig(double x, int digits, double finest)
{
	double		ax = fabs(x);
	int			e;
	int			e_min;
	double		scale;

	if (isnan(x) || isinf(x) || x == 0.0 || digits < 1)
		return x;
	e = (int) floor(log10(ax)) - (digits - 1);	/* step 10^e keeps the digits */
	if (finest > 0.0)
	{
		e_min = (int) ceil(log10(finest) - 1e-9);
		if (e < e_min)
			e = e_min;
	}
	/* divide by an exact power of ten so 63.6 stays the double nearest 63.6 */
	if (e < 0)
	{
		scale = pow(10.0, -e);
		return round(x * scale) / scale;
	}
	scale = pow(10.0, e);
	return round(x / scale) * scale;
}

double
tbs_round_figure(double x)
{
	return tbs_round_sig(x, 3, 0.001);
}

/* ------------------------------------------------------------------------
 * Noise floor from a case's history
 * ------------------------------------------------------------------------
 */

static double
median_of(double *v, int n)
{
	sort_doubles(v, n, false);
	return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

bool
tbs_noise_floor(const double *levels, int k, double z, double *work, double *floor_pct)
{
	int			i;

	*floor_pct = NAN;
	if (levels == NULL || work == NULL || k < TBS_NOISE_FLOOR_MIN_RUNS || !(z > 0.0) || isinf(z))
		return false;
	for (i = 0; i < k; i++)
		if (!(levels[i] > 0.0) || isinf(levels[i]))
			return false;
	for (i = 0; i + 1 < k; i++)
		work[i] = fabs(log(levels[i + 1]) - log(levels[i]));
	*floor_pct = 100.0 * (exp(z * 1.4826 * median_of(work, k - 1)) - 1.0);
	return true;
}

/* ------------------------------------------------------------------------
 * Change points: E-Divisive means with a t-test
 * ------------------------------------------------------------------------
 */

double
tbs_welch_p(const double *x, int nx, const double *y, int ny)
{
	double		mx,
				my,
				sx,
				sy,
				vx,
				vy,
				se2,
				t,
				df;

	if (x == NULL || y == NULL || nx < 2 || ny < 2)
		return NAN;
	mean_sd(x, nx, &mx, &sx);
	mean_sd(y, ny, &my, &sy);
	vx = sx * sx;
	vy = sy * sy;
	se2 = vx / nx + vy / ny;
	if (!(se2 > 0.0))
		return (mx == my) ? 1.0 : 0.0;
	t = fabs(mx - my) / sqrt(se2);
	df = se2 * se2 / ((vx / nx) * (vx / nx) / (nx - 1) + (vy / ny) * (vy / ny) / (ny - 1));
	if (!(df >= 1.0))
		df = 1.0;
	return fmin(1.0, 2.0 * t_upper_tail(t, df));
}

/* best split of lx[s..e) and its test; false when none is accepted */
static bool
best_split(const double *lx, const double *prefix, int s, int e, int min_size, double alpha,
		   double min_shift_pct, int *tau, double *p_out)
{
	int			t;
	int			best = -1;
	double		best_q = -1.0;
	double		p;
	double		shift;

	if (e - s < 2 * min_size)
		return false;
	for (t = s + min_size; t <= e - min_size; t++)
	{
		double		m = t - s;
		double		k = e - t;
		double		d = (prefix[t] - prefix[s]) / m - (prefix[e] - prefix[t]) / k;
		double		q = m * k / (m + k) * d * d;

		if (q > best_q)
		{
			best_q = q;
			best = t;
		}
	}
	if (best < 0)
		return false;
	shift = (prefix[e] - prefix[best]) / (e - best) - (prefix[best] - prefix[s]) / (best - s);
	if (100.0 * fabs(exp(shift) - 1.0) < min_shift_pct)
		return false;
	p = tbs_welch_p(lx + s, best - s, lx + best, e - best);
	if (!(p < alpha))
		return false;
	*tau = best;
	*p_out = p;
	return true;
}

int
tbs_change_points(const double *x, int n, int min_size, double alpha,
				  double min_shift_pct, double *work, TbsChangePoint *out, int max_out)
{
	double	   *prefix = work;
	double	   *lx = work + n + 1;
	int			found = 0;
	int			i;

	if (x == NULL || work == NULL || out == NULL || max_out < 1 || min_size < 2 ||
		n < 2 * min_size || !(alpha > 0.0 && alpha < 1.0))
		return 0;
	for (i = 0; i < n; i++)
		if (!(x[i] > 0.0) || isinf(x[i]))
			return 0;
	/* ln x and its prefix sums */
	prefix[0] = 0.0;
	for (i = 0; i < n; i++)
	{
		lx[i] = log(x[i]);
		prefix[i + 1] = prefix[i] + lx[i];
	}

	while (found < max_out)
	{
		int			s = 0;
		int			seg;
		int			cand_tau = -1;
		double		cand_p = 2.0;

		/* segments are [0, out[0].index), [out[0].index, out[1].index), ..., [.., n) */
		for (seg = 0; seg <= found; seg++)
		{
			int			e = (seg < found) ? out[seg].index : n;
			int			tau;
			double		p;

			if (best_split(lx, prefix, s, e, min_size, alpha, min_shift_pct, &tau, &p) &&
				p < cand_p)
			{
				cand_p = p;
				cand_tau = tau;
			}
			s = e;
		}
		if (cand_tau < 0)
			break;
		/* insert in order */
		for (i = found; i > 0 && out[i - 1].index > cand_tau; i--)
			out[i] = out[i - 1];
		out[i].index = cand_tau;
		out[i].p = cand_p;
		found++;
	}

	/* levels of the final segments */
	for (i = 0; i < found; i++)
	{
		int			s = (i > 0) ? out[i - 1].index : 0;
		int			m = out[i].index;
		int			e = (i + 1 < found) ? out[i + 1].index : n;

		out[i].before = exp((prefix[m] - prefix[s]) / (m - s));
		out[i].after = exp((prefix[e] - prefix[m]) / (e - m));
	}
	return found;
}

static void compare_runs(const TbHist *a, const TbHist *b,
						 const double *blocks_a, int na, const double *probes_a,
						 const double *blocks_b, int nb, const double *probes_b,
						 double threshold_pct, double alpha, double conf,
						 double *work, TbsComparison *out);

/* sort x in place and return its median (n > 0) */
static double
median_sorted(double *x, int n)
{
	sort_doubles(x, n, false);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2.0;
}

void
tbs_compare_runs(const TbHist *a, const TbHist *b,
				 const double *blocks_a, int na, const double *probes_a,
				 const double *blocks_b, int nb, const double *probes_b,
				 double threshold_pct, double alpha, double conf,
				 double *work, TbsComparison *out)
{
	compare_runs(a, b, blocks_a, na, probes_a, blocks_b, nb, probes_b,
				 threshold_pct, alpha, conf, work, out);

	/*
	 * A change found between runs on machines of different speed is not
	 * called (TBS_R_MACHINE_SPEED):
	 *   - when the change in time alone (the blocks without their probes)
	 *     does not point the same way, its interval on the same side of 0:
	 *     a machine that slowed the probe and not the statement makes the
	 *     statement look faster relative to the probe, while its time did
	 *     not change;
	 *   - when the probes differ by more than TBS_SPEED_CHANGE_PCT and the
	 *     change (its interval's end nearest 0) is not larger than that
	 *     difference: relating blocks to probes takes out part of such a
	 *     difference, not all of it, as different work slows down
	 *     differently.  A change far larger than the machine's is still
	 *     one.
	 * The probes are as many as the blocks; work (when given) has room for
	 * both sets.
	 */
	if ((out->verdict == TBS_REGRESSED || out->verdict == TBS_IMPROVED) &&
		work != NULL && probes_a != NULL && probes_b != NULL && na > 0 && nb > 0)
	{
		double		ma,
					mb;
		TbsComparison raw;
		double		nearest = (out->verdict == TBS_REGRESSED) ? out->ci_low_pct : out->ci_high_pct;
		bool		same_way;
		bool		speed_differs;

		memcpy(work, probes_a, sizeof(double) * na);
		ma = median_sorted(work, na);
		memcpy(work, probes_b, sizeof(double) * nb);
		mb = median_sorted(work, nb);
		compare_runs(a, b, blocks_a, na, NULL, blocks_b, nb, NULL,
					 threshold_pct, alpha, conf, work, &raw);
		same_way = raw.valid &&
			((out->verdict == TBS_REGRESSED && raw.ci_low_pct > 0.0) ||
			 (out->verdict == TBS_IMPROVED && raw.ci_high_pct < 0.0));
		speed_differs = ma > 0.0 && mb > 0.0 &&
			fabs(log(mb / ma)) > log(1.0 + TBS_SPEED_CHANGE_PCT / 100.0) &&
			!(nearest > -100.0 && fabs(log(1.0 + nearest / 100.0)) > fabs(log(mb / ma)));
		if (!same_way || speed_differs)
		{
			out->verdict = TBS_INCONCLUSIVE;
			out->reason = TBS_R_MACHINE_SPEED;
		}
	}
}

static void
compare_runs(const TbHist *a, const TbHist *b,
			 const double *blocks_a, int na, const double *probes_a,
			 const double *blocks_b, int nb, const double *probes_b,
			 double threshold_pct, double alpha, double conf,
			 double *work, TbsComparison *out)
{
	TbsChange	ch;
	TbsRankTest rt;

	out->valid = false;
	out->change_pct = out->ci_low_pct = out->ci_high_pct = out->p = NAN;
	out->verdict = TBS_INCONCLUSIVE;
	out->reason = TBS_R_NO_FIGURES;
	if (probes_a == NULL || probes_b == NULL)
		probes_a = probes_b = NULL;

	if (work != NULL && blocks_a != NULL && blocks_b != NULL &&
		na >= TBS_MIN_BLOCKS && nb >= TBS_MIN_BLOCKS)
	{
		/*
		 * Both runs kept block medians: judge the change by how the blocks
		 * of one run stand against those of the other (log scale), so the
		 * drift of a figure over time, which two separate runs are exposed
		 * to, widens the interval instead of passing for a change.  The
		 * logs go at the start of work, the differences after them.
		 */
		double	   *la = work;
		double	   *lb = work + na;
		TbsShift	sh;
		int			i;

		/* with probes, each block relative to the machine's speed before it */
		for (i = 0; i < na; i++)
			la[i] = log(blocks_a[i] > 1.0 ? blocks_a[i] : 1.0) -
				(probes_a ? log(probes_a[i] > 1.0 ? probes_a[i] : 1.0) : 0.0);
		for (i = 0; i < nb; i++)
			lb[i] = log(blocks_b[i] > 1.0 ? blocks_b[i] : 1.0) -
				(probes_b ? log(probes_b[i] > 1.0 ? probes_b[i] : 1.0) : 0.0);
		if (tbs_two_sample_shift(la, na, lb, nb, conf, work + na + nb, &sh))
		{
			out->valid = true;
			out->change_pct = 100.0 * (exp(sh.estimate) - 1.0);
			out->ci_low_pct = 100.0 * (exp(sh.lo) - 1.0);
			out->ci_high_pct = 100.0 * (exp(sh.hi) - 1.0);
			out->p = sh.p;
			out->verdict = tbs_judge(out->change_pct, out->ci_low_pct, out->ci_high_pct, out->p,
									 alpha, threshold_pct, a->count, b->count, TBS_VERDICT_MIN_N,
									 &out->reason);
			return;
		}
	}

	if (tbs_median_change(a, b, conf, &ch) && tbs_mann_whitney(a, b, &rt))
	{
		out->valid = true;
		out->change_pct = ch.change_pct;
		out->ci_low_pct = ch.ci_low_pct;
		out->ci_high_pct = ch.ci_high_pct;
		out->p = rt.p;
	}
	out->verdict = tbs_judge(out->change_pct, out->ci_low_pct, out->ci_high_pct, out->p,
							 alpha, threshold_pct, a->count, b->count, TBS_VERDICT_MIN_N, &out->reason);
}

/* ------------------------------------------------------------------------
 * One case of a comparison of two runs, as tasker_bench_compare shows it
 * ------------------------------------------------------------------------
 */

double
tbs_category_tolerance(const char *category, double floor_pct)
{
	if (category != NULL && strcmp(category, "e2e") == 0)
		return 10.0;
	if (category != NULL && strcmp(category, "lifecycle") == 0)
		return 20.0;
	return floor_pct;
}

void
tbs_compare_case(const TbHist *a, const TbHist *b,
				 const double *blocks_a, int na, const double *probes_a,
				 const double *blocks_b, int nb, const double *probes_b,
				 double floor_pct, double alpha, uint64_t n_a, uint64_t n_b,
				 double tolerance_pct, double *work, TbsComparison *out, int *within)
{
	tbs_compare_runs(a, b, blocks_a, na, probes_a, blocks_b, nb, probes_b,
					 floor_pct, alpha, 1.0 - alpha, work, out);
	/*
	 * judged on the unrounded figures, with the runs' own sample counts; a
	 * change not called because the machine's speed differed stays so
	 */
	if (out->reason != TBS_R_MACHINE_SPEED)
		out->verdict = tbs_judge(out->change_pct, out->ci_low_pct, out->ci_high_pct, out->p,
								 alpha, floor_pct, n_a, n_b, TBS_VERDICT_MIN_N, &out->reason);
	/* shown to three significant digits (p-values at any scale) */
	out->change_pct = tbs_round_figure(out->change_pct);
	out->ci_low_pct = tbs_round_figure(out->ci_low_pct);
	out->ci_high_pct = tbs_round_figure(out->ci_high_pct);
	out->p = tbs_round_sig(out->p, 3, 0.0);
	*within = (!out->valid || isnan(tolerance_pct)) ? -1 : out->change_pct <= tolerance_pct;
}
