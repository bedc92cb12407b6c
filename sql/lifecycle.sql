-- The workflow lifecycle: the pgmq-modelled queue, task initialization, one
-- workflow end to end, and the suite 'lifecycle' on the fixture, which must
-- leave every table as it was.  Only deterministic facts are printed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

SELECT tasker_bench_setup() IS NOT NULL AS set_up;
SELECT tasker_bench_fixture(200) IS NOT NULL AS fixture;
SELECT count(*) AS fixture_tasks FROM tasker.tasks;

-- ---- the queue ------------------------------------------------------------
SELECT queue_name, tasker_bench.queue_notify_channel(queue_name) AS channel
  FROM tasker_bench.queues WHERE builtin ORDER BY 1;
SELECT tasker_bench.queue_create('lc_test_queue') AS created;
SELECT tasker_bench.queue_create('lc_test_queue') AS created_again;
CREATE TEMP TABLE sent AS
SELECT g, tasker_bench.queue_send('lc_test_queue', jsonb_build_object('n', g)) AS msg_id
  FROM generate_series(1, 3) g;
-- a read claims the oldest visible messages and hides them for vt seconds
SELECT s.g, r.read_ct, r.message, r.vt > clock_timestamp() + interval '20 s' AS hidden
  FROM tasker_bench.queue_read('lc_test_queue', 30, 2) r JOIN sent s USING (msg_id) ORDER BY s.g;
SELECT s.g, r.read_ct FROM tasker_bench.queue_read('lc_test_queue', 30, 5) r JOIN sent s USING (msg_id);
SELECT count(*) AS visible FROM tasker_bench.queue_read('lc_test_queue', 30, 5);
-- vt 0: claimed and visible again at once, read_ct counts every claim
SELECT tasker_bench.queue_send('lc_test_queue', '{"n": 4}') IS NOT NULL AS sent;
SELECT r.message, r.read_ct FROM tasker_bench.queue_read('lc_test_queue', 0, 1) r;
SELECT r.message, r.read_ct FROM tasker_bench.queue_read('lc_test_queue', 0, 1) r;
-- delay: not visible before its time
SELECT tasker_bench.queue_send('lc_test_queue', '{"n": 5}', 3600) IS NOT NULL AS sent_delayed;
SELECT r.message FROM tasker_bench.queue_read('lc_test_queue', 30, 5) r;
-- a conditional read takes only matching messages
SELECT tasker_bench.queue_send('lc_test_queue', jsonb_build_object('task', t)) IS NOT NULL AS sent
  FROM unnest(ARRAY['a', 'b']) t;
SELECT r.message FROM tasker_bench.queue_read('lc_test_queue', 30, 5, '{"task": "b"}') r;
-- delete and archive
SELECT tasker_bench.queue_delete('lc_test_queue', (SELECT msg_id FROM sent WHERE g = 1)) AS deleted;
SELECT tasker_bench.queue_delete('lc_test_queue', (SELECT msg_id FROM sent WHERE g = 1)) AS deleted_again;
SELECT tasker_bench.queue_archive('lc_test_queue', (SELECT msg_id FROM sent WHERE g = 2)) AS archived;
SELECT a.queue_name, a.read_ct, a.message FROM tasker_bench.queue_archive a JOIN sent s USING (msg_id);
SELECT tasker_bench.queue_purge('lc_test_queue') AS purged;
SELECT tasker_bench.queue_drop('lc_test_queue') AS dropped;
SELECT count(*) AS messages, (SELECT count(*) FROM tasker_bench.queue_archive) AS archived
  FROM tasker_bench.queue_messages;

