/*
 * test_histogram.c
 *		Unit tests of src/histogram.c (TAP output).
 *
 * Deterministic: all random data comes from splitmix64 with fixed seeds.
 * The plan line "1..N" must come first, so the result lines are buffered
 * and printed at the end.
 */
#include "histogram.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

/* ---------------------------------------------------------------- */
/* TAP with a buffered output											*/
/* ---------------------------------------------------------------- */

static char *out_buf;
static size_t out_len,
			out_cap;
static int	ntests,
			nfailed;

static void
out_printf(const char *fmt,...)
{
	va_list		ap;
	int			n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(out_buf ? out_buf + out_len : NULL,
					  out_buf ? out_cap - out_len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (out_buf && (size_t) n < out_cap - out_len)
		{
			out_len += (size_t) n;
			return;
		}
		out_cap = (out_cap + (size_t) n + 1) * 2;
		out_buf = realloc(out_buf, out_cap);
		if (!out_buf)
			abort();
	}
}

static bool
ok(bool cond, const char *fmt,...)
{
	va_list		ap;
	char		desc[512];

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	ntests++;
	if (!cond)
		nfailed++;
	out_printf("%sok %d - %s\n", cond ? "" : "not ", ntests, desc);
	return cond;
}

#define diag(...) out_printf("# " __VA_ARGS__)

/* ---------------------------------------------------------------- */
/* Helpers																*/
/* ---------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double
unif(uint64_t *s)
{
	return (double) (splitmix64(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* standard normal (Box-Muller) */
