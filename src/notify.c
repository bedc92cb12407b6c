/*
 * notify.c
 *		The real latency of LISTEN/NOTIFY, timed in one process.
 *
 * The backend opens two loopback libpq connections to its own server, to
 * the current database as the current role: a sender and a listener.  The
 * listener LISTENs on the channel; each iteration the sender executes the
 * case's statement (any sender statement: pg_notify, tasker-core's
 * pgmq_send_with_notify, tasker_bench's model of it, a function of yours) in
 * autocommit, and
 *
 *	  ts = the statement is sent
 *	  t0 = the sender's last PQgetResult has returned (ReadyForQuery: the
 *		   commit that queued the notification has returned)
 *		   wait on the listener's socket, PQconsumeInput, PQnotifies
 *	  t1 = the listener holds the notification (channel and sender PID match)
 *
 * t1 - ts goes into the histogram: what a sender waits for plus the
 * propagation.  Its two parts are the phases 'statement' (ts -> t0) and
 * 'notification' (t0 -> t1, the part after the commit returned).  Outside
 * the timed region: draining stray notifications before the send, and, in
 * the send_with_notify mode, deleting the queue message the statement
 * inserted (through the sender).
 *
 * Security: the loopback always connects as GetUserId() to MyDatabaseId;
 * tasker_bench.loopback_conninfo (superuser-set) gives only the rest of the
 * connection string and may not name user, dbname, options, service,
 * replication or password.  A non-superuser must authenticate with a password
 * (as dblink and postgres_fdw require), so the loopback is no way around
 * pg_hba.conf.
 *
 * Nothing is left behind: both connections are closed on every path (return,
 * error, cancel, statement_timeout, and backend exit through a
 * before_shmem_exit callback), a statement still running on the sender is
 * cancelled and its result read, and a queue message not yet deleted is
 * deleted before the connections close.
 */
#include "postgres.h"

#include <poll.h>

#include "libpq-fe.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "pgstat.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/varlena.h"

#include "clock.h"
#include "compat.h"
#include "driver.h"
#include "histogram_type.h"

/* PostgreSQL's limit: a NOTIFY payload must be shorter than 8000 bytes */
#define NOTIFY_PAYLOAD_MAX	7999

#define DEFAULT_CHANNEL		"tasker_bench_notify"
#define DEFAULT_QUEUE		"tasker_bench_notify"
#define QUEUE_CHANNEL_PREFIX "pgmq_message_ready."
#define DEFAULT_TIMEOUT_MS	5000
#define CONNECT_TIMEOUT_MS	10000
#define CLEANUP_TIMEOUT_MS	2000
#define LOOPBACK_APPNAME	"tasker_bench loopback"
#define STMT_NAME			"tasker_bench_notify"

#define PLAIN_SQL			"SELECT pg_catalog.pg_notify($1, $2)"
#define QUEUE_SQL			"SELECT tasker_bench.queue_send_with_notify($1, $2::jsonb)"
#define QUEUE_DELETE_SQL	"SELECT tasker_bench.queue_delete($1, $2::bigint)"
#define QUEUE_LOOKUP_SQL	"SELECT 1 FROM tasker_bench.queues WHERE queue_name = $1"
/* tasker-core's sender (its migrations put it beside pgmq, found on the search_path) */
#define PGMQ_SQL			"SELECT pgmq_send_with_notify($1, $2::jsonb, $3::integer)"
#define PGMQ_DELETE_SQL		"SELECT pgmq.delete($1, $2::bigint)"
#define PGMQ_LOOKUP_SQL		"SELECT 1 FROM pgmq.meta WHERE queue_name = $1"
#define PGMQ_PRESENT_SQL	"SELECT 1 WHERE pg_catalog.to_regprocedure('pgmq_send_with_notify(text,jsonb,integer)') IS NOT NULL " \
							"AND pg_catalog.to_regclass('pgmq.meta') IS NOT NULL"
#define GLOBAL_CHANNEL		"pgmq_message_ready"

typedef enum NotifyMode
{
	MODE_PG_NOTIFY,
	MODE_SEND_WITH_NOTIFY
} NotifyMode;

/* send_with_notify: whose queue the message goes to (and is deleted from) */
typedef enum NotifySender
{
	SENDER_TASKER_BENCH,		/* tasker_bench.queue_send_with_notify, the model */
	SENDER_PGMQ,				/* pgmq_send_with_notify on pgmq */
	SENDER_AUTO					/* pgmq when it is there with the queue, else the model */
} NotifySender;

/* One case, checked. */
typedef struct NotifySpec
{
	const char *sql;			/* executed by the sender with $1, $2 */
	NotifyMode	mode;
	int			payload_bytes;
	int			timeout_ms;		/* for the notification (and each statement) */
	char	   *channel;		/* the channel the listener LISTENs on */
	char	   *queue;			/* send_with_notify: queue name */
	NotifySender sender;		/* send_with_notify: whose queue */
	bool		custom_sql;		/* the case gave its own statement */
	bool		keep_messages;	/* delete: none (the statement queues nothing to delete) */
	int			nparams;		/* 2, or 3 when the statement takes $3 = delay_seconds */
	const char *values[3];		/* $1, $2, $3 */
} NotifySpec;

/* What the sender is executing (so cleanup can stop it and read its result). */
typedef enum Inflight
{
	INFLIGHT_NONE,
	INFLIGHT_SEND,				/* the case's statement */
	INFLIGHT_OTHER				/* setup or a delete */
} Inflight;

/*
 * The open loopback.  Static (not palloc'd) so the exit callback can reach
 * it; one per backend at a time.
 */
typedef struct Loopback
{
	bool		active;
	PGconn	   *sender;
	PGconn	   *listener;
	PGresult   *held;			/* a result being looked at */
	WaitEventSet *sender_wes;
	WaitEventSet *listener_wes;
	Inflight	inflight;
	bool		queue_mode;
	const char *delete_sql;		/* queue_mode: how a sent message is deleted */
	bool		have_pending;	/* a queue message not yet deleted */
	int64		pending_msg;
	char		queue[NAMEDATALEN];
} Loopback;

static Loopback lb;
static bool exit_callback_registered = false;

