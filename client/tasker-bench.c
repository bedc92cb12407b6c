/*
 * tasker-bench.c
 *		The command-line client of tasker_bench (libpq), for CI pipelines:
 *
 *	  tasker-bench run SUITE_OR_CASE [connection] [options]
 *	  tasker-bench export [RUN_ID] [connection] [-o FILE]
 *	  tasker-bench import FILE [connection] [--baseline NAME]
 *	  tasker-bench compare BASE.json CURRENT.json [options]	(offline)
 *
 * Exit status: 0 fine, 1 a regression (per --fail-on), 2 an error (with a
 * one-line reason on stderr).
 *
 * While a run goes, the server raises a NOTICE when it starts (run id,
 * number of cases) and one per finished case; a second connection reads
 * the view tasker_bench.progress (the running backend's
 * pg_stat_activity.query: the case, its phase and how far it is).  On a terminal the
 * client draws a progress bar from these; in a pipe it prints one line per
 * case.  Ctrl-C cancels the server-side run (PQcancel).
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "libpq-fe.h"

#include "runfile.h"

#define EXIT_OK			0
#define EXIT_REGRESSION 1
#define EXIT_ERROR		2

typedef struct Options
{
	const char *host;
	const char *port;
	const char *user;
	const char *dbname;
	bool		setup;
	const char *fixture;
	const char *duration;
	const char *warmup;
	const char *iterations;
	const char *baseline;
	const char *save;
	const char *report;
	const char *output;
	const char *fail_on;
	const char *threshold;
	const char *noise;
	const char *alpha;
	bool		quiet;
	bool		progress;		/* force the bar on or off: -1 auto via tty */
	bool		progress_set;
	const char *positional[3];
	int			npositional;
} Options;

/* ---- errors ---- */

static void
die(const char *fmt,...)
{
	va_list		ap;
	char		msg[1024];
	char	   *nl;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line: cut at the first newline */
	if ((nl = strchr(msg, '\n')) != NULL)
		*nl = '\0';
	fprintf(stderr, "tasker-bench: %s\n", msg);
	exit(EXIT_ERROR);
}

static void
usage(FILE *f)
{
	fprintf(f,
			"tasker-bench: run tasker_bench benchmarks from a shell or CI job\n"
			"\n"
			"Usage:\n"
			"  tasker-bench run SUITE_OR_CASE [DBNAME|CONNINFO] [CONNECTION] [OPTIONS]\n"
			"  tasker-bench export [RUN_ID] [DBNAME|CONNINFO] [CONNECTION] [-o FILE]\n"
			"  tasker-bench import FILE [DBNAME|CONNINFO] [CONNECTION] [--baseline NAME]\n"
			"  tasker-bench compare BASE.json CURRENT.json [--fail-on MODE] [--threshold PCT] [--report text|json]\n"
			"\n"
			"Connection (as psql; PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD apply):\n"
			"  -h, --host HOST     -p, --port PORT     -U, --username USER\n"
			"  -d, --dbname DB     (a database name or a conninfo string / postgresql:// URI;\n"
			"                      also accepted as the argument after the command's own)\n"
			"\n"
			"run options:\n"
			"  --setup             create the reference tasker model first (tasker_bench_setup)\n"
			"  --fixture N         load a fixture of N tasks first (tasker_bench_fixture)\n"
			"  --duration D        time budget per case (interval, default '1 second')\n"
			"  --warmup W          warmup per case (interval, default '200 milliseconds')\n"
			"  --iterations N      exactly N iterations per case instead of a time budget\n"
			"  --baseline NAME|FILE  compare with a baseline: its name, or a run file (imported)\n"
			"  --save FILE         write the run to FILE (tasker_bench_export), e.g. the next baseline\n"
			"  --report FORMAT     text, markdown, json, html, github or bencher (dashboard JSON)\n"
			"  -o, --output FILE   write the report to FILE instead of stdout\n"
			"  --fail-on MODE      regressed (default), tolerance or never: when to exit 1\n"
			"  --threshold PCT     tolerance for every case (overrides case, suite, category)\n"
			"  --progress, --no-progress  progress bar on or off (default: on a terminal)\n"
			"  -q, --quiet         no per-case lines\n"
			"\n"
			"Exit status: 0 fine, 1 a regression per --fail-on, 2 an error.\n");
}