-- notification payloads of queue_send_with_notify: whole message under 7000 bytes
SELECT tasker_bench.queue_notify_payload('worker_linear_workflow_queue', 42, '{"step": 1}')::jsonb AS payload;
SELECT n AS message_bytes, p::jsonb ->> 'event_type' AS event_type, p::jsonb ? 'message' AS has_message,
       p::jsonb ->> 'payload_omitted' AS payload_omitted, p::jsonb ->> 'message_size' AS message_size,
       octet_length(p) <= 7800 AS fits
  FROM (SELECT octet_length(m::text) AS n, tasker_bench.queue_notify_payload(
                   'worker_mixed_dag_workflow_queue', 9223372036854775807, m) AS p
          FROM (SELECT jsonb_build_object('b', repeat('x', k)) AS m
                  FROM unnest(ARRAY[6990, 6991, 7990]) k) x) y
 ORDER BY n;
-- the send itself (the notification is delivered at commit: not here)
BEGIN;
SELECT tasker_bench.queue_send_with_notify('worker_tree_workflow_queue', '{"hello": "world"}') IS NOT NULL AS sent;
SELECT r.message, r.read_ct FROM tasker_bench.queue_read('worker_tree_workflow_queue', 30, 1) r;
ROLLBACK;

-- ---- one workflow, called directly and rolled back --------------------------
SET search_path = tasker, public;
SELECT shape, step_names, edge_from, edge_to, created_after, branch_group
  FROM tasker_bench.lifecycle_templates ORDER BY shape;
-- without pgmq the lifecycle uses the model of it
SELECT tasker_bench.lifecycle_queue('diamond4') AS queue;
BEGIN;
CREATE TEMP TABLE one AS SELECT tasker_bench.lifecycle_task_init('complex_dag7') AS task_uuid;
SELECT (SELECT count(*) FROM workflow_steps ws JOIN one USING (task_uuid)) AS steps,
       (SELECT count(*) FROM workflow_step_edges e JOIN workflow_steps ws ON ws.workflow_step_uuid = e.to_step_uuid
          JOIN one USING (task_uuid)) AS edges,
       (SELECT string_agg(tt.to_state, ',') FROM task_transitions tt JOIN one USING (task_uuid)) AS task_states,
       (SELECT count(*) FILTER (WHERE wt.to_state = 'pending' AND wt.most_recent AND wt.sort_key = 1)
          FROM workflow_step_transitions wt JOIN workflow_steps ws USING (workflow_step_uuid)
          JOIN one USING (task_uuid)) AS steps_pending,
       (SELECT nt.name FROM tasks t JOIN named_tasks nt USING (named_task_uuid) JOIN one USING (task_uuid)) AS named_task;
ROLLBACK;

BEGIN;
CREATE TEMP TABLE e2e AS SELECT tasker_bench.lifecycle_e2e('diamond4') AS r;
SELECT r - 'task_uuid' AS summary FROM e2e;
SELECT string_agg(tt.to_state, ' > ' ORDER BY tt.sort_key) AS task_history
  FROM task_transitions tt WHERE tt.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM e2e);
SELECT ns.name AS step, string_agg(wt.to_state, ' > ' ORDER BY wt.sort_key) AS history,
       bool_and(ws.processed AND NOT ws.in_process) AS processed, max(ws.attempts) AS attempts,
       max(ws.results ->> 'success') AS success
  FROM workflow_steps ws
  JOIN named_steps ns USING (named_step_uuid)
  JOIN workflow_step_transitions wt USING (workflow_step_uuid)
 WHERE ws.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM e2e)
 GROUP BY ns.name ORDER BY ns.name;
SELECT count(*) AS audit_rows, bool_and(a.success) AS all_success, count(DISTINCT a.worker_uuid) AS workers
  FROM workflow_step_result_audit a WHERE a.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM e2e);
SELECT t.complete, t.completed_at IS NOT NULL AS completed_at FROM tasks t
 WHERE t.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM e2e);
SELECT count(*) AS messages_left FROM tasker_bench.queue_messages;
ROLLBACK;