/* tasker_bench.loopback_conninfo: the rest of the loopback's connection string */
static char *tb_loopback_conninfo = NULL;

/* ---------------------------------------------------------------- GUC */

static const char *const forbidden_keywords[] = {
	"user", "dbname", "options", "service", "replication", "password", NULL
};

/*
 * Why a keyword may not appear in tasker_bench.loopback_conninfo, or NULL
 * if it may.
 */
static const char *
forbidden_reason(const char *keyword)
{
	int			i;

	for (i = 0; forbidden_keywords[i] != NULL; i++)
	{
		if (strcmp(keyword, forbidden_keywords[i]) != 0)
			continue;
		if (strcmp(keyword, "password") == 0)
			return "A password here would be readable in the settings; give a password file with passfile=... instead.";
		return "The loopback always connects to the current database as the current role; the connection string gives only host, port, passfile, sslmode and the like.";
	}
	return NULL;
}

static bool
check_loopback_conninfo(char **newval, void **extra, GucSource source)
{
	PQconninfoOption *opts;
	PQconninfoOption *o;
	char	   *err = NULL;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	opts = PQconninfoParse(*newval, &err);
	if (opts == NULL)
	{
		if (err)
		{
			GUC_check_errdetail("%s", pchomp(err));
			PQfreemem(err);
		}
		else
			GUC_check_errdetail("out of memory");
		return false;
	}
	for (o = opts; o->keyword != NULL; o++)
	{
		const char *why;

		if (o->val == NULL)
			continue;
		why = forbidden_reason(o->keyword);
		if (why != NULL)
		{
			GUC_check_errmsg("tasker_bench.loopback_conninfo may not set \"%s\"", o->keyword);
			GUC_check_errdetail("%s", why);
			PQconninfoFree(opts);
			return false;
		}
	}
	PQconninfoFree(opts);
	return true;
}

static void
notify_define_gucs(void)
{
	DefineCustomStringVariable("tasker_bench.loopback_conninfo",
							   "Connection string of the loopback connections of notify cases, without user and database.",
							   "The loopback connects to the current database as the current role; this gives the rest "
							   "(host, port, passfile, sslmode, ...).  Empty: the server's first unix socket directory "
							   "and its port.  A non-superuser must authenticate with a password, e.g. with "
							   "ALTER ROLE ... SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=/path/pgpass'.",
							   &tb_loopback_conninfo,
							   "",
							   PGC_SUSET,
							   0,
							   check_loopback_conninfo, NULL, NULL);
}

/* ------------------------------------------------------ argument checks */

static void
notify_option_error(const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", msg),
			 errhint("%s", hint)));
}

static const char *
jbv_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		default:
			return "an object or array";
	}
}

/* An integer option in [lo, hi]; errors otherwise. */
static int
option_int(const char *key, const JsonbValue *v, int lo, int hi, const char *hint)
{
	char	   *txt;
	char	   *end;
	long		n;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify option %s must be an integer, got %s", key, jbv_type_name(v)),
				 errhint("%s", hint)));
	txt = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	errno = 0;
	n = strtol(txt, &end, 10);
	if (*end != '\0' || errno != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify option %s must be an integer, got %s", key, txt),
				 errhint("%s", hint)));
	if (n < lo || n > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify option %s must be between %d and %d, got %s", key, lo, hi, txt),
				 errhint("%s", hint)));
	return (int) n;
}

static char *
option_string(const char *key, const JsonbValue *v, const char *hint)
{
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify option %s must be a string, got %s", key, jbv_type_name(v)),
				 errhint("%s", hint)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static void
check_channel(const char *channel)
{
	if (channel[0] == '\0')
		notify_option_error("the notify channel must not be empty",
							"Give a channel name, e.g. {\"channel\": \"tasker_bench_notify\"}.");
	if (strlen(channel) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify channel \"%s\" is too long (%d bytes)", channel, (int) strlen(channel)),
				 errhint("A channel name has at most %d bytes.", NAMEDATALEN - 1)));
}

static void
check_queue(const char *queue)
{
	const char *p;

	if (queue[0] == '\0')
		notify_option_error("the queue name must not be empty",
							"Give a queue name, e.g. {\"queue\": \"" DEFAULT_QUEUE "\"}.");
	for (p = queue; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid queue name \"%s\"", queue),
					 errhint("Queue names are lower-case letters, digits and underscores.")));
	}
	if (strlen(queue) + strlen(QUEUE_CHANNEL_PREFIX) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("queue name \"%s\" is too long", queue),
				 errhint("Its channel %s<name> has at most %d bytes.", QUEUE_CHANNEL_PREFIX,
						 NAMEDATALEN - 1)));
}

#define OPTIONS_HINT "The options are mode (pg_notify or send_with_notify), payload_bytes (0 to 7999), " \
	"channel (pg_notify), queue, sender (tasker_bench, pgmq or auto), delete (none), listen (namespace or global) " \
	"(send_with_notify) and timeout_ms."

/*
 * Check the case's statement, params and options into *spec.  Errors on
 * anything wrong; opens no connection.
 */
