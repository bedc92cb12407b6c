-- Storage.  Every row remembers the role that made it; row level security
-- shows each role only its own rows (and its own plus the built-in cases).
-- The tables are not granted to anyone by default: see the README for the
-- grants a benchmarking role needs.
--   cases, runs, results, phase_results      what is measured and what came out
--   client_results                           concurrent clients of a result
--   baselines, suite_settings, ab_results    comparisons
--   statement_results                        the nested statements of a case
--   alerts, schedule_jobs                    continuous benchmarking
--   scales                                   scale sweeps
--   models                                   reference-model schemas made by setup
--   queues, queue_messages, queue_archive    the message queue model (pgmq semantics)
--   lifecycle_templates                      workflow shapes of the lifecycle

CREATE TABLE tasker_bench.cases (
    name        text PRIMARY KEY CHECK (name <> ''),
    suite       text NOT NULL DEFAULT 'default' CHECK (suite <> ''),
    sql         text NOT NULL,
    params      text,
    search_path text,
    rollback    boolean,            -- NULL: automatic (roll back unless read-only)
    category    text NOT NULL DEFAULT 'sql'
                CHECK (category IN ('sql', 'lifecycle', 'e2e')),
    tolerance_pct float8 CHECK (tolerance_pct >= 0),
    -- how the case is measured: a driver of src/driver_list.h, e.g. 'executor'
    -- (the statement's plan, in this backend) or 'notify' (LISTEN/NOTIFY over
    -- loopback connections); checked when the case is registered and run
    driver      text NOT NULL DEFAULT 'executor',
    options     jsonb,              -- driver options, e.g. {"payload_bytes": 1024}
    description text,
    builtin     boolean NOT NULL DEFAULT false,
    owner       name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- concurrent clients the case runs with (NULL: 1, or the run's clients => N)
    clients     integer CHECK (clients BETWEEN 1 AND 64)
);

COMMENT ON TABLE tasker_bench.cases IS 'Registered benchmark cases (tasker_bench_register)';

ALTER TABLE tasker_bench.cases ENABLE ROW LEVEL SECURITY;

CREATE POLICY cases_read ON tasker_bench.cases FOR SELECT
    USING (builtin OR owner = current_user);

CREATE POLICY cases_own ON tasker_bench.cases FOR ALL
    USING (owner = current_user) WITH CHECK (owner = current_user AND NOT builtin);

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.cases', 'WHERE NOT builtin');

CREATE TABLE tasker_bench.runs (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('run', 'measure', 'ab', 'scale')),
    what        text NOT NULL,
    suite       text,
    label       text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    -- 'running' while tasker_bench_run_suite runs it (it commits per case),
    -- 'interrupted' when that was cancelled or its backend ended first
    status      text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    error       text,
    error_sqlstate text,
    failed_case text,
    cases_done  integer NOT NULL DEFAULT 0,
    settings    jsonb NOT NULL DEFAULT '{}',
    environment jsonb NOT NULL,
    dataset     jsonb,
    run_by      name NOT NULL DEFAULT current_user,
    -- set on a run made by tasker_bench_import: where the file came from
    imported_from jsonb
);

CREATE INDEX ON tasker_bench.runs (run_by, started_at);

COMMENT ON TABLE tasker_bench.runs IS 'One row per run: what ran, when, how it ended, and the environment';

ALTER TABLE tasker_bench.runs ENABLE ROW LEVEL SECURITY;

CREATE POLICY runs_own ON tasker_bench.runs FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user);

-- runs.id only from its sequence (src/keys.c)
CREATE TRIGGER runs_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.runs
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.runs_id_seq');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.runs', '');

COMMENT ON COLUMN tasker_bench.runs.imported_from IS
    'Set on a run made by tasker_bench_import: the origin the file records (database, run id, role, versions) and when it was imported';

-- Whether run p_run is one of the current role's runs (for policies: a
-- foreign key check ignores row level security).
CREATE FUNCTION tasker_bench._own_run(p_run bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM tasker_bench.runs r
                    WHERE r.id = p_run AND r.run_by = current_user)
$$;

