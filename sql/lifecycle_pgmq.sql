-- The lifecycle on pgmq.  pgmq is not packaged for this platform, so the
-- test makes a pgmq-SHAPED stand-in: schema pgmq with pgmq's signatures for
-- send, read (with its condition), delete and archive, implemented over one
-- table, pgmq.meta listing the queues, and tasker-core's
-- pgmq_send_with_notify(queue_name, message, delay_seconds) on top of it.
-- The lifecycle picks pgmq once pgmq has the shape's queues (once per run,
-- through the cases' params query), sends, claims and deletes there, and
-- leaves the model queue alone.  Only deterministic facts are printed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

SELECT tasker_bench_setup() IS NOT NULL AS set_up;
SELECT tasker_bench_fixture(100) IS NOT NULL AS fixture;

CREATE SCHEMA pgmq;
CREATE TABLE pgmq.meta (queue_name text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE pgmq.messages (
    queue_name  text NOT NULL,
    msg_id      bigserial PRIMARY KEY,
    read_ct     integer NOT NULL DEFAULT 0,
    enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    vt          timestamptz NOT NULL,
    message     jsonb
);
CREATE TABLE pgmq.archived (LIKE pgmq.messages);
-- each call of the stand-in is logged (rolled back with the caller's transaction)
CREATE TABLE pgmq.calls (fn text NOT NULL, queue_name text NOT NULL);
CREATE TYPE pgmq.message_record AS (msg_id bigint, read_ct integer, enqueued_at timestamptz, vt timestamptz,
                                    message jsonb);
CREATE FUNCTION pgmq.send(queue_name text, msg jsonb, delay integer DEFAULT 0) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pgmq.meta m WHERE m.queue_name = send.queue_name) THEN
        RAISE EXCEPTION 'relation "pgmq.q_%" does not exist', send.queue_name USING ERRCODE = '42P01';
    END IF;
    INSERT INTO pgmq.calls VALUES ('send', send.queue_name);
    RETURN QUERY INSERT INTO pgmq.messages (queue_name, vt, message)
                 VALUES (send.queue_name, clock_timestamp() + make_interval(secs => delay), msg)
                 RETURNING messages.msg_id;
END $$;
CREATE FUNCTION pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pgmq.calls VALUES ('read', read.queue_name);
    RETURN QUERY
    WITH c AS (SELECT m.msg_id FROM pgmq.messages m
                WHERE m.queue_name = read.queue_name AND m.vt <= clock_timestamp()
                  AND m.message @> coalesce(conditional, '{}')
                ORDER BY m.msg_id LIMIT qty FOR UPDATE SKIP LOCKED)
    , u AS (UPDATE pgmq.messages m SET vt = clock_timestamp() + make_interval(secs => read.vt),
                                       read_ct = m.read_ct + 1
              FROM c WHERE m.msg_id = c.msg_id
            RETURNING m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message)
    SELECT u.msg_id, u.read_ct, u.enqueued_at, u.vt, u.message FROM u ORDER BY u.msg_id;
END $$;
CREATE FUNCTION pgmq.delete(queue_name text, msg_id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pgmq.calls VALUES ('delete', delete.queue_name);
    DELETE FROM pgmq.messages m WHERE m.queue_name = delete.queue_name AND m.msg_id = delete.msg_id;
    RETURN FOUND;
END $$;
CREATE FUNCTION pgmq.archive(queue_name text, msg_id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pgmq.calls VALUES ('archive', archive.queue_name);
    WITH gone AS (DELETE FROM pgmq.messages m WHERE m.queue_name = archive.queue_name AND m.msg_id = archive.msg_id
                  RETURNING m.*)
    INSERT INTO pgmq.archived SELECT * FROM gone;
    RETURN FOUND;
END $$;
CREATE FUNCTION public.pgmq_send_with_notify(queue_name text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    INSERT INTO pgmq.calls VALUES ('send_with_notify', queue_name);
    SELECT s INTO v FROM pgmq.send(queue_name, message, delay_seconds) s;
    PERFORM pg_notify('pgmq_message_ready.' || regexp_replace(queue_name, '_queue$', ''), v::text);
    PERFORM pg_notify('pgmq_message_ready', v::text);
    RETURN v;
END $$;

-- pgmq is there, but without the shape's queues: the model
SET search_path = tasker, public;
SELECT tasker_bench.lifecycle_queue('diamond4') AS without_queues;
INSERT INTO pgmq.meta (queue_name) VALUES ('orchestration_step_results'), ('worker_diamond_workflow_queue');
SELECT tasker_bench.lifecycle_queue('diamond4') AS diamond4, tasker_bench.lifecycle_queue('linear4') AS linear4;

-- one workflow on pgmq, called directly: every queue call went to pgmq
BEGIN;
CREATE TEMP TABLE e AS SELECT tasker_bench.lifecycle_e2e('diamond4') AS r;
SELECT r ->> 'queue' AS queue, r ->> 'task_state' AS task_state, r ->> 'steps_completed' AS steps,
       r ->> 'db_ops_per_step' AS per_step_ops FROM e;
SELECT fn, queue_name, count(*) AS calls FROM pgmq.calls GROUP BY fn, queue_name ORDER BY fn, queue_name;
SELECT (SELECT count(*) FROM pgmq.messages) AS pgmq_messages_left,
       (SELECT count(*) FROM tasker_bench.queue_messages) AS model_messages;
ROLLBACK;
-- the model when asked for, whatever is installed
BEGIN;
SELECT tasker_bench.lifecycle_e2e('diamond4', 'tasker_bench') ->> 'queue' AS queue;
SELECT (SELECT count(*) FROM pgmq.calls) AS pgmq_calls, (SELECT count(*) FROM tasker_bench.queue_messages) AS model_messages;
ROLLBACK;
-- queue => 'pgmq' without the queue: pgmq's own error
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_e2e('linear4', 'pgmq')$$);
RESET search_path;

-- the suite's e2e case: pgmq chosen once for the run; every table as it was
CREATE TEMP TABLE sums_before AS SELECT * FROM tasker_bench.table_checksums();
SELECT last_value AS msg_ids_before FROM pgmq.messages_msg_id_seq \gset
SELECT case_name, n FROM tasker_bench_run('e2e/diamond4', iterations => 5, warmup => '0');
SELECT r.case_name, r.counters ->> 'pgmq' AS pgmq, r.counters ->> 'steps' AS steps, r.params
  FROM tasker_bench.results r
 WHERE r.run_id = (SELECT max(id) FROM tasker_bench.runs);
-- pgmq's message ids went on (sequences are not rolled back): 8 sends per workflow
SELECT (last_value - :msg_ids_before) % 8 = 0 AND last_value - :msg_ids_before >= 40 AS pgmq_sends
  FROM pgmq.messages_msg_id_seq;
SELECT count(*) AS tables,
       count(*) FILTER (WHERE a.row_count = b.row_count AND a.checksum = b.checksum) AS unchanged
  FROM sums_before a FULL JOIN tasker_bench.table_checksums() b USING (table_name);
SELECT (SELECT count(*) FROM pgmq.messages) AS pgmq_messages, (SELECT count(*) FROM pgmq.calls) AS pgmq_calls,
       (SELECT count(*) FROM tasker_bench.queue_messages) AS model_messages;
-- a shape whose worker queue pgmq lacks runs on the model
SELECT case_name, n FROM tasker_bench_run('e2e/linear4', iterations => 3, warmup => '0');
SELECT r.case_name, r.counters ->> 'pgmq' AS pgmq
  FROM tasker_bench.results r WHERE r.run_id = (SELECT max(id) FROM tasker_bench.runs);

DROP SCHEMA pgmq CASCADE;
DROP FUNCTION public.pgmq_send_with_notify(text, jsonb, integer);
SELECT tasker_bench_teardown();
