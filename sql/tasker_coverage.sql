-- The suite tasker covers every tasker-core SQL function; any schema; shapes,
-- presets and the sampler; the lifecycle's operation counts.
-- (Nothing here depends on timings.)
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

-- every tasker-core function has a built-in case, each case a group and the function it needs
SELECT f."group", count(DISTINCT f.function_name) AS functions, count(c.name) AS cases
  FROM tasker_bench.tasker_functions() f
  LEFT JOIN tasker_bench.cases c ON c.builtin AND c.suite = 'tasker'
                                AND c.options -> 'requires' ? f.function_name
 GROUP BY 1 ORDER BY 1;
SELECT f.function_name FROM tasker_bench.tasker_functions() f
 WHERE NOT EXISTS (SELECT 1 FROM tasker_bench.cases c
                    WHERE c.suite = 'tasker' AND c.options -> 'requires' ? f.function_name);
SELECT count(*) AS tasker_cases_without_group FROM tasker_bench.cases
 WHERE suite = 'tasker' AND (options ->> 'group' IS NULL OR options -> 'requires' IS NULL);
-- built-in cases name their schema with a placeholder
SELECT DISTINCT search_path FROM tasker_bench.cases WHERE builtin AND search_path IS NOT NULL;

-- a reference model in schema cov, a fixture of tasker-core's factory mix
SELECT tasker_bench_setup('cov');
SELECT (f -> 'row_counts' ->> 'tasks')::int AS tasks, f -> 'shapes' AS shapes
  FROM tasker_bench_fixture(100, shapes => tasker_bench.fixture_shape_mix('factories'), schema => 'cov') f;

-- the suite on cov: the functions the model lacks are skipped, with a notice, and listed
SET client_min_messages = notice;
SELECT cardinality(tasker_bench._resolve_cases(
           (SELECT array_agg(c ORDER BY c.name) FROM tasker_bench.cases c WHERE c.suite = 'tasker'), 'cov')) AS runnable;
SET client_min_messages = warning;
CREATE TEMP TABLE r1 AS
SELECT * FROM tasker_bench_run('tasker', iterations => 2, warmup => '0', schema => 'cov');
SELECT count(*) AS measured, count(*) FILTER (WHERE n = 2) AS with_2_iterations FROM r1;
SELECT dataset ->> 'schema' AS schema, jsonb_array_length(dataset -> 'skipped') AS skipped,
       (SELECT string_agg(DISTINCT m, ', ' ORDER BY m)
          FROM jsonb_array_elements(dataset -> 'skipped') s, jsonb_array_elements_text(s -> 'missing') m) AS missing
  FROM tasker_bench.runs WHERE id = (SELECT max(run_id) FROM r1);
-- every case of the suite either measured or skipped
SELECT (SELECT count(*) FROM tasker_bench.cases WHERE suite = 'tasker')
     = (SELECT count(*) FROM r1) + (SELECT jsonb_array_length(dataset -> 'skipped') FROM tasker_bench.runs
                                     WHERE id = (SELECT max(run_id) FROM r1)) AS all_accounted;

-- a function the schema gains is measured: a stand-in find_stuck_tasks
CREATE FUNCTION cov.find_stuck_tasks(p_timeout_minutes integer DEFAULT 10)
RETURNS TABLE (task_uuid uuid, current_state varchar, processor_uuid uuid, stuck_duration_minutes integer)
LANGUAGE sql AS $$ SELECT NULL::uuid, NULL::varchar, NULL::uuid, NULL::integer WHERE false $$;
SELECT case_name, n FROM tasker_bench_run('find_stuck_tasks/default', iterations => 2, warmup => '0', schema => 'cov');
-- one case asked for by name whose function is missing: an error
SELECT * FROM tasker_bench_run('get_analytics_metrics/last_hour', iterations => 2, schema => 'cov');
-- a schema that does not exist
SELECT * FROM tasker_bench_run('get_next_ready_tasks/batch_1', iterations => 2, schema => 'nope');

-- a scale sweep measures the schema it fills
SELECT case_name, size, n FROM tasker_bench_scale('get_current_task_state/sample_1', sizes => '{20,40}',
                                                   iterations => 2, warmup => '0', schema => 'cov');
SELECT ru.dataset ->> 'schema' AS schema, ru.dataset -> 'row_counts' ->> 'tasks' AS tasks
  FROM tasker_bench.runs ru WHERE ru.kind = 'scale' ORDER BY ru.id;