CREATE TABLE tasker_bench.results (
    run_id      bigint NOT NULL REFERENCES tasker_bench.runs (id) ON DELETE CASCADE,
    case_name   text NOT NULL,
    ordinal     integer NOT NULL,
    suite       text,
    category    text NOT NULL DEFAULT 'sql',
    sql         text NOT NULL,
    params      text,
    n           bigint NOT NULL,
    warmup_n    bigint NOT NULL,
    min_us      float8,
    mean_us     float8,
    stddev_us   float8,
    p50_us      float8,
    p90_us      float8,
    p95_us      float8,
    p99_us      float8,
    p999_us     float8,
    max_us      float8,
    ops_per_s   float8,
    clock_ns    float8 NOT NULL,
    histogram   tasker_bench.histogram NOT NULL,
    rows_per_call float8 NOT NULL,
    read_only   boolean NOT NULL,
    rolled_back boolean NOT NULL,
    plan_us     float8,
    wall_s      float8 NOT NULL,
    param_sets  integer NOT NULL,
    outliers_low_severe  bigint NOT NULL DEFAULT 0,
    outliers_low_mild    bigint NOT NULL DEFAULT 0,
    outliers_high_mild   bigint NOT NULL DEFAULT 0,
    outliers_high_severe bigint NOT NULL DEFAULT 0,
    explain     jsonb,
    -- resource use per call (buffers and WAL inside the timed region; CPU
    -- over the measured phase, including the harness's per-iteration work)
    cpu_user_us float8,
    cpu_sys_us  float8,
    shared_blks_hit     float8,
    shared_blks_read    float8,
    shared_blks_dirtied float8,
    shared_blks_written float8,
    temp_blks_read      float8,
    temp_blks_written   float8,
    wal_records float8,
    wal_bytes   float8,
    wal_fpi     float8,
    counters    jsonb,              -- tasker_bench.count() totals per call
    -- the median (raw ns) of each of up to 20 consecutive blocks of the
    -- measured iterations: how much the figure drifted during the run
    block_medians_ns float8[],
    -- before each block, the median time of a fixed probe statement: the
    -- machine's speed, so comparisons can tell a slower machine from a
    -- slower statement
    probe_medians_ns float8[],
    run_by      name NOT NULL DEFAULT current_user,
    PRIMARY KEY (run_id, case_name)
);

-- a case's history (noise floors of comparisons, change points)
CREATE INDEX results_case_run ON tasker_bench.results (case_name, run_id);

COMMENT ON TABLE tasker_bench.results IS
    'Per case of a run: figures in microseconds with the clock read cost (clock_ns) subtracted; histogram holds the raw ns';

COMMENT ON COLUMN tasker_bench.results.histogram IS 'Raw timed-region durations in ns (clock read cost not subtracted)';

COMMENT ON COLUMN tasker_bench.results.plan_us IS 'Mean time getting the cached plan per iteration (not in the timed figures)';

ALTER TABLE tasker_bench.results ENABLE ROW LEVEL SECURITY;

-- rows of a run only into a run of one's own (a foreign key check ignores
-- row level security, so it is checked here)
CREATE POLICY results_own ON tasker_bench.results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.results', '');

-- Per phase of a case whose statement marks phases (tasker_bench.phase()).
CREATE TABLE tasker_bench.phase_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    phase       text NOT NULL,
    ordinal     integer NOT NULL,   -- order of first appearance; 'other' is the time before the first mark
    n           bigint NOT NULL,
    mean_us     float8,
    p50_us      float8,
    p95_us      float8,
    p99_us      float8,
    histogram   tasker_bench.histogram NOT NULL,
    run_by      name NOT NULL DEFAULT current_user,
    PRIMARY KEY (run_id, case_name, phase),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);

COMMENT ON TABLE tasker_bench.phase_results IS
    'Per phase of an iteration (tasker_bench.phase marks): figures in microseconds, raw histogram in ns';

ALTER TABLE tasker_bench.phase_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY phase_results_own ON tasker_bench.phase_results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.phase_results', '');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.runs_id_seq', '');

CREATE TABLE tasker_bench.client_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    clients     integer NOT NULL CHECK (clients >= 1),
    ops_per_s   float8 NOT NULL,
    min_client_ops bigint NOT NULL,
    max_client_ops bigint NOT NULL,
    client_ops  bigint[] NOT NULL,
    client_histograms tasker_bench.histogram[] NOT NULL,
    wait_samples bigint NOT NULL,
    wait_events jsonb NOT NULL,
    claims_checked bigint,
    claims_overlapped bigint,
    run_by      name NOT NULL DEFAULT current_user,
    client_detail jsonb,
    PRIMARY KEY (run_id, case_name),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);

COMMENT ON TABLE tasker_bench.client_results IS
    'Per case run with clients => N: total throughput, fairness, per-client histograms, wait-event shares, claims that overlapped';