/* ---- arguments ---- */

static bool
takes(const char *arg, const char *shortopt, const char *longopt, int *i, int argc, char **argv,
	  const char **value)
{
	size_t		ll = longopt ? strlen(longopt) : 0;

	if ((shortopt && strcmp(arg, shortopt) == 0) || (longopt && strcmp(arg, longopt) == 0))
	{
		if (*i + 1 >= argc)
			die("option %s needs a value; see tasker-bench --help", arg);
		*value = argv[++*i];
		return true;
	}
	if (longopt && strncmp(arg, longopt, ll) == 0 && arg[ll] == '=')
	{
		*value = arg + ll + 1;
		return true;
	}
	if (shortopt && strncmp(arg, shortopt, 2) == 0 && arg[2] != '\0' && shortopt[1] != '-')
	{
		*value = arg + 2;
		return true;
	}
	return false;
}

static void
parse_options(int argc, char **argv, int first, Options *o)
{
	int			i;

	for (i = first; i < argc; i++)
	{
		const char *a = argv[i];

		if (takes(a, "-h", "--host", &i, argc, argv, &o->host) ||
			takes(a, "-p", "--port", &i, argc, argv, &o->port) ||
			takes(a, "-U", "--username", &i, argc, argv, &o->user) ||
			takes(a, "-d", "--dbname", &i, argc, argv, &o->dbname) ||
			takes(a, NULL, "--fixture", &i, argc, argv, &o->fixture) ||
			takes(a, NULL, "--duration", &i, argc, argv, &o->duration) ||
			takes(a, NULL, "--warmup", &i, argc, argv, &o->warmup) ||
			takes(a, NULL, "--iterations", &i, argc, argv, &o->iterations) ||
			takes(a, NULL, "--baseline", &i, argc, argv, &o->baseline) ||
			takes(a, NULL, "--save", &i, argc, argv, &o->save) ||
			takes(a, NULL, "--report", &i, argc, argv, &o->report) ||
			takes(a, "-o", "--output", &i, argc, argv, &o->output) ||
			takes(a, NULL, "--fail-on", &i, argc, argv, &o->fail_on) ||
			takes(a, NULL, "--threshold", &i, argc, argv, &o->threshold) ||
			takes(a, NULL, "--noise", &i, argc, argv, &o->noise) ||
			takes(a, NULL, "--alpha", &i, argc, argv, &o->alpha))
			continue;
		if (strcmp(a, "--setup") == 0)
			o->setup = true;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			o->quiet = true;
		else if (strcmp(a, "--progress") == 0 || strcmp(a, "--no-progress") == 0)
		{
			o->progress = a[2] == 'p';
			o->progress_set = true;
		}
		else if (a[0] == '-' && a[1] != '\0')
			die("unknown option %s; see tasker-bench --help", a);
		else if (o->npositional < 3)
			o->positional[o->npositional++] = a;
		else
			die("too many arguments (%s); see tasker-bench --help", a);
	}
	if (o->fail_on == NULL)
		o->fail_on = "regressed";
	if (strcmp(o->fail_on, "regressed") != 0 && strcmp(o->fail_on, "tolerance") != 0 &&
		strcmp(o->fail_on, "never") != 0)
		die("--fail-on must be regressed, tolerance or never, not \"%s\"", o->fail_on);
}

static double
number_option(const char *v, const char *name, double lo, double hi)
{
	char	   *end;
	double		d;

	if (v == NULL)
		return NAN;
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || isnan(d) || d < lo || d > hi)
		die("%s must be a number in [%g, %g], not \"%s\"", name, lo, hi, v);
	return d;
}

/* ---- server ---- */

/* As psql: a positional argument after the command's own is the database name or a conninfo. */
static void
take_conninfo(Options *o, int index)
{
	if (o->npositional == index + 1)
	{
		if (o->dbname != NULL)
			die("give the database either with -d or as an argument, not both");
		o->dbname = o->positional[index];
		o->npositional--;
	}
}