static void
parse_spec(const TbCaseSpec *c, NotifySpec *spec)
{
	char	   *sql = NULL;
	char	   *channel = NULL;
	char	   *queue = NULL;
	char	   *sender = NULL;
	char	   *delete = NULL;
	char	   *listen = NULL;
	List	   *raw;

	memset(spec, 0, sizeof(*spec));
	spec->mode = MODE_PG_NOTIFY;
	spec->timeout_ms = DEFAULT_TIMEOUT_MS;
	spec->nparams = 2;

	if (c->params != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notify cases take no params query"),
				 errhint("The statement gets $1 = the channel (or queue) and $2 = the payload from the options.")));

	if (c->options != NULL)
	{
		Jsonb	   *opts = c->options;
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		char	   *key = NULL;

		if (!JB_ROOT_IS_OBJECT(opts) || JB_ROOT_IS_SCALAR(opts))
			notify_option_error("the options of a notify case must be a JSON object", OPTIONS_HINT);
		it = JsonbIteratorInit(&opts->root);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
			{
				key = pnstrdup(v.val.string.val, v.val.string.len);
				continue;
			}
			if (tok != WJB_VALUE)
				continue;
			if (strcmp(key, "mode") == 0)
			{
				char	   *m = option_string(key, &v, OPTIONS_HINT);

				if (strcmp(m, "pg_notify") == 0)
					spec->mode = MODE_PG_NOTIFY;
				else if (strcmp(m, "send_with_notify") == 0)
					spec->mode = MODE_SEND_WITH_NOTIFY;
				else
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("unknown notify mode \"%s\"", m),
							 errhint("Use pg_notify (a plain notification) or send_with_notify (a queue message and its notification in one transaction).")));
			}
			else if (strcmp(key, "payload_bytes") == 0)
			{
				if (v.type == jbvNumeric)
				{
					char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out,
																		  NumericGetDatum(v.val.numeric)));
					char	   *end;
					double		d = strtod(txt, &end);

					if (*end == '\0' && d > NOTIFY_PAYLOAD_MAX)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("payload_bytes %s is over PostgreSQL's limit for a notification payload", txt),
								 errdetail("A NOTIFY payload must be shorter than 8000 bytes."),
								 errhint("Give payload_bytes from 0 to %d.", NOTIFY_PAYLOAD_MAX)));
				}
				spec->payload_bytes = option_int(key, &v, 0, NOTIFY_PAYLOAD_MAX,
												 "Give payload_bytes from 0 to 7999 (a NOTIFY payload must be shorter than 8000 bytes).");
			}
			else if (strcmp(key, "channel") == 0)
				channel = option_string(key, &v, "Give a channel name, e.g. {\"channel\": \"" DEFAULT_CHANNEL "\"}.");
			else if (strcmp(key, "queue") == 0)
				queue = option_string(key, &v, "Give a queue name, e.g. {\"queue\": \"" DEFAULT_QUEUE "\"}.");
			else if (strcmp(key, "sender") == 0)
				sender = option_string(key, &v, "Give sender tasker_bench, pgmq or auto.");
			else if (strcmp(key, "delete") == 0)
				delete = option_string(key, &v, "Give delete none, or leave it out.");
			else if (strcmp(key, "listen") == 0)
				listen = option_string(key, &v, "Give listen namespace or global.");
			else if (strcmp(key, "timeout_ms") == 0)
				spec->timeout_ms = option_int(key, &v, 1, 600000,
											  "Give timeout_ms from 1 to 600000 (default 5000).");
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown notify option \"%s\"", key),
						 errhint("%s", OPTIONS_HINT)));
		}
	}

	if (spec->mode == MODE_PG_NOTIFY)
	{
		if (queue != NULL || sender != NULL || delete != NULL || listen != NULL)
			notify_option_error("the options queue, sender, delete and listen belong to mode send_with_notify",
								"Add \"mode\": \"send_with_notify\", or leave them out.");
		spec->channel = channel ? channel : pstrdup(DEFAULT_CHANNEL);
		check_channel(spec->channel);
	}
	else
	{
		int			len;

		if (channel != NULL)
			notify_option_error("the option channel belongs to mode pg_notify",
								"send_with_notify listens on " QUEUE_CHANNEL_PREFIX "<queue name without _queue> (or, with \"listen\": \"global\", on " GLOBAL_CHANNEL "); give the queue instead.");
		spec->queue = queue ? queue : pstrdup(DEFAULT_QUEUE);
		check_queue(spec->queue);
		if (sender == NULL || strcmp(sender, "tasker_bench") == 0)
			spec->sender = SENDER_TASKER_BENCH;
		else if (strcmp(sender, "pgmq") == 0)
			spec->sender = SENDER_PGMQ;
		else if (strcmp(sender, "auto") == 0)
			spec->sender = SENDER_AUTO;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown notify sender \"%s\"", sender),
					 errhint("Use tasker_bench (its model queue), pgmq (tasker-core's pgmq_send_with_notify on pgmq) or auto (pgmq when it is installed with the queue, else the model).")));
		if (delete != NULL && strcmp(delete, "none") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown notify delete \"%s\"", delete),
					 errhint("Give \"delete\": \"none\" when the statement queues no message to delete; leave it out otherwise (the sender's queue decides how).")));
		spec->keep_messages = delete != NULL;
		if (listen == NULL || strcmp(listen, "namespace") == 0)
		{
			/* tasker-core's channel: pgmq_message_ready.<queue name without _queue> */
			len = strlen(spec->queue);
			if (len > 6 && strcmp(spec->queue + len - 6, "_queue") == 0)
				len -= 6;
			spec->channel = psprintf("%s%.*s", QUEUE_CHANNEL_PREFIX, len, spec->queue);
		}
		else if (strcmp(listen, "global") == 0)
			spec->channel = pstrdup(GLOBAL_CHANNEL);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown notify listen \"%s\"", listen),
					 errhint("Use namespace (" QUEUE_CHANNEL_PREFIX "<namespace>) or global (" GLOBAL_CHANNEL ").")));
		check_channel(spec->channel);
	}

	if (c->sql != NULL)
		sql = pstrdup(c->sql);
	spec->custom_sql = !(sql == NULL || sql[strspn(sql, " \t\r\n")] == '\0');
	if (!spec->custom_sql)
		sql = pstrdup(spec->mode == MODE_PG_NOTIFY ? PLAIN_SQL :
					  spec->sender == SENDER_PGMQ ? PGMQ_SQL : QUEUE_SQL);
	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the statement of a notify case must be exactly one SQL statement, got %d",
						list_length(raw)),
				 errhint("For example '" PLAIN_SQL "'.")));
	spec->sql = sql;

	/* $1: channel or queue; $2: the payload */
	if (spec->mode == MODE_PG_NOTIFY)
	{
		char	   *p = palloc(spec->payload_bytes + 1);

		memset(p, 'x', spec->payload_bytes);
		p[spec->payload_bytes] = '\0';
		spec->values[0] = spec->channel;
		spec->values[1] = p;
	}
	else
	{
		StringInfoData m;
		int			i;

		initStringInfo(&m);
		appendStringInfoString(&m, "{\"tasker_bench\": \"notify\", \"payload\": \"");
		for (i = 0; i < spec->payload_bytes; i++)
			appendStringInfoChar(&m, 'x');
		appendStringInfoString(&m, "\"}");
		spec->values[0] = spec->queue;
		spec->values[1] = m.data;
		spec->values[2] = "0";	/* delay_seconds, for a statement that takes $3 */
	}
}