COMMENT ON COLUMN tasker_bench.client_results.ops_per_s IS
    'Total throughput: the sum over the clients of their measured iterations per second of their measured time';

COMMENT ON COLUMN tasker_bench.client_results.wait_events IS
    'Shares (0..1) of the samples of the clients'' wait_event_info, every interval_ms ms of the measured phase: by_class (CPU = not waiting, LWLock, Lock, IO, IPC, ...) and by_event (class:name)';

COMMENT ON COLUMN tasker_bench.client_results.client_detail IS
    'One object per client (client 1 first): its n, wall_s, p50_us, p99_us, block_medians_ns and probe_medians_ns (raw ns, one per block of its measured phase), phases ([{phase, n, mean_us, p50_us, p95_us, p99_us}]) and counters (per call)';

COMMENT ON COLUMN tasker_bench.client_results.claims_overlapped IS
    'Rows returned to more than one client by iterations that overlapped in time (keyed by the first column); NULL for a read-only case';

ALTER TABLE tasker_bench.client_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY client_results_own ON tasker_bench.client_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.client_results', '');

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------
CREATE TABLE tasker_bench.baselines (
    name        text PRIMARY KEY CHECK (name <> ''),
    -- RESTRICT: a run a baseline names cannot be deleted (retention, by hand)
    run_id      bigint NOT NULL REFERENCES tasker_bench.runs (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now(),
    moved_at    timestamptz,
    run_by      name NOT NULL DEFAULT current_user
);

CREATE INDEX ON tasker_bench.baselines (run_id);

COMMENT ON TABLE tasker_bench.baselines IS
    'Named runs to compare against (tasker_bench_baseline); a run named here cannot be deleted';

ALTER TABLE tasker_bench.baselines ENABLE ROW LEVEL SECURITY;

-- a baseline may only name a run its role can see
CREATE POLICY baselines_own ON tasker_bench.baselines FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.baselines', '');

CREATE TABLE tasker_bench.suite_settings (
    suite       text NOT NULL CHECK (suite <> ''),
    tolerance_pct float8 CHECK (tolerance_pct >= 0 AND tolerance_pct < 'Infinity'),
    noise_threshold_pct float8 CHECK (noise_threshold_pct >= 0 AND noise_threshold_pct < 'Infinity'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    owner       name NOT NULL DEFAULT current_user,
    PRIMARY KEY (suite, owner)
);

COMMENT ON TABLE tasker_bench.suite_settings IS
    'Per suite (and role): the tolerance and the noise threshold of comparisons (tasker_bench_suite_settings)';

ALTER TABLE tasker_bench.suite_settings ENABLE ROW LEVEL SECURITY;

CREATE POLICY suite_settings_own ON tasker_bench.suite_settings FOR ALL
    USING (owner = current_user) WITH CHECK (owner = current_user);

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.suite_settings', '');

CREATE TABLE tasker_bench.ab_results (
    run_id      bigint PRIMARY KEY REFERENCES tasker_bench.runs (id) ON DELETE CASCADE,
    a_name      text NOT NULL,
    b_name      text NOT NULL,
    a_sql       text NOT NULL,
    b_sql       text NOT NULL,
    params      text,
    search_path text,
    rounds      integer NOT NULL CHECK (rounds > 0),
    iterations  bigint NOT NULL CHECK (iterations > 0),
    a_p50_us    float8,
    b_p50_us    float8,
    ratio       float8,
    ci_low      float8,
    ci_high     float8,
    p_value     float8,
    verdict     text NOT NULL CHECK (verdict IN ('improved', 'regressed', 'unchanged', 'inconclusive')),
    noise_threshold_pct float8 NOT NULL,
    alpha       float8 NOT NULL,
    a_medians_us float8[] NOT NULL,
    b_medians_us float8[] NOT NULL,
    -- the same from the mean of the log ratios, Student's t (not robust to disturbed rounds)
    t_ratio     float8,
    t_ci_low    float8,
    t_ci_high   float8,
    t_p_value   float8,
    run_by      name NOT NULL DEFAULT current_user
);

COMMENT ON TABLE tasker_bench.ab_results IS
    'Outcome of an interleaved A/B run (tasker_bench_ab): ratio b/a of the medians, its CI, p-value, verdict, per-round medians';

COMMENT ON COLUMN tasker_bench.ab_results.ratio IS
    'b/a: exp of the Hodges-Lehmann estimate of the per-round log(median b / median a), clock read cost subtracted';

COMMENT ON COLUMN tasker_bench.ab_results.ci_low IS
    'Confidence interval (1 - alpha) of ratio from the Wilcoxon signed-rank statistic; NULL with too few rounds (< 6 at 95 %)';

COMMENT ON COLUMN tasker_bench.ab_results.p_value IS
    'Two-sided Wilcoxon signed-rank test of the per-round log ratios against 0';

COMMENT ON COLUMN tasker_bench.ab_results.t_ratio IS
    'exp of the mean per-round log ratio; t_ci_* its Student t interval, t_p_value the one-sample t-test (for comparison)';

ALTER TABLE tasker_bench.ab_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY ab_results_own ON tasker_bench.ab_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.ab_results', '');

-- ---------------------------------------------------------------------------
-- Nested statements (pg_stat_statements)
-- ---------------------------------------------------------------------------
/*
 * A table (not a view): the figures are a difference of two snapshots of
 * pg_stat_statements taken around the case, so they must be stored when the
 * case is; the contract's "view tasker_bench.statement_results" is met by
 * this table with its columns.
 */
CREATE TABLE tasker_bench.statement_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    ordinal     integer NOT NULL,       -- 1 = the most total time
    queryid     bigint NOT NULL,
    query       text NOT NULL,
    calls       bigint NOT NULL,
    total_ms    float8 NOT NULL,
    mean_us     float8,
    rows        bigint NOT NULL,
    shared_blks_hit     bigint NOT NULL DEFAULT 0,
    shared_blks_read    bigint NOT NULL DEFAULT 0,
    shared_blks_dirtied bigint NOT NULL DEFAULT 0,
    shared_blks_written bigint NOT NULL DEFAULT 0,
    temp_blks_read      bigint NOT NULL DEFAULT 0,
    temp_blks_written   bigint NOT NULL DEFAULT 0,
    in_function text,                   -- the function whose body holds the statement (best effort)
    parent_queryid bigint,              -- the stored statement that calls in_function (best effort)
    run_by      name NOT NULL DEFAULT current_user,
    PRIMARY KEY (run_id, case_name, queryid),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);

COMMENT ON TABLE tasker_bench.statement_results IS
    'Per case of a run: the top statements (by total time) that ran nested inside it, from pg_stat_statements '
    '(loaded, track = all, extension created in the database). calls, rows, total_ms and the block counts are totals '
    'over the warmup and the measured iterations (results.warmup_n + results.n); mean_us = total_ms / calls. '
    'The case''s own statement and tasker_bench''s internals are left out. A table, so it serves as the view '
    'tasker_bench.statement_results of the contract.';

COMMENT ON COLUMN tasker_bench.statement_results.total_ms IS
    'Execution (plus planning, with pg_stat_statements.track_planning) time over warmup and measured iterations';

COMMENT ON COLUMN tasker_bench.statement_results.in_function IS
    'The SQL or PL/pgSQL function whose source holds the statement, found by text (best effort; NULL if unknown)';

COMMENT ON COLUMN tasker_bench.statement_results.parent_queryid IS
    'A stored statement of the same case, with more total time, that calls in_function: the caller in '
    'tasker_bench_folded() (best effort; NULL: called by the case''s statement or unknown)';

ALTER TABLE tasker_bench.statement_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY statement_results_own ON tasker_bench.statement_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.statement_results', '');

CREATE TABLE tasker_bench.alerts (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES tasker_bench.runs (id) ON DELETE CASCADE,
    case_name   text NOT NULL,
    baseline    text NOT NULL,          -- a baseline's name, or 'rolling median of N'
    change_pct  float8,
    verdict     text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    run_by      name NOT NULL DEFAULT current_user
);

CREATE INDEX ON tasker_bench.alerts (run_id);

COMMENT ON TABLE tasker_bench.alerts IS
    'Regressions found after a run of tasker_bench_run_suite (scheduled or not): against its baseline, or the '
    'rolling median of the p50 of recent runs; each is also signalled as NOTIFY tasker_bench_alerts with the payload '
    '{"run_id": N} only (listeners read the alert rows, which row level security keeps to their role). '
    'tasker_bench_prune keeps runs an alert points to.';

ALTER TABLE tasker_bench.alerts ENABLE ROW LEVEL SECURITY;

CREATE POLICY alerts_own ON tasker_bench.alerts FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

CREATE TRIGGER alerts_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.alerts
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.alerts_id_seq');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.alerts', '');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.alerts_id_seq', '');

