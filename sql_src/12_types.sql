-- Composite types: what a measurement returns to SQL, and the rows of
-- comparisons, A/B outcomes, baselines and queue messages.

-- What one measurement gives, whichever driver took it.  The C side fills
-- the columns by name (src/driver.c): the loop's own (histogram, n,
-- warmup_n, clock_ns, wall_s, block and probe medians) and each driver's;
-- what a driver does not measure stays NULL.
CREATE TYPE tasker_bench.measurement AS (
    histogram tasker_bench.histogram, n bigint, warmup_n bigint,
    clock_ns float8, rows_per_call float8, read_only boolean,
    rolled_back boolean, plan_us float8, wall_s float8, param_sets integer,
    cpu_user_us float8, cpu_sys_us float8,
    shared_blks_hit float8, shared_blks_read float8, shared_blks_dirtied float8,
    shared_blks_written float8, temp_blks_read float8, temp_blks_written float8,
    wal_records float8, wal_bytes float8, wal_fpi float8,
    phase_names text[], phase_histograms tasker_bench.histogram[], counters jsonb,
    block_medians_ns float8[], probe_medians_ns float8[],
    -- the summary of the histogram (as tasker_bench.hsummary gives it)
    min_us float8, mean_us float8, stddev_us float8, p50_us float8, p90_us float8,
    p95_us float8, p99_us float8, p999_us float8, max_us float8, ops_per_s float8,
    outliers_low_severe bigint, outliers_low_mild bigint, outliers_high_mild bigint,
    outliers_high_severe bigint
);

-- What one measured case gives, before it is stored.
CREATE TYPE tasker_bench._measured AS (
    result tasker_bench.results,
    phases tasker_bench.phase_results[],
    statements jsonb,
    clients jsonb           -- the client_results row of a case run with clients => N > 1
);

-- What a concurrent measurement gives: the merged measurement of all
-- clients, and what only concurrency has.
CREATE TYPE tasker_bench.client_measurement AS (
    measurement tasker_bench.measurement,
    clients integer,
    ops_per_s float8,                       -- sum over the clients of ops / their measured time
    client_ops bigint[],                    -- measured iterations of each client
    client_histograms tasker_bench.histogram[],
    wait_samples bigint,
    wait_events jsonb,                      -- {"interval_ms", "samples", "by_class", "by_event"}
    claims_checked bigint,                  -- NULL for a read-only case
    claims_overlapped bigint,
    client_detail jsonb                     -- per client, _client_detail of its measurement
);

-- Row types of the user-facing functions (their argument names would clash
-- with output columns of the same name in RETURNS TABLE).
CREATE TYPE tasker_bench.baseline_info AS (
    name            text,
    run_id          bigint,
    previous_run_id bigint,         -- where a moved name pointed before; NULL otherwise
    what            text,
    label           text,
    run_started_at  timestamptz,
    created_at      timestamptz,
    moved_at        timestamptz
);

CREATE TYPE tasker_bench.comparison AS (
    case_name         text,
    baseline_p50_us   float8,
    current_p50_us    float8,
    change_pct        float8,       -- of the median, from the raw histograms
    ci_low_pct        float8,
    ci_high_pct       float8,
    p_value           float8,       -- Mann-Whitney, two-sided
    verdict           text,         -- improved, regressed, unchanged, inconclusive, added, removed
    within_tolerance  boolean,      -- change_pct <= tolerance_pct
    tolerance_pct     float8,
    baseline_p95_us   float8,
    current_p95_us    float8,
    baseline_p99_us   float8,
    current_p99_us    float8,
    baseline_mean_us  float8,
    current_mean_us   float8,
    regression_signal boolean,      -- change_pct > 20
    category          text,
    tolerance_from    text,         -- call, case, suite or category
    noise_threshold_pct float8,     -- the noise floor of this case's verdict
    baseline_run_id   bigint,
    current_run_id    bigint,
    verdict_reason    text,         -- why the verdict (tasker_bench.judge)
    noise_floor_from  text,         -- call, suite, history (k runs) or default
    baseline_n        bigint,       -- samples behind each side
    current_n         bigint,
    plan_changed      boolean,      -- plan fingerprints differ (NULL: not captured)
    sql_changed       boolean,      -- the case's statement differs from the baseline's
    params_changed    boolean,      -- its params query differs
    baseline_suite    text,         -- suite of the baseline run
    notes             text          -- plan changed; SQL changed; params changed; baseline from suite x
);

CREATE TYPE tasker_bench.ab_outcome AS (
    run_id      bigint,
    a_p50_us    float8,
    b_p50_us    float8,
    ratio       float8,
    ci_low      float8,
    ci_high     float8,
    p_value     float8,
    verdict     text,
    rounds      integer,
    noise_threshold_pct float8
);

CREATE TYPE tasker_bench.queue_message AS (
    msg_id      bigint,
    read_ct     integer,
    enqueued_at timestamptz,
    vt          timestamptz,
    message     jsonb
);