/* ------------------------------------------------------ the connections */

/* Copy a remote error out of res, clear res, and raise it. */
static void
raise_remote_error(PGresult *res, PGconn *conn, const char *what)
{
	const char *f_state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *f_msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *f_detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *f_hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *f_ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	int			sqlstate = ERRCODE_CONNECTION_FAILURE;
	char	   *msg;
	char	   *detail = f_detail ? pstrdup(f_detail) : NULL;
	char	   *hint = f_hint ? pstrdup(f_hint) : NULL;
	char	   *ctx = f_ctx ? pstrdup(f_ctx) : NULL;

	if (f_state && strlen(f_state) == 5)
		sqlstate = MAKE_SQLSTATE(f_state[0], f_state[1], f_state[2], f_state[3], f_state[4]);
	if (f_msg)
		msg = pstrdup(f_msg);
	else
		msg = pchomp(conn ? PQerrorMessage(conn) : "unknown error");
	if (res == lb.held)
		lb.held = NULL;
	PQclear(res);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 ctx ? errcontext("%s", ctx) : 0,
			 errcontext("%s on the tasker_bench loopback connection", what)));
}

static void
ignore_notice(void *arg, const PGresult *res)
{
}

/*
 * The loopback's connection parameters: tasker_bench.loopback_conninfo
 * (checked again: it may come from postgresql.conf), then host and port
 * unless it gave them, then user and dbname, which nothing can override.
 */
static void
loopback_params(const char ***keys_out, const char ***vals_out, char **where)
{
	PQconninfoOption *opts = NULL;
	PQconninfoOption *o;
	const char **keys;
	const char **vals;
	int			n = 0;
	int			max = 8;
	bool		have_host = false;
	bool		have_port = false;
	char	   *host = NULL;
	char	   *port = NULL;

	if (tb_loopback_conninfo && tb_loopback_conninfo[0] != '\0')
	{
		char	   *err = NULL;

		opts = PQconninfoParse(tb_loopback_conninfo, &err);
		if (opts == NULL)
		{
			char	   *m = err ? pchomp(err) : pstrdup("out of memory");

			if (err)
				PQfreemem(err);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid tasker_bench.loopback_conninfo: %s", m)));
		}
		for (o = opts; o->keyword != NULL; o++)
			max++;
	}
	keys = palloc0(sizeof(char *) * max);
	vals = palloc0(sizeof(char *) * max);

	if (opts)
	{
		for (o = opts; o->keyword != NULL; o++)
		{
			if (o->val == NULL)
				continue;
			if (forbidden_reason(o->keyword) != NULL)
			{
				char	   *kw = pstrdup(o->keyword);

				PQconninfoFree(opts);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("tasker_bench.loopback_conninfo may not set \"%s\"", kw),
						 errdetail("%s", forbidden_reason(kw))));
			}
			if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0)
			{
				have_host = true;
				host = pstrdup(o->val);
			}
			if (strcmp(o->keyword, "port") == 0)
			{
				have_port = true;
				port = pstrdup(o->val);
			}
			keys[n] = pstrdup(o->keyword);
			vals[n] = pstrdup(o->val);
			n++;
		}
		PQconninfoFree(opts);
	}

	if (!have_host)
	{
		char	   *dirs = pstrdup(Unix_socket_directories ? Unix_socket_directories : "");
		List	   *list = NIL;

		if (SplitDirectoriesString(dirs, ',', &list) && list != NIL)
			host = pstrdup((char *) linitial(list));
		else
			host = pstrdup("localhost");
		keys[n] = "host";
		vals[n] = host;
		n++;
	}
	if (!have_port)
	{
		port = psprintf("%d", PostPortNumber);
		keys[n] = "port";
		vals[n] = port;
		n++;
	}
	keys[n] = "user";
	vals[n] = GetUserNameFromId(GetUserId(), false);
	n++;
	keys[n] = "dbname";
	vals[n] = get_database_name(MyDatabaseId);
	n++;
	keys[n] = "fallback_application_name";
	vals[n] = LOOPBACK_APPNAME;
	n++;
	keys[n] = NULL;
	vals[n] = NULL;
	*keys_out = keys;
	*vals_out = vals;
	*where = psprintf("host %s port %s", host ? host : "(default)", port ? port : "(default)");
}

/*
 * Wait for one of io_flag on sock, the latch or the deadline (ns); handles
 * interrupts.  Returns the events that fired (0 on timeout).
 */
