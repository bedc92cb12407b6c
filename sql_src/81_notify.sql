-- Event propagation: the real latency of LISTEN/NOTIFY over loopback
-- connections (src/notify.c, a driver of the one measuring loop).  Cases with
-- driver = 'notify' are measured by tasker_bench._measure_driver.

CREATE FUNCTION tasker_bench._validate_notify(sql text, params text, options jsonb)
    RETURNS integer AS 'MODULE_PATHNAME', 'tb_validate_notify' LANGUAGE C;
COMMENT ON FUNCTION tasker_bench._validate_notify(text, text, jsonb) IS
    'Checks a notify case: its options, the loopback connection (opened and closed again) and the statement';

CREATE FUNCTION tasker_bench._measure_notify(
    sql text, params text, options jsonb, iterations bigint, duration interval,
    warmup interval, label text)
    RETURNS tasker_bench.measurement
    AS 'MODULE_PATHNAME', 'tb_measure_notify' LANGUAGE C;
COMMENT ON FUNCTION tasker_bench._measure_notify(text, text, jsonb, bigint, interval, interval, text) IS
    'Measures LISTEN/NOTIFY latency: the sender statement sent on a loopback connection -> notification held by a loopback listener (ns); phases statement and notification';

INSERT INTO tasker_bench.cases (name, suite, sql, category, driver, options, description, builtin)
VALUES
    ('notify/pg_notify_0b', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 0}',
     'LISTEN/NOTIFY latency, empty payload: sender''s commit returned -> listener holds the notification', true),
    ('notify/pg_notify_1kb', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 1024}',
     'LISTEN/NOTIFY latency, 1 KB payload', true),
    ('notify/pg_notify_7900b', 'lifecycle', 'SELECT pg_catalog.pg_notify($1, $2)', 'lifecycle', 'notify',
     '{"mode": "pg_notify", "payload_bytes": 7900}',
     'LISTEN/NOTIFY latency, 7900-byte payload (PostgreSQL''s limit is 8000)', true),
    ('notify/send_with_notify_0b', 'lifecycle', '', 'lifecycle', 'notify',
     '{"mode": "send_with_notify", "sender": "auto", "queue": "tasker_bench_notify", "payload_bytes": 0}',
     'Queue message and its notification in one transaction: tasker-core''s pgmq_send_with_notify when pgmq has the queue, else tasker_bench''s model of it; send -> listener holds the notification on pgmq_message_ready.<namespace>; the message is deleted after each iteration', true);