static double
normal(uint64_t *s)
{
	double		u1 = unif(s),
				u2 = unif(s);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static TbHist *
new_hist(void)
{
	TbHist	   *h = malloc(sizeof(TbHist));

	if (!h)
		abort();
	tbh_init(h);
	return h;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

static double
relerr(double got, double want)
{
	if (want == 0.0)
		return fabs(got);
	return fabs(got - want) / fabs(want);
}

/* identical in every field but wmean (which is a running value) */
static bool
same_hist(const TbHist *a, const TbHist *b, bool with_wmean)
{
	if (a->count != b->count || a->sum != b->sum)
		return false;
	if (a->count != 0 && (a->min != b->min || a->max != b->max))
		return false;
	if (memcmp(&a->m2, &b->m2, sizeof(double)) != 0)
		return false;
	if (with_wmean && memcmp(&a->wmean, &b->wmean, sizeof(double)) != 0)
		return false;
	return memcmp(a->counts, b->counts, sizeof(a->counts)) == 0;
}

static size_t
encode_alloc(const TbHist *h, uint8_t **buf)
{
	size_t		bound = tbh_encoded_size(h);
	size_t		n;

	*buf = malloc(bound + 1);
	if (!*buf)
		abort();
	n = tbh_encode(h, *buf);
	if (n > bound)
	{
		fprintf(stderr, "encoded %zu > bound %zu\n", n, bound);
		abort();
	}
	return n;
}

static char *
text_alloc(const TbHist *h, size_t *len)
{
	size_t		size = tbh_text_size(h);
	char	   *t = malloc(size);

	if (!t)
		abort();
	*len = tbh_to_text(h, t, size);
	return t;
}

/* ---------------------------------------------------------------- */
/* Bucket geometry														*/
/* ---------------------------------------------------------------- */

/* returns number of problems for one value */
static int
check_value_geometry(int64_t v)
{
	int			i = tbh_bucket_index(v);
	double		mid;

	if (i != tbh_bucket_index_inline(v))
		return 1;
	if (i < 0 || i >= TBH_NBUCKETS)
		return 1;
	if (!(tbh_bucket_low(i) <= v && v <= tbh_bucket_high(i)))
		return 1;
	mid = tbh_bucket_mid(i);
	if (v < TBH_SUB_COUNT)
		return mid == (double) v ? 0 : 1;
	/* midpoint within 1/256 of any value of the bucket */
	return fabs(mid - (double) v) <= (double) v / 256.0 ? 0 : 1;
}

static void
test_geometry(void)
{
	int			bad = 0,
				k,
				i;
	int64_t		v;
	uint64_t	s = 1;
	bool		contiguous = true,
				widths = true;
	int			prev;

	ok(TBH_NBUCKETS == 7296, "TBH_NBUCKETS is 7296");
	ok(tbh_bucket_index(0) == 0 && tbh_bucket_index(1) == 1 &&
	   tbh_bucket_index(255) == 255, "exact buckets 0, 1, 255");
	ok(tbh_bucket_index(256) == 256 && tbh_bucket_index(257) == 256 &&
	   tbh_bucket_index(258) == 257 && tbh_bucket_index(511) == 383 &&
	   tbh_bucket_index(512) == 384, "first log buckets 256, 257, 258, 511, 512");
	ok(tbh_bucket_index(INT64_MAX) == TBH_NBUCKETS - 1 &&
	   tbh_bucket_high(TBH_NBUCKETS - 1) == INT64_MAX,
	   "INT64_MAX is in the last bucket");
	ok(tbh_bucket_index(-1) < 0 && tbh_bucket_index(INT64_MIN) < 0,
	   "negative values have no bucket");
	ok(tbh_bucket_low(-1) == -1 && tbh_bucket_high(TBH_NBUCKETS) == -1 &&
	   isnan(tbh_bucket_mid(TBH_NBUCKETS)), "invalid bucket index");

	for (v = 0; v <= 100000; v++)
		bad += check_value_geometry(v);
	for (k = 0; k <= 62; k++)
	{
		int64_t		p = (int64_t) 1 << k;

		bad += check_value_geometry(p);
		bad += check_value_geometry(p - 1);
		bad += check_value_geometry(p + 1);
		bad += check_value_geometry(p + p / 2);
	}
	bad += check_value_geometry(INT64_MAX);
	bad += check_value_geometry(INT64_MAX - 1);
	for (i = 0; i < 2000000; i++)
	{
		uint64_t	r = splitmix64(&s);

		v = (int64_t) ((r >> 1) >> (splitmix64(&s) % 63));
		bad += check_value_geometry(v);
	}
	ok(bad == 0, "index, low <= v <= high and midpoint error for 2.1M values (%d bad)", bad);

	for (i = 0; i < TBH_NBUCKETS; i++)
	{
		int64_t		lo = tbh_bucket_low(i),
					hi = tbh_bucket_high(i);

		if (lo > hi || tbh_bucket_index(lo) != i || tbh_bucket_index(hi) != i)
			contiguous = false;
		if (i + 1 < TBH_NBUCKETS && hi + 1 != tbh_bucket_low(i + 1))
			contiguous = false;
		if (tbh_bucket_mid(i) != ((double) lo + (double) hi) / 2.0 &&
			fabs(tbh_bucket_mid(i) - ((double) lo + (double) hi) / 2.0) >
			1e-15 * (double) hi)
			contiguous = false;
		if (i >= TBH_SUB_COUNT && (hi - lo + 1) * 128 > lo)
			widths = false;
		if (i < TBH_SUB_COUNT && lo != hi)
			widths = false;
	}
	ok(contiguous && tbh_bucket_low(0) == 0,
	   "buckets are contiguous from 0 to INT64_MAX, low/high map back");
	ok(widths, "bucket width <= low/128 (exact below 256)");

	/* monotone: sorted values give nondecreasing indexes */
	{
		int64_t    *vals = malloc(200000 * sizeof(int64_t));
		bool		mono = true;

		s = 7;
		for (i = 0; i < 200000; i++)
			vals[i] = (int64_t) ((splitmix64(&s) >> 1) >> (splitmix64(&s) % 63));
		qsort(vals, 200000, sizeof(int64_t), cmp_i64);
		prev = -1;
		for (i = 0; i < 200000; i++)
		{
			int			ix = tbh_bucket_index(vals[i]);

			if (ix < prev)
				mono = false;
			prev = ix;
		}
		/* and across every bucket boundary */
		for (i = 1; i < TBH_NBUCKETS; i++)
		{
			int64_t		lo = tbh_bucket_low(i);

			if (tbh_bucket_index(lo - 1) != i - 1 || tbh_bucket_index(lo) != i)
				mono = false;
		}
		ok(mono, "bucket index is monotone in the value");
		free(vals);
	}
}

/* ---------------------------------------------------------------- */
/* Distributions, percentiles, mean and stddev							*/
/* ---------------------------------------------------------------- */

enum
{
	D_UNIFORM,
	D_LOGNORMAL,
	D_LATENCY,
	D_BIMODAL,
	D_CONSTANT,
	D_LOGUNIFORM,
	D_SMALL,
	D_HUGE,
	D_NDIST
};

static const char *const dist_name[D_NDIST] = {
	"uniform 1..1e6", "lognormal (median 1 ms, sigma 1)",
	"latency (lognormal around 1 us)", "bimodal 1 us / 50 us",
	"constant 12345", "log-uniform 1 ns .. 1 h", "small 0..300",
	"huge 2^62..INT64_MAX"
};

static int64_t
draw(int dist, uint64_t *s)
{
	double		x;

	switch (dist)
	{
		case D_UNIFORM:
			return 1 + (int64_t) (splitmix64(s) % 1000000);
		case D_LOGNORMAL:
			x = exp(log(1e6) + normal(s));
			return (int64_t) x;
		case D_LATENCY:
			x = exp(log(1000.0) + 0.3 * normal(s));
			return (int64_t) x;
		case D_BIMODAL:
			if (splitmix64(s) % 3 == 0)
				x = 50000.0 + 2000.0 * normal(s);
			else
				x = 1000.0 + 50.0 * normal(s);
			return x < 1.0 ? 1 : (int64_t) x;
		case D_CONSTANT:
			return 12345;
		case D_LOGUNIFORM:
			x = exp(unif(s) * log(3.6e12));
			if (x > 3.6e12)
				x = 3.6e12;
			return (int64_t) x;
		case D_SMALL:
			return (int64_t) (splitmix64(s) % 301);
		case D_HUGE:
			return (int64_t) ((splitmix64(s) >> 2) | ((uint64_t) 1 << 62));
	}
	return 0;
}

static double max_pct_err = 0.0;

static void
test_distribution(int dist, int n, TbHist **hout)
{
	TbHist	   *h = new_hist();
	int64_t    *vals = malloc((size_t) n * sizeof(int64_t));
	uint64_t	s = 1000 + (uint64_t) dist;
	static const double qs[] = {0, .01, .1, .25, .5, .75, .9, .95, .99, .999, 1};
	double		worst = 0.0;
	bool		exact_ends;
	long double lsum = 0,
				lmean,
				lm2 = 0;
	int			i,
				k;
	int64_t		mn = INT64_MAX,
				mx = 0;
	u128		sum = 0;

	for (i = 0; i < n; i++)
	{
		vals[i] = draw(dist, &s);
		tbh_record_fast(h, vals[i]);
		sum += (u128) vals[i];
		lsum += (long double) vals[i];
		if (vals[i] < mn)
			mn = vals[i];
		if (vals[i] > mx)
			mx = vals[i];
	}
	lmean = lsum / n;
	for (i = 0; i < n; i++)
		lm2 += ((long double) vals[i] - lmean) * ((long double) vals[i] - lmean);
	qsort(vals, (size_t) n, sizeof(int64_t), cmp_i64);

	ok(h->count == (uint64_t) n && h->min == mn && h->max == mx && h->sum == sum,
	   "%s: count, min, max, sum exact", dist_name[dist]);

	for (k = 0; k < (int) (sizeof(qs) / sizeof(qs[0])); k++)
	{
		double		q = qs[k];
		double		r = ceil(q * n);
		int64_t		rank = r < 1 ? 1 : (r > n ? n : (int64_t) r);
		double		want = (double) vals[rank - 1];
		double		got = tbh_percentile(h, q);
		double		e;

		if (want >= 1.0)
			e = relerr(got, want);
		else
			e = fabs(got - want);	/* value 0 is exact */
		if (e > worst)
			worst = e;
		if (tbh_value_at_rank(h, (uint64_t) rank) != got)
			worst = 1e9;
	}
	if (worst > max_pct_err)
		max_pct_err = worst;
	ok(worst <= 0.01, "%s: percentiles within 1%% (max rel err %.5f%%)",
	   dist_name[dist], worst * 100.0);
	ok(worst <= 1.0 / 256.0 + 1e-12, "%s: percentiles within 0.4%%",
	   dist_name[dist]);
	exact_ends = tbh_percentile(h, 0.0) == (double) mn &&
		tbh_percentile(h, 1.0) == (double) mx &&
		tbh_value_at_rank(h, 1) == (double) mn &&
		tbh_value_at_rank(h, (uint64_t) n) == (double) mx;
	ok(exact_ends, "%s: q=0 is min and q=1 is max exactly", dist_name[dist]);

	ok(relerr(tbh_mean(h), (double) lmean) <= 1e-12,
	   "%s: mean matches direct computation", dist_name[dist]);
	if (lm2 == 0)
		ok(tbh_stddev(h) == 0.0 && h->m2 == 0.0, "%s: stddev is 0", dist_name[dist]);
	else
		ok(relerr(tbh_stddev(h), (double) sqrtl(lm2 / (n - 1))) <= 1e-9 &&
		   relerr(h->m2, (double) lm2) <= 1e-9,
		   "%s: m2 and sample stddev match direct computation (rel err %.2e)",
		   dist_name[dist], relerr(h->m2, (double) lm2));
	free(vals);
	*hout = h;
}

/* value_at_rank for every rank of a smaller sample */
static void
test_all_ranks(void)
{
	TbHist	   *h = new_hist();
	int64_t		vals[3000];
	uint64_t	s = 99;
	int			i;
	double		worst = 0.0;
	bool		mono = true;
	double		prev = -1;

	for (i = 0; i < 3000; i++)
	{
		vals[i] = draw(D_LOGUNIFORM, &s);
		tbh_record_fast(h, vals[i]);
	}
	qsort(vals, 3000, sizeof(int64_t), cmp_i64);
	for (i = 1; i <= 3000; i++)
	{
		double		got = tbh_value_at_rank(h, (uint64_t) i);
		double		e = relerr(got, (double) vals[i - 1]);

		if (e > worst)
			worst = e;
		if (got < prev)
			mono = false;
		prev = got;
	}
	if (worst > max_pct_err)
		max_pct_err = worst;
	ok(worst <= 1.0 / 256.0 + 1e-12 && mono,
	   "value_at_rank: every rank of 3000 log-uniform values within 0.4%%, monotone");
	ok(isnan(tbh_value_at_rank(h, 0)) && isnan(tbh_value_at_rank(h, 3001)),
	   "value_at_rank: rank 0 and rank > count are NaN");
	ok(isnan(tbh_percentile(h, -0.01)) && isnan(tbh_percentile(h, 1.01)) &&
	   isnan(tbh_percentile(h, NAN)), "percentile: q outside [0,1] or NaN is NaN");
	/* percentile is monotone in q */
	prev = -1;
	for (i = 0; i <= 10000; i++)
	{
		double		v = tbh_percentile(h, i / 10000.0);

		if (v < prev)
			mono = false;
		prev = v;
	}
	ok(mono, "percentile is monotone in q");
	free(h);
}

/* ---------------------------------------------------------------- */
/* Record_n, merge														*/
/* ---------------------------------------------------------------- */

static void
test_record_n(void)
{
	TbHist	   *a = new_hist(),
			   *b = new_hist(),
			   *c = new_hist();
	int			i;

	ok(!tbh_record_n(a, -1, 1) && !tbh_record_n(a, INT64_MIN, 3) &&
	   a->count == 0 && a->sum == 0 && tbh_nonempty(a) == 0,
	   "record_n refuses a negative value and records nothing");
	ok(tbh_record_n(a, 5, 0) && a->count == 0, "record_n with n = 0 records nothing");

	for (i = 0; i < 7; i++)
		tbh_record_fast(b, 1000);
	tbh_record_fast(b, 3000);
	for (i = 0; i < 5; i++)
		tbh_record_fast(b, 77);
	tbh_record_n(a, 1000, 7);
	tbh_record_n(a, 3000, 1);
	tbh_record_n(a, 77, 5);
	ok(a->count == b->count && a->min == b->min && a->max == b->max &&
	   a->sum == b->sum && memcmp(a->counts, b->counts, sizeof(a->counts)) == 0 &&
	   relerr(a->m2, b->m2) < 1e-12 && relerr(a->wmean, b->wmean) < 1e-12,
	   "record_n(v, n) equals n times record(v)");

	tbh_init(c);
	ok(tbh_record_n(c, 10, TBH_MAX_COUNT - 1) && !tbh_record_n(c, 10, 2) &&
	   tbh_record_n(c, 10, 1) && !tbh_record_n(c, 10, 1) &&
	   c->count == TBH_MAX_COUNT && c->counts[10] == TBH_MAX_COUNT,
	   "record_n refuses counts beyond bigint");
	{
		const char *err = NULL;

		ok(tbh_check(c, &err) && c->m2 == 0.0 && tbh_stddev(c) == 0.0 &&
		   tbh_mean(c) == 10.0, "INT64_MAX equal values: check passes, stddev 0");
	}

	/* largest possible sum: INT64_MAX times INT64_MAX (needs 126 bits) */
	tbh_init(c);
	ok(tbh_record_n(c, INT64_MAX, TBH_MAX_COUNT) &&
	   c->sum == (u128) TBH_MAX_COUNT * (uint64_t) INT64_MAX,
	   "127-bit sum of INT64_MAX times INT64_MAX");

	tbh_init(c);
	tbh_record_fast(c, 42);
	ok(tbh_stddev(c) == 0.0 && tbh_mean(c) == 42.0 && tbh_percentile(c, 0.5) == 42.0,
	   "single value: stddev 0, mean and median are the value");
	free(a);
	free(b);
	free(c);
}

static void
test_merge(void)
{
	TbHist	   *all = new_hist(),
			   *acc = new_hist(),
			   *part = new_hist(),
			   *save = new_hist();
	uint64_t	s = 4242;
	static const int sizes[] = {0, 1, 5000, 0, 123457, 2, 70000, 1};
	int			k,
				i;
	bool		ok_all = true;

	for (k = 0; k < (int) (sizeof(sizes) / sizeof(sizes[0])); k++)
	{
		tbh_init(part);
		for (i = 0; i < sizes[k]; i++)
		{
			/* each part from a different distribution */
			int64_t		v = draw(k % D_NDIST, &s);

			tbh_record_fast(part, v);
			tbh_record_fast(all, v);
		}
		if (!tbh_merge(acc, part))
			ok_all = false;
	}
	ok(ok_all && acc->count == all->count && acc->min == all->min &&
	   acc->max == all->max && acc->sum == all->sum &&
	   memcmp(acc->counts, all->counts, sizeof(acc->counts)) == 0,
	   "merge of 8 parts: count, min, max, sum, buckets exact");
	ok(relerr(acc->m2, all->m2) <= 1e-9,
	   "merge of 8 parts: m2 within 1e-9 (rel err %.2e)", relerr(acc->m2, all->m2));
	ok(relerr(acc->wmean, all->wmean) <= 1e-12 &&
	   acc->wmean == (double) acc->sum / (double) acc->count,
	   "merge: wmean = sum/count");
	ok(relerr(tbh_stddev(acc), tbh_stddev(all)) <= 1e-9, "merge: stddev equal");

	/* merge into empty copies; merging empty changes nothing */
	tbh_init(part);
	ok(tbh_merge(part, all) && same_hist(part, all, false), "merge into an empty histogram copies");
	tbh_init(save);
	memcpy(save, all, sizeof(TbHist));
	tbh_init(part);
	ok(tbh_merge(all, part) && same_hist(all, save, true), "merging an empty histogram changes nothing");

	/* self merge equals recording everything twice */
	{
		TbHist	   *twice = new_hist();
		TbHist	   *self = new_hist();

		s = 5;
		for (i = 0; i < 10000; i++)
		{
			int64_t		v = draw(D_BIMODAL, &s);

			tbh_record_fast(self, v);
			tbh_record_fast(twice, v);
		}
		s = 5;
		for (i = 0; i < 10000; i++)
			tbh_record_fast(twice, draw(D_BIMODAL, &s));
		ok(tbh_merge(self, self) && self->count == twice->count &&
		   self->sum == twice->sum && self->min == twice->min &&
		   self->max == twice->max &&
		   memcmp(self->counts, twice->counts, sizeof(self->counts)) == 0 &&
		   relerr(self->m2, twice->m2) <= 1e-9, "merge of a histogram with itself");
		free(twice);
		free(self);
	}

	/* count overflow: refused, dst unchanged */
	tbh_init(acc);
	tbh_record_n(acc, 100, TBH_MAX_COUNT - 10);
	tbh_init(part);
	tbh_record_n(part, 200000, 11);
	memcpy(save, acc, sizeof(TbHist));
	ok(!tbh_merge(acc, part) && memcmp(save, acc, sizeof(TbHist)) == 0,
	   "merge refuses count overflow and leaves dst unchanged");
	tbh_init(part);
	tbh_record_n(part, 200000, 10);
	ok(tbh_merge(acc, part) && acc->count == TBH_MAX_COUNT && acc->max == 200000,
	   "merge up to exactly INT64_MAX samples");
	{
		const char *err = NULL;
		TbHist	   *big = calloc(1, sizeof(TbHist));
		TbHist	   *big2 = calloc(1, sizeof(TbHist));

		/* m2 is bounded by min and max, so a merge never stores 0 for it */
		tbh_record_n(big, 1, 1000);
		tbh_record_n(big, INT64_MAX, 1000);
		memcpy(big2, big, sizeof(TbHist));
		ok(tbh_merge(big, big2) && isfinite(big->m2) && big->m2 > 0.0 &&
		   tbh_check(big, &err), "merge of two wide histograms keeps a finite, nonzero m2");
		big2->m2 = 1e300;
		ok(!tbh_check(big2, &err), "check refuses an m2 beyond what min and max allow");
		free(big);
		free(big2);
	}
	free(all);
	free(acc);
	free(part);
	free(save);
}

/* ---------------------------------------------------------------- */
/* Empty histogram, iteration											*/
/* ---------------------------------------------------------------- */

static void
test_empty(void)
{
	TbHist	   *h = new_hist();
	TbHist	   *d = new_hist();
	TbHistBucket b;
	int			cur = 0;
	uint8_t		buf[64];
	size_t		n;
	char		text[64];
	const char *err = NULL;

	ok(isnan(tbh_percentile(h, 0.0)) && isnan(tbh_percentile(h, 0.5)) &&
	   isnan(tbh_percentile(h, 1.0)) && isnan(tbh_value_at_rank(h, 1)),
	   "empty: percentiles are NaN");
	ok(isnan(tbh_mean(h)) && isnan(tbh_stddev(h)), "empty: mean and stddev are NaN");
	ok(tbh_nonempty(h) == 0 && !tbh_next_bucket(h, &cur, &b), "empty: no buckets");
	ok(tbh_check(h, &err), "empty: check passes");
	ok(tbh_encoded_size(h) <= sizeof(buf), "empty: encoded size bound is small");
	n = tbh_encode(h, buf);
	ok(n <= tbh_encoded_size(h) && tbh_decode(d, buf, n, &err) && same_hist(d, h, true),
	   "empty: binary round trip (%zu bytes)", n);
	ok(tbh_to_text(h, text, sizeof(text)) == 3 && strcmp(text, "n=0") == 0 &&
	   tbh_text_size(h) >= 4, "empty: text is \"n=0\"");
	tbh_record_fast(d, 1);
	ok(tbh_from_text(d, "n=0", &err) && same_hist(d, h, true), "empty: \"n=0\" parses");
	ok(tbh_from_text(d, " \t\nn=0\r\n ", &err) && same_hist(d, h, true),
	   "leading and trailing white space accepted");
	free(h);
	free(d);
}

static void
test_iteration(void)
{
	TbHist	   *h = new_hist();
	TbHistBucket b;
	int			cur = 0,
				n = 0,
				last = -1;
	uint64_t	total = 0;
	uint64_t	s = 3;
	int			i;
	bool		good = true;

	for (i = 0; i < 50000; i++)
		tbh_record_fast(h, draw(D_LOGUNIFORM, &s));
	while (tbh_next_bucket(h, &cur, &b))
	{
		if (b.index <= last || b.count == 0 || b.count != h->counts[b.index] ||
			b.low != tbh_bucket_low(b.index) || b.high != tbh_bucket_high(b.index))
			good = false;
		last = b.index;
		total += b.count;
		n++;
	}
	ok(good && n == tbh_nonempty(h) && total == h->count && n > 100,
	   "next_bucket visits the %d non-empty buckets in order", n);
	ok(!tbh_next_bucket(h, &cur, &b), "next_bucket stays done");
	cur = -5;
	ok(!tbh_next_bucket(h, &cur, &b), "next_bucket rejects a negative cursor");
	free(h);
}

/* ---------------------------------------------------------------- */
/* Encoded form															*/
/* ---------------------------------------------------------------- */

static void
test_binary_roundtrip(TbHist *h, const char *name)
{
	TbHist	   *d = new_hist();
	uint8_t    *buf,
			   *buf2;
	size_t		n,
				n2;
	const char *err = NULL;
	bool		good;

	n = encode_alloc(h, &buf);
	good = tbh_decode(d, buf, n, &err);
	ok(good && same_hist(d, h, false) &&
	   d->wmean == (double) h->sum / (double) h->count,
	   "%s: binary round trip (%zu bytes, %d buckets)%s%s", name, n,
	   tbh_nonempty(h), good ? "" : ": ", good ? "" : err);
	n2 = encode_alloc(d, &buf2);
	ok(n2 == n && memcmp(buf, buf2, n) == 0 && n <= tbh_encoded_size(h),
	   "%s: re-encoding is byte-identical and within tbh_encoded_size", name);
	free(buf);
	free(buf2);
	free(d);
}

static void
test_text_roundtrip(TbHist *h, const char *name)
{
	TbHist	   *d = new_hist();
	char	   *t,
			   *t2;
	size_t		n,
				n2;
	const char *err = NULL;
	bool		good;

	t = text_alloc(h, &n);
	good = tbh_from_text(d, t, &err);
	ok(good && n > 0 && n < tbh_text_size(h) && strlen(t) == n && same_hist(d, h, false),
	   "%s: text round trip (%zu chars)%s%s", name, n, good ? "" : ": ",
	   good ? "" : err);
	t2 = text_alloc(d, &n2);
	ok(n2 == n && strcmp(t, t2) == 0, "%s: text -> hist -> text is byte-identical", name);
	free(t);
	free(t2);
	free(d);
}

static void
test_sizes(void)
{
	TbHist	   *h = new_hist();
	uint64_t	s = 2024;
	uint8_t    *buf;
	size_t		n;
	int			i;

	for (i = 0; i < 100000; i++)
		tbh_record_fast(h, draw(D_LATENCY, &s));
	n = encode_alloc(h, &buf);
	diag("100k lognormal samples around 1 us: %d non-empty buckets, %zu bytes encoded, bound %zu\n",
		 tbh_nonempty(h), n, tbh_encoded_size(h));
	ok(n <= 1100, "realistic latency histogram encodes compactly (%zu bytes)", n);
	free(buf);

	/* 300 non-empty buckets with sizeable counts */
	tbh_init(h);
	for (i = 0; i < 300; i++)
		tbh_record_n(h, tbh_bucket_low(1000 + i * 3), 1000 + (uint64_t) i * 37);
	n = encode_alloc(h, &buf);
	ok(tbh_nonempty(h) == 300 && n <= 1024,
	   "300 non-empty buckets encode in %zu bytes (<= 1 kB)", n);
	free(buf);
	free(h);
}

/* hand-built encodings */
typedef struct Enc
{
	uint8_t		b[256];
	size_t		n;
} Enc;

static void
e_byte(Enc *e, uint8_t v)
{
	e->b[e->n++] = v;
}

static void
e_var(Enc *e, u128 v)
{
	while (v >= 0x80)
	{
		e_byte(e, (uint8_t) (v | 0x80));
		v >>= 7;
	}
	e_byte(e, (uint8_t) v);
}

static void
e_dbl(Enc *e, double d)
{
	uint64_t	bits;
	int			k;

	memcpy(&bits, &d, 8);
	for (k = 0; k < 8; k++)
		e_byte(e, (uint8_t) (bits >> (8 * k)));
}

/* header: version, count, min, max, sum, m2 */
static void
e_head(Enc *e, uint64_t count, uint64_t min, uint64_t max, u128 sum, double m2)
{
	e->n = 0;
	e_byte(e, TBH_FORMAT_VERSION);
	e_var(e, count);
	e_var(e, min);
	e_var(e, max);
	e_var(e, sum);
	e_dbl(e, m2);
}

static void
expect_bad_bin(const Enc *e, const char *want, const char *what)
{
	TbHist	   *h = new_hist();
	const char *err = NULL;
	bool		r = tbh_decode(h, e->b, e->n, &err);

	ok(!r && err != NULL && strstr(err, want) != NULL,
	   "decode rejects %s (\"%s\")", what, err ? err : "(null)");
	free(h);
}

static void
expect_good_bin(const Enc *e, const char *what)
{
	TbHist	   *h = new_hist();
	const char *err = "";
	bool		r = tbh_decode(h, e->b, e->n, &err);
	uint8_t		out[300];
	size_t		n = r ? tbh_encode(h, out) : 0;

	ok(r && n == e->n && memcmp(out, e->b, n) == 0, "decode accepts %s%s%s", what,
	   r ? "" : ": ", r ? "" : err);
	free(h);
}

static void
test_binary_malformed(TbHist *sample)
{
	Enc			e;
	uint8_t    *buf,
			   *mut;
	size_t		n,
				len,
				pos;
	TbHist	   *h = new_hist();
	TbHist	   *h2 = new_hist();
	const char *err;
	int			bad,
				bit,
				i,
				accepted;
	uint64_t	s = 77;

	/* a valid reference: 3 values 100, 200, 300 */
	e_head(&e, 3, 100, 300, 600, 20000.0);
	e_var(&e, 3);
	e_var(&e, 101);				/* index 100 */
	e_var(&e, 1);
	e_var(&e, 100);				/* index 200 */
	e_var(&e, 1);
	e_var(&e, 78);				/* index 278 */
	e_var(&e, 1);
	expect_good_bin(&e, "a hand-built 3-value histogram");

	e.n = 0;
	expect_bad_bin(&e, "empty", "empty input");
	e_head(&e, 3, 100, 300, 600, 20000.0);
	e.b[0] = 0;
	expect_bad_bin(&e, "version", "version 0");
	e.b[0] = TBH_FORMAT_VERSION + 1;
	expect_bad_bin(&e, "version", "a future version");

	/* varints */
	e.n = 0;
	e_byte(&e, TBH_FORMAT_VERSION);
	for (i = 0; i < 10; i++)
		e_byte(&e, 0xff);
	e_byte(&e, 0x01);
	expect_bad_bin(&e, "varint too long", "an 11-byte count varint");
	e.n = 0;
	e_byte(&e, TBH_FORMAT_VERSION);
	for (i = 0; i < 9; i++)
		e_byte(&e, 0xff);
	e_byte(&e, 0x02);
	expect_bad_bin(&e, "overflowing", "a count varint above 2^64");
	e.n = 0;
	e_byte(&e, TBH_FORMAT_VERSION);
	e_byte(&e, 0x83);
	e_byte(&e, 0x00);
	expect_bad_bin(&e, "minimally", "a non-minimal varint");
	e.n = 0;
	e_byte(&e, TBH_FORMAT_VERSION);
	e_var(&e, 1);
	e_var(&e, 5);
	e_var(&e, 5);
	for (i = 0; i < 18; i++)
		e_byte(&e, 0xff);
	e_byte(&e, 0x04);
	expect_bad_bin(&e, "overflowing", "a sum varint above 2^128");
	e.n = 0;
	e_byte(&e, TBH_FORMAT_VERSION);
	e_var(&e, 1);
	e_var(&e, (uint64_t) INT64_MAX + 1);
	expect_bad_bin(&e, "min out of range", "min above INT64_MAX");

	/* buckets */
	e_head(&e, 2, 5, 9, 14, 8.0);
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 1);
	e_var(&e, 0);
	expect_bad_bin(&e, "not strictly increasing", "a repeated bucket index");
	e_head(&e, 1, 5, 5, 5, 0.0);
	e_var(&e, 1);
	e_var(&e, TBH_NBUCKETS + 1);
	e_var(&e, 1);
	expect_bad_bin(&e, "bucket index out of range", "bucket index 7296");
	e_head(&e, 1, 5, 5, 5, 0.0);
	e_var(&e, 1);
	e_var(&e, 6);
	e_var(&e, 0);
	expect_bad_bin(&e, "zero bucket count", "a zero bucket count");
	e_head(&e, 3, 5, 5, 15, 0.0);
	e_var(&e, 1);
	e_var(&e, 6);
	e_var(&e, 2);
	expect_bad_bin(&e, "do not sum to count", "bucket counts below count");
	e_head(&e, 1, 5, 5, 5, 0.0);
	e_var(&e, 1);
	e_var(&e, 6);
	e_var(&e, 2);
	expect_bad_bin(&e, "do not sum to count", "bucket counts above count");
	e_head(&e, 1, 5, 5, 5, 0.0);
	e_var(&e, TBH_NBUCKETS + 1);
	expect_bad_bin(&e, "too many buckets", "more buckets than exist");
	e_head(&e, 1, 5, 5, 5, 0.0);
	e_var(&e, 0);
	expect_bad_bin(&e, "without buckets", "a non-empty histogram without buckets");
	e_head(&e, 2, 1, 5, 6, 8.0);
	e_var(&e, 2);
	e_var(&e, 2);				/* index 1 */
	e_var(&e, 1);
	e_var(&e, 4);				/* index 5 */
	e_var(&e, UINT64_MAX);
	expect_bad_bin(&e, "overflow", "bucket counts overflowing");

	/* consistency */
	e_head(&e, 2, 4, 9, 14, 8.0);
	e_var(&e, 2);
	e_var(&e, 6);				/* index 5 */
	e_var(&e, 1);
	e_var(&e, 4);				/* index 9 */
	e_var(&e, 1);
	expect_bad_bin(&e, "min is not in the first", "min outside the first bucket");
	e_head(&e, 2, 5, 10, 14, 8.0);
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 1);
	e_var(&e, 4);
	e_var(&e, 1);
	expect_bad_bin(&e, "max is not in the last", "max outside the last bucket");
	e_head(&e, 1, 9, 5, 5, 0.0);
	e_var(&e, 1);
	e_var(&e, 6);
	e_var(&e, 1);
	expect_bad_bin(&e, "min is greater than max", "min > max");
	e_head(&e, 2, 5, 9, 13, 8.0);
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 1);
	e_var(&e, 4);
	e_var(&e, 1);
	expect_bad_bin(&e, "sum", "sum below what the values allow");
	e_head(&e, 2, 5, 9, 19, 8.0);
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 1);
	e_var(&e, 4);
	e_var(&e, 1);
	expect_bad_bin(&e, "sum is outside", "sum above count*max");
	e_head(&e, 3, 5, 9, 10 + 9 + 5, 8.0);	/* 5, 9 and a third in bucket 5 */
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 2);
	e_var(&e, 4);
	e_var(&e, 1);
	expect_bad_bin(&e, "sum is inconsistent", "sum that disagrees with the buckets");
	e_head(&e, 2, 5, 9, 14, -1.0);
	e_var(&e, 2);
	e_var(&e, 6);
	e_var(&e, 1);
	e_var(&e, 4);
	e_var(&e, 1);
	expect_bad_bin(&e, "m2 is negative", "negative m2");
	e_head(&e, 2, 5, 9, 14, -0.0);
	expect_bad_bin(&e, "m2 is negative", "m2 = -0");
	e_head(&e, 2, 5, 9, 14, NAN);
	expect_bad_bin(&e, "m2 is not finite", "m2 = NaN");
	e_head(&e, 2, 5, 9, 14, INFINITY);
	expect_bad_bin(&e, "m2 is not finite", "m2 = inf");

	/* empty with something nonzero */
	e_head(&e, 0, 1, 0, 0, 0.0);
	e_var(&e, 0);
	expect_bad_bin(&e, "empty histogram", "empty histogram with min = 1");
	e_head(&e, 0, 0, 0, 7, 0.0);
	e_var(&e, 0);
	expect_bad_bin(&e, "empty histogram", "empty histogram with sum = 7");
	e_head(&e, 0, 0, 0, 0, 1.0);
	e_var(&e, 0);
	expect_bad_bin(&e, "empty histogram", "empty histogram with m2 = 1");
	e_head(&e, 0, 0, 0, 0, 0.0);
	e_var(&e, 1);
	e_var(&e, 1);
	e_var(&e, 1);
	expect_bad_bin(&e, "empty histogram", "empty histogram with a bucket");
	e_head(&e, 0, 0, 0, 0, 0.0);
	e_var(&e, 0);
	expect_good_bin(&e, "the empty histogram");
	e_byte(&e, 0);
	expect_bad_bin(&e, "trailing garbage", "trailing garbage after an empty histogram");

	/* every truncation and trailing junk of a real encoding */
	len = encode_alloc(sample, &buf);
	bad = 0;
	for (n = 0; n < len; n++)
	{
		uint8_t    *cut = malloc(n ? n : 1);	/* exact size: ASan checks reads */

		memcpy(cut, buf, n);
		err = NULL;
		if (tbh_decode(h, cut, n, &err) || err == NULL || err[0] == '\0')
			bad++;
		free(cut);
	}
	ok(bad == 0, "decode rejects the %zu-byte encoding truncated at every length", len);
	mut = malloc(len + 1);
	memcpy(mut, buf, len);
	bad = 0;
	for (i = 0; i < 256; i++)
	{
		mut[len] = (uint8_t) i;
		err = NULL;
		if (tbh_decode(h, mut, len + 1, &err) || err == NULL ||
			strstr(err, "trailing") == NULL)
			bad++;
	}
	ok(bad == 0, "decode rejects every trailing byte");

	/* every single bit flip, and random byte replacements */
	bad = 0;
	accepted = 0;
	for (pos = 0; pos < len; pos++)
	{
		for (bit = 0; bit < 8 + 4; bit++)
		{
			uint8_t    *m = malloc(len);
			uint8_t    *re;
			size_t		rn;

			memcpy(m, buf, len);
			if (bit < 8)
				m[pos] ^= (uint8_t) (1 << bit);
			else
				m[pos] = (uint8_t) splitmix64(&s);
			err = NULL;
			if (tbh_decode(h, m, len, &err))
			{
				accepted++;
				rn = encode_alloc(h, &re);
				if (!tbh_check(h, &err) || rn != len || memcmp(re, m, len) != 0)
					bad++;
				free(re);
			}
			else if (err == NULL || err[0] == '\0')
				bad++;
			free(m);
		}
	}
	ok(bad == 0, "decode of %zu mutated encodings: rejected with a message, or accepted "
	   "(%d) and consistent and canonical", len * 12, accepted);

	/* a decoded histogram keeps working: record, merge */
	tbh_decode(h2, buf, len, &err);
	tbh_record_fast(h2, 12345);
	ok(tbh_check(h2, &err) && h2->count == sample->count + 1,
	   "decoded histogram accepts more records");
	free(mut);
	free(buf);
	free(h);
	free(h2);
}