static int
wait_socket(pgsocket sock, int io_flag, int64 deadline)
{
	int64		now = tb_clock_ns();
	long		ms;
	int			rc;

	if (now >= deadline)
		return 0;
	ms = (long) ((deadline - now + 999999) / 1000000);
	rc = WaitLatchOrSocket(MyLatch, WL_EXIT_ON_PM_DEATH | WL_LATCH_SET | WL_TIMEOUT | io_flag,
						   sock, ms, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return rc & ~WL_TIMEOUT;
}

/*
 * Open one loopback connection into *slot (so cleanup finds it even when
 * an interrupt strikes halfway).  Interruptible; errors say what to set.
 */
static void
loopback_open(PGconn **slot, const char *what)
{
	const char **keys;
	const char **vals;
	char	   *where;
	PGconn	   *conn;
	PostgresPollingStatusType st;
	int64		deadline = tb_clock_ns() + (int64) CONNECT_TIMEOUT_MS * 1000000;
	const char *role;
	const char *db;

	loopback_params(&keys, &vals, &where);
	role = GetUserNameFromId(GetUserId(), false);
	db = get_database_name(MyDatabaseId);

	conn = PQconnectStartParams(keys, vals, 0);
	*slot = conn;
	if (conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory opening the tasker_bench loopback connection")));
	st = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
	{
		int			io = st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
		int			rc;

		CHECK_FOR_INTERRUPTS();
		rc = wait_socket(PQsocket(conn), io, deadline);
		if (rc & io)
			st = PQconnectPoll(conn);
		else if (tb_clock_ns() >= deadline)
		{
			PQfinish(conn);
			*slot = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("the tasker_bench loopback connection (%s) did not connect within %d s",
							what, CONNECT_TIMEOUT_MS / 1000),
					 errdetail("It connects to %s, database \"%s\", as role \"%s\".", where, db, role),
					 errhint("Set tasker_bench.loopback_conninfo to the host and port this server accepts connections on, e.g. 'host=127.0.0.1 port=5432'.")));
		}
	}

	if (PQstatus(conn) != CONNECTION_OK)
	{
		char	   *msg = pchomp(PQerrorMessage(conn));
		bool		auth = strstr(msg, "password") != NULL || strstr(msg, "authentication") != NULL;

		PQfinish(conn);
		*slot = NULL;
		if (auth)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PASSWORD),
					 errmsg("the tasker_bench loopback connection could not authenticate as role \"%s\"", role),
					 errdetail("Connecting to %s, database \"%s\": %s", where, db, msg),
					 errhint("The loopback connects as the current role and needs its password: have a superuser set "
							 "tasker_bench.loopback_conninfo for the role to a password file holding it, e.g. "
							 "ALTER ROLE \"%s\" SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=/path/to/pgpass'.",
							 role)));
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not open the tasker_bench loopback connection to database \"%s\" as role \"%s\"",
						db, role),
				 errdetail("Connecting to %s: %s", where, msg),
				 errhint("The loopback connects to the server's first unix_socket_directories entry and its port unless "
						 "tasker_bench.loopback_conninfo says otherwise; set it (as a superuser) to where this server "
						 "accepts connections, e.g. 'host=127.0.0.1 port=5432'.")));
	}

	/* as dblink: no one gets a session without the password of its role */
	if (!superuser() && !PQconnectionUsedPassword(conn))
	{
		PQfinish(conn);
		*slot = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required for the tasker_bench loopback connection"),
				 errdetail("A non-superuser's loopback must authenticate with a password, and the server (%s) did not ask role \"%s\" for one.",
						   where, role),
				 errhint("Have a superuser point tasker_bench.loopback_conninfo at a connection that asks for a password, with a "
						 "password file, e.g. ALTER ROLE \"%s\" SET tasker_bench.loopback_conninfo = 'host=127.0.0.1 passfile=/path/to/pgpass'.",
						 role)));
	}
	PQsetNoticeReceiver(conn, ignore_notice, NULL);
}

/* Wait for conn to have a result to hand; interruptible, bounded. */
static void
await_not_busy(PGconn *conn, WaitEventSet *wes, int64 deadline, int timeout_ms, const char *what)
{
	while (PQisBusy(conn))
	{
		WaitEvent	ev;
		int64		now;
		int			rc;

		CHECK_FOR_INTERRUPTS();
		now = tb_clock_ns();
		if (now >= deadline)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the tasker_bench loopback did not finish %s within %d ms", what, timeout_ms),
					 errhint("Is it waiting for a lock this transaction holds?  timeout_ms in the case's options sets the limit.")));
		if (wes)
			rc = WaitEventSetWait(wes, (long) ((deadline - now + 999999) / 1000000), &ev, 1,
								  PG_WAIT_EXTENSION) > 0 ? ev.events : 0;
		else
			rc = WaitLatchOrSocket(MyLatch, WL_EXIT_ON_PM_DEATH | WL_LATCH_SET | WL_TIMEOUT | WL_SOCKET_READABLE,
								   PQsocket(conn), (long) ((deadline - now + 999999) / 1000000),
								   PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
		{
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
			raise_remote_error(NULL, conn, what);
	}
}

/*
 * Read every result of the statement sent on conn (to the final NULL).
 * Returns the first error result or else the last result (in lb.held, the
 * caller PQclears it); *done_ns is when the last PQgetResult returned.
 */
static PGresult *
collect(PGconn *conn, WaitEventSet *wes, int timeout_ms, const char *what, int64 *done_ns)
{
	int64		deadline = tb_clock_ns() + (int64) timeout_ms * 1000000;

	Assert(lb.held == NULL);
	for (;;)
	{
		PGresult   *r;

		await_not_busy(conn, wes, deadline, timeout_ms, what);
		r = PQgetResult(conn);
		if (r == NULL)
		{
			if (done_ns)
				*done_ns = tb_clock_ns();
			break;
		}
		if (lb.held == NULL ||
			(PQresultStatus(lb.held) != PGRES_FATAL_ERROR))
		{
			PQclear(lb.held);
			lb.held = r;
		}
		else
			PQclear(r);
	}
	if (lb.held == NULL)
		raise_remote_error(NULL, conn, what);
	return lb.held;
}

/* Run a statement with text parameters on conn; error on failure.  Returns its row count. */
static int
exec_params(PGconn *conn, WaitEventSet *wes, const char *sql, int nparams,
			const char *const *values, int timeout_ms, const char *what)
{
	PGresult   *res;
	ExecStatusType st;
	int			ntuples;

	lb.inflight = INFLIGHT_OTHER;
	if (!PQsendQueryParams(conn, sql, nparams, NULL, values, NULL, NULL, 0))
		raise_remote_error(NULL, conn, what);
	res = collect(conn, wes, timeout_ms, what, NULL);
	lb.inflight = INFLIGHT_NONE;
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		raise_remote_error(res, conn, what);
	ntuples = PQntuples(res);
	PQclear(res);
	lb.held = NULL;
	return ntuples;
}

/* --------------------------------------------------------- cleanup */

/* The queue message id a send returned, remembered for deletion. */
static bool
take_msg_id(const PGresult *r)
{
	char	   *end;
	long long	id;

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1 ||
		PQnfields(r) < 1 || PQgetisnull(r, 0, 0))
		return false;
	errno = 0;
	id = strtoll(PQgetvalue(r, 0, 0), &end, 10);
	if (*end != '\0' || errno != 0)
		return false;
	lb.pending_msg = (int64) id;
	lb.have_pending = true;
	return true;
}