-- ---------------------------------------------------------------------------
-- Schedules (pg_cron)
-- ---------------------------------------------------------------------------

-- The jobs (table schedule_jobs); the view tasker_bench.schedules adds the
-- outcome of each job's last run from pg_cron.
CREATE TABLE tasker_bench.schedule_jobs (
    job_name    text NOT NULL CONSTRAINT schedules_job_name_check CHECK (job_name <> ''),
    jobid       bigint NOT NULL,         -- cron.job.jobid
    what        text NOT NULL,
    baseline    text,
    schedule    text NOT NULL,
    created_by  name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    schema      text NOT NULL DEFAULT 'tasker',   -- the tasker schema the job's runs measure
    CONSTRAINT schedules_pkey PRIMARY KEY (job_name)
);

COMMENT ON TABLE tasker_bench.schedule_jobs IS
    'pg_cron jobs made by tasker_bench_schedule: each runs CALL tasker_bench_run_suite(what, baseline, '
    'label => ''scheduled:<job_name>'', schema => schema) on its cron schedule, as the role that scheduled it';

ALTER TABLE tasker_bench.schedule_jobs ENABLE ROW LEVEL SECURITY;

CREATE POLICY schedules_own ON tasker_bench.schedule_jobs FOR ALL
    USING (created_by = current_user) WITH CHECK (created_by = current_user);

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.schedule_jobs', '');