static PGconn *
connect_db(const Options *o)
{
	const char *keys[] = {"host", "port", "user", "dbname", "application_name", NULL};
	const char *vals[] = {o->host, o->port, o->user, o->dbname, "tasker-bench", NULL};
	PGconn	   *conn = PQconnectdbParams(keys, vals, 1);

	if (conn == NULL)
		die("out of memory");
	if (PQstatus(conn) != CONNECTION_OK)
		die("could not connect to the server: %s", PQerrorMessage(conn));
	return conn;
}

/* Runs a statement; on an error exits 2 with the server's message. */
static PGresult *
query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
	{
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		die("%s", m ? m : PQerrorMessage(conn));
	}
	return res;
}

static void
write_output(const char *path, const char *text, const char *what)
{
	FILE	   *f = (path == NULL || strcmp(path, "-") == 0) ? stdout : fopen(path, "w");
	size_t		n = strlen(text);

	if (f == NULL)
		die("cannot write %s to %s: %s", what, path, strerror(errno));
	if (fwrite(text, 1, n, f) != n || (n > 0 && text[n - 1] != '\n' && fputc('\n', f) == EOF) ||
		(f == stdout ? fflush(f) : fclose(f)) != 0)
		die("cannot write %s to %s: %s", what, path ? path : "stdout", strerror(errno));
}

/* ---- progress of a run ---- */

