-- Storage: cases, runs, results.  Every row remembers the role that made
-- it; row level security shows each role only its own runs and results
-- (and its own plus the built-in cases).  The tables are not granted to
-- anyone by default: see the README for the grants a benchmarking role needs.

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
COMMENT ON TABLE tasker_bench.results IS
    'Per case of a run: figures in microseconds with the clock read cost (clock_ns) subtracted; histogram holds the raw ns';
COMMENT ON COLUMN tasker_bench.results.histogram IS 'Raw timed-region durations in ns (clock read cost not subtracted)';
COMMENT ON COLUMN tasker_bench.results.plan_us IS 'Mean time getting the cached plan per iteration (not in the timed figures)';

ALTER TABLE tasker_bench.cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.results ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasker_bench.phase_results ENABLE ROW LEVEL SECURITY;

CREATE POLICY cases_read ON tasker_bench.cases FOR SELECT
    USING (builtin OR owner = current_user);
CREATE POLICY cases_own ON tasker_bench.cases FOR ALL
    USING (owner = current_user) WITH CHECK (owner = current_user AND NOT builtin);
CREATE POLICY runs_own ON tasker_bench.runs FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user);
-- rows of a run only into a run of one's own (a foreign key check ignores
-- row level security, so it is checked here)
CREATE POLICY results_own ON tasker_bench.results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
CREATE POLICY phase_results_own ON tasker_bench.phase_results FOR ALL
    USING (run_by = current_user)
    WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));

-- runs.id only from its sequence (src/keys.c)
CREATE TRIGGER runs_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.runs
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.runs_id_seq');

SELECT pg_catalog.pg_extension_config_dump('tasker_bench.cases', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.runs', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.results', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.phase_results', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.runs_id_seq', '');