BEGIN;
SELECT tasker_bench.lifecycle_orchestration_cycle('tree8') - 'task_uuid' AS orchestration_cycle;
SELECT tasker_bench.lifecycle_worker_cycle('tree8') - 'task_uuid' AS worker_cycle;
SELECT queue_name, read_ct, message ? 'step_uuid' AS has_step FROM tasker_bench.queue_messages ORDER BY msg_id;
ROLLBACK;

-- decision point: only the chosen branch is created, when the decision completes;
-- the deferred convergence depends on it alone and runs after it (4 waves:
-- validate_request, routing_decision, auto_approve, finalize_approval)
BEGIN;
CREATE TEMP TABLE dec AS SELECT tasker_bench.lifecycle_e2e('conditional5') AS r;
SELECT r - 'task_uuid' - 'db_ops_by_phase' AS summary, r -> 'db_ops_by_phase' AS by_phase FROM dec;
SELECT ns.name AS step, string_agg(wt.to_state, ' > ' ORDER BY wt.sort_key) AS history,
       min((ws.results -> 'decision_point_outcome')::text) AS decision
  FROM workflow_steps ws
  JOIN named_steps ns USING (named_step_uuid)
  JOIN workflow_step_transitions wt USING (workflow_step_uuid)
 WHERE ws.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM dec)
 GROUP BY ns.name ORDER BY ns.name;
SELECT pn.name AS parent, cn.name AS child
  FROM workflow_step_edges e
  JOIN workflow_steps p ON p.workflow_step_uuid = e.from_step_uuid
  JOIN workflow_steps c ON c.workflow_step_uuid = e.to_step_uuid
  JOIN named_steps pn ON pn.named_step_uuid = p.named_step_uuid
  JOIN named_steps cn ON cn.named_step_uuid = c.named_step_uuid
 WHERE c.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM dec) ORDER BY 1, 2;
ROLLBACK;
-- batch: the workers (as many as the batchable step's result asks for) and the aggregator
BEGIN;
CREATE TEMP TABLE bat AS SELECT tasker_bench.lifecycle_e2e('batch7') AS r;
SELECT r - 'task_uuid' - 'db_ops_by_phase' AS summary, r -> 'db_ops_by_phase' AS by_phase FROM bat;
SELECT count(*) AS steps, count(*) FILTER (WHERE ws.processed) AS processed,
       (SELECT count(*) FROM workflow_step_edges e JOIN workflow_steps c ON c.workflow_step_uuid = e.to_step_uuid
         WHERE c.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM bat)) AS edges,
       max(ws.results -> 'batch_processing_outcome' ->> 'worker_count') AS worker_count
  FROM workflow_steps ws WHERE ws.task_uuid = (SELECT (r ->> 'task_uuid')::uuid FROM bat);
-- task initialization creates only the batchable step
CREATE TEMP TABLE bi AS SELECT tasker_bench.lifecycle_task_init('batch7') AS task_uuid;
SELECT count(*) AS initial_steps FROM workflow_steps ws JOIN bi USING (task_uuid);
ROLLBACK;
RESET search_path;

-- ---- the suite on the fixture: every table as it was afterwards --------------
CREATE TEMP TABLE sums_before AS SELECT * FROM tasker_bench.table_checksums();
SELECT table_name, row_count FROM sums_before ORDER BY table_name;

SELECT case_name, n FROM tasker_bench_run('lifecycle', iterations => 5, warmup => '0')
 WHERE case_name NOT LIKE 'notify/%';
CREATE TEMP TABLE lc AS
SELECT r.* FROM tasker_bench.results r
 WHERE r.run_id = (SELECT max(id) FROM tasker_bench.runs WHERE what = 'lifecycle')
   AND r.case_name NOT LIKE 'notify/%';

SELECT count(*) AS tables,
       count(*) FILTER (WHERE a.row_count = b.row_count AND a.checksum = b.checksum) AS unchanged
  FROM sums_before a FULL JOIN tasker_bench.table_checksums() b USING (table_name);