CREATE TABLE tasker_bench.scales (
    id          bigserial PRIMARY KEY,
    what        text NOT NULL,
    schema_name name NOT NULL,
    sizes       integer[] NOT NULL,
    run_ids     bigint[] NOT NULL,
    fits        jsonb NOT NULL,            -- {case: {growth, r2, a, b}}
    created_at  timestamptz NOT NULL DEFAULT now(),
    run_by      name NOT NULL DEFAULT current_user,
    -- what was swept: fixture sizes ('tasks'), concurrent clients on the data as it is
    -- ('clients'), or every (size, clients) pair ('grid')
    axis        text NOT NULL DEFAULT 'tasks' CHECK (axis IN ('tasks', 'clients', 'grid')),
    clients     integer[]                  -- the numbers of clients swept (axis clients or grid)
);

COMMENT ON TABLE tasker_bench.scales IS 'Scale sweeps (tasker_bench_scale): one run per fixture size, and the fitted growth';

ALTER TABLE tasker_bench.scales ENABLE ROW LEVEL SECURITY;

CREATE POLICY scales_own ON tasker_bench.scales FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user);

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.scales', '');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.scales_id_seq', '');

CREATE TRIGGER scales_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.scales
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.scales_id_seq');

-- Schemas whose model tasker_bench_setup() created; teardown removes only
-- these.  Each role sees and uses only its own rows, and nothing here is
-- executed: teardown and the fixture take the objects from the catalogs.
CREATE TABLE tasker_bench.models (
    schema_name    name NOT NULL,
    created_schema boolean NOT NULL,
    objects        text[] NOT NULL,        -- what setup created (a list to read; teardown goes by the catalogs)
    created_by     name NOT NULL DEFAULT current_user,
    created_at     timestamptz NOT NULL DEFAULT now(),
    schema_oid     oid,                    -- the schema's OID when setup ran (NULL: set up by 0.1)
    PRIMARY KEY (schema_name, created_by)
);

COMMENT ON TABLE tasker_bench.models IS 'Schemas holding a reference model created by tasker_bench_setup()';

ALTER TABLE tasker_bench.models ENABLE ROW LEVEL SECURITY;

CREATE POLICY models_own ON tasker_bench.models FOR ALL
    USING (created_by = current_user) WITH CHECK (created_by = current_user);

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.models', '');