-- the lifecycle on cov: 25 operations per step (tasker-core's ~19 plus bookkeeping), the rest per task
CREATE TEMP TABLE r2 AS
SELECT * FROM tasker_bench_run('e2e/linear4', iterations => 2, warmup => '0', schema => 'cov');
SELECT case_name, (r.counters ->> 'steps')::int AS steps,
       (r.counters ->> 'db_ops/per_step')::numeric / (r.counters ->> 'steps')::numeric AS per_step,
       (r.counters ->> 'db_ops/per_task')::numeric AS per_task,
       (r.counters ->> 'db_ops')::numeric = (r.counters ->> 'db_ops/per_step')::numeric
                                            + (r.counters ->> 'db_ops/per_task')::numeric AS adds_up
  FROM r2 JOIN tasker_bench.results r USING (run_id, case_name);

-- shapes: tasker-core's 8-step tree, the conditional and batch shapes' run-time steps
SELECT shape, count(*) AS steps, sum(cardinality(parents)) AS edges
  FROM unnest(ARRAY['tree8', 'tree7', 'parallel_merge4', 'complex_dag7', 'conditional5', 'batch7']) shape,
       tasker_bench.fixture_shape(shape)
 GROUP BY shape ORDER BY shape;
SELECT (tasker_bench_fixture(60, shapes => '{conditional5,batch7}', schema => 'cov')) -> 'row_counts' ->> 'tasks' AS tasks;
SELECT nt.name, x.steps, count(*) AS tasks
  FROM (SELECT t.named_task_uuid, count(ws.workflow_step_uuid) AS steps
          FROM cov.tasks t LEFT JOIN cov.workflow_steps ws ON ws.task_uuid = t.task_uuid
         GROUP BY t.task_uuid) x
  JOIN cov.named_tasks nt ON nt.named_task_uuid = x.named_task_uuid
 GROUP BY 1, 2 ORDER BY 1, 2;
-- no step is complete while one of its parents is not
SELECT count(*) AS inconsistent
  FROM cov.workflow_step_edges e
  JOIN cov.workflow_step_transitions c ON c.workflow_step_uuid = e.to_step_uuid AND c.most_recent
                                      AND c.to_state = 'complete'
  JOIN cov.workflow_step_transitions p ON p.workflow_step_uuid = e.from_step_uuid AND p.most_recent
                                      AND p.to_state <> 'complete';
SELECT shape, count(*) FROM unnest(tasker_bench.fixture_shape_mix('factories')) shape GROUP BY 1 ORDER BY 2 DESC, 1;
SELECT tasker_bench.fixture_state_preset('backlog') = tasker_bench.fixture_default_state_mix() AS backlog_is_default,
       tasker_bench.fixture_state_preset('nope') IS NULL AS unknown_is_null;

-- the sampler: tasker-core's picks the first two steps (by uuid) of each sampled task
SET search_path = cov, public;
SET tasker_bench.sampler = tasker_core;
SELECT count(*) AS steps,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cov.workflow_step_edges e
                                           WHERE e.to_step_uuid = s.workflow_step_uuid)) AS roots
  FROM tasker_bench.sample_steps(4) s;
RESET tasker_bench.sampler;
SELECT count(*) AS steps FROM tasker_bench.sample_steps(4);
SET tasker_bench.sampler = nope;
RESET search_path;

-- notify: any sender statement, timed from the send to the notification held, in two phases
-- a pgmq-shaped sender function in a model schema, through the generic driver
CREATE FUNCTION cov.pgmq_send_with_notify(queue_name text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint LANGUAGE sql AS $$ SELECT tasker_bench.queue_send_with_notify(queue_name, message, delay_seconds) $$;
INSERT INTO tasker_bench.cases (name, suite, sql, category, driver, options)
VALUES ('notify/cov_sender', 'cov_notify', 'SELECT cov.pgmq_send_with_notify($1, $2::jsonb, $3)', 'lifecycle', 'notify',
        '{"mode": "send_with_notify", "queue": "tasker_bench_notify"}');
CREATE TEMP TABLE r3 AS
SELECT * FROM tasker_bench_run('notify/cov_sender', iterations => 5, warmup => '0');
-- a stand-in for pgmq and tasker-core's pgmq_send_with_notify: sender auto picks it once pgmq has the queue
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.meta (queue_name text PRIMARY KEY);
CREATE TABLE pgmq.msgs (msg_id bigserial PRIMARY KEY, queue_name text NOT NULL, message jsonb);
CREATE FUNCTION pgmq.delete(queue_name text, msg_id bigint) RETURNS boolean LANGUAGE sql
AS $$ DELETE FROM pgmq.msgs m WHERE m.queue_name = $1 AND m.msg_id = $2 RETURNING true $$;
CREATE FUNCTION public.pgmq_send_with_notify(queue_name text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    INSERT INTO pgmq.msgs (queue_name, message) VALUES (queue_name, message) RETURNING msg_id INTO v;
    PERFORM pg_notify('pgmq_message_ready.' || regexp_replace(queue_name, '_queue$', ''), v::text);
    PERFORM pg_notify('pgmq_message_ready', v::text);
    RETURN v;
END $$;
-- pgmq has no such queue yet: the model (and a notice)
INSERT INTO r3 SELECT * FROM tasker_bench_run('notify/send_with_notify_0b', iterations => 5, warmup => '0');
INSERT INTO pgmq.meta VALUES ('tasker_bench_notify');
INSERT INTO r3 SELECT * FROM tasker_bench_run('notify/send_with_notify_0b', iterations => 5, warmup => '0');
SELECT r.case_name, r.n, r.counters ->> 'pgmq' AS pgmq, tasker_bench.hcount(r.histogram) AS timed,
       (SELECT string_agg(p.phase || '=' || p.n, ', ' ORDER BY p.ordinal) FROM tasker_bench.phase_results p
         WHERE p.run_id = r.run_id AND p.case_name = r.case_name) AS phases,
       (SELECT bool_and(r.p50_us * 1.01 >= p.p50_us) FROM tasker_bench.phase_results p
         WHERE p.run_id = r.run_id AND p.case_name = r.case_name) AS includes_its_parts
  FROM r3 JOIN tasker_bench.results r USING (run_id, case_name) ORDER BY r.run_id;
SELECT (SELECT count(*) FROM pgmq.msgs) AS pgmq_messages_left,
       (SELECT count(*) FROM tasker_bench.queue_messages) AS model_messages_left;
DROP SCHEMA pgmq CASCADE;
DROP FUNCTION public.pgmq_send_with_notify(text, jsonb, integer);
DELETE FROM tasker_bench.cases WHERE name = 'notify/cov_sender';

SELECT tasker_bench_teardown('cov');
