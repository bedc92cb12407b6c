-- issue 15: the suite tasker covers every tasker-core SQL function, built-in
-- cases name their schema with the placeholder {schema}, and runs take a
-- schema.  The built-in cases (SELECT tasker_bench._refresh_tasker_cases()
-- of sql_src/70_builtin_cases.sql) and the lifecycle templates (tree8
-- gained its 4-way convergence step) are refreshed by the generated part of
-- the upgrade, which runs after this file.
-- signatures that gained an argument (a leftover overload would make calls ambiguous)
DROP FUNCTION IF EXISTS tasker_bench._cases_for(text);
DROP FUNCTION IF EXISTS @extschema@.tasker_bench_run(text, bigint, interval, interval, text, boolean);
-- worker queues of the new shapes' namespaces
INSERT INTO tasker_bench.queues (queue_name, builtin)
SELECT q, true
  FROM unnest(ARRAY['worker_parallel_workflow_queue', 'worker_conditional_workflow_queue',
                    'worker_batch_workflow_queue']) q
ON CONFLICT (queue_name) DO NOTHING;
-- the notify case of pgmq_send_with_notify measures tasker-core's own function when pgmq has the queue
UPDATE tasker_bench.cases
   SET sql = '', options = '{"mode": "send_with_notify", "sender": "auto", "queue": "tasker_bench_notify", "payload_bytes": 0}',
       description = 'Queue message and its notification in one transaction: tasker-core''s pgmq_send_with_notify when pgmq has the queue, else tasker_bench''s model of it; send -> listener holds the notification on pgmq_message_ready.<namespace>; the message is deleted after each iteration'
 WHERE name = 'notify/send_with_notify_0b' AND builtin;
DROP PROCEDURE IF EXISTS @extschema@.tasker_bench_run_suite(text, bigint, interval, interval, text, text);
