/*
 * fuzz_histogram.c
 *		libFuzzer target for the histogram decoders.
 *
 * Every input is used three ways:
 *	1. as an encoded histogram for tbh_decode;
 *	2. as text (NUL-terminated copy) for tbh_from_text;
 *	3. as a recipe of values for two histograms, which are merged, encoded,
 *	   printed and read back, and whose encoding is then corrupted at a
 *	   place the input chooses (this reaches the deep checks of the
 *	   decoder, which random bytes rarely get to).
 * Whatever a decoder accepts must pass tbh_check and give back the very
 * same bytes or text when written again.  Mismatches abort().
 */
#include "histogram.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TEXT	(1 << 20)

static TbHist h1,
			h2,
			h3,
			scratch;				/* only round_trips uses it */
static uint8_t enc1[1 << 17],
			enc2[1 << 17];
static char text1[FUZZ_MAX_TEXT],
			text2[FUZZ_MAX_TEXT];

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static bool
same_fields(const TbHist *a, const TbHist *b)
{
	return a->count == b->count && a->min == b->min && a->max == b->max &&
		a->sum == b->sum && memcmp(&a->m2, &b->m2, sizeof(double)) == 0 &&
		memcmp(a->counts, b->counts, sizeof(a->counts)) == 0;
}

/* encode h, decode, compare; print, parse, compare */
static void
round_trips(const TbHist *h)
{
	const char *err = NULL;
	size_t		n,
				n2,
				t,
				t2;

	CHECK(tbh_check(h, &err));
	CHECK(tbh_encoded_size(h) <= sizeof(enc1));
	n = tbh_encode(h, enc1);
	CHECK(n <= tbh_encoded_size(h));
	CHECK(tbh_decode(&scratch, enc1, n, &err));
	CHECK(same_fields(h, &scratch));
	n2 = tbh_encode(&scratch, enc2);
	CHECK(n2 == n && memcmp(enc1, enc2, n) == 0);

	CHECK(tbh_text_size(h) <= sizeof(text1));
	t = tbh_to_text(h, text1, sizeof(text1));
	CHECK(t > 0 && t < tbh_text_size(h) && strlen(text1) == t);
	CHECK(tbh_from_text(&scratch, text1, &err));
	CHECK(same_fields(h, &scratch));
	t2 = tbh_to_text(&scratch, text2, sizeof(text2));
	CHECK(t2 == t && strcmp(text1, text2) == 0);
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
	const char *err = NULL;
	size_t		n;

	if (tbh_decode(&h1, data, size, &err))
	{
		/* canonical: what was accepted is exactly what encode writes */
		n = tbh_encode(&h1, enc1);
		CHECK(n == size && memcmp(enc1, data, size) == 0);
		round_trips(&h1);
	}
	else
		CHECK(err != NULL && err[0] != '\0');
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	char	   *copy = malloc(size + 1);
	const char *err = NULL;
	const char *start;
	size_t		len,
				t;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (tbh_from_text(&h1, copy, &err))
	{
		/* printing gives back the input without surrounding white space */
		start = copy;
		while (*start && is_space(*start))
			start++;
		len = strlen(start);
		while (len > 0 && is_space(start[len - 1]))
			len--;
		t = tbh_to_text(&h1, text1, sizeof(text1));
		CHECK(t == len && memcmp(text1, start, len) == 0);
		round_trips(&h1);
	}
	else
		CHECK(err != NULL && err[0] != '\0');
	free(copy);
}

/* values from the input: 8 bytes each, magnitude picked by the last one */
static void
fuzz_build(const uint8_t *data, size_t size)
{
	size_t		i,
				nrec = size / 9,
				half;
	uint64_t	total = 0;
	double		tol;
	const char *err = NULL;
	size_t		n;

	if (nrec == 0)
		return;
	half = nrec / 2;
	tbh_init(&h1);
	tbh_init(&h2);
	tbh_init(&h3);
	for (i = 0; i < nrec; i++)
	{
		const uint8_t *p = data + 9 * i;
		uint64_t	v = 0;
		uint64_t	reps = 1 + (p[8] & 3);
		int			k;

		for (k = 0; k < 8; k++)
			v |= (uint64_t) p[k] << (8 * k);
		v = (v >> 1) >> ((p[8] >> 2) % 63);
		CHECK(tbh_record_n(i < half ? &h1 : &h2, (int64_t) v, reps));
		CHECK(tbh_record_n(&h3, (int64_t) v, reps));
		total += reps;
	}
	CHECK(!tbh_record_n(&h3, -1, 1));
	if (size % 7 == 0)
	{
		/* the parts on their own too, now and then (it is slow) */
		round_trips(&h1);
		round_trips(&h2);
	}

	/* merge equals recording all */
	CHECK(tbh_merge(&h1, &h2));
	CHECK(h1.count == total && h1.count == h3.count && h1.min == h3.min &&
		  h1.max == h3.max && h1.sum == h3.sum &&
		  memcmp(h1.counts, h3.counts, sizeof(h1.counts)) == 0);
	tol = 1e-6 * h3.m2 + 1e-9 * (double) h3.count * (double) h3.max * (double) h3.max + 1e-6;
	CHECK(fabs(h1.m2 - h3.m2) <= tol);
	round_trips(&h1);

	/* percentiles: within [min, max], monotone, exact ends */
	{
		double		prev = -1,
					q;

		for (q = 0.0; q <= 1.0; q += 0.0625)
		{
			double		v = tbh_percentile(&h1, q);

			CHECK(v >= (double) h1.min && v <= (double) h1.max && v >= prev);
			prev = v;
		}
		CHECK(tbh_percentile(&h1, 0.0) == (double) h1.min);
		CHECK(tbh_percentile(&h1, 1.0) == (double) h1.max);
	}

	/* corrupt the encoding where the input says so */
	n = tbh_encode(&h1, enc1);
	for (i = 0; i + 3 <= size % 27 && i + 3 <= size; i += 3)
	{
		size_t		pos = ((size_t) data[i] << 8 | data[i + 1]) % n;

		enc1[pos] ^= data[i + 2] ? data[i + 2] : 0x80;
	}
	if (size % 5 == 0 && n > 1)
		n--;					/* and sometimes cut it */
	if (tbh_decode(&h2, enc1, n, &err))
	{
		CHECK(tbh_encode(&h2, enc2) == n && memcmp(enc1, enc2, n) == 0);
		round_trips(&h2);
	}
	else
		CHECK(err != NULL && err[0] != '\0');

	/* and the same with its text: overwrite characters, maybe cut it */
	{
		static const char alphabet[] = "0123456789;:,=-+. enmaxisub";
		size_t		t = tbh_to_text(&h1, text1, sizeof(text1));

		for (i = 0; i + 3 <= size % 21 && i + 3 <= size; i += 3)
		{
			size_t		pos = ((size_t) data[i + 1] << 8 | data[i]) % t;

			text1[pos] = alphabet[data[i + 2] % (sizeof(alphabet) - 1)];
		}
		if (size % 3 == 0 && t > 1)
			text1[t - 1 - data[0] % t] = '\0';
		if (tbh_from_text(&h2, text1, &err))
		{
			const char *start = text1;
			size_t		len;

			while (*start == ' ')
				start++;
			len = strlen(start);
			while (len > 0 && start[len - 1] == ' ')
				len--;
			CHECK(tbh_to_text(&h2, text2, sizeof(text2)) == len &&
				  memcmp(text2, start, len) == 0);
			round_trips(&h2);
		}
		else
			CHECK(err != NULL && err[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size);
	fuzz_text(data, size);
	fuzz_build(data, size);
	return 0;
}
