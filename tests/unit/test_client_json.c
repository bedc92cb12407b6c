/*
 * test_client_json.c
 *		Unit tests of the command-line client's JSON reader (client/json.c)
 *		and run-file reader (client/runfile.c), under ASan/UBSan: valid and
 *		broken documents, escapes, nesting, and run files that must be
 *		refused with a clear message.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "runfile.h"

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
}

static Json *
parse(const char *s, char *err)
{
	return json_parse(s, strlen(s), err, 200);
}

static void
test_json(void)
{
	char		err[200];
	Json	   *j;
	double		d;
	static const char *const bad[] = {
		"", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"",
		"tru", "nul", "01x", "-", "[1]]", "{\"a\":1,}", "\"a\nb\"", NULL
	};
	int			i;
	int			refused = 0;
	char		deep[1000];

	j = parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"y\\u00e9\\ud83d\\ude00\"}} ", err);
	ok(j != NULL && j->kind == JSON_OBJECT && j->n == 2, "an object with two members");
	ok(j && json_get(j, "a")->n == 5 && json_get(j, "a")->items[1]->num == -2500.0 &&
	   json_get(j, "a")->items[2]->b && !json_get(j, "a")->items[3]->b &&
	   json_get(j, "a")->items[4]->kind == JSON_NULL, "array of number, booleans and null");
	ok(j && strcmp(json_get_str(json_get(j, "b"), "c"), "x\"y\xc3\xa9\xf0\x9f\x98\x80") == 0,
	   "escapes: quote, \\u00e9 and a surrogate pair decode to UTF-8");
	ok(j && json_get(j, "zz") == NULL && json_get_str(j, "a") == NULL && !json_get_num(j, "b", &d),
	   "missing members and wrong kinds give NULL / false");
	json_free(j);

	for (i = 0; bad[i]; i++)
	{
		j = parse(bad[i], err);
		if (j == NULL && strstr(err, "at byte") != NULL)
			refused++;
		else
			printf("# accepted: %s\n", bad[i]);
		json_free(j);
	}
	ok(refused == i, "%d broken documents refused with a message naming the byte", refused);

	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	j = parse(deep, err);
	ok(j == NULL && strstr(err, "nested too deeply") != NULL, "nesting beyond 200 levels refused: %s", err);
}

static const char *
write_tmp(const char *text)
{
	static char path[64];
	FILE	   *f;

	snprintf(path, sizeof(path), "/tmp/test_client_json.%d.json", (int) getpid());
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
	{
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

static void
test_runfile(void)
{
	RunFile		rf;
	char		err[1024];
	const char *path;

	path = write_tmp("{\"format\": \"tasker_bench.run\", \"format_version\": 1, \"run\": {\"what\": \"s\"},"
					 " \"comparison_settings\": {\"noise_threshold_pct\": 5, \"noise_floor_pct\": {\"a\": 7},"
					 " \"tolerance_pct\": {\"a\": 10}},"
					 " \"results\": [{\"case_name\": \"a\", \"ordinal\": 1, \"category\": \"sql\", \"p50_us\": 1.5,"
					 " \"histogram\": \"n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1\","
					 " \"block_medians_ns\": [1, 2, 3], \"probe_medians_ns\": [4, 5, 6]}]}");
	ok(runfile_read(path, &rf, err, sizeof(err)) && rf.ncases == 1 && strcmp(rf.what, "s") == 0 &&
	   rf.cases[0].hist->count == 3 && rf.cases[0].nblocks == 3 && rf.cases[0].probes[2] == 6.0 &&
	   rf.cases[0].has_tolerance && rf.cases[0].tolerance_pct == 10.0 &&
	   rf.cases[0].noise_floor_pct == 7.0 && rf.noise_threshold_pct == 5.0,
	   "a run file: case, histogram, blocks, probes, tolerance, floor");
	runfile_free(&rf);

	path = write_tmp("{\"format\": \"tasker_bench.run\", \"format_version\": 7, \"extension_version\": \"9.0\"}");
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "format_version 7") != NULL &&
	   strstr(err, "9.0") != NULL, "a newer format_version is refused: %s", err);
	path = write_tmp("[1, 2]");
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "not a tasker_bench run file") != NULL,
	   "a document that is not a run file is refused");
	path = write_tmp("{\"format\": \"tasker_bench.run\", \"format_version\": 1, \"results\": "
					 "[{\"case_name\": \"a\", \"histogram\": \"n=5;min=1\"}]}");
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "bad histogram") != NULL,
	   "a bad histogram is refused: %s", err);
	path = write_tmp("{\"format\": \"tasker_bench.run\", \"format_version\": 1, \"results\": [{\"case_name\": 1}]}");
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "no case_name or histogram") != NULL,
	   "a result without a name is refused");
	path = write_tmp("{\"format\": \"tasker_bench.run\", \"format_version\": 1, \"results\": [1,");
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "not valid JSON") != NULL,
	   "a truncated file is refused: %s", err);
	unlink(path);
	ok(!runfile_read(path, &rf, err, sizeof(err)) && strstr(err, "cannot read") != NULL,
	   "a missing file is refused: %s", err);
}

int
main(void)
{
	test_json();
	test_runfile();
	printf("1..%d\n", tests_run);
	if (tests_failed > 0)
	{
		printf("# %d of %d tests failed\n", tests_failed, tests_run);
		return 1;
	}
	return 0;
}