-- ---------------------------------------------------------------------------
-- Queue storage
-- ---------------------------------------------------------------------------
CREATE TABLE tasker_bench.queues (
    queue_name  text PRIMARY KEY,
    builtin     boolean NOT NULL DEFAULT false,
    created_by  name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tasker_bench.queues IS
    'Message queues (pgmq model): tasker_bench.queue_create() adds one; the built-in ones serve the lifecycle and notify cases';

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.queues', 'WHERE NOT builtin');

-- Queues: every role uses the built-in ones and its own; messages and the
-- archive are each role's own; msg_id only from its sequence.
ALTER TABLE tasker_bench.queues ENABLE ROW LEVEL SECURITY;

CREATE POLICY queues_read ON tasker_bench.queues FOR SELECT
    USING (builtin OR created_by = current_user);

CREATE POLICY queues_own ON tasker_bench.queues FOR ALL
    USING (created_by = current_user AND NOT builtin)
    WITH CHECK (created_by = current_user AND NOT builtin);

-- The queues tasker-core's default router names for the fixture's namespaces
-- (worker_<namespace>_queue, orchestration_step_results), and the notify cases' queue.
INSERT INTO tasker_bench.queues (queue_name, builtin)
SELECT q, true
  FROM unnest(ARRAY['orchestration_step_results',
                    'worker_linear_workflow_queue', 'worker_diamond_workflow_queue',
                    'worker_mixed_dag_workflow_queue', 'worker_tree_workflow_queue',
                    'worker_fanout_workflow_queue', 'worker_parallel_workflow_queue',
                    'worker_conditional_workflow_queue', 'worker_batch_workflow_queue',
                    'tasker_bench_notify']) q;

CREATE TABLE tasker_bench.queue_messages (
    msg_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue_name  text NOT NULL,
    read_ct     integer NOT NULL DEFAULT 0,
    enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    vt          timestamptz NOT NULL,           -- visible again from this moment
    message     jsonb NOT NULL,
    sent_by     name NOT NULL DEFAULT current_user  -- each role reads only its own messages
) WITH (fillfactor = 80);

-- Reads take a queue's visible messages in msg_id order.  vt is not indexed,
-- so a claim (new vt, read_ct + 1) can be a HOT update (fillfactor 80 leaves
-- room for it) and adds no index entry.
CREATE INDEX queue_messages_queue_msg ON tasker_bench.queue_messages (queue_name, msg_id);

COMMENT ON TABLE tasker_bench.queue_messages IS
    'Messages of all queues (pgmq model): visible when vt <= clock_timestamp(); read_ct counts claims';

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.queue_messages', '');

ALTER TABLE tasker_bench.queue_messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY queue_messages_own ON tasker_bench.queue_messages FOR ALL
    USING (sent_by = current_user) WITH CHECK (sent_by = current_user);

CREATE TRIGGER queue_messages_key BEFORE INSERT OR UPDATE OF msg_id ON tasker_bench.queue_messages
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('msg_id', 'tasker_bench.queue_messages_msg_id_seq');

CREATE TABLE tasker_bench.queue_archive (
    msg_id      bigint NOT NULL,
    queue_name  text NOT NULL,
    read_ct     integer NOT NULL,
    enqueued_at timestamptz NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    vt          timestamptz NOT NULL,
    message     jsonb NOT NULL,
    sent_by     name NOT NULL DEFAULT current_user,
    -- per role, so that no role can take the msg_id another's message will archive under
    CONSTRAINT queue_archive_pkey PRIMARY KEY (msg_id, sent_by)
);

CREATE INDEX queue_archive_queue ON tasker_bench.queue_archive (queue_name, archived_at);

COMMENT ON TABLE tasker_bench.queue_archive IS 'Archived messages (tasker_bench.queue_archive())';

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.queue_archive', '');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.queue_messages_msg_id_seq', '');

ALTER TABLE tasker_bench.queue_archive ENABLE ROW LEVEL SECURITY;

CREATE POLICY queue_archive_own ON tasker_bench.queue_archive FOR ALL
    USING (sent_by = current_user) WITH CHECK (sent_by = current_user);

CREATE TABLE tasker_bench.lifecycle_templates (
    shape      text PRIMARY KEY,
    step_names text[] NOT NULL,     -- in level order; step i is step_names[i]
    edge_from  integer[] NOT NULL,  -- edge k: step edge_from[k] -> step edge_to[k] (the latter depends on the former)
    edge_to    integer[] NOT NULL,
    -- steps created while the task runs (empty: all at task initialization):
    -- created_after[i] = the step whose completion creates step i, 0 = created with the task
    created_after integer[] NOT NULL DEFAULT '{}',
    -- branch_group[i] > 0: one of a decision point's alternatives (only the chosen one is created)
    branch_group  integer[] NOT NULL DEFAULT '{}'
);

COMMENT ON TABLE tasker_bench.lifecycle_templates IS
    'Step names and edges of the named workflow shapes (from tasker_bench.fixture_shape), and the steps created at a decision or batch point (fixture_shape_dynamic), looked up by the lifecycle';

-- read by everyone, written by no one (the rows are the extension's)
ALTER TABLE tasker_bench.lifecycle_templates ENABLE ROW LEVEL SECURITY;

CREATE POLICY lifecycle_templates_read ON tasker_bench.lifecycle_templates FOR SELECT USING (true);