/* ---------------------------------------------------------------- */
/* Text form															*/
/* ---------------------------------------------------------------- */

static void
expect_bad_text(const char *text, const char *want)
{
	TbHist	   *h = new_hist();
	const char *err = NULL;
	bool		r = tbh_from_text(h, text, &err);

	ok(!r && err != NULL && strstr(err, want) != NULL,
	   "text rejected: \"%.60s%s\" (%s)", text, strlen(text) > 60 ? "..." : "",
	   err ? err : "(null)");
	free(h);
}

static void
test_text(TbHist *sample)
{
	TbHist	   *h = new_hist();
	TbHist	   *r = new_hist();
	char		buf[256];
	const char *err = NULL;
	size_t		n;
	char	   *t,
			   *mut;
	int			i,
				bad;

	tbh_record_fast(h, 100);
	tbh_record_fast(h, 200);
	tbh_record_fast(h, 300);
	n = tbh_to_text(h, buf, sizeof(buf));
	ok(strcmp(buf, "n=3;min=100;max=300;sum=600;m2=20000;b=100:1,200:1,278:1") == 0 &&
	   n == strlen(buf), "text of 100, 200, 300: %s", buf);
	ok(tbh_from_text(r, buf, &err) && same_hist(r, h, false), "and it parses back");
	ok(tbh_to_text(h, buf, 10) == 0 && buf[0] == '\0' && tbh_to_text(h, buf, 0) == 0,
	   "to_text into a too small buffer writes nothing and returns 0");

	tbh_init(h);
	tbh_record_fast(h, 1);
	tbh_record_fast(h, 2);
	n = tbh_to_text(h, buf, sizeof(buf));
	ok(strcmp(buf, "n=2;min=1;max=2;sum=3;m2=0.5;b=1:1,2:1") == 0,
	   "text with a fractional m2: %s", buf);

	/* 128-bit sum */
	tbh_init(h);
	tbh_record_n(h, INT64_MAX, TBH_MAX_COUNT);
	t = text_alloc(h, &n);
	ok(strstr(t, ";sum=85070591730234615847396907784232501249;") != NULL &&
	   tbh_from_text(r, t, &err) && same_hist(r, h, false),
	   "text round trip of a 126-bit sum");
	free(t);
	test_text_roundtrip(h, "max sum");
	test_binary_roundtrip(h, "max sum");

	/* syntax */
	expect_bad_text("", "expected \"n=\"");
	expect_bad_text("   ", "expected \"n=\"");
	expect_bad_text("N=0", "expected \"n=\"");
	expect_bad_text("n=", "n: expected a decimal number");
	expect_bad_text("n=-1", "n: expected a decimal number");
	expect_bad_text("n=+1", "n: expected a decimal number");
	expect_bad_text("n= 0", "n: expected a decimal number");
	expect_bad_text("n=00", "n: leading zeros");
	expect_bad_text("n=18446744073709551616", "n: out of range");
	expect_bad_text("n=99999999999999999999999", "n: out of range");
	expect_bad_text("n=0;", "must be written as \"n=0\"");
	expect_bad_text("n=0 x", "must be written as \"n=0\"");
	expect_bad_text("n=0;min=0;max=0;sum=0;m2=0;b=", "must be written as \"n=0\"");
	expect_bad_text("n=1", "expected \";min=\"");
	expect_bad_text("n=1;max=5;min=5;sum=5;m2=0;b=5:1", "expected \";min=\"");
	expect_bad_text("n=1;min=5;sum=5;max=5;m2=0;b=5:1", "expected \";max=\"");
	expect_bad_text("n=1;min=5;max=5;sum=5;b=5:1", "expected \";m2=\"");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0", "expected \";b=\"");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;x=1;b=5:1", "expected \";b=\"");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1;x=1", "unexpected character");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1;", "unexpected character");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1,", "bucket index: expected");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1 x", "unexpected character");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1:2", "unexpected character");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=", "bucket index: expected");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5", "expected ':'");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:", "bucket count: expected");
	expect_bad_text("n=1; min=5;max=5;sum=5;m2=0;b=5:1", "expected \";min=\"");
	expect_bad_text("n=1;min =5;max=5;sum=5;m2=0;b=5:1", "expected \";min=\"");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5 :1", "expected ':'");
	expect_bad_text("n=1;min=-5;max=5;sum=5;m2=0;b=5:1", "min: expected a decimal number");
	expect_bad_text("n=1;min=05;max=5;sum=5;m2=0;b=5:1", "min: leading zeros");
	expect_bad_text("n=1;min=5;max=+5;sum=5;m2=0;b=5:1", "max: expected a decimal number");
	expect_bad_text("n=1;min=9223372036854775808;max=5;sum=5;m2=0;b=5:1", "min: out of range");
	expect_bad_text("n=1;min=5;max=9223372036854775808;sum=5;m2=0;b=5:1", "max: out of range");
	expect_bad_text("n=1;min=5;max=5;sum=340282366920938463463374607431768211456;m2=0;b=5:1",
					"sum: out of range");
	expect_bad_text("n=1;min=5;max=5;sum=-5;m2=0;b=5:1", "sum: expected a decimal number");
	/* m2 */
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=;b=5:1", "m2: expected");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=-0;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=-1;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=+1;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2= 1;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=inf;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=nan;b=5:1", "m2: expected a non-negative");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=1e999;b=5:1", "m2 is not finite");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=1x;b=5:1", "m2: invalid number");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0 ;b=5:1", "m2: invalid number");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0x1p3;b=5:1", "canonical");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=2e4;b=5:1", "canonical");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0.0;b=5:1", "canonical");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0000000000000000000000000000000000000000;b=5:1",
					"m2: number too long");
	/* buckets */
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=7296:1", "bucket index out of range");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=99999999999999999999999:1",
					"bucket index out of range");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=05:1", "bucket index: leading zeros");
	expect_bad_text("n=2;min=5;max=9;sum=14;m2=8;b=9:1,5:1", "not strictly increasing");
	expect_bad_text("n=2;min=5;max=5;sum=10;m2=0;b=5:1,5:1", "not strictly increasing");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:0", "zero bucket count");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:01", "bucket count: leading zeros");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:18446744073709551616",
					"bucket count: out of range");
	expect_bad_text("n=1;min=5;max=5;sum=5;m2=0;b=5:1,6:18446744073709551615",
					"bucket counts overflow");
	expect_bad_text("n=3;min=5;max=9;sum=14;m2=8;b=5:1,9:1", "do not sum to count");
	expect_bad_text("n=1;min=5;max=9;sum=14;m2=8;b=5:1,9:1", "do not sum to count");
	/* consistency */
	expect_bad_text("n=2;min=4;max=9;sum=14;m2=8;b=5:1,9:1", "min is not in the first");
	expect_bad_text("n=2;min=5;max=8;sum=14;m2=8;b=5:1,9:1", "max is not in the last");
	expect_bad_text("n=1;min=9;max=5;sum=5;m2=0;b=5:1", "min is greater than max");
	expect_bad_text("n=2;min=5;max=9;sum=9;m2=8;b=5:1,9:1", "sum is outside");
	expect_bad_text("n=2;min=5;max=9;sum=19;m2=8;b=5:1,9:1", "sum is outside");
	expect_bad_text("n=3;min=5;max=9;sum=24;m2=8;b=5:2,9:1", "sum is inconsistent");
	/* the header's illustrative example names bucket 300 for the value 300 */
	expect_bad_text("n=3;min=100;max=300;sum=600;m2=20000;b=100:1,200:1,300:1",
					"max is not in the last");

	/* good ones */
	ok(tbh_from_text(h, "n=1;min=0;max=0;sum=0;m2=0;b=0:1", &err) && h->count == 1 &&
	   h->counts[0] == 1, "value 0 alone");
	ok(tbh_from_text(h, "\n n=2;min=5;max=9;sum=14;m2=8;b=5:1,9:1 \t", &err) &&
	   h->count == 2 && h->wmean == 7.0, "white space around is accepted");

	/* every truncation and every single-character mutation of a real text */
	t = text_alloc(sample, &n);
	mut = malloc(n + 1);
	bad = 0;
	for (i = 0; i < (int) n; i++)
	{
		memcpy(mut, t, (size_t) i);
		mut[i] = '\0';
		err = NULL;
		if (tbh_from_text(h, mut, &err) || err == NULL || err[0] == '\0')
			bad++;
	}
	ok(bad == 0, "text truncated at each of %zu lengths is rejected", n);
	{
		static const char alphabet[] = "0123456789;:,=-+ .e";
		int			k;
		int			accepted = 0;

		bad = 0;
		for (i = 0; i < (int) n; i++)
		{
			for (k = 0; k < (int) sizeof(alphabet) - 1; k++)
			{
				char	   *back;
				size_t		bn;

				memcpy(mut, t, n + 1);
				if (mut[i] == alphabet[k])
					continue;
				mut[i] = alphabet[k];
				err = NULL;
				if (tbh_from_text(h, mut, &err))
				{
					accepted++;
					back = text_alloc(h, &bn);
					if (!tbh_check(h, &err) || strcmp(back, mut) != 0)
						bad++;
					free(back);
				}
				else if (err == NULL || err[0] == '\0')
					bad++;
			}
		}
		ok(bad == 0, "single-character mutations of the text: rejected, or accepted (%d) "
		   "and printing back identically", accepted);
	}
	free(mut);
	free(t);
	free(h);
	free(r);
}

int
main(void)
{
	TbHist	   *dist[D_NDIST];
	int			d;

	test_geometry();
	for (d = 0; d < D_NDIST; d++)
		test_distribution(d, d == D_CONSTANT ? 10000 : 200000, &dist[d]);
	diag("max relative percentile error over all distributions: %.5f%%\n",
		 max_pct_err * 100.0);
	test_all_ranks();
	test_record_n();
	test_merge();
	test_empty();
	test_iteration();
	test_sizes();
	for (d = 0; d < D_NDIST; d++)
	{
		test_binary_roundtrip(dist[d], dist_name[d]);
		test_text_roundtrip(dist[d], dist_name[d]);
	}
	test_binary_malformed(dist[D_BIMODAL]);
	test_text(dist[D_BIMODAL]);
	diag("max relative percentile error (incl. every rank test): %.5f%%\n",
		 max_pct_err * 100.0);
	for (d = 0; d < D_NDIST; d++)
		free(dist[d]);

	printf("1..%d\n", ntests);
	if (out_buf)
		fwrite(out_buf, 1, out_len, stdout);
	free(out_buf);
	return nfailed ? 1 : 0;
}
