/*
 * histogram.c
 *		HDR-style log-linear latency histogram (plain C, no PostgreSQL headers).
 *
 * See histogram.h for the bucket geometry and the rules.  This file only
 * uses libc and libm; it keeps no global mutable state and never allocates:
 * the caller owns every TbHist.
 *
 * Encoded (binary) form, version 1.  "uvarint" is an unsigned LEB128
 * number (7 bits per byte, least significant group first, high bit set on
 * every byte but the last), which must be minimally encoded:
 *
 *		byte		TBH_FORMAT_VERSION
 *		uvarint		count				(64 bit)
 *		uvarint		min					(<= INT64_MAX)
 *		uvarint		max					(<= INT64_MAX)
 *		uvarint		sum					(128 bit, at most 19 bytes)
 *		8 bytes		m2					(IEEE 754 double, little-endian)
 *		uvarint		nbuckets			(number of non-empty buckets)
 *		nbuckets times:
 *			uvarint	index delta			(index - previous index, previous
 *										 index starts at -1; so >= 1)
 *			uvarint	bucket count		(>= 1)
 *
 * An empty histogram is encoded with every field zero and no buckets.
 * Decoding accepts nothing else than what tbh_encode produces for some
 * histogram that passes tbh_check, so decode + encode gives back the very
 * same bytes.
 *
 * Text form: see histogram.h.  Numbers must be canonical (no sign, no
 * leading zeros, m2 exactly as printed by "%.17g"), so text that parses
 * prints back byte for byte (apart from optional leading and trailing
 * white space, which is accepted and dropped).
 */
#include "histogram.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 tbh_u128;

#define TBH_M2_TEXT_MAX		32	/* room for "%.17g" of a double */
#define TBH_U64_DIGITS		20
#define TBH_U128_DIGITS		39
#define TBH_I64_DIGITS		19
#define TBH_INDEX_DIGITS	4	/* TBH_NBUCKETS - 1 = 7295 */

/* ---------------------------------------------------------------- */
/* Recording, merging													*/
/* ---------------------------------------------------------------- */

void
tbh_init(TbHist *h)
{
	memset(h, 0, sizeof(TbHist));
	h->m2 = 0.0;
	h->wmean = 0.0;
}

/*
 * The largest m2 that count samples within [min, max] can have:
 * sum (x - mean)^2 <= count * (max - min)^2 / 4.  A little slack for the
 * rounding of the running updates.
 */
static double
m2_bound(uint64_t count, int64_t min, int64_t max)
{
	double		range = (double) max - (double) min;

	return (double) count * range * range * 0.25 * (1.0 + 1e-9) + 1.0;
}

/* m2 never exceeds what min and max allow (and so stays finite) */
static void
clamp_m2(TbHist *h, uint64_t count)
{
	double		bound = m2_bound(count, h->min, h->max);

	if (!(h->m2 <= bound))
		h->m2 = bound;
}

bool
tbh_record_n(TbHist *h, int64_t value, uint64_t n)
{
	uint64_t	newcount;
	double		delta;
	double		x;

	if (value < 0)
		return false;
	if (n == 0)
		return true;			/* nothing to record */
	if (n > TBH_MAX_COUNT - h->count)
		return false;
	if (n == 1)
	{
		/* the very same arithmetic as the measurement loop */
		tbh_record_fast(h, value);
		return true;
	}

	newcount = h->count + n;
	h->counts[tbh_bucket_index_inline(value)] += n;
	if (h->count == 0 || value < h->min)
		h->min = value;
	if (h->count == 0 || value > h->max)
		h->max = value;

	/*
	 * n copies of the value at once: the Welford update generalised (this is
	 * Chan's merge with a block of n equal values, whose own m2 is zero).
	 */
	x = (double) value;
	delta = x - h->wmean;
	h->wmean += delta * ((double) n / (double) newcount);
	h->m2 += delta * (x - h->wmean) * (double) n;
	if (!(h->m2 >= 0.0))
		h->m2 = 0.0;			/* guard against rounding below zero */
	clamp_m2(h, newcount);

	h->count = newcount;
	h->sum += (tbh_u128) value * n;
	return true;
}

