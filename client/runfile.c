/*
 * runfile.c
 *		Reading run files and comparing two of them offline (runfile.h).
 *
 * The comparison follows the server's tasker_bench._compare: per case
 * tbs_compare_case, as tasker_bench._compare_case (block medians relative
 * to the probes, or the histograms, judged by tbs_judge against the noise
 * floor with the runs' sample counts n, figures rounded as shown); the
 * noise floor: the call's, else the one
 * the baseline's database recorded for the case (comparison_settings of
 * the baseline file: its suite's setting, or the larger of
 * compare_noise_threshold and the case's history up to that run), else the
 * file's noise threshold; the tolerance: the call's threshold, the case's
 * or suite's tolerance recorded in the current file, else
 * tbs_category_tolerance (as the server).
 */
#include "runfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define RUN_FORMAT_VERSION 1
/* only for files without comparison_settings (not written by tasker_bench_export) */
#define RUN_DEFAULT_NOISE_PCT 8.0

char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	if (f == NULL)
		return NULL;
	for (;;)
	{
		size_t		got;

		if (cap - n < 65536)
		{
			char	   *nb;

			cap = cap ? cap * 2 : 131072;
			nb = realloc(buf, cap + 1);
			if (nb == NULL)
			{
				free(buf);
				if (f != stdin)
					fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
	{
		int			e = errno;

		free(buf);
		if (f != stdin)
			fclose(f);
		errno = e ? e : EIO;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static double *
number_array(const Json *a, int *n)
{
	double	   *out;
	int			i;

	*n = 0;
	if (a == NULL || a->kind != JSON_ARRAY)
		return NULL;
	out = calloc(a->n ? a->n : 1, sizeof(double));
	if (out == NULL)
		return NULL;
	for (i = 0; i < a->n; i++)
	{
		if (a->items[i]->kind != JSON_NUMBER)
		{
			free(out);
			return NULL;
		}
		out[i] = a->items[i]->num;
	}
	*n = a->n;
	return out;
}

bool
runfile_read(const char *path, RunFile *rf, char *err, size_t errlen)
{
	size_t		len;
	char	   *text = read_file(path, &len);
	char		jerr[256];
	const Json *results;
	const Json *settings;
	const Json *tolerances;
	const Json *floors;
	double		version;
	int			i;

	memset(rf, 0, sizeof(RunFile));
	rf->noise_threshold_pct = NAN;
	if (text == NULL)
	{
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	rf->doc = json_parse(text, len, jerr, sizeof(jerr));
	free(text);
	if (rf->doc == NULL)
	{
		snprintf(err, errlen, "%s is not valid JSON (%s)", path, jerr);
		return false;
	}
	if (json_get_str(rf->doc, "format") == NULL ||
		strcmp(json_get_str(rf->doc, "format"), "tasker_bench.run") != 0)
	{
		snprintf(err, errlen, "%s is not a tasker_bench run file (no \"format\": \"tasker_bench.run\"); "
				 "write one with tasker-bench export or run --save", path);
		runfile_free(rf);
		return false;
	}
	if (!json_get_num(rf->doc, "format_version", &version) || version < 1 || version != floor(version))
	{
		snprintf(err, errlen, "%s has no valid format_version", path);
		runfile_free(rf);
		return false;
	}
	if (version > RUN_FORMAT_VERSION)
	{
		snprintf(err, errlen, "%s has format_version %g, this tasker-bench reads up to %d "
				 "(written by tasker_bench %s): update tasker-bench",
				 path, version, RUN_FORMAT_VERSION,
				 json_get_str(rf->doc, "extension_version") ? json_get_str(rf->doc, "extension_version") : "(unknown)");
		runfile_free(rf);
		return false;
	}
	rf->what = json_get_str(json_get(rf->doc, "run"), "what");
	settings = json_get(rf->doc, "comparison_settings");
	if (!json_get_num(settings, "noise_threshold_pct", &rf->noise_threshold_pct))
		rf->noise_threshold_pct = NAN;
	tolerances = json_get(settings, "tolerance_pct");
	floors = json_get(settings, "noise_floor_pct");
	results = json_get(rf->doc, "results");
	if (results == NULL || results->kind != JSON_ARRAY)
	{
		snprintf(err, errlen, "%s has no \"results\" array", path);
		runfile_free(rf);
		return false;
	}
	rf->cases = calloc(results->n ? results->n : 1, sizeof(RunCase));
	if (rf->cases == NULL)
	{
		snprintf(err, errlen, "out of memory");
		runfile_free(rf);
		return false;
	}
	for (i = 0; i < results->n; i++)
	{
		const Json *r = results->items[i];
		RunCase    *c = &rf->cases[rf->ncases];
		const char *htext = json_get_str(r, "histogram");
		const char *herr = NULL;
		double		v;

		c->name = json_get_str(r, "case_name");
		if (c->name == NULL || htext == NULL)
		{
			snprintf(err, errlen, "%s: result %d has no case_name or histogram", path, i + 1);
			runfile_free(rf);
			return false;
		}
		c->category = json_get_str(r, "category") ? json_get_str(r, "category") : "sql";
		c->ordinal = json_get_num(r, "ordinal", &v) ? (int) v : i + 1;
		c->p50_us = json_get_num(r, "p50_us", &v) ? v : NAN;
		c->n = json_get_num(r, "n", &v) && v >= 0 ? (uint64_t) v : UINT64_MAX;
		c->hist = malloc(sizeof(TbHist));
		rf->ncases++;
		if (c->hist == NULL || !tbh_from_text(c->hist, htext, &herr))
		{
			snprintf(err, errlen, "%s: case \"%s\": bad histogram (%s)", path, c->name,
					 herr ? herr : "out of memory");
			runfile_free(rf);
			return false;
		}
		if (c->n == UINT64_MAX)	/* a file without n: the histogram's count */
			c->n = c->hist->count;
		c->blocks = number_array(json_get(r, "block_medians_ns"), &c->nblocks);
		c->probes = number_array(json_get(r, "probe_medians_ns"), &c->nprobes);
		c->has_tolerance = json_get_num(tolerances, c->name, &c->tolerance_pct);
		if (!json_get_num(floors, c->name, &c->noise_floor_pct))
			c->noise_floor_pct = NAN;
	}
	return true;
}

void
runfile_free(RunFile *rf)
{
	int			i;

	for (i = 0; i < rf->ncases; i++)
	{
		free(rf->cases[i].hist);
		free(rf->cases[i].blocks);
		free(rf->cases[i].probes);
	}
	free(rf->cases);
	json_free(rf->doc);
	memset(rf, 0, sizeof(RunFile));
}

static const RunCase *
find_case(const RunFile *rf, const char *name)
{
	int			i;

	for (i = 0; i < rf->ncases; i++)
		if (strcmp(rf->cases[i].name, name) == 0)
			return &rf->cases[i];
	return NULL;
}

static void
json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char) *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void
json_number(FILE *out, double v)
{
	char		buf[40];
	int			digits;

	if (isnan(v) || isinf(v))
	{
		fputs("null", out);
		return;
	}
	/* the shortest form that reads back as the same double (as PostgreSQL prints) */
	for (digits = 15; digits <= 17; digits++)
	{
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

static void
print_case(FILE *out, const CompareOptions *o, bool *first, const char *name, double b50, double c50,
		   const TbsComparison *cmp, const char *verdict, int within, double tol)
{
	if (o->json)
	{
		fputs(*first ? "[\n  {" : ",\n  {", out);
		fputs("\"case_name\": ", out);
		json_string(out, name);
		fputs(", \"baseline_p50_us\": ", out);
		json_number(out, b50);
		fputs(", \"current_p50_us\": ", out);
		json_number(out, c50);
		fputs(", \"change_pct\": ", out);
		json_number(out, cmp ? cmp->change_pct : NAN);
		fputs(", \"ci_low_pct\": ", out);
		json_number(out, cmp ? cmp->ci_low_pct : NAN);
		fputs(", \"ci_high_pct\": ", out);
		json_number(out, cmp ? cmp->ci_high_pct : NAN);
		fputs(", \"p_value\": ", out);
		json_number(out, cmp ? cmp->p : NAN);
		fprintf(out, ", \"verdict\": \"%s\", \"within_tolerance\": %s, \"tolerance_pct\": ", verdict,
				within < 0 ? "null" : within ? "true" : "false");
		json_number(out, tol);
		fputs("}", out);
	}
	else
	{
		char		change[64] = "-";

		if (cmp && cmp->valid)
			snprintf(change, sizeof(change), "%+.1f %% [%+.1f, %+.1f]", cmp->change_pct,
					 cmp->ci_low_pct, cmp->ci_high_pct);
		if (*first)
			fprintf(out, "%-40s %12s %12s  %-26s %-12s %s\n", "case", "base p50 us", "p50 us",
					"change [95 % CI]", "verdict", "tolerance");
		fprintf(out, "%-40s %12.3f %12.3f  %-26s %-12s %s\n", name, b50, c50, change, verdict,
				within < 0 ? "-" : within ? "met" : "EXCEEDED");
	}
	*first = false;
}

void
runfile_compare(const RunFile *base, const RunFile *cur, const CompareOptions *o,
				FILE *out, bool *regressed, bool *outside)
{
	bool		first = true;
	int			i;

	*regressed = *outside = false;
	for (i = 0; i < cur->ncases; i++)
	{
		const RunCase *c = &cur->cases[i];
		const RunCase *b = find_case(base, c->name);
		TbsComparison cmp;
		double		noise;
		double		tol;
		double	   *work;
		int			within;

		if (b == NULL)
		{
			print_case(out, o, &first, c->name, NAN, c->p50_us, NULL, "added", -1, NAN);
			continue;
		}
		noise = !isnan(o->noise_pct) ? o->noise_pct
			: !isnan(b->noise_floor_pct) ? b->noise_floor_pct
			: !isnan(base->noise_threshold_pct) ? base->noise_threshold_pct
			: !isnan(cur->noise_threshold_pct) ? cur->noise_threshold_pct : RUN_DEFAULT_NOISE_PCT;
		tol = !isnan(o->threshold_pct) ? o->threshold_pct
			: c->has_tolerance ? c->tolerance_pct
			: tbs_category_tolerance(c->category, noise);
		work = malloc(sizeof(double) * (b->nblocks + c->nblocks + b->nblocks * c->nblocks + 1));
		if (work == NULL)
		{
			fprintf(stderr, "tasker-bench: out of memory\n");
			exit(2);
		}
		/* as the server (tasker_bench._compare_case): probes only when each side has one per block */
		tbs_compare_case(b->hist, c->hist,
						 b->blocks, b->nblocks, b->nprobes == b->nblocks ? b->probes : NULL,
						 c->blocks, c->nblocks, c->nprobes == c->nblocks ? c->probes : NULL,
						 noise, o->alpha, b->n, c->n, tol, work, &cmp, &within);
		free(work);
		if (cmp.verdict == TBS_REGRESSED)
			*regressed = true;
		if (within == 0)
			*outside = true;
		print_case(out, o, &first, c->name, b->p50_us, c->p50_us, &cmp, tbs_verdict_name(cmp.verdict),
				   within, tol);
	}
	for (i = 0; i < base->ncases; i++)
		if (find_case(cur, base->cases[i].name) == NULL)
			print_case(out, o, &first, base->cases[i].name, base->cases[i].p50_us, NAN, NULL,
					   "removed", -1, NAN);
	if (o->json)
		fputs(first ? "[]\n" : "\n]\n", out);
}