/* Bounded, uninterruptible: read what conn still sends; returns the last good result. */
static PGresult *
drain_bounded(PGconn *conn, int timeout_ms)
{
	int64		deadline = tb_clock_ns() + (int64) timeout_ms * 1000000;
	PGresult   *keep = NULL;

	for (;;)
	{
		PGresult   *r;

		while (PQisBusy(conn))
		{
			struct pollfd pfd;
			int64		now = tb_clock_ns();

			if (now >= deadline || PQstatus(conn) != CONNECTION_OK)
			{
				PQclear(keep);
				return NULL;
			}
			pfd.fd = PQsocket(conn);
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (poll(&pfd, 1, (int) ((deadline - now + 999999) / 1000000)) > 0 &&
				!PQconsumeInput(conn))
			{
				PQclear(keep);
				return NULL;
			}
		}
		r = PQgetResult(conn);
		if (r == NULL)
			return keep;
		if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
		{
			PQclear(keep);
			keep = r;
		}
		else
			PQclear(r);
	}
}

static bool
delete_bounded(PGconn *conn, int timeout_ms)
{
	char		id[32];
	const char *vals[2];
	PGresult   *r;
	bool		ok;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || PQisBusy(conn))
		return false;
	snprintf(id, sizeof(id), INT64_FORMAT, lb.pending_msg);
	vals[0] = lb.queue;
	vals[1] = id;
	if (lb.delete_sql == NULL || !PQsendQueryParams(conn, lb.delete_sql, 2, NULL, vals, NULL, NULL, 0))
		return false;
	r = drain_bounded(conn, timeout_ms);
	ok = r != NULL;
	PQclear(r);
	return ok;
}

/*
 * Close the loopback: stop a statement still running on the sender and
 * read its result, delete a queue message not yet deleted, close both
 * connections.  Never raises an error (runs in error recovery and at exit).
 */
static void
loopback_close(void)
{
	if (!lb.active)
		return;
	if (lb.held)
	{
		if (lb.inflight == INFLIGHT_SEND && lb.queue_mode)
			(void) take_msg_id(lb.held);
		PQclear(lb.held);
		lb.held = NULL;
	}
	if (lb.sender && PQstatus(lb.sender) == CONNECTION_OK &&
		PQtransactionStatus(lb.sender) == PQTRANS_ACTIVE)
	{
		/* a statement is still running: stop it, and read what it returned */
		PGcancel   *c = PQgetCancel(lb.sender);
		char		errbuf[256];
		PGresult   *r;

		if (c)
		{
			(void) PQcancel(c, errbuf, sizeof(errbuf));
			PQfreeCancel(c);
		}
		r = drain_bounded(lb.sender, CLEANUP_TIMEOUT_MS);
		/* a send that committed before the cancel arrived: its message is ours to delete */
		if (lb.inflight == INFLIGHT_SEND && lb.queue_mode)
			(void) take_msg_id(r);
		PQclear(r);
	}
	lb.inflight = INFLIGHT_NONE;
	if (lb.have_pending)
	{
		if (delete_bounded(lb.sender, CLEANUP_TIMEOUT_MS) ||
			delete_bounded(lb.listener, CLEANUP_TIMEOUT_MS))
			lb.have_pending = false;
		else
			elog(WARNING, "tasker_bench: could not delete message " INT64_FORMAT " of queue \"%s\" sent by a notify case",
				 lb.pending_msg, lb.queue);
	}
	if (lb.sender_wes)
		FreeWaitEventSet(lb.sender_wes);
	if (lb.listener_wes)
		FreeWaitEventSet(lb.listener_wes);
	if (lb.sender)
		PQfinish(lb.sender);
	if (lb.listener)
		PQfinish(lb.listener);
	memset(&lb, 0, sizeof(lb));
}

static void
loopback_at_exit(int code, Datum arg)
{
	loopback_close();
}

static void
loopback_begin(const NotifySpec *spec)
{
	if (lb.active)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a notify case is already being measured in this backend")));
	if (!exit_callback_registered)
	{
		before_shmem_exit(loopback_at_exit, (Datum) 0);
		exit_callback_registered = true;
	}
	memset(&lb, 0, sizeof(lb));
	lb.active = true;
	lb.queue_mode = spec->mode == MODE_SEND_WITH_NOTIFY && !spec->keep_messages;
	if (spec->queue)
		strlcpy(lb.queue, spec->queue, sizeof(lb.queue));
}