bool
tbh_merge(TbHist *dst, const TbHist *src)
{
	uint64_t	na = dst->count;
	uint64_t	nb = src->count;
	uint64_t	n;
	double		meana,
				meanb,
				delta;
	int			i;

	if (nb == 0)
		return true;
	if (nb > TBH_MAX_COUNT - na)
		return false;
	/* dst == src works too: every source field is read before written */
	n = na + nb;

	if (na == 0)
	{
		dst->min = src->min;
		dst->max = src->max;
		dst->m2 = src->m2;
	}
	else
	{
		meana = (double) dst->sum / (double) na;
		meanb = (double) src->sum / (double) nb;
		delta = meanb - meana;
		dst->m2 = dst->m2 + src->m2 +
			delta * delta * ((double) na / (double) n) * (double) nb;
		if (src->min < dst->min)
			dst->min = src->min;
		if (src->max > dst->max)
			dst->max = src->max;
	}
	if (!(dst->m2 >= 0.0))
		dst->m2 = 0.0;
	clamp_m2(dst, n);

	for (i = 0; i < TBH_NBUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->sum += src->sum;
	dst->count = n;
	dst->wmean = (double) dst->sum / (double) n;
	return true;
}

/* ---------------------------------------------------------------- */
/* Bucket geometry														*/
/* ---------------------------------------------------------------- */

int
tbh_bucket_index(int64_t value)
{
	if (value < 0)
		return -1;
	return tbh_bucket_index_inline(value);
}

int64_t
tbh_bucket_low(int index)
{
	int			j,
				shift;
	uint64_t	sub;

	if (index < 0 || index >= TBH_NBUCKETS)
		return -1;
	if (index < TBH_SUB_COUNT)
		return index;
	j = index - TBH_SUB_COUNT;
	/* exponent e = TBH_SUB_BITS + j / HALF; bucket width 2^(e - SUB_BITS + 1) */
	shift = j / TBH_HALF_COUNT + 1;
	sub = (uint64_t) (TBH_HALF_COUNT + j % TBH_HALF_COUNT);
	return (int64_t) (sub << shift);
}

int64_t
tbh_bucket_high(int index)
{
	int			shift;
	uint64_t	low;

	if (index < 0 || index >= TBH_NBUCKETS)
		return -1;
	if (index < TBH_SUB_COUNT)
		return index;
	shift = (index - TBH_SUB_COUNT) / TBH_HALF_COUNT + 1;
	low = (uint64_t) tbh_bucket_low(index);
	return (int64_t) (low + (((uint64_t) 1 << shift) - 1));
}

double
tbh_bucket_mid(int index)
{
	int64_t		low,
				high;

	if (index < 0 || index >= TBH_NBUCKETS)
		return NAN;
	low = tbh_bucket_low(index);
	high = tbh_bucket_high(index);
	/* high - low does not overflow; (low + high) might */
	return (double) low + (double) (high - low) / 2.0;
}

/* ---------------------------------------------------------------- */
/* Summary figures														*/
/* ---------------------------------------------------------------- */

double
tbh_value_at_rank(const TbHist *h, uint64_t rank)
{
	int			first,
				last,
				i;
	uint64_t	seen = 0;
	double		v;

	if (h->count == 0 || rank < 1 || rank > h->count)
		return NAN;
	/* the extreme samples are known exactly */
	if (rank == 1)
		return (double) h->min;
	if (rank == h->count)
		return (double) h->max;

	first = tbh_bucket_index(h->min);
	last = tbh_bucket_index(h->max);
	if (first < 0 || last < first || last >= TBH_NBUCKETS)
	{
		/* inconsistent histogram; fall back to a full scan */
		first = 0;
		last = TBH_NBUCKETS - 1;
	}
	for (i = first; i <= last; i++)
	{
		/* rank - seen > counts[i] avoids overflow of seen + counts[i] */
		if (h->counts[i] >= rank - seen)
		{
			v = tbh_bucket_mid(i);
			if (v < (double) h->min)
				v = (double) h->min;
			if (v > (double) h->max)
				v = (double) h->max;
			return v;
		}
		seen += h->counts[i];
	}
	return NAN;					/* counts do not add up to count */
}

double
tbh_percentile(const TbHist *h, double q)
{
	double		r;
	uint64_t	rank;

	if (h->count == 0 || !(q >= 0.0 && q <= 1.0))
		return NAN;
	if (q == 0.0)
		return (double) h->min;
	if (q == 1.0)
		return (double) h->max;
	r = ceil(q * (double) h->count);
	if (r < 1.0)
		rank = 1;
	else if (r >= (double) h->count)
		rank = h->count;
	else
		rank = (uint64_t) r;
	return tbh_value_at_rank(h, rank);
}

double
tbh_mean(const TbHist *h)
{
	if (h->count == 0)
		return NAN;
	return (double) h->sum / (double) h->count;
}

double
tbh_stddev(const TbHist *h)
{
	if (h->count == 0)
		return NAN;
	if (h->count == 1)
		return 0.0;
	if (!(h->m2 > 0.0))
		return 0.0;
	return sqrt(h->m2 / (double) (h->count - 1));
}

bool
tbh_next_bucket(const TbHist *h, int *cursor, TbHistBucket *out)
{
	int			i;

	if (*cursor < 0)
		return false;
	for (i = *cursor; i < TBH_NBUCKETS; i++)
	{
		if (h->counts[i] != 0)
		{
			out->index = i;
			out->low = tbh_bucket_low(i);
			out->high = tbh_bucket_high(i);
			out->count = h->counts[i];
			*cursor = i + 1;
			return true;
		}
	}
	*cursor = TBH_NBUCKETS;
	return false;
}

int
tbh_nonempty(const TbHist *h)
{
	int			i,
				n = 0;

	for (i = 0; i < TBH_NBUCKETS; i++)
		n += (h->counts[i] != 0);
	return n;
}

/* ---------------------------------------------------------------- */
/* Consistency check													*/
/* ---------------------------------------------------------------- */

bool
tbh_check(const TbHist *h, const char **err)
{
	uint64_t	total = 0;
	int			first = -1,
				last = -1,
				i;
	tbh_u128	lo_sum = 0,
				hi_sum = 0;

	if (isnan(h->m2) || isinf(h->m2))
	{
		*err = "m2 is not finite";
		return false;
	}
	if (h->m2 < 0.0 || signbit(h->m2))
	{
		*err = "m2 is negative";
		return false;
	}

	if (h->count > TBH_MAX_COUNT)
	{
		*err = "count is beyond the range of bigint";
		return false;
	}
	if (h->count == 0)
	{
		if (h->min != 0 || h->max != 0 || h->sum != 0 || h->m2 != 0.0)
		{
			*err = "empty histogram with a nonzero field";
			return false;
		}
		for (i = 0; i < TBH_NBUCKETS; i++)
		{
			if (h->counts[i] != 0)
			{
				*err = "empty histogram with a non-empty bucket";
				return false;
			}
		}
		return true;
	}

	if (h->min < 0)
	{
		*err = "min is negative";
		return false;
	}
	if (h->min > h->max)
	{
		*err = "min is greater than max";
		return false;
	}

	for (i = 0; i < TBH_NBUCKETS; i++)
	{
		uint64_t	c = h->counts[i];
		int64_t		lo,
					hi;

		if (c == 0)
			continue;
		if (c > UINT64_MAX - total)
		{
			*err = "bucket counts overflow";
			return false;
		}
		total += c;
		if (first < 0)
			first = i;
		last = i;

		/* every sample of the bucket lies in [low, high] and [min, max] */
		lo = tbh_bucket_low(i);
		hi = tbh_bucket_high(i);
		if (lo < h->min)
			lo = h->min;
		if (hi > h->max)
			hi = h->max;
		/* c < 2^64, lo and hi < 2^63, total count < 2^64: no overflow */
		lo_sum += (tbh_u128) c * (uint64_t) (lo > 0 ? lo : 0);
		hi_sum += (tbh_u128) c * (uint64_t) (hi > 0 ? hi : 0);
	}
	if (total != h->count)
	{
		*err = "bucket counts do not sum to count";
		return false;
	}
	if (tbh_bucket_index(h->min) != first)
	{
		*err = "min is not in the first non-empty bucket";
		return false;
	}
	if (tbh_bucket_index(h->max) != last)
	{
		*err = "max is not in the last non-empty bucket";
		return false;
	}
	if (h->sum < (tbh_u128) h->count * (uint64_t) h->min ||
		h->sum > (tbh_u128) h->count * (uint64_t) h->max)
	{
		*err = "sum is outside [count*min, count*max]";
		return false;
	}
	if (h->sum < lo_sum || h->sum > hi_sum)
	{
		*err = "sum is inconsistent with the bucket contents";
		return false;
	}
	if (h->m2 > m2_bound(h->count, h->min, h->max))
	{
		*err = "m2 is larger than count samples between min and max can have";
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- */
/* Encoded (binary) form												*/
/* ---------------------------------------------------------------- */

static size_t
varint_len(tbh_u128 v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

static size_t
put_varint(uint8_t *p, tbh_u128 v)
{
	size_t		n = 0;

	while (v >= 0x80)
	{
		p[n++] = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t) v;
	return n;
}

/* m2 as written: a histogram whose m2 went astray still encodes validly */
static double
clean_m2(double m2)
{
	if (!(m2 > 0.0) || isinf(m2))
		return 0.0;
	return m2;
}

size_t
tbh_encoded_size(const TbHist *h)
{
	size_t		size;
	int			i,
				prev = -1;

	size = 1 + varint_len(h->count) + varint_len((uint64_t) h->min) +
		varint_len((uint64_t) h->max) + varint_len(h->sum) + 8;
	if (h->count == 0)
		return size + 1;
	size += varint_len((uint64_t) tbh_nonempty(h));
	for (i = 0; i < TBH_NBUCKETS; i++)
	{
		if (h->counts[i] == 0)
			continue;
		size += varint_len((uint64_t) (i - prev)) + varint_len(h->counts[i]);
		prev = i;
	}
	return size;
}

size_t
tbh_encode(const TbHist *h, uint8_t *buf)
{
	size_t		pos = 0;
	uint64_t	bits;
	double		m2 = clean_m2(h->m2);
	int			i,
				k,
				prev = -1;

	buf[pos++] = TBH_FORMAT_VERSION;
	pos += put_varint(buf + pos, h->count);
	if (h->count == 0)
	{
		/* min, max, sum, m2 and the bucket count are all zero */
		memset(buf + pos, 0, 3 + 8 + 1);
		return pos + 3 + 8 + 1;
	}
	pos += put_varint(buf + pos, (uint64_t) h->min);
	pos += put_varint(buf + pos, (uint64_t) h->max);
	pos += put_varint(buf + pos, h->sum);
	memcpy(&bits, &m2, sizeof(bits));
	for (k = 0; k < 8; k++)
		buf[pos++] = (uint8_t) (bits >> (8 * k));
	pos += put_varint(buf + pos, (uint64_t) tbh_nonempty(h));
	for (i = 0; i < TBH_NBUCKETS; i++)
	{
		if (h->counts[i] == 0)
			continue;
		pos += put_varint(buf + pos, (uint64_t) (i - prev));
		pos += put_varint(buf + pos, h->counts[i]);
		prev = i;
	}
	return pos;
}

/* A bounded reader of the encoded form. */
typedef struct TbhReader
{
	const uint8_t *p;
	const uint8_t *end;
	const char *err;
} TbhReader;

/*
 * Read a minimally encoded uvarint of at most maxbits bits (64 or 128).
 * Returns false with r->err set on truncation, overlong or non-minimal
 * encodings and values that do not fit.
 */
static bool
get_varint(TbhReader *r, int maxbits, tbh_u128 *out)
{
	tbh_u128	v = 0;
	int			shift = 0;
	uint8_t		b;

	for (;;)
	{
		if (r->p >= r->end)
		{
			r->err = "truncated input";
			return false;
		}
		b = *r->p++;
		if (shift >= maxbits ||
			(shift > maxbits - 7 && (b >> (maxbits - shift)) != 0))
		{
			r->err = "varint too long or overflowing";
			return false;
		}
		v |= (tbh_u128) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
	}
	if (b == 0 && shift > 0)
	{
		r->err = "varint not minimally encoded";
		return false;
	}
	*out = v;
	return true;
}

static bool
get_u64(TbhReader *r, uint64_t *out)
{
	tbh_u128	v;

	if (!get_varint(r, 64, &v))
		return false;
	*out = (uint64_t) v;
	return true;
}

bool
tbh_decode(TbHist *h, const uint8_t *buf, size_t len, const char **err)
{
	TbhReader	r;
	uint64_t	v,
				nbuckets,
				total = 0,
				j,
				bits = 0;
	tbh_u128	sum;
	double		m2;
	int			k;
	int64_t		prev = -1;

	tbh_init(h);
	r.p = buf;
	r.end = buf + len;
	r.err = NULL;

	if (len == 0)
	{
		*err = "empty input";
		return false;
	}
	if (buf[0] != TBH_FORMAT_VERSION)
	{
		*err = "unsupported format version";
		return false;
	}
	r.p++;

	if (!get_u64(&r, &h->count))
		goto fail;
	if (!get_u64(&r, &v))
		goto fail;
	if (v > (uint64_t) INT64_MAX)
	{
		*err = "min out of range";
		return false;
	}
	h->min = (int64_t) v;
	if (!get_u64(&r, &v))
		goto fail;
	if (v > (uint64_t) INT64_MAX)
	{
		*err = "max out of range";
		return false;
	}
	h->max = (int64_t) v;
	if (!get_varint(&r, 128, &sum))
		goto fail;
	h->sum = sum;

	if (r.end - r.p < 8)
	{
		*err = "truncated input";
		return false;
	}
	for (k = 0; k < 8; k++)
		bits |= (uint64_t) r.p[k] << (8 * k);
	r.p += 8;
	memcpy(&m2, &bits, sizeof(m2));
	if (isnan(m2) || isinf(m2))
	{
		*err = "m2 is not finite";
		return false;
	}
	if (m2 < 0.0 || signbit(m2))
	{
		*err = "m2 is negative";
		return false;
	}
	h->m2 = m2;

	if (!get_u64(&r, &nbuckets))
		goto fail;
	if (nbuckets > TBH_NBUCKETS)
	{
		*err = "too many buckets";
		return false;
	}
	if (h->count == 0 && nbuckets != 0)
	{
		*err = "empty histogram with a non-empty bucket";
		return false;
	}
	if (h->count != 0 && nbuckets == 0)
	{
		*err = "non-empty histogram without buckets";
		return false;
	}
	/* nbuckets <= TBH_NBUCKETS bounds the loop */
	for (j = 0; j < nbuckets; j++)
	{
		uint64_t	delta,
					c;

		if (!get_u64(&r, &delta))
			goto fail;
		if (delta == 0)
		{
			*err = "bucket index not strictly increasing";
			return false;
		}
		if (delta > (uint64_t) (TBH_NBUCKETS - 1 - prev))
		{
			*err = "bucket index out of range";
			return false;
		}
		prev += (int64_t) delta;
		if (!get_u64(&r, &c))
			goto fail;
		if (c == 0)
		{
			*err = "zero bucket count";
			return false;
		}
		if (c > UINT64_MAX - total)
		{
			*err = "bucket counts overflow";
			return false;
		}
		total += c;
		h->counts[prev] = c;
	}
	if (r.p != r.end)
	{
		*err = "trailing garbage after histogram";
		return false;
	}
	if (total != h->count)
	{
		*err = "bucket counts do not sum to count";
		return false;
	}
	if (!tbh_check(h, err))
		return false;
	h->wmean = h->count ? (double) h->sum / (double) h->count : 0.0;
	return true;

fail:
	*err = r.err;
	return false;
}

/* ---------------------------------------------------------------- */
/* Text form															*/
/* ---------------------------------------------------------------- */

size_t
tbh_text_size(const TbHist *h)
{
	size_t		size;

	size = 2 + TBH_U64_DIGITS + 1;	/* "n=" count NUL */
	if (h->count == 0)
		return size;
	size += 5 + TBH_I64_DIGITS;		/* ";min=" */
	size += 5 + TBH_I64_DIGITS;		/* ";max=" */
	size += 5 + TBH_U128_DIGITS;	/* ";sum=" */
	size += 4 + TBH_M2_TEXT_MAX;	/* ";m2=" */
	size += 3;						/* ";b=" */
	/* "index:count" plus a comma each */
	size += (size_t) tbh_nonempty(h) * (TBH_INDEX_DIGITS + 1 + TBH_U64_DIGITS + 1);
	return size;
}

/* A bounded writer; on overflow it stops writing and remembers it. */
typedef struct TbhWriter
{
	char	   *buf;
	size_t		len;
	size_t		cap;			/* room for len + NUL must stay */
	bool		overflow;
} TbhWriter;

static void
w_mem(TbhWriter *w, const char *s, size_t n)
{
	if (w->overflow || w->cap == 0 || n >= w->cap - w->len)
	{
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
w_str(TbhWriter *w, const char *s)
{
	w_mem(w, s, strlen(s));
}

static void
w_u128(TbhWriter *w, tbh_u128 v)
{
	char		tmp[TBH_U128_DIGITS + 1];
	size_t		n = sizeof(tmp);

	do
	{
		tmp[--n] = (char) ('0' + (int) (v % 10));
		v /= 10;
	} while (v != 0);
	w_mem(w, tmp + n, sizeof(tmp) - n);
}

static void
format_m2(char *out, size_t outlen, double m2)
{
	snprintf(out, outlen, "%.17g", m2);
}

size_t
tbh_to_text(const TbHist *h, char *buf, size_t buflen)
{
	TbhWriter	w;
	char		m2buf[TBH_M2_TEXT_MAX];
	int			i;
	bool		firstb = true;

	w.buf = buf;
	w.len = 0;
	w.cap = buflen;
	w.overflow = false;

	w_str(&w, "n=");
	w_u128(&w, h->count);
	if (h->count != 0)
	{
		w_str(&w, ";min=");
		w_u128(&w, (uint64_t) h->min);
		w_str(&w, ";max=");
		w_u128(&w, (uint64_t) h->max);
		w_str(&w, ";sum=");
		w_u128(&w, h->sum);
		w_str(&w, ";m2=");
		format_m2(m2buf, sizeof(m2buf), clean_m2(h->m2));
		w_str(&w, m2buf);
		w_str(&w, ";b=");
		for (i = 0; i < TBH_NBUCKETS; i++)
		{
			if (h->counts[i] == 0)
				continue;
			if (!firstb)
				w_str(&w, ",");
			firstb = false;
			w_u128(&w, (uint64_t) i);
			w_str(&w, ":");
			w_u128(&w, h->counts[i]);
		}
	}
	if (w.overflow)
	{
		/* buffer too small: write nothing useful, report 0 */
		if (buflen > 0)
			buf[0] = '\0';
		return 0;
	}
	buf[w.len] = '\0';
	return w.len;
}

/* Which number a text parse error is about (indexes text_errs). */
typedef enum TbhField
{
	F_N = 0,
	F_MIN,
	F_MAX,
	F_SUM,
	F_INDEX,
	F_COUNT
} TbhField;

/* Kinds of number errors (second index of text_errs). */
#define E_DIGITS	0
#define E_ZERO		1
#define E_RANGE		2

static const char *const text_errs[][3] = {
	{"n: expected a decimal number", "n: leading zeros not allowed", "n: out of range"},
	{"min: expected a decimal number", "min: leading zeros not allowed", "min: out of range"},
	{"max: expected a decimal number", "max: leading zeros not allowed", "max: out of range"},
	{"sum: expected a decimal number", "sum: leading zeros not allowed", "sum: out of range"},
	{"bucket index: expected a decimal number", "bucket index: leading zeros not allowed", "bucket index out of range"},
	{"bucket count: expected a decimal number", "bucket count: leading zeros not allowed", "bucket count: out of range"},
};

typedef struct TbhParser
{
	const char *p;
	const char *end;
	const char *err;
} TbhParser;

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Expect the literal s; err is the message when it is not there. */
static bool
p_lit(TbhParser *ps, const char *s, const char *err)
{
	size_t		n = strlen(s);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, s, n) != 0)
	{
		ps->err = err;
		return false;
	}
	ps->p += n;
	return true;
}

/* Unsigned canonical decimal number not above maxv. */
static bool
p_num(TbhParser *ps, TbhField f, tbh_u128 maxv, tbh_u128 *out)
{
	tbh_u128	v = 0;
	const char *start = ps->p;

	if (ps->p >= ps->end || !is_digit(*ps->p))
	{
		ps->err = text_errs[f][E_DIGITS];
		return false;
	}
	while (ps->p < ps->end && is_digit(*ps->p))
	{
		unsigned	d = (unsigned) (*ps->p - '0');

		if (v > (maxv - d) / 10)
		{
			ps->err = text_errs[f][E_RANGE];
			return false;
		}
		v = v * 10 + d;
		ps->p++;
	}
	if (*start == '0' && ps->p - start > 1)
	{
		ps->err = text_errs[f][E_ZERO];
		return false;
	}
	*out = v;
	return true;
}

static bool
p_m2(TbhParser *ps, double *out)
{
	char		tok[TBH_M2_TEXT_MAX];
	char		canon[TBH_M2_TEXT_MAX];
	char	   *endp;
	size_t		n = 0;
	double		v;

	while (ps->p + n < ps->end && ps->p[n] != ';')
	{
		if (n + 1 >= sizeof(tok))
		{
			ps->err = "m2: number too long";
			return false;
		}
		tok[n] = ps->p[n];
		n++;
	}
	tok[n] = '\0';
	if (n == 0 || !is_digit(tok[0]))
	{
		/* also rejects signs, white space, "inf" and "nan" */
		ps->err = "m2: expected a non-negative number";
		return false;
	}
	v = strtod(tok, &endp);
	if (endp != tok + n)
	{
		ps->err = "m2: invalid number";
		return false;
	}
	if (isnan(v) || isinf(v))
	{
		ps->err = "m2 is not finite";
		return false;
	}
	if (v < 0.0 || signbit(v))
	{
		ps->err = "m2 is negative";
		return false;
	}
	format_m2(canon, sizeof(canon), v);
	if (strcmp(canon, tok) != 0)
	{
		ps->err = "m2: not in canonical %.17g form";
		return false;
	}
	ps->p += n;
	*out = v;
	return true;
}

bool
tbh_from_text(TbHist *h, const char *text, const char **err)
{
	TbhParser	ps;
	tbh_u128	v;
	uint64_t	total = 0;
	int64_t		prev = -1;

	tbh_init(h);
	ps.p = text;
	ps.end = text + strlen(text);
	ps.err = NULL;
	while (ps.p < ps.end && is_space(*ps.p))
		ps.p++;
	while (ps.end > ps.p && is_space(ps.end[-1]))
		ps.end--;

	if (!p_lit(&ps, "n=", "expected \"n=\" at the start"))
		goto fail;
	if (!p_num(&ps, F_N, UINT64_MAX, &v))
		goto fail;
	h->count = (uint64_t) v;
	if (h->count == 0)
	{
		if (ps.p != ps.end)
		{
			*err = "empty histogram must be written as \"n=0\"";
			return false;
		}
		return true;
	}

	if (!p_lit(&ps, ";min=", "expected \";min=\" after n"))
		goto fail;
	if (!p_num(&ps, F_MIN, INT64_MAX, &v))
		goto fail;
	h->min = (int64_t) v;
	if (!p_lit(&ps, ";max=", "expected \";max=\" after min"))
		goto fail;
	if (!p_num(&ps, F_MAX, INT64_MAX, &v))
		goto fail;
	h->max = (int64_t) v;
	if (!p_lit(&ps, ";sum=", "expected \";sum=\" after max"))
		goto fail;
	if (!p_num(&ps, F_SUM, ~(tbh_u128) 0, &v))
		goto fail;
	h->sum = v;
	if (!p_lit(&ps, ";m2=", "expected \";m2=\" after sum"))
		goto fail;
	if (!p_m2(&ps, &h->m2))
		goto fail;
	if (!p_lit(&ps, ";b=", "expected \";b=\" after m2"))
		goto fail;

	for (;;)
	{
		uint64_t	c;

		if (!p_num(&ps, F_INDEX, TBH_NBUCKETS - 1, &v))
			goto fail;
		if ((int64_t) v <= prev)
		{
			*err = "bucket index not strictly increasing";
			return false;
		}
		prev = (int64_t) v;
		if (!p_lit(&ps, ":", "expected ':' after bucket index"))
			goto fail;
		if (!p_num(&ps, F_COUNT, UINT64_MAX, &v))
			goto fail;
		c = (uint64_t) v;
		if (c == 0)
		{
			*err = "zero bucket count";
			return false;
		}
		if (c > UINT64_MAX - total)
		{
			*err = "bucket counts overflow";
			return false;
		}
		total += c;
		h->counts[prev] = c;
		if (ps.p == ps.end)
			break;
		if (!p_lit(&ps, ",", "unexpected character after bucket count"))
			goto fail;
	}
	if (total != h->count)
	{
		*err = "bucket counts do not sum to count";
		return false;
	}
	if (!tbh_check(h, err))
		return false;
	h->wmean = (double) h->sum / (double) h->count;
	return true;

fail:
	*err = ps.err;
	return false;
}