typedef struct Progress
{
	bool		bar;			/* draw a bar (terminal) */
	bool		quiet;
	long long	run_id;
	int			total;			/* cases, from the run's NOTICE; 0 unknown */
	int			done;			/* cases finished */
	int			current;		/* case in progress (1-based); 0 none */
	char		name[128];
	char		phase[32];
	double		phase_at;		/* seconds into the phase */
	double		phase_of;		/* the phase's budget in seconds; 0 unknown */
	double		percent;		/* of the run, from tasker_bench.progress; < 0 unknown */
	double		started;		/* monotonic seconds */
	bool		drawn;
} Progress;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fmt_duration(char *buf, size_t len, double s)
{
	long		t = (long) (s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void
clear_bar(Progress *p)
{
	if (p->drawn)
	{
		fputs("\r\033[K", stderr);
		p->drawn = false;
	}
}

static void
draw_bar(Progress *p)
{
	double		elapsed = now_s() - p->started;
	double		frac = 0;
	char		el[32];
	char		eta[32] = "?";
	char		bar[41];
	int			i;
	int			filled;

	if (!p->bar)
		return;
	if (p->total > 0)
		frac = p->current > p->done && p->percent >= 0 ? p->percent / 100.0
			: (double) p->done / p->total;
	if (frac > 0.01)
		fmt_duration(eta, sizeof(eta), elapsed / frac * (1 - frac));
	fmt_duration(el, sizeof(el), elapsed);
	filled = (int) (frac * 30 + 0.5);
	for (i = 0; i < 30; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[30] = '\0';
	if (p->total == 0)
		fprintf(stderr, "\r\033[K[%s] starting", bar);
	else
		fprintf(stderr, "\r\033[K[%s] %d/%d %.40s  %s", bar, p->current ? p->current : p->done,
				p->total, p->current ? p->name : "", p->phase);
	if (p->phase_of > 0 && p->current)
		fprintf(stderr, " %.1f/%.1f s", p->phase_at, p->phase_of);
	fprintf(stderr, "  elapsed %s  ETA %s", el, eta);
	fflush(stderr);
	p->drawn = true;
}

/*
 * "tasker_bench: NAME (i/N): n=..., p50 ..." (the NOTICE of a finished
 * case): the name and place; returns the text after "): " or NULL.
 */
static const char *
parse_case_label(const char *s, char *name, size_t namelen, int *i, int *n)
{
	const char *end;
	const char *open;
	const char *p;

	if (strncmp(s, "tasker_bench: ", 14) != 0)
		return NULL;
	s += 14;
	if ((end = strstr(s, "): ")) == NULL)
		return NULL;
	for (open = end; open > s && !(open[0] == ' ' && open[1] == '('); open--)
		;
	if (open <= s || sscanf(open, " (%d/%d)", i, n) != 2)
		return NULL;
	p = open;
	snprintf(name, namelen, "%.*s", (int) (p - s), s);
	return end + 3;
}

/* One row of tasker_bench.progress for the running backend. */
static void
on_progress_row(Progress *p, PGresult *m)
{
	if (PQresultStatus(m) != PGRES_TUPLES_OK || PQntuples(m) != 1)
		return;
	p->current = atoi(PQgetvalue(m, 0, 0));
	p->total = atoi(PQgetvalue(m, 0, 1));
	snprintf(p->name, sizeof(p->name), "%s", PQgetvalue(m, 0, 2));
	snprintf(p->phase, sizeof(p->phase), "%s", PQgetvalue(m, 0, 3));
	p->phase_at = PQgetisnull(m, 0, 4) ? 0 : atof(PQgetvalue(m, 0, 4));
	p->phase_of = PQgetisnull(m, 0, 5) ? 0 : atof(PQgetvalue(m, 0, 5));
	p->percent = PQgetisnull(m, 0, 6) ? -1 : atof(PQgetvalue(m, 0, 6));
}

static void
notice_receiver(void *arg, const PGresult *res)
{
	Progress   *p = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	char		name[128];
	int			i;
	int			n;
	int			cases;
	long long	run;
	const char *rest;

	if (msg == NULL)
		return;
	if (sscanf(msg, "tasker_bench: run %lld of", &run) == 1)
	{
		const char *c = strstr(msg, "\": ");

		p->run_id = run;
		if (c && sscanf(c, "\": %d case", &cases) == 1)
			p->total = cases;
		return;
	}
	rest = parse_case_label(msg, name, sizeof(name), &i, &n);
	if (rest != NULL && strncmp(rest, "n=", 2) == 0)
	{
		p->done = i;
		p->total = n;
		p->current = 0;
		p->phase[0] = '\0';
		if (!p->quiet)
		{
			clear_bar(p);
			fprintf(stderr, "[%d/%d] %s: %s\n", i, n, name, rest);
		}
		draw_bar(p);
		return;
	}
	clear_bar(p);
	fprintf(stderr, "%s: %s\n", sev ? sev : "NOTICE", msg);
	draw_bar(p);
}

/* ---- Ctrl-C ---- */

static PGcancel *volatile cancel_handle = NULL;
static volatile sig_atomic_t interrupted = 0;

static void
on_sigint(int sig)
{
	char		errbuf[256];

	interrupted = 1;
	if (cancel_handle != NULL)
		(void) PQcancel(cancel_handle, errbuf, sizeof(errbuf));	/* async-signal safe */
}

/*
 * Runs the benchmark query asynchronously: notices arrive as the server
 * raises them, the monitor connection is polled for the running case.
 * Returns the run id.
 */
static long long
run_with_progress(PGconn *conn, PGconn *mon, const char *sql, int nparams,
				  const char *const *params, Progress *p)
{
	char		pidbuf[32];
	const char *monparams[1] = {pidbuf};
	long long	run_id = -1;
	PGresult   *res;
	char		errmsg[1024] = "";
	struct sigaction sa;

	snprintf(pidbuf, sizeof(pidbuf), "%d", PQbackendPID(conn));
	cancel_handle = PQgetCancel(conn);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0))
		die("could not send the run: %s", PQerrorMessage(conn));
	for (;;)
	{
		fd_set		fds;
		struct timeval tv = {0, 250000};
		int			sock = PQsocket(conn);

		FD_ZERO(&fds);
		FD_SET(sock, &fds);
		if (select(sock + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
			die("select failed: %s", strerror(errno));
		if (!PQconsumeInput(conn))
			die("lost the connection to the server: %s", PQerrorMessage(conn));
		if (!PQisBusy(conn))
			break;
		if (mon != NULL)
		{
			PGresult   *m = PQexecParams(mon,
										 "SELECT case_index, case_count, case_name, phase, phase_elapsed_s, "
										 "phase_budget_s, percent FROM tasker_bench.progress WHERE pid = $1",
										 1, NULL, monparams, NULL, NULL, 0);

			on_progress_row(p, m);
			PQclear(m);
			draw_bar(p);
		}
	}
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1 && !PQgetisnull(res, 0, 0))
			run_id = atoll(PQgetvalue(res, 0, 0));
		else if (PQresultStatus(res) != PGRES_TUPLES_OK && errmsg[0] == '\0')
		{
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

			snprintf(errmsg, sizeof(errmsg), "%s", m ? m : PQerrorMessage(conn));
		}
		PQclear(res);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	PQfreeCancel(cancel_handle);
	cancel_handle = NULL;
	clear_bar(p);
	if (interrupted)
		die("interrupted: the server-side run was cancelled%s%s", errmsg[0] ? ": " : "", errmsg);
	if (errmsg[0])
		die("the run failed: %s", errmsg);
	if (run_id < 0)
		die("the run returned no results");
	return run_id;
}

/* ---- commands ---- */

static bool
is_file_baseline(const char *b)
{
	size_t		n = strlen(b);

	return access(b, F_OK) == 0 || (n > 5 && strcmp(b + n - 5, ".json") == 0) || strchr(b, '/') != NULL;
}

/* Imports a run file; names it as baseline when given. Returns the run id text (static). */
static const char *
import_file(PGconn *conn, const char *path, const char *baseline)
{
	static char idbuf[32];
	size_t		len;
	char	   *text = read_file(path, &len);
	const char *params[2];
	PGresult   *res;

	if (text == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	if (strlen(text) != len)
		die("%s is not a text file", path);
	params[0] = text;
	params[1] = baseline;
	res = query(conn, "SELECT tasker_bench_import($1::jsonb, $2)", 2, params);
	snprintf(idbuf, sizeof(idbuf), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	free(text);
	return idbuf;
}

static void
export_to(PGconn *conn, const char *run_id, const char *path)
{
	const char *params[1] = {run_id};
	PGresult   *res = query(conn, "SELECT jsonb_pretty(tasker_bench_export($1::bigint))", 1, params);

	write_output(path, PQgetvalue(res, 0, 0), "the run file");
	PQclear(res);
}

static int
cmd_run(Options *o)
{
	PGconn	   *conn;
	PGconn	   *mon = NULL;
	Progress	p;
	const char *what = o->positional[0];
	char		baseline[1024] = "";
	char		runbuf[32];
	char		sql[512];
	const char *params[5];
	long long	run_id;
	int			status = EXIT_OK;

	take_conninfo(o, 1);
	if (o->npositional != 1)
		die("run needs one suite or case name (and connection options); see tasker-bench --help");
	if (o->report && strcmp(o->report, "text") != 0 && strcmp(o->report, "markdown") != 0 &&
		strcmp(o->report, "json") != 0 && strcmp(o->report, "html") != 0 &&
		strcmp(o->report, "github") != 0 && strcmp(o->report, "bencher") != 0)
		die("--report must be text, markdown, json, html, github or bencher, not \"%s\"", o->report);
	if (o->fixture)
		(void) number_option(o->fixture, "--fixture", 1, 1e9);
	if (o->iterations)
		(void) number_option(o->iterations, "--iterations", 1, 1e15);
	(void) number_option(o->threshold, "--threshold", 0, 1e6);
	if (o->baseline && is_file_baseline(o->baseline) && access(o->baseline, R_OK) != 0)
		die("cannot read the baseline file %s: %s", o->baseline, strerror(errno));

	conn = connect_db(o);
	memset(&p, 0, sizeof(p));
	p.quiet = o->quiet;
	p.bar = o->progress_set ? o->progress : isatty(STDERR_FILENO);
	PQsetNoticeReceiver(conn, notice_receiver, &p);
	PQclear(query(conn, "SET tasker_bench.quiet = off", 0, NULL));

	if (o->setup)
		PQclear(query(conn, "SELECT tasker_bench_setup()", 0, NULL));
	if (o->fixture)
	{
		params[0] = o->fixture;
		PQclear(query(conn, "SELECT tasker_bench_fixture($1::integer, replace => true)", 1, params));
	}
	/* the baseline first: a bad file or name fails before the run */
	if (o->baseline)
	{
		if (is_file_baseline(o->baseline))
		{
			char	   *copy = strdup(o->baseline);

			snprintf(baseline, sizeof(baseline), "tasker-bench:%s", basename(copy));
			free(copy);
			(void) import_file(conn, o->baseline, baseline);
		}
		else
		{
			PGresult   *res;

			params[0] = o->baseline;
			res = query(conn, "SELECT 1 FROM tasker_bench.baselines WHERE name = $1", 1, params);
			if (PQntuples(res) == 0)
				die("no baseline named \"%s\" (SELECT name FROM tasker_bench.baselines lists them; "
					"give a run file to import one)", o->baseline);
			PQclear(res);
			snprintf(baseline, sizeof(baseline), "%s", o->baseline);
		}
	}

	if (p.bar)
	{
		mon = connect_db(o);
		PQclear(query(mon, "SET application_name = 'tasker-bench monitor'", 0, NULL));
	}
	params[0] = what;
	params[1] = o->duration ? o->duration : "1 second";
	params[2] = o->warmup ? o->warmup : "200 milliseconds";
	params[3] = o->iterations;
	snprintf(sql, sizeof(sql),
			 "SELECT min(run_id) FROM tasker_bench_run($1, iterations => $4::bigint, duration => $2::interval, "
			 "warmup => $3::interval, label => 'tasker-bench')");
	p.started = now_s();
	run_id = run_with_progress(conn, mon, sql, 4, params, &p);
	if (mon)
		PQfinish(mon);
	snprintf(runbuf, sizeof(runbuf), "%lld", run_id);
	if (!o->quiet)
		fprintf(stderr, "tasker-bench: run %s of \"%s\" completed in %.1f s\n", runbuf, what, now_s() - p.started);

	if (baseline[0])
	{
		PGresult   *res;
		int			i;
		int			regressed = 0;
		int			outside = 0;

		params[0] = baseline;
		params[1] = runbuf;
		params[2] = o->threshold;
		res = query(conn,
					"SELECT case_name, verdict, within_tolerance, to_char(change_pct, 'SG990.0'), "
					"to_char(ci_low_pct, 'SG990.0'), to_char(ci_high_pct, 'SG990.0'), round(tolerance_pct::numeric, 1) "
					"FROM tasker_bench_compare($1, $2::bigint, threshold_pct => $3::float8)", 3, params);
		for (i = 0; i < PQntuples(res); i++)
		{
			bool		reg = strcmp(PQgetvalue(res, i, 1), "regressed") == 0;
			bool		out = strcmp(PQgetvalue(res, i, 2), "f") == 0;

			regressed += reg;
			outside += out;
			if (!o->quiet || reg || out)
				fprintf(stderr, "  %-40s %-12s %s %% [%s, %s]  tolerance %s %% %s\n", PQgetvalue(res, i, 0),
						PQgetvalue(res, i, 1), PQgetisnull(res, i, 3) ? "-" : PQgetvalue(res, i, 3),
						PQgetisnull(res, i, 4) ? "-" : PQgetvalue(res, i, 4),
						PQgetisnull(res, i, 5) ? "-" : PQgetvalue(res, i, 5),
						PQgetisnull(res, i, 6) ? "-" : PQgetvalue(res, i, 6),
						PQgetisnull(res, i, 2) ? "" : out ? "EXCEEDED" : "met");
		}
		fprintf(stderr, "tasker-bench: against baseline \"%s\": %d of %d cases regressed, %d outside their tolerance\n",
				baseline, regressed, PQntuples(res), outside);
		PQclear(res);
		if ((strcmp(o->fail_on, "regressed") == 0 && regressed > 0) ||
			(strcmp(o->fail_on, "tolerance") == 0 && outside > 0))
			status = EXIT_REGRESSION;
	}
	if (o->save)
		export_to(conn, runbuf, o->save);
	if (o->report)
	{
		PGresult   *res;

		params[0] = runbuf;
		params[1] = baseline[0] ? baseline : NULL;
		params[2] = o->report;
		if (strcmp(o->report, "github") == 0 || strcmp(o->report, "bencher") == 0)
		{
			params[1] = o->report;
			res = query(conn, "SELECT jsonb_pretty(tasker_bench_dashboard($1::bigint, $2))", 2, params);
		}
		else
			res = query(conn, "SELECT tasker_bench_report($1::bigint, $2, $3)", 3, params);
		write_output(o->output, PQgetvalue(res, 0, 0), "the report");
		PQclear(res);
	}
	PQfinish(conn);
	return status;
}

static int
cmd_export(Options *o)
{
	PGconn	   *conn;
	const char *run = o->npositional >= 1 ? o->positional[0] : NULL;

	if (o->npositional == 1 && strspn(run, "0123456789") != strlen(run))
	{
		take_conninfo(o, 0);
		run = NULL;
	}
	take_conninfo(o, 1);
	if (o->npositional > 1)
		die("export takes at most one run id; see tasker-bench --help");
	if (run)
		(void) number_option(run, "the run id", 1, 9.2e18);
	conn = connect_db(o);
	export_to(conn, run, o->output);
	PQfinish(conn);
	return EXIT_OK;
}

static int
cmd_import(Options *o)
{
	PGconn	   *conn;

	take_conninfo(o, 1);
	if (o->npositional != 1)
		die("import needs one run file; see tasker-bench --help");
	conn = connect_db(o);
	printf("%s\n", import_file(conn, o->positional[0], o->baseline));
	PQfinish(conn);
	return EXIT_OK;
}

static int
cmd_compare(Options *o)
{
	RunFile		base;
	RunFile		cur;
	char		err[1024];
	CompareOptions co;
	bool		regressed;
	bool		outside;
	FILE	   *out = stdout;

	if (o->npositional != 2)
		die("compare needs two run files: BASE.json CURRENT.json");
	if (o->report && strcmp(o->report, "text") != 0 && strcmp(o->report, "json") != 0)
		die("compare --report must be text or json, not \"%s\"", o->report);
	co.threshold_pct = number_option(o->threshold, "--threshold", 0, 1e6);
	co.noise_pct = number_option(o->noise, "--noise", 0, 1000);
	co.alpha = o->alpha ? number_option(o->alpha, "--alpha", 1e-9, 0.999999) : 0.05;
	co.json = o->report && strcmp(o->report, "json") == 0;
	if (!runfile_read(o->positional[0], &base, err, sizeof(err)))
		die("%s", err);
	if (!runfile_read(o->positional[1], &cur, err, sizeof(err)))
		die("%s", err);
	if (o->output && strcmp(o->output, "-") != 0 && (out = fopen(o->output, "w")) == NULL)
		die("cannot write to %s: %s", o->output, strerror(errno));
	runfile_compare(&base, &cur, &co, out, &regressed, &outside);
	if (out != stdout && fclose(out) != 0)
		die("cannot write to %s: %s", o->output, strerror(errno));
	runfile_free(&base);
	runfile_free(&cur);
	if ((strcmp(o->fail_on, "regressed") == 0 && regressed) ||
		(strcmp(o->fail_on, "tolerance") == 0 && outside))
		return EXIT_REGRESSION;
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	Options		o;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 ||
		strcmp(argv[1], "help") == 0)
	{
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_ERROR : EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("tasker-bench (tasker_bench) %s\n", TB_VERSION);
		return EXIT_OK;
	}
	parse_options(argc, argv, 2, &o);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(&o);
	if (strcmp(argv[1], "export") == 0)
		return cmd_export(&o);
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(&o);
	if (strcmp(argv[1], "compare") == 0)
		return cmd_compare(&o);
	die("unknown command \"%s\": use run, export, import or compare (tasker-bench --help)", argv[1]);
	return EXIT_ERROR;
}