/* Connect the sender (and the listener, unless only validating), prepare, LISTEN. */
static void
loopback_setup(NotifySpec *spec, bool listener)
{
	const char *path[1];
	PGresult   *res;
	int			np;

	loopback_open(&lb.sender, "sender");
	path[0] = namespace_search_path;
	exec_params(lb.sender, NULL, "SELECT pg_catalog.set_config('search_path', $1, false)", 1,
				path, CONNECT_TIMEOUT_MS, "setting the search_path");

	/* send_with_notify: whose queue (sender auto: pgmq when it is there with the queue) */
	if (spec->mode == MODE_SEND_WITH_NOTIFY)
	{
		bool		pgmq_present = exec_params(lb.sender, NULL, PGMQ_PRESENT_SQL, 0, NULL,
											   CONNECT_TIMEOUT_MS, "looking for pgmq") > 0;

		if (spec->sender == SENDER_AUTO)
		{
			spec->sender = pgmq_present &&
				exec_params(lb.sender, NULL, PGMQ_LOOKUP_SQL, 1, (const char *const *) &spec->queue,
							CONNECT_TIMEOUT_MS, "looking up the queue") > 0
				? SENDER_PGMQ : SENDER_TASKER_BENCH;
			if (spec->sender == SENDER_TASKER_BENCH && pgmq_present)
				ereport(NOTICE,
						(errmsg("tasker_bench: pgmq has no queue \"%s\"; measuring tasker_bench's model of pgmq_send_with_notify",
								spec->queue),
						 errhint("SELECT pgmq.create('%s') measures tasker-core's pgmq_send_with_notify instead.",
								 spec->queue)));
			if (!spec->custom_sql)
				spec->sql = spec->sender == SENDER_PGMQ ? PGMQ_SQL : QUEUE_SQL;
		}
		if (spec->sender == SENDER_PGMQ && !pgmq_present)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("pgmq and pgmq_send_with_notify(text, jsonb, integer) are not both installed"),
					 errhint("Install pgmq and tasker-core's migrations, or use \"sender\": \"tasker_bench\" (its model) or \"auto\".")));
		lb.delete_sql = spec->sender == SENDER_PGMQ ? PGMQ_DELETE_SQL : QUEUE_DELETE_SQL;
	}

	/* the statement, as a client's prepared statement with $1, $2 */
	lb.inflight = INFLIGHT_OTHER;
	if (!PQsendPrepare(lb.sender, STMT_NAME, spec->sql, 2, NULL))
		raise_remote_error(NULL, lb.sender, "preparing the statement");
	res = collect(lb.sender, NULL, CONNECT_TIMEOUT_MS, "preparing the statement", NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		raise_remote_error(res, lb.sender, "preparing the statement");
	PQclear(res);
	lb.held = NULL;
	if (!PQsendDescribePrepared(lb.sender, STMT_NAME))
		raise_remote_error(NULL, lb.sender, "preparing the statement");
	res = collect(lb.sender, NULL, CONNECT_TIMEOUT_MS, "preparing the statement", NULL);
	lb.inflight = INFLIGHT_NONE;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		raise_remote_error(res, lb.sender, "preparing the statement");
	np = PQnparams(res);
	PQclear(res);
	lb.held = NULL;
	if (np != 2 && !(np == 3 && spec->mode == MODE_SEND_WITH_NOTIFY))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the statement of a notify case must take two parameters ($1 and $2)%s, it takes %d",
						spec->mode == MODE_SEND_WITH_NOTIFY ? " or three ($3)" : "", np),
				 errhint("$1 is the channel (or queue), $2 the payload%s, e.g. '%s'.",
						 spec->mode == MODE_SEND_WITH_NOTIFY ? ", $3 the delay in seconds (0)" : "",
						 spec->mode == MODE_SEND_WITH_NOTIFY ? PGMQ_SQL : PLAIN_SQL)));
	spec->nparams = np;

	/* the queue must be there (and committed: the loopback sees only that) */
	if (lb.queue_mode && spec->sender == SENDER_TASKER_BENCH &&
		exec_params(lb.sender, NULL, QUEUE_LOOKUP_SQL, 1,
					(const char *const *) &spec->queue, CONNECT_TIMEOUT_MS, "looking up the queue") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("queue \"%s\" does not exist", spec->queue),
				 errhint("Create it with SELECT tasker_bench.queue_create('%s'), and commit: the loopback connections see only committed data.",
						 spec->queue)));
	if (lb.queue_mode && spec->sender == SENDER_PGMQ &&
		exec_params(lb.sender, NULL, PGMQ_LOOKUP_SQL, 1,
					(const char *const *) &spec->queue, CONNECT_TIMEOUT_MS, "looking up the queue") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("pgmq has no queue \"%s\"", spec->queue),
				 errhint("Create it with SELECT pgmq.create('%s'), and commit: the loopback connections see only committed data.",
						 spec->queue)));

	if (!listener)
		return;

	loopback_open(&lb.listener, "listener");
	{
		char	   *ident = PQescapeIdentifier(lb.listener, spec->channel, strlen(spec->channel));
		char	   *sql;

		if (ident == NULL)
			raise_remote_error(NULL, lb.listener, "LISTEN");
		sql = psprintf("LISTEN %s", ident);
		PQfreemem(ident);
		exec_params(lb.listener, NULL, sql, 0, NULL, CONNECT_TIMEOUT_MS, "LISTEN");
	}

	lb.sender_wes = tb_create_wait_event_set(3);
	AddWaitEventToSet(lb.sender_wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(lb.sender_wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(lb.sender_wes, WL_SOCKET_READABLE, PQsocket(lb.sender), NULL, NULL);
	lb.listener_wes = tb_create_wait_event_set(3);
	AddWaitEventToSet(lb.listener_wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(lb.listener_wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(lb.listener_wes, WL_SOCKET_READABLE, PQsocket(lb.listener), NULL, NULL);
}

/* ---------------------------------------------------------- one iteration */

/* Throw away notifications already received (outside the timed region). */
static void
drain_notifications(void)
{
	PGnotify   *n;

	if (!PQconsumeInput(lb.listener))
		raise_remote_error(NULL, lb.listener, "reading notifications");
	while ((n = PQnotifies(lb.listener)) != NULL)
		PQfreemem(n);
}

/*
 * One send and its notification.  Returns t1 - ts in ns; adds to *tot, and
 * (measured iterations) its two parts to the phase histograms.
 */
typedef struct NotifyTotals
{
	uint64		rows;			/* rows the statement returned */
	int64		statement_ns;	/* send -> commit returned */
	int64		waited;			/* iterations that had to wait for the listener's socket */
	TbHist	   *statement;		/* phase 'statement': ts -> t0 (NULL: not recorded) */
	TbHist	   *notification;	/* phase 'notification': t0 -> t1 */
} NotifyTotals;

static int64
notify_once(const NotifySpec *spec, int sender_pid, NotifyTotals *tot)
{
	int64		ts;
	PGresult   *res;
	ExecStatusType st;
	int64		t0;
	int64		t1 = 0;
	int64		deadline;
	bool		got = false;
	bool		waited = false;

	drain_notifications();

	/* lb.inflight stays INFLIGHT_SEND while the result is held: cleanup takes the message id from it */
	lb.inflight = INFLIGHT_SEND;
	ts = tb_clock_ns();
	if (!PQsendQueryPrepared(lb.sender, STMT_NAME, spec->nparams, spec->values, NULL, NULL, 0))
		raise_remote_error(NULL, lb.sender, "the statement");
	res = collect(lb.sender, lb.sender_wes, spec->timeout_ms, "the statement", &t0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		raise_remote_error(res, lb.sender, "the statement");

	/* the commit has returned: time until the listener holds the notification */
	deadline = t0 + (int64) spec->timeout_ms * 1000000;
	for (;;)
	{
		PGnotify   *n;
		WaitEvent	ev;
		int64		now;

		if (!PQconsumeInput(lb.listener))
			raise_remote_error(NULL, lb.listener, "waiting for the notification");
		while ((n = PQnotifies(lb.listener)) != NULL)
		{
			if (!got && n->be_pid == sender_pid && strcmp(n->relname, spec->channel) == 0)
			{
				t1 = tb_clock_ns();
				got = true;
			}
			PQfreemem(n);
		}
		if (got)
			break;
		now = tb_clock_ns();
		if (now >= deadline)
			break;
		waited = true;
		if (WaitEventSetWait(lb.listener_wes, (long) ((deadline - now + 999999) / 1000000), &ev, 1,
							 PG_WAIT_EXTENSION) > 0 && (ev.events & WL_LATCH_SET))
			ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	/* from here on outside the timed region */
	tot->rows += st == PGRES_TUPLES_OK ? PQntuples(res) : 0;
	tot->statement_ns += t0 - ts;
	tot->waited += waited ? 1 : 0;
	if (tot->statement && got)
	{
		tbh_record_n(tot->statement, t0 - ts, 1);
		tbh_record_n(tot->notification, t1 - t0, 1);
	}
	if (lb.queue_mode)
	{
		if (!take_msg_id(res))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the send_with_notify statement returned no message id"),
					 errhint("It must return the id of the queue message it sent, as '" QUEUE_SQL "' does; "
							 "a statement that queues nothing takes \"delete\": \"none\".")));
	}
	PQclear(res);
	lb.held = NULL;
	lb.inflight = INFLIGHT_NONE;

	if (!got)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no notification arrived on channel \"%s\" within %d ms", spec->channel,
						spec->timeout_ms),
				 errhint("The statement must notify the channel the case listens on; timeout_ms in the options sets the limit.")));

	if (lb.have_pending)
	{
		char		id[32];
		const char *vals[2];

		snprintf(id, sizeof(id), INT64_FORMAT, lb.pending_msg);
		vals[0] = lb.queue;
		vals[1] = id;
		exec_params(lb.sender, lb.sender_wes, lb.delete_sql, 2, vals, spec->timeout_ms,
					"deleting the queue message");
		lb.have_pending = false;
	}
	return t1 - ts;
}

