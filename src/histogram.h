/*
 * histogram.h
 *		HDR-style log-linear latency histogram (plain C, no PostgreSQL headers).
 *
 * Values are non-negative 64-bit integers (nanoseconds for tasker_bench).
 * Values below TBH_SUB_COUNT are counted exactly; above that, every power of
 * two [2^e, 2^(e+1)) is split into TBH_SUB_COUNT/2 equal buckets, so a
 * bucket is at most 1/128 of its lower bound wide and the bucket midpoint
 * is within 0.4 % of any value in the bucket.  Every value from 0 to
 * INT64_MAX has a bucket (that is ~292 years in ns).
 *
 * Besides the bucket counts the histogram keeps the exact count, minimum,
 * maximum and sum (128-bit), and Welford's M2 (sum of squared deviations
 * from the mean), so mean and standard deviation are exact up to floating
 * point and merging two histograms loses nothing.
 *
 * The in-memory form (TbHist) is dense and fixed-size (~58 kB); the
 * encoded form (tbh_encode) is compact: only the non-empty buckets, as
 * varint (index delta, count) pairs after a small header.  The encoded form
 * is the on-disk and wire format of the SQL type; tbh_decode validates it
 * strictly and never trusts its input.
 */
#ifndef TB_HISTOGRAM_H
#define TB_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TBH_SUB_BITS		8
#define TBH_SUB_COUNT		(1 << TBH_SUB_BITS)		/* 256 */
#define TBH_HALF_COUNT		(TBH_SUB_COUNT / 2)		/* 128 */
/* exact buckets 0..255, then 128 buckets per exponent 8..62 */
#define TBH_NBUCKETS		(TBH_SUB_COUNT + (63 - TBH_SUB_BITS) * TBH_HALF_COUNT)

/* Current version byte of the encoded form. */
#define TBH_FORMAT_VERSION	1

/* the most samples a histogram holds: counts are bigint in SQL */
#define TBH_MAX_COUNT		((uint64_t) INT64_MAX)

/*
 * 128-bit sum with 8-byte alignment: TbHist lives in palloc'd memory, which
 * PostgreSQL aligns to 8 bytes only, and a 16-byte aligned type there would
 * make the compiler's aligned loads fault.
 */
typedef unsigned __int128 tbh_u128 __attribute__((aligned(8)));

typedef struct TbHist
{
	uint64_t	count;			/* number of recorded values */
	int64_t		min;			/* exact minimum (undefined when count = 0) */
	int64_t		max;			/* exact maximum (undefined when count = 0) */
	tbh_u128	sum;			/* exact sum of values */
	double		m2;				/* Welford: sum of squared deviations */
	double		wmean;			/* Welford running mean (for m2 updates) */
	uint64_t	counts[TBH_NBUCKETS];
} TbHist;

/* One non-empty bucket, for iteration. */
typedef struct TbHistBucket
{
	int			index;
	int64_t		low;			/* smallest value in the bucket */
	int64_t		high;			/* largest value in the bucket (inclusive) */
	uint64_t	count;
} TbHistBucket;

extern void tbh_init(TbHist *h);

/* Record a value n times (n >= 1). Returns false (and records nothing) for
 * a negative value or when the count would overflow. */
extern bool tbh_record_n(TbHist *h, int64_t value, uint64_t n);

/* Fast path for the measurement loop: value must be >= 0. */
static inline void tbh_record_fast(TbHist *h, int64_t value);

/* dst += src.  Returns false (dst unchanged) if the count would overflow. */
extern bool tbh_merge(TbHist *dst, const TbHist *src);

/* Bucket geometry. */
extern int	tbh_bucket_index(int64_t value);	/* value >= 0 */
extern int64_t tbh_bucket_low(int index);
extern int64_t tbh_bucket_high(int index);
extern double tbh_bucket_mid(int index);		/* (low + high) / 2 */

/*
 * Value at quantile q in [0, 1]: the midpoint of the bucket holding the
 * sample of rank ceil(q * count) (rank 1 for q = 0), clamped to [min, max];
 * q = 0 gives min and q = 1 gives max exactly.  NaN when empty or q is
 * outside [0, 1] or NaN.
 */
extern double tbh_percentile(const TbHist *h, double q);

/* Value of the sample of rank r (1-based, 1..count), same rules as above. */
extern double tbh_value_at_rank(const TbHist *h, uint64_t rank);

extern double tbh_mean(const TbHist *h);		/* NaN when empty */
extern double tbh_stddev(const TbHist *h);		/* sample stddev; 0 when count = 1; NaN when empty */

/* Iterate non-empty buckets in increasing order: start with *cursor = 0;
 * returns false when done. */
extern bool tbh_next_bucket(const TbHist *h, int *cursor, TbHistBucket *out);

/* Number of non-empty buckets. */
extern int	tbh_nonempty(const TbHist *h);

/*
 * Encoded (binary) form.  tbh_encoded_size gives an upper bound of the
 * bytes tbh_encode writes; tbh_encode returns the bytes written.
 * tbh_decode returns true on success; on failure it returns false and sets
 * *err to a static message saying what was wrong (never crashes, never
 * reads past len).  The decoded histogram passes tbh_check.
 */
extern size_t tbh_encoded_size(const TbHist *h);
extern size_t tbh_encode(const TbHist *h, uint8_t *buf);
extern bool tbh_decode(TbHist *h, const uint8_t *buf, size_t len, const char **err);

/*
 * Text form, for humans and for the SQL type's input/output:
 *   n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1
 * "b" lists bucket index:count pairs in strictly increasing index order;
 * an empty histogram is "n=0".  m2 is printed with %.17g so text round
 * trips exactly.  tbh_to_text writes into buf (size buflen, at least
 * tbh_text_size(h)) and returns the length; tbh_from_text validates strictly
 * (the same rules as tbh_decode, plus syntax) and sets *err on failure.
 */
extern size_t tbh_text_size(const TbHist *h);
extern size_t tbh_to_text(const TbHist *h, char *buf, size_t buflen);
extern bool tbh_from_text(TbHist *h, const char *text, const char **err);

/*
 * Consistency check used by decode and from_text: counts sum to count,
 * min and max lie in the first and last non-empty buckets, min <= max,
 * sum between count*min and count*max, m2 finite and >= 0, empty
 * histogram has everything zero.
 */
extern bool tbh_check(const TbHist *h, const char **err);

/* ---- inline fast path ---- */
static inline int
tbh_bucket_index_inline(int64_t value)
{
	uint64_t	v = (uint64_t) value;
	int			e;

	if (v < TBH_SUB_COUNT)
		return (int) v;
	e = 63 - __builtin_clzll(v);	/* e >= TBH_SUB_BITS */
	return TBH_SUB_COUNT + (e - TBH_SUB_BITS) * TBH_HALF_COUNT +
		(int) ((v >> (e - (TBH_SUB_BITS - 1))) - TBH_HALF_COUNT);
}

static inline void
tbh_record_fast(TbHist *h, int64_t value)
{
	double		delta;

	h->counts[tbh_bucket_index_inline(value)]++;
	if (h->count == 0 || value < h->min)
		h->min = value;
	if (h->count == 0 || value > h->max)
		h->max = value;
	h->count++;
	h->sum += (unsigned __int128) value;
	delta = (double) value - h->wmean;
	h->wmean += delta / (double) h->count;
	h->m2 += delta * ((double) value - h->wmean);
}

#endif							/* TB_HISTOGRAM_H */