SELECT (SELECT count(*) FROM tasker_bench.queue_messages) AS messages,
       (SELECT count(*) FROM tasker_bench.queue_archive) AS archived;

SELECT case_name, category, rolled_back, rows_per_call FROM lc ORDER BY ordinal;

-- phases: every e2e iteration enters each phase; their means add up to the e2e mean
SELECT lc.case_name, p.phases, p.every_iteration,
       abs(p.sum_us - tasker_bench.hmean(lc.histogram) / 1000) <= 0.05 * tasker_bench.hmean(lc.histogram) / 1000
           AS adds_up_to_raw_mean,
       abs(p.sum_us - lc.mean_us) <= 0.05 * lc.mean_us AS within_5_pct_of_mean_us
  FROM lc
  JOIN (SELECT pr.case_name, string_agg(pr.phase, ', ' ORDER BY pr.ordinal) AS phases,
               sum(pr.mean_us) AS sum_us, bool_and(pr.n = 5) AS every_iteration
          FROM tasker_bench.phase_results pr
         WHERE pr.run_id = (SELECT max(run_id) FROM lc)
         GROUP BY pr.case_name) p USING (case_name)
 ORDER BY lc.ordinal;

-- database operations and steps per call
SELECT case_name, counters ->> 'steps' AS steps, counters ->> 'waves' AS waves,
       counters ->> 'db_ops' AS db_ops,
       round((counters ->> 'db_ops')::numeric / (counters ->> 'steps')::numeric, 2) AS db_ops_per_step,
       counters ->> 'discovered' AS discovered
  FROM lc ORDER BY ordinal;
SELECT case_name, string_agg(k || '=' || v, ', ' ORDER BY k) AS db_ops_by_phase
  FROM lc, jsonb_each_text(lc.counters) c(k, v)
 WHERE k LIKE 'db\_ops/%' AND case_name LIKE 'e2e/%'
 GROUP BY case_name, ordinal ORDER BY ordinal;

-- framework overhead: worker cycle minus the no-op handler, per step
SELECT case_name, steps, overhead_us > 0 AS overhead, handler_us < worker_cycle_us AS handler_smaller,
       abs(worker_cycle_us - handler_us - overhead_us) < 1e-6 AS difference
  FROM tasker_bench.framework_overhead
 WHERE run_id = (SELECT max(run_id) FROM lc)
 ORDER BY case_name;

-- ---- bad input: clear errors, nothing left behind --------------------------
SET search_path = tasker, public;
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_task_init('hexagon9')$$);
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_e2e('linear_1')$$);
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_e2e(NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_run('linear4', 'sideways')$$);
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_run('linear4', 'e2e', 'rabbitmq')$$);
RESET search_path;
SELECT pg_temp.err($$SELECT tasker_bench.lifecycle_e2e('linear4')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_send('no_such_queue', '{}')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_send_with_notify('no_such_queue', '{"a": 1}')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.queue_read('no_such_queue', 30, 1)$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_delete('no_such_queue', 1)$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_archive('no_such_queue', 1)$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_purge('no_such_queue')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_drop('no_such_queue')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_send(NULL, '{}')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_send('tasker_bench_notify', NULL)$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_send('tasker_bench_notify', '{}', -1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.queue_read('tasker_bench_notify', -1, 1)$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.queue_read('tasker_bench_notify', 30, 0)$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_create('Bad-Name')$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_create(repeat('q', 48))$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_create(repeat('q', 45))$$);
SELECT pg_temp.err($$SELECT tasker_bench.queue_drop('orchestration_step_results')$$);
SELECT pg_temp.err($$SELECT * FROM tasker_bench.table_checksums('no_such_schema')$$);
SELECT (SELECT count(*) FROM tasker_bench.queue_messages) AS messages,
       (SELECT count(*) FROM tasker_bench.queues WHERE NOT builtin) AS extra_queues,
       (SELECT count(*) FROM tasker.tasks) AS tasks;

SELECT tasker_bench_teardown();