/* ------------------------------------------------------------- the driver */

typedef struct NotifyState
{
	NotifySpec	spec;
	int			sender_pid;
	NotifyTotals warm;			/* warmup: counted, not reported */
	NotifyTotals tot;			/* the measured phase */
	TbHist	   *phase_statement;	/* the two parts of the measured iterations */
	TbHist	   *phase_notification;
} NotifyState;

/*
 * Checks the options, then opens the sender, prepares the statement and
 * (unless only validating) the listener: a loopback that cannot connect or
 * authenticate, or a statement that does not resolve, fails here.
 */
static void *
notify_prepare(const TbCaseSpec *c)
{
	NotifyState *s = palloc0(sizeof(NotifyState));

	parse_spec(c, &s->spec);
	s->phase_statement = tb_hist_new();
	s->phase_notification = tb_hist_new();
	loopback_begin(&s->spec);
	PG_TRY();
	{
		if (!c->validate_only)
			tb_report_activity(c->label, "connecting the loopback");
		loopback_setup(&s->spec, !c->validate_only);
		s->sender_pid = PQbackendPID(lb.sender);
	}
	PG_CATCH();
	{
		loopback_close();
		PG_RE_THROW();
	}
	PG_END_TRY();
	return s;
}

static void
notify_begin_measured(void *state)
{
	NotifyState *s = (NotifyState *) state;

	memset(&s->tot, 0, sizeof(NotifyTotals));
	s->tot.statement = s->phase_statement;
	s->tot.notification = s->phase_notification;
}

static int64
notify_iterate(void *state, int64 i, bool measured)
{
	NotifyState *s = (NotifyState *) state;

	return notify_once(&s->spec, s->sender_pid, measured ? &s->tot : &s->warm);
}

/*
 * The figures that describe this backend's executor (plan time, buffers,
 * WAL, CPU) stay NULL: the work happens in the loopback's backends.
 * counters, per call: statement_us = mean time from sending the statement
 * to its commit returned (not in the histogram); waited = share of
 * iterations whose notification had not yet reached the listener's socket
 * when the commit returned.
 */
static void
notify_report(void *state, const TbRunResult *res, TbRow *row)
{
	NotifyState *s = (NotifyState *) state;
	double		n = (double) res->hist->count;

	tb_row_set_float8(row, "rows_per_call", n > 0 ? (double) s->tot.rows / n : 0.0);
	tb_row_set(row, "read_only", BoolGetDatum(false));	/* it commits a notification */
	tb_row_set(row, "rolled_back", BoolGetDatum(false));	/* autocommit */
	tb_row_set(row, "param_sets", Int32GetDatum(1));
	if (n > 0)
	{
		char		js[160];
		Datum		names[2];
		Datum		hists[2];

		snprintf(js, sizeof(js), "{\"statement_us\": %.3f, \"waited\": %.4f, \"pgmq\": %d}",
				 (double) s->tot.statement_ns / n / 1000.0, (double) s->tot.waited / n,
				 s->spec.mode == MODE_SEND_WITH_NOTIFY && s->spec.sender == SENDER_PGMQ ? 1 : 0);
		tb_row_set(row, "counters", DirectFunctionCall1(jsonb_in, CStringGetDatum(js)));

		/* the headline's two parts: until the commit returned, and after it */
		names[0] = CStringGetTextDatum("statement");
		names[1] = CStringGetTextDatum("notification");
		hists[0] = tb_hist_to_datum(s->phase_statement);
		hists[1] = tb_hist_to_datum(s->phase_notification);
		tb_row_set(row, "phase_names",
				   PointerGetDatum(construct_array(names, 2, TEXTOID, -1, false, TYPALIGN_INT)));
		tb_row_set(row, "phase_histograms",
				   PointerGetDatum(construct_array(hists, 2, tb_row_element_type(row, "phase_histograms"),
												   -1, false, TYPALIGN_INT)));
	}
}

static void
notify_teardown(void *state)
{
	loopback_close();
}

const TbDriver tb_notify_driver = {
	.name = "notify",
	.define_gucs = notify_define_gucs,
	.prepare = notify_prepare,
	.begin_measured = notify_begin_measured,
	.iterate = notify_iterate,
	.report = notify_report,
	.teardown = notify_teardown,
};
