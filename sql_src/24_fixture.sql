-- ===========================================================================
-- Fixture: a deterministic, realistic tasker dataset, generated set-based
-- ===========================================================================
--
--   tasker_bench_fixture(tasks, shapes, seed, schema, state_mix, replace, fast,
--                        as_of) returns jsonb
--   tasker_bench.describe_dataset(schema) returns jsonb
--   tasker_bench.fixture_default_state_mix() returns jsonb
--   tasker_bench.fixture_shape(shape) returns the steps of one workflow shape
--
-- What tasker_bench_fixture writes, into the tasker schema named by `schema`
-- (tasker-core's tables, or the reference model's):
--
--   task_namespaces, named_tasks, named_steps, named_tasks_named_steps
--       one named task per workflow shape, its steps and their links;
--   tasks, workflow_steps, workflow_step_edges
--       `tasks` tasks, assigned to the shapes round robin (task n gets
--       shapes[(n - 1) % count + 1]; a shape listed twice gets twice the
--       tasks), with one step per shape step and one edge ('provides') per
--       shape edge;
--   task_transitions, workflow_step_transitions
--       the full history of every task and step: sort_key 1..n per owner,
--       exactly one most_recent = true row (the last), from_state = previous
--       to_state (NULL on the first row), following tasker-core's state
--       machines (see "Histories" below);
--   workflow_step_result_audit
--       one row per step transition into enqueued_for_orchestration or
--       enqueued_as_error_for_orchestration, written by the schema's audit
--       trigger, or by the fixture itself in fast mode (see `fast`).
--
-- replace => true first empties ALL of those tables (and any other table of
-- that schema that references them, e.g. tasks_dlq) with one TRUNCATE: every
-- row in them goes, not only rows an earlier fixture wrote.  replace => NULL
-- (the default) means true for a reference model made by tasker_bench_setup()
-- and refuses (55000) a schema that is not one and already holds tasks: a
-- real tasker database is emptied only when the caller says replace => true.
-- replace => false refuses (SQLSTATE 55000) when the schema already holds
-- tasks; catalog rows that already exist (same names) are reused.
--
-- Workflow shapes (steps are numbered in level order, so any prefix 1..k of
-- them is closed under "parent of"):
--
--   linear4        step_1 -> step_2 -> step_3 -> step_4            4 steps, 3 edges
--   diamond4       start -> branch_b, branch_c -> end               4 steps, 4 edges
--   complex_dag7   init -> process_left, process_right;             7 steps, 9 edges
--                  left, right -> validate; left -> transform;
--                  right -> analyze; validate, transform, analyze -> finalize
--                  (the edges named in tasker-model.md: 9, although its
--                  summary table says 8)
--   tree8          root -> branch_left, branch_right;               8 steps, 10 edges
--                  each branch -> 2 leaves (4 leaves run in parallel)
--                  -> final_convergence (tasker-core's hierarchical tree)
--   tree7          tasker-core's Tree factory: tree8 without the    7 steps, 6 edges
--                  convergence step
--   parallel_merge4  parallel_step_1..3 -> parallel_merge            4 steps, 3 edges
--   conditional5   validate_request -> routing_decision (decision   5 steps in the template
--                  point) -> auto_approve | manager_approval ->
--                  finalize_approval; the decision's completion creates one branch and the
--                  convergence (the other branch never exists)
--   batch7         analyze_input -> process_batch_001..005 ->       7 steps in the template
--                  aggregate_results; workers and aggregator created
--                  when analyze_input completes
--                  (steps created at run time: tasker_bench.fixture_shape_dynamic)
--   linear_N       step_0001 -> ... -> step_N, N in 2..1000         N steps, N-1 edges
--   fanout_N       root -> worker_0001..worker_N -> join,           N+2 steps, 2N edges
--                  N in 1..1000 (one root, N parallel steps, one join step)
--
--   shapes => NULL means linear4, diamond4, complex_dag7, tree8
--   (tasker_bench.fixture_shape_mix('default'); 'factories' is tasker-core's mix).  Named tasks are called after
--   the shape ('linear4', 'fanout_8'...), version 0.1.0, in the namespaces
--   linear_workflow (linear4, linear_N), diamond_workflow, mixed_dag_workflow
--   (complex_dag7), tree_workflow and fanout_workflow; named steps are called
--   '<shape>.<step>' (named_steps.name is unique schema wide).
--
-- Task states: each task draws its current state from state_mix, a jsonb
-- object {task state: weight >= 0}; weights are relative, the states not
-- named get weight 0 (tasker_bench.fixture_default_state_mix() is used when
-- it is NULL: complete 40, pending 12, steps_in_process 10,
-- waiting_for_dependencies 8, waiting_for_retry 6, error 6, cancelled 5,
-- enqueuing_steps 3, evaluating_results 3, blocked_by_failures 3,
-- initializing 2, resolved_manually 2).
--
-- Returns tasker_bench.describe_dataset(schema) plus a "fixture" object: the
-- arguments used (tasks, shapes, seed, state_mix, as_of), whether fast mode
-- was used, who wrote the audit rows ("fixture", "trigger" or "none"), how
-- many indexes were dropped and built again after the load, and the elapsed
-- seconds.  Progress is reported with one NOTICE per phase.
--
-- The fixture TRUNCATEs the tables, so the statement that calls it must not
-- itself read them (PostgreSQL refuses to truncate a table that an active
-- query of the same session uses): call it in a statement of its own.
--
-- Histories (task path; the steps' paths in brackets).  k = how many steps
-- are done (a prefix in level order), R = how many levels are done; one
-- "round" is enqueuing_steps -> steps_in_process -> evaluating_results.
--
--   pending                 pending                         [all steps: pending]
--   initializing            pending, initializing           [all pending]
--   enqueuing_steps         ... R rounds, enqueuing_steps   [first ready step enqueued,
--                                       the other ready ones pending]
--   steps_in_process        ... R rounds, enqueuing_steps, steps_in_process
--                                      [ready steps enqueued / in_progress /
--                                       enqueued_for_orchestration]
--   evaluating_results      ... R >= 1 rounds               [first ready step pending,
--                                       the others pending or in_progress]
--   waiting_for_dependencies ... R >= 1 rounds, waiting_for_dependencies
--                                      [half the tasks: first ready step pending
--                                       (has_ready_steps), the others in_progress;
--                                       the other half: all in_progress]
--   waiting_for_retry       ... enqueuing_steps, steps_in_process,
--                           (waiting_for_retry, enqueuing_steps, steps_in_process)
--                           x (attempts - 1), waiting_for_retry
--                                      [one step: (enqueued, in_progress,
--                                       enqueued_as_error_for_orchestration,
--                                       waiting_for_retry) x 1 or 2 attempts with
--                                       last_attempted_at and
--                                       backoff_request_seconds set: for 30 % of
--                                       the tasks the step failed 5 s..4 min ago
--                                       and its backoff (90..300 s) is not over,
--                                       for the others the backoff (1..300 s)
--                                       is over]
--   blocked_by_failures     ... the failed attempts, evaluating_results,
--                           blocked_by_failures  [one step in error: 3 attempts,
--                                       or 1 attempt and retryable = false]
--   error                   blocked_by_failures path, error
--   resolved_manually       blocked_by_failures path, resolved_manually
--                                      [the failed step error -> resolved_manually]
--   cancelled               pending, cancelled (half the tasks with k = 0), or
--                           ... R rounds, enqueuing_steps, steps_in_process,
--                           cancelled          [steps not done: pending -> cancelled]
--   complete                ... all rounds, complete      [all complete; 10 % of the
--                                       tasks had one step retried once (and a
--                                       waiting_for_retry detour in the task path)]
--   Steps in the paths above that are not reachable yet (a parent not done)
--   stay pending; "ready steps" are the steps whose parents are all done.
--
--   A step's happy path is pending, enqueued, in_progress,
--   enqueued_for_orchestration, complete; a retry goes in_progress,
--   enqueued_as_error_for_orchestration, waiting_for_retry, pending, enqueued...
--   Steps not reached yet keep their single 'pending' transition.
--   Tasks in initializing / enqueuing_steps / steps_in_process /
--   evaluating_results carry a processor_uuid (one of 4 fixed processors) on
--   those transitions: they are claimed.
--
-- Time: everything is relative to as_of (default: the current local time,
-- like now() as the tasker functions see it).  Time in the current state:
--   pending                   40 % < 1 h, 40 % 1 h..24 h, 20 % 24 h..72 h
--   waiting_for_dependencies  75 % < 60 min (candidates), 25 % 1 h..12 h
--   waiting_for_retry         30 % < 4 min (retry not due yet), then of the
--                             others 75 % < 30 min, 25 % 30 min..6 h
--   initializing .. evaluating_results  90 % < 10 min, 10 % 10 min..3 h
--   blocked_by_failures       0..24 h;  terminal states 0..7 days
-- Task transitions are 1..20 s apart (per task), step transitions are placed
-- inside the task's lifetime.  Priorities: 0 (44 %), 1..3 (36 %), 4..10 (20 %).
--
-- Determinism: the dataset (rows, states, structure, attempts, priorities,
-- offsets from as_of) is a function of (tasks, shapes, seed, state_mix) only:
-- every random choice is hashint8extended(task or step number, seed-derived
-- salt).  Ids have the UUID v7 layout (version 7, variant 10): 48 bits of
-- milliseconds -- the task's creation time, for the task and for its steps,
-- edges, transitions and audit rows alike -- then bits encoding the table,
-- task number, step number and sort_key.  So ids are unique by construction,
-- identical for identical arguments and as_of, time ordered by task, ordered
-- by sort_key within an owner, and they ascend in insertion order (the rows
-- are written in task creation order), which keeps index maintenance
-- append-only.
--
-- Speed: every table is filled by one INSERT .. SELECT over generate_series
-- and small shape tables; the ids are computed in C (src/fixture_ids.c).
-- fast => true (the default) additionally sets session_replication_role =
-- replica for the duration of the load when the caller may (superuser, or
-- GRANT SET ON PARAMETER session_replication_role): per-row triggers (foreign
-- key checks, the audit trigger) do not fire, which is what makes a million
-- tasks fit in minutes.  The data satisfies every foreign key by
-- construction, and the fixture then writes the audit rows itself,
-- set-based, if the schema has an enabled trigger on
-- workflow_step_transitions (which would have written them).  Otherwise, or
-- with fast => false, the triggers run row by row.  In fast mode, when the
-- caller owns the tables, the indexes of the six data tables are dropped
-- before the load and built again after it (see "clear" below for which ones
-- and how); the tables stay locked (ACCESS EXCLUSIVE) until the caller's
-- transaction ends, as they do after the TRUNCATE of replace.  JIT is off
-- inside the function (the load queries run once each).  The tables are
-- ANALYZEd at the end.

-- ---------------------------------------------------------------------------
-- Lifecycle helpers
-- ---------------------------------------------------------------------------

-- The fixture's namespace of a workflow shape (see tasker_bench_fixture).
CREATE FUNCTION tasker_bench._lc_namespace(shape text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE
               WHEN shape = 'linear4' OR shape LIKE 'linear\_%' THEN 'linear_workflow'
               WHEN shape = 'diamond4' THEN 'diamond_workflow'
               WHEN shape = 'complex_dag7' THEN 'mixed_dag_workflow'
               WHEN shape IN ('tree8', 'tree7') THEN 'tree_workflow'
               WHEN shape = 'parallel_merge4' THEN 'parallel_workflow'
               WHEN shape = 'conditional5' THEN 'conditional_workflow'
               WHEN shape = 'batch7' THEN 'batch_workflow'
               ELSE 'fanout_workflow'
           END
$fn$;

-- ---------------------------------------------------------------------------
-- Internal helpers (inlinable SQL)
-- ---------------------------------------------------------------------------

-- Uniform number in [0, 1) from a 64-bit hash of x under the given salt.
CREATE FUNCTION tasker_bench._fx_u(x bigint, salt bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT (hashint8extended(x, salt) & 9007199254740991)::double precision / 9007199254740992.0
$fx$;

-- UUID v7 layout: 48-bit ms | version 7 | 12 zero bits | variant 10 | 62 bits,
-- the 62 bits being tag(3) | a(24) | b(11) | c(12) | 12 bits of scatter (see
-- src/fixture_ids.c): ids sort by (ms, tag, a, b, c).
CREATE FUNCTION tasker_bench._fx_uuid(ms bigint, tag integer, a bigint, b integer, c integer) RETURNS uuid
    AS 'MODULE_PATHNAME', 'tb_fixture_uuid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- One progress NOTICE of tasker_bench_fixture: what was done, and the
-- seconds since it started.
CREATE FUNCTION tasker_bench._fx_progress(what text, since timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
BEGIN
    RAISE NOTICE 'tasker_bench_fixture: % (% s)', what,
        round(extract(epoch FROM clock_timestamp() - since)::numeric, 1);
END
$fx$;

-- Whether a step exists in task i with k steps done: steps created at
-- initialization (aft = 0) always; a step created by the completion of
-- step aft once k >= aft, and of a branch group of gcnt steps only the one
-- at position gpos = 1 + i % gcnt (the branch the decision chose).
CREATE FUNCTION tasker_bench._fx_exists(i integer, k integer, aft integer, gpos integer, gcnt integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT aft = 0 OR (k >= aft AND (gcnt = 0 OR gpos = 1 + i % gcnt))
$fx$;

-- Task state of one character of a task path.
CREATE FUNCTION tasker_bench._fx_tstate(c text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT ('{pending,initializing,enqueuing_steps,steps_in_process,evaluating_results,waiting_for_dependencies,waiting_for_retry,blocked_by_failures,complete,error,cancelled,resolved_manually}'::text[])
           [strpos('piesvdwbcxnr', c)]
$fx$;

-- Step state of one character of a step path.
CREATE FUNCTION tasker_bench._fx_sstate(c text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT ('{pending,enqueued,in_progress,enqueued_for_orchestration,enqueued_as_error_for_orchestration,waiting_for_retry,complete,error,cancelled,resolved_manually}'::text[])
           [strpos('peioawcxnr', c)]
$fx$;

-- The path (one character per transition, see _fx_sstate) of step idx of a
-- task in state st with k steps done; mp = the step's highest parent number,
-- fa = attempts of the failing step, ready = waiting_for_dependencies variant
-- with a ready step, retr = the step retried once in a complete task, hx =
-- the step's own uniform number.
CREATE FUNCTION tasker_bench._fx_step_path(st text, idx integer, k integer, mp integer, fa integer,
                                           ready boolean, retr integer, hx double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT CASE
        WHEN idx <= k THEN CASE WHEN idx = retr THEN 'peiawpeioc' ELSE 'peioc' END
        WHEN st IN ('pending', 'initializing') THEN 'p'
        WHEN st = 'cancelled' THEN 'pn'
        WHEN mp > k THEN 'p'                                   -- not reachable yet
        WHEN st = 'enqueuing_steps' THEN CASE WHEN idx = k + 1 THEN 'pe' ELSE 'p' END
        WHEN st = 'steps_in_process' THEN CASE WHEN hx < 0.3 THEN 'pe' WHEN hx < 0.8 THEN 'pei' ELSE 'peio' END
        WHEN st = 'evaluating_results' THEN CASE WHEN idx = k + 1 OR hx < 0.5 THEN 'p' ELSE 'pei' END
        WHEN st = 'waiting_for_dependencies' THEN CASE WHEN ready AND idx = k + 1 THEN 'p' ELSE 'pei' END
        WHEN st = 'waiting_for_retry' THEN
            CASE WHEN idx <> k + 1 THEN 'pei' WHEN fa = 1 THEN 'peiaw' ELSE 'peiawpeiaw' END
        WHEN st IN ('blocked_by_failures', 'error') THEN
            CASE WHEN idx <> k + 1 THEN 'p' WHEN fa = 1 THEN 'peiax' ELSE 'peiawpeiawpeiax' END
        WHEN st = 'resolved_manually' THEN
            CASE WHEN idx <> k + 1 THEN 'p' WHEN fa = 1 THEN 'peiaxr' ELSE 'peiawpeiawpeiaxr' END
        ELSE 'p'
    END
$fx$;

-- ---------------------------------------------------------------------------
-- Shapes
-- ---------------------------------------------------------------------------

-- The steps of one workflow shape in level order: number, name, level (longest
-- distance from a root) and parent numbers.  No rows for an unknown shape.
CREATE FUNCTION tasker_bench.fixture_shape(shape text)
RETURNS TABLE (idx integer, step_name text, lvl integer, parents integer[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT v.idx, v.step_name, v.lvl, v.parents
      FROM (VALUES
            ('linear4', 1, 'step_1', 0, '{}'::integer[]),
            ('linear4', 2, 'step_2', 1, '{1}'),
            ('linear4', 3, 'step_3', 2, '{2}'),
            ('linear4', 4, 'step_4', 3, '{3}'),
            ('diamond4', 1, 'start', 0, '{}'),
            ('diamond4', 2, 'branch_b', 1, '{1}'),
            ('diamond4', 3, 'branch_c', 1, '{1}'),
            ('diamond4', 4, 'end', 2, '{2,3}'),
            ('complex_dag7', 1, 'init', 0, '{}'),
            ('complex_dag7', 2, 'process_left', 1, '{1}'),
            ('complex_dag7', 3, 'process_right', 1, '{1}'),
            ('complex_dag7', 4, 'validate', 2, '{2,3}'),
            ('complex_dag7', 5, 'transform', 2, '{2}'),
            ('complex_dag7', 6, 'analyze', 2, '{3}'),
            ('complex_dag7', 7, 'finalize', 3, '{4,5,6}'),
            ('tree8', 1, 'root', 0, '{}'),
            ('tree8', 2, 'branch_left', 1, '{1}'),
            ('tree8', 3, 'branch_right', 1, '{1}'),
            ('tree8', 4, 'leaf_left_1', 2, '{2}'),
            ('tree8', 5, 'leaf_left_2', 2, '{2}'),
            ('tree8', 6, 'leaf_right_1', 2, '{3}'),
            ('tree8', 7, 'leaf_right_2', 2, '{3}'),
            ('tree8', 8, 'final_convergence', 3, '{4,5,6,7}'),
            ('tree7', 1, 'root', 0, '{}'),
            ('tree7', 2, 'branch_left', 1, '{1}'),
            ('tree7', 3, 'branch_right', 1, '{1}'),
            ('tree7', 4, 'leaf_d', 2, '{2}'),
            ('tree7', 5, 'leaf_e', 2, '{2}'),
            ('tree7', 6, 'leaf_f', 2, '{3}'),
            ('tree7', 7, 'leaf_g', 2, '{3}'),
            ('parallel_merge4', 1, 'parallel_step_1', 0, '{}'),
            ('parallel_merge4', 2, 'parallel_step_2', 0, '{}'),
            ('parallel_merge4', 3, 'parallel_step_3', 0, '{}'),
            ('parallel_merge4', 4, 'parallel_merge', 1, '{1,2,3}'),
            ('conditional5', 1, 'validate_request', 0, '{}'),
            ('conditional5', 2, 'routing_decision', 1, '{1}'),
            ('conditional5', 3, 'auto_approve', 2, '{2}'),
            ('conditional5', 4, 'manager_approval', 2, '{2}'),
            ('conditional5', 5, 'finalize_approval', 3, '{3,4}'),
            ('batch7', 1, 'analyze_input', 0, '{}'),
            ('batch7', 2, 'process_batch_001', 1, '{1}'),
            ('batch7', 3, 'process_batch_002', 1, '{1}'),
            ('batch7', 4, 'process_batch_003', 1, '{1}'),
            ('batch7', 5, 'process_batch_004', 1, '{1}'),
            ('batch7', 6, 'process_batch_005', 1, '{1}'),
            ('batch7', 7, 'aggregate_results', 2, '{2,3,4,5,6}')
           ) v(shape, idx, step_name, lvl, parents)
     WHERE v.shape = $1
    UNION ALL
    SELECT j, 'step_' || lpad(j::text, 4, '0'), j - 1,
           CASE WHEN j = 1 THEN '{}'::integer[] ELSE ARRAY[j - 1] END
      FROM (SELECT substring($1 FROM '^linear_([1-9][0-9]{0,3})$')::integer AS n) p
     CROSS JOIN generate_series(1, p.n) j
     WHERE p.n BETWEEN 2 AND 1000
    UNION ALL
    SELECT j,
           CASE WHEN j = 1 THEN 'root' WHEN j = p.n + 2 THEN 'join'
                ELSE 'worker_' || lpad((j - 1)::text, 4, '0') END,
           CASE WHEN j = 1 THEN 0 WHEN j = p.n + 2 THEN 2 ELSE 1 END,
           CASE WHEN j = 1 THEN '{}'::integer[]
                WHEN j = p.n + 2 THEN ARRAY(SELECT generate_series(2, p.n + 1))
                ELSE '{1}' END
      FROM (SELECT substring($1 FROM '^fanout_([1-9][0-9]{0,3})$')::integer AS n) p
     CROSS JOIN generate_series(1, p.n + 2) j
     WHERE p.n BETWEEN 1 AND 1000
    ORDER BY 1
$fx$;

COMMENT ON FUNCTION tasker_bench.fixture_shape(text) IS
    'tasker_bench: steps (number, name, level, parent numbers) of a fixture workflow shape: linear4, diamond4, complex_dag7, tree8, tree7, parallel_merge4, conditional5, batch7, linear_N (N 2..1000), fanout_N (N 1..1000)';

-- Steps of a shape that tasker-core creates while the task runs rather than
-- at initialization: `created_after` is the step whose completion creates it
-- (a decision point, a batchable step), and of the steps sharing a
-- `branch_group` > 0 only one exists per task (the branch the decision
-- chose; the others are never created: skipped).  A convergence step
-- created with the branch (deferred convergence) depends only on the
-- branch that exists.  Steps not listed exist from the start.
CREATE FUNCTION tasker_bench.fixture_shape_dynamic(shape text)
RETURNS TABLE (idx integer, created_after integer, branch_group integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT v.idx, v.created_after, v.branch_group
      FROM (VALUES
            ('conditional5', 3, 2, 1),
            ('conditional5', 4, 2, 1),
            ('conditional5', 5, 2, 0),
            ('batch7', 2, 1, 0), ('batch7', 3, 1, 0), ('batch7', 4, 1, 0),
            ('batch7', 5, 1, 0), ('batch7', 6, 1, 0), ('batch7', 7, 1, 0)
           ) v(shape, idx, created_after, branch_group)
     WHERE v.shape = $1
$fx$;

COMMENT ON FUNCTION tasker_bench.fixture_shape_dynamic(text) IS
    'tasker_bench: steps of a fixture shape created at run time (by the completion of step created_after), one per branch_group > 0';

-- Shape lists for tasker_bench_fixture(shapes => ...): a shape listed k times
-- gets k shares of the tasks.
--   factories  tasker-core's test factories' mix: Linear 30 %, Diamond 25 %,
--              ParallelMerge 20 %, Tree 15 %, MixedDAG 10 % (linear4,
--              diamond4, parallel_merge4, tree7, complex_dag7)
--   e2e        the shapes of tasker-core's end-to-end workflows, one share
--              each: linear4, diamond4, tree8, complex_dag7, conditional5, batch7
--   default    the four of the seed plan (what shapes => NULL means)
CREATE FUNCTION tasker_bench.fixture_shape_mix(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT CASE name
        WHEN 'factories' THEN array_fill('linear4'::text, ARRAY[6]) || array_fill('diamond4'::text, ARRAY[5])
                              || array_fill('parallel_merge4'::text, ARRAY[4]) || array_fill('tree7'::text, ARRAY[3])
                              || array_fill('complex_dag7'::text, ARRAY[2])
        WHEN 'e2e' THEN '{linear4,diamond4,tree8,complex_dag7,conditional5,batch7}'::text[]
        WHEN 'default' THEN '{linear4,diamond4,complex_dag7,tree8}'::text[]
    END
$fx$;

COMMENT ON FUNCTION tasker_bench.fixture_shape_mix(text) IS
    'tasker_bench: shape lists for tasker_bench_fixture: factories (tasker-core''s factory mix 30/25/20/15/10), e2e, default; NULL for an unknown name';

CREATE FUNCTION tasker_bench.fixture_default_state_mix() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT '{"pending": 12, "initializing": 2, "enqueuing_steps": 3, "steps_in_process": 10,
             "evaluating_results": 3, "waiting_for_dependencies": 8, "waiting_for_retry": 6,
             "blocked_by_failures": 3, "complete": 40, "error": 6, "cancelled": 5,
             "resolved_manually": 2}'::jsonb
$fx$;

COMMENT ON FUNCTION tasker_bench.fixture_default_state_mix() IS
    'tasker_bench: the task state weights tasker_bench_fixture uses when state_mix is NULL';

-- State mixes named for what they stand for (pass as state_mix):
--   after_tests   like what tasker-core's test suite leaves behind, the
--                 conditions of its published get_next_ready_tasks figures:
--                 nearly every task finished, very few discovery candidates
--   steady_state  a system keeping up: mostly complete, a few tasks in flight
--   backlog       tasker_bench.fixture_default_state_mix(): a queue of
--                 unfinished work (60 % not complete)
CREATE FUNCTION tasker_bench.fixture_state_preset(name text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT CASE name
        WHEN 'after_tests' THEN '{"complete": 95, "error": 2, "cancelled": 1.5, "pending": 0.5,
                                  "steps_in_process": 0.5, "waiting_for_dependencies": 0.25,
                                  "waiting_for_retry": 0.25}'::jsonb
        WHEN 'steady_state' THEN '{"complete": 85, "pending": 3, "initializing": 0.5, "enqueuing_steps": 1,
                                   "steps_in_process": 4, "evaluating_results": 1,
                                   "waiting_for_dependencies": 1.5, "waiting_for_retry": 1,
                                   "blocked_by_failures": 0.5, "error": 1.5, "cancelled": 1}'::jsonb
        WHEN 'backlog' THEN tasker_bench.fixture_default_state_mix()
    END
$fx$;

COMMENT ON FUNCTION tasker_bench.fixture_state_preset(text) IS
    'tasker_bench: state mixes for tasker_bench_fixture: after_tests (like tasker-core''s test leftovers), steady_state, backlog (the default); NULL for an unknown name';

-- ---------------------------------------------------------------------------
-- describe_dataset
-- ---------------------------------------------------------------------------

-- Rows of a transition table, and its current transitions per state.
CREATE FUNCTION tasker_bench._fx_transition_counts(p_schema text, p_table text,
                                                   OUT total bigint, OUT current_states jsonb)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    EXECUTE format($q$
        SELECT coalesce(sum(n_all), 0), coalesce(jsonb_object_agg(to_state, n_cur) FILTER (WHERE n_cur > 0), '{}')
          FROM (SELECT to_state, count(*) AS n_all, count(*) FILTER (WHERE most_recent) AS n_cur
                  FROM %I.%I GROUP BY to_state) x$q$, p_schema, p_table)
       INTO total, current_states;
END
$$;

CREATE FUNCTION tasker_bench.describe_dataset(schema text DEFAULT 'tasker')
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER
AS $fx$
DECLARE
    v_schema  text := describe_dataset.schema;
    v_table   text;
    v_missing text[] := '{}';
    v_counts  jsonb := '{}';
    v_n       bigint;
    v_tstates jsonb;
    v_sstates jsonb;
    v_shapes  jsonb;
BEGIN
    IF v_schema IS NULL THEN
        RAISE EXCEPTION 'schema must not be NULL'
            USING ERRCODE = '22023', HINT = 'Pass the name of the tasker schema, e.g. ''tasker''.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = v_schema) THEN
        RAISE EXCEPTION 'schema "%" does not exist', v_schema
            USING ERRCODE = '3F000',
                  HINT = format('run tasker_bench_setup(%L) first, or name the schema holding the tasker tables', v_schema);
    END IF;
    FOREACH v_table IN ARRAY ARRAY['task_namespaces', 'named_tasks', 'named_steps',
                                   'named_tasks_named_steps', 'tasks', 'workflow_steps',
                                   'workflow_step_edges', 'task_transitions', 'workflow_step_transitions']
    LOOP
        IF to_regclass(format('%I.%I', v_schema, v_table)) IS NULL THEN
            v_missing := v_missing || v_table;
        END IF;
    END LOOP;
    IF cardinality(v_missing) > 0 THEN
        RAISE EXCEPTION 'schema "%" has no tasker table %', v_schema, array_to_string(v_missing, ', ')
            USING ERRCODE = '42P01',
                  HINT = format('run tasker_bench_setup(%L) first, or name the schema holding the tasker tables', v_schema);
    END IF;

    -- plain counts
    FOREACH v_table IN ARRAY ARRAY['task_namespaces', 'named_tasks', 'named_steps', 'named_tasks_named_steps',
                                   'workflow_steps', 'workflow_step_edges', 'workflow_step_result_audit']
    LOOP
        CONTINUE WHEN to_regclass(format('%I.%I', v_schema, v_table)) IS NULL;   -- the audit table is optional
        EXECUTE format('SELECT count(*) FROM %I.%I', v_schema, v_table) INTO v_n;
        v_counts := v_counts || jsonb_build_object(v_table, v_n);
    END LOOP;

    -- tasks per named task (one pass over tasks)
    EXECUTE format($q$
        SELECT coalesce(sum(n), 0), coalesce(jsonb_object_agg(name, n), '{}')
          FROM (SELECT nt.name, sum(c.n)::bigint AS n
                  FROM (SELECT named_task_uuid, count(*) AS n FROM %1$I.tasks GROUP BY named_task_uuid) c
                  LEFT JOIN %1$I.named_tasks nt ON nt.named_task_uuid = c.named_task_uuid
                 GROUP BY nt.name) x$q$, v_schema)
       INTO v_n, v_shapes;
    v_counts := v_counts || jsonb_build_object('tasks', v_n);

    -- all transitions and the current ones per state (one pass per table)
    SELECT * INTO v_n, v_tstates FROM tasker_bench._fx_transition_counts(v_schema, 'task_transitions');
    v_counts := v_counts || jsonb_build_object('task_transitions', v_n);
    SELECT * INTO v_n, v_sstates FROM tasker_bench._fx_transition_counts(v_schema, 'workflow_step_transitions');
    v_counts := v_counts || jsonb_build_object('workflow_step_transitions', v_n);

    RETURN jsonb_build_object('schema', v_schema,
                              'row_counts', v_counts,
                              'task_states', v_tstates,
                              'step_states', v_sstates,
                              'shapes', v_shapes);
END;
$fx$;

COMMENT ON FUNCTION tasker_bench.describe_dataset(text) IS
    'tasker_bench: row counts per tasker table, current task and step state counts, tasks per named task';

-- ---------------------------------------------------------------------------
-- tasker_bench_fixture, phase by phase
-- ---------------------------------------------------------------------------
--
-- tasker_bench_fixture (the driver, last below) calls these in order, each
-- once per call (_fx_load once per table).  The phases that write to the tasker schema run with
-- the driver's search_path (the tasker schema first, so that its triggers
-- find their tables): like the other _fx_* helpers they keep the caller's
-- search_path (99_privileges.sql), name every object of tasker_bench
-- qualified and the temporary tables as pg_temp.tb_fx_*, and reach the
-- tasker schema only by format('%I') of the schema name.  The temporary
-- tables (ON COMMIT DROP) carry the plan from phase to phase:
--   tb_fx_shapes   one row per entry of shapes (its named task, sizes, levels)
--   tb_fx_steps    one row per step of each shape (its named step, parents,
--                  when it is created)
--   tb_fx_edges    one row per edge of each shape
--   tb_fx_t        one row per task: state, progress, path, time line, id
--   tb_fx_s        one row per step: path, timing, ids
--   tb_fx_tpath, tb_fx_spath  one row per transition of each distinct path
-- Progress NOTICEs ("tasker_bench_fixture: ...", read by tools/bench.sh) are
-- raised by the driver, except those of the index builds (_fx_build_indexes).

-- The nine tasker tables the fixture needs and writes (the audit table,
-- optional, comes on top).
CREATE FUNCTION tasker_bench._fx_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fx$
    SELECT '{task_namespaces,named_tasks,named_steps,named_tasks_named_steps,tasks,workflow_steps,workflow_step_edges,task_transitions,workflow_step_transitions}'::text[]
$fx$;

-- Checks tasks, seed and shapes (22023 with a hint on bad input).  Reads the
-- shape definitions only; writes nothing.
CREATE FUNCTION tasker_bench._fx_check_args(p_tasks integer, p_shapes text[], p_seed integer) RETURNS void
LANGUAGE plpgsql STABLE AS $fx$
DECLARE
    c_valid  constant text := 'linear4, diamond4, complex_dag7, tree8, tree7, parallel_merge4, conditional5, batch7, linear_N (N = 2..1000), fanout_N (N = 1..1000); or tasker_bench.fixture_shape_mix(''factories'')';
    v_shape   text;
BEGIN
    IF p_tasks IS NULL OR p_tasks <= 0 OR p_tasks > 10000000 THEN
        RAISE EXCEPTION 'tasks must be between 1 and 10000000, got %', coalesce(p_tasks::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'e.g. SELECT tasker_bench_fixture(1000);';
    END IF;
    IF p_seed IS NULL THEN
        RAISE EXCEPTION 'seed must not be NULL'
            USING ERRCODE = '22023', HINT = 'Any integer; the same seed gives the same dataset (default 1).';
    END IF;
    IF cardinality(p_shapes) = 0 THEN
        RAISE EXCEPTION 'shapes must not be empty'
            USING ERRCODE = '22023', HINT = 'Valid shapes: ' || c_valid || '; NULL means the four named ones.';
    END IF;
    FOREACH v_shape IN ARRAY p_shapes LOOP
        IF v_shape IS NULL OR NOT EXISTS (SELECT 1 FROM tasker_bench.fixture_shape(v_shape)) THEN
            RAISE EXCEPTION 'unknown workflow shape "%"', coalesce(v_shape, 'NULL')
                USING ERRCODE = '22023', HINT = 'Valid shapes: ' || c_valid || '.';
        END IF;
    END LOOP;
END
$fx$;

-- Checks state_mix (a jsonb object {task state: weight >= 0}, not all 0;
-- 22023 otherwise) and plans the draw of the task states: `states` are the
-- states of weight > 0 in state machine order, `bounds` the lower end of
-- each one's share of [0, 1) (for width_bucket).  Writes nothing.
CREATE FUNCTION tasker_bench._fx_state_mix(p_mix jsonb, OUT states text[], OUT bounds double precision[])
LANGUAGE plpgsql IMMUTABLE AS $fx$
DECLARE
    c_states constant text[] := '{pending,initializing,enqueuing_steps,steps_in_process,evaluating_results,waiting_for_dependencies,waiting_for_retry,blocked_by_failures,complete,error,cancelled,resolved_manually}';
    v_total   numeric := 0;
    v_w       numeric;
    v_key     text;
    v_n       integer;
BEGIN
    states := '{}';
    bounds := '{}';
    IF jsonb_typeof(p_mix) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'state_mix must be a jsonb object {task state: weight}'
            USING ERRCODE = '22023', HINT = 'e.g. ''{"pending": 1, "complete": 3}''; NULL means tasker_bench.fixture_default_state_mix().';
    END IF;
    FOR v_key IN SELECT jsonb_object_keys(p_mix) LOOP
        IF NOT v_key = ANY (c_states) THEN
            RAISE EXCEPTION 'state_mix: "%" is not a task state', v_key
                USING ERRCODE = '22023', HINT = 'Task states: ' || array_to_string(c_states, ', ') || '.';
        END IF;
        IF jsonb_typeof(p_mix -> v_key) <> 'number' OR (p_mix ->> v_key)::numeric < 0 THEN
            RAISE EXCEPTION 'state_mix: the weight of "%" must be a number >= 0, got %', v_key, p_mix -> v_key
                USING ERRCODE = '22023';
        END IF;
    END LOOP;
    FOREACH v_key IN ARRAY c_states LOOP
        v_w := coalesce((p_mix ->> v_key)::numeric, 0);
        IF v_w > 0 THEN
            states := states || v_key;
            bounds := bounds || (v_total)::double precision;
            v_total := v_total + v_w;
        END IF;
    END LOOP;
    IF v_total <= 0 THEN
        RAISE EXCEPTION 'state_mix: the weights must not all be 0' USING ERRCODE = '22023';
    END IF;
    FOR v_n IN 1 .. cardinality(bounds) LOOP
        bounds[v_n] := bounds[v_n] / v_total::double precision;
    END LOOP;
END
$fx$;

-- Checks the target schema: it exists (3F000) and holds the nine tasker
-- tables (42P01); decides whether to empty it (`do_replace`: replace, or
-- for NULL whether it is an intact reference model of the caller's), and
-- refuses (55000) to load into tasks it may not replace.  Reads
-- tasker_bench.models and <schema>.tasks; writes nothing.  `has_audit`:
-- whether the schema has the (optional) workflow_step_result_audit table.
CREATE FUNCTION tasker_bench._fx_check_schema(p_schema text, p_replace boolean,
                                              OUT do_replace boolean, OUT has_audit boolean)
LANGUAGE plpgsql STABLE AS $fx$
DECLARE
    c_tables constant text[] := tasker_bench._fx_tables();
    c_hint   constant text := 'run tasker_bench_setup(%L) first, or name the schema holding the tasker tables';
    v_table   text;
    v_missing text[] := '{}';
    v_exists  boolean;
BEGIN
    do_replace := p_replace;
    IF p_schema IS NULL THEN
        RAISE EXCEPTION 'schema must not be NULL' USING ERRCODE = '22023', HINT = format(c_hint, 'tasker');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = p_schema) THEN
        RAISE EXCEPTION 'schema "%" does not exist', p_schema
            USING ERRCODE = '3F000', HINT = format(c_hint, p_schema);
    END IF;
    FOREACH v_table IN ARRAY c_tables LOOP
        IF to_regclass(format('%I.%I', p_schema, v_table)) IS NULL THEN
            v_missing := v_missing || v_table;
        END IF;
    END LOOP;
    IF cardinality(v_missing) > 0 THEN
        RAISE EXCEPTION 'schema "%" has no tasker table %', p_schema, array_to_string(v_missing, ', ')
            USING ERRCODE = '42P01', HINT = format(c_hint, p_schema);
    END IF;
    has_audit := to_regclass(format('%I.%I', p_schema, 'workflow_step_result_audit')) IS NOT NULL;

    -- replace NULL (the default): replace a reference model's data, but never
    -- empty a schema tasker_bench_setup() did not make (a real tasker
    -- database) unless the caller says replace => true.
    IF do_replace IS NULL THEN
        do_replace := EXISTS (SELECT 1 FROM tasker_bench.models m
                              WHERE m.schema_name = p_schema AND m.created_by = current_user
                                AND tasker_bench._model_intact(m));
        IF NOT do_replace THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.tasks)', p_schema) INTO STRICT v_exists;
            IF v_exists THEN
                RAISE EXCEPTION 'schema "%" holds tasks and is not a reference model made by tasker_bench_setup()', p_schema
                    USING ERRCODE = '55000',
                          HINT = 'Pass replace => true to delete every row of its tasker tables first (all of them, not only fixture rows), or use an empty schema.';
            END IF;
        END IF;
    ELSIF NOT do_replace THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.tasks)', p_schema) INTO STRICT v_exists;
        IF v_exists THEN
            RAISE EXCEPTION 'schema "%" already holds tasks', p_schema
                USING ERRCODE = '55000',
                      HINT = 'Call tasker_bench_fixture(..., replace => true) to delete all rows of the tasker tables first.';
        END IF;
    END IF;
END
$fx$;

-- How the load runs: `fast_mode` (fast, and the caller may set
-- session_replication_role) and who writes the audit rows, `audit_by`:
-- 'trigger' (an enabled trigger on workflow_step_transitions fires), 'fixture'
-- (the trigger would not fire in fast mode: _fx_load_audit writes them) or
-- 'none'.  Reads the catalog only.
CREATE FUNCTION tasker_bench._fx_load_mode(p_schema text, p_fast boolean, p_has_audit boolean,
                                           OUT fast_mode boolean, OUT audit_by text)
LANGUAGE plpgsql STABLE AS $fx$
BEGIN
    fast_mode := false;
    audit_by := 'none';
    IF coalesce(p_fast, true)
       AND has_parameter_privilege('session_replication_role', 'SET') THEN
        fast_mode := true;
    END IF;
    IF p_has_audit THEN
        IF EXISTS (SELECT 1 FROM pg_trigger tg
                    WHERE tg.tgrelid = to_regclass(format('%I.%I', p_schema, 'workflow_step_transitions'))
                      AND NOT tg.tgisinternal AND tg.tgenabled = 'A') THEN
            audit_by := 'trigger';           -- fires in every mode
        ELSIF EXISTS (SELECT 1 FROM pg_trigger tg
                       WHERE tg.tgrelid = to_regclass(format('%I.%I', p_schema, 'workflow_step_transitions'))
                         AND NOT tg.tgisinternal AND tg.tgenabled = 'O') THEN
            audit_by := CASE WHEN fast_mode THEN 'fixture' ELSE 'trigger' END;
        END IF;
    END IF;
END
$fx$;

-- Empties the nine tasker tables, the audit table if there is one, and every
-- other table of the schema that references them (tasks_dlq...) with one
-- TRUNCATE; returns the names of the tables emptied.
CREATE FUNCTION tasker_bench._fx_clear(p_schema text, p_has_audit boolean) RETURNS text[]
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    c_tables constant text[] := tasker_bench._fx_tables();
    v_trunc   text[];
    v_more    text[];
BEGIN
    v_trunc := c_tables;
    IF p_has_audit THEN
        v_trunc := v_trunc || 'workflow_step_result_audit'::text;
    END IF;
    -- plus every table of the schema that references one of them (tasks_dlq...)
    LOOP
        SELECT array_agg(DISTINCT c.relname::text) INTO v_more
          FROM pg_constraint k
          JOIN pg_class c ON c.oid = k.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_class r ON r.oid = k.confrelid
         WHERE k.contype = 'f' AND n.nspname = p_schema
           AND r.relnamespace = n.oid AND r.relname = ANY (v_trunc)
           AND NOT c.relname = ANY (v_trunc);
        EXIT WHEN v_more IS NULL;
        v_trunc := v_trunc || v_more;
    END LOOP;
    EXECUTE 'TRUNCATE ' || (SELECT string_agg(format('%I.%I', p_schema, t), ', ') FROM unnest(v_trunc) t);
    RETURN v_trunc;
END
$fx$;

-- Fast mode, before the load: drops the indexes the load would otherwise
-- maintain row by row and returns the statements that build them again
-- (index_defs, in load order, with the table of each: index_tables), for
-- _fx_build_indexes.  Only when the caller owns the nine tasker tables
-- (else it drops nothing and returns empty arrays).  Into empty tables
-- (emptied by _fx_clear, or no tasks, so no rows that reference tasks),
-- building the indexes once after the load (sorted, in bulk) is several
-- times cheaper than maintaining them row by row.  Should a table without
-- foreign keys hold rows anyway, the rebuilt indexes include them and a
-- unique constraint added back checks them.  Dropped and rebuilt: every
-- index of the six data tables (tasks .. workflow_step_result_audit) except
-- those a foreign key (tasks_pkey, workflow_steps_pkey...) or another object
-- depends on, those in a tablespace of their own, and the replica identity
-- and CLUSTER indexes; a primary key or unique constraint is dropped and
-- added back as a constraint (same name and definition, checked again when
-- it is added); comments are restored.
CREATE FUNCTION tasker_bench._fx_drop_indexes(p_schema text, OUT index_defs text[], OUT index_tables text[])
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    c_tables constant text[] := tasker_bench._fx_tables();
    v_index_drops text[] := '{}';
    v_table   text;
BEGIN
    index_defs := '{}';
    index_tables := '{}';
    IF NOT EXISTS (
           SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = p_schema AND c.relname = ANY (c_tables)
              AND NOT pg_has_role(c.relowner, 'USAGE')) THEN
        -- (grouped by table, in load order: one table's heap is scanned
        -- for all its indexes in a row, and progress is shown per table)
        SELECT coalesce(array_agg(x.drop_sql ORDER BY x.tord, x.ord), '{}'),
               coalesce(array_agg(x.create_sql ORDER BY x.tord, x.ord), '{}'),
               coalesce(array_agg(x.tbl ORDER BY x.tord, x.ord), '{}')
          INTO v_index_drops, index_defs, index_tables
          FROM (SELECT i.indexrelid AS ord, c.relname::text AS tbl,
                       array_position(c_tables || '{workflow_step_result_audit}'::text[], c.relname::text) AS tord,
                       CASE WHEN k.oid IS NULL THEN format('DROP INDEX %I.%I', p_schema, ic.relname)
                            ELSE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', p_schema, c.relname, k.conname)
                       END AS drop_sql,
                       CASE WHEN k.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                            ELSE format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', p_schema, c.relname,
                                        k.conname, pg_get_constraintdef(k.oid))
                       END
                       || CASE WHEN k.oid IS NULL AND obj_description(i.indexrelid, 'pg_class') IS NOT NULL
                               THEN format('; COMMENT ON INDEX %I.%I IS %L', p_schema, ic.relname,
                                           obj_description(i.indexrelid, 'pg_class'))
                               WHEN k.oid IS NOT NULL AND obj_description(k.oid, 'pg_constraint') IS NOT NULL
                               THEN format('; COMMENT ON CONSTRAINT %I ON %I.%I IS %L', k.conname, p_schema,
                                           c.relname, obj_description(k.oid, 'pg_constraint'))
                               ELSE '' END AS create_sql
                  FROM pg_index i
                  JOIN pg_class ic ON ic.oid = i.indexrelid
                  JOIN pg_class c ON c.oid = i.indrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = c.oid
                                           AND k.contype IN ('p', 'u', 'x')
                 WHERE n.nspname = p_schema
                   AND c.relname = ANY ('{tasks,workflow_steps,workflow_step_edges,task_transitions,workflow_step_transitions,workflow_step_result_audit}')
                   AND c.relkind = 'r' AND ic.reltablespace = 0
                   AND NOT i.indisreplident AND NOT i.indisclustered
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                                    WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
                   -- nothing else depends on the index or its constraint
                   -- (a view grouping by the primary key, say)
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                    WHERE (d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indexrelid)
                                       OR (d.refclassid = 'pg_constraint'::regclass AND d.refobjid = k.oid
                                           AND NOT (d.classid = 'pg_class'::regclass
                                                    AND d.objid = i.indexrelid)))
                   AND (k.oid IS NOT NULL
                        OR NOT EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conindid = i.indexrelid))) x;
        FOREACH v_table IN ARRAY v_index_drops LOOP
            EXECUTE v_table;
        END LOOP;
    END IF;
END
$fx$;

-- Plans the shapes and writes the catalog: creates pg_temp.tb_fx_shapes and
-- tb_fx_steps from fixture_shape and fixture_shape_dynamic, and writes the
-- task_namespaces, named_tasks, named_steps and named_tasks_named_steps rows
-- the shapes need (existing ones, same names, are kept: ON CONFLICT DO
-- NOTHING), stamped p_cat_ms (ms since the epoch); the named task and named
-- step ids go back into the two temporary tables.  Returns the ids of the 4
-- processors that claim tasks (stamped like the catalog).
CREATE FUNCTION tasker_bench._fx_catalog(p_schema text, p_shapes text[], p_cat_ms bigint) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    v_epoch   constant timestamp := '1970-01-01 00:00:00';
    v_procs   uuid[];
BEGIN
    IF to_regclass('pg_temp.tb_fx_shapes') IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp.tb_fx_spath, pg_temp.tb_fx_tpath, pg_temp.tb_fx_s, pg_temp.tb_fx_t,
                             pg_temp.tb_fx_edges, pg_temp.tb_fx_steps, pg_temp.tb_fx_shapes;
    END IF;
    CREATE TEMP TABLE tb_fx_shapes (shp integer, shape text, ns text, n integer, nlev integer, lvls integer[],
                                    named_task_uuid uuid) ON COMMIT DROP;
    -- aft, gpos, gcnt: see tasker_bench._fx_exists
    CREATE TEMP TABLE tb_fx_steps (shp integer, idx integer, lvl integer, mp integer, parents integer[],
                                   step_name text, named_step_uuid uuid,
                                   aft integer DEFAULT 0, gpos integer DEFAULT 0, gcnt integer DEFAULT 0) ON COMMIT DROP;
    INSERT INTO tb_fx_shapes (shp, shape, ns, n, nlev, lvls)
    SELECT o.shp, o.shape,
           CASE WHEN o.shape = 'linear4' OR o.shape LIKE 'linear\_%' THEN 'linear_workflow'
                WHEN o.shape = 'diamond4' THEN 'diamond_workflow'
                ELSE tasker_bench._lc_namespace(o.shape) END,
           f.n, f.nlev, f.lvls
      FROM unnest(p_shapes) WITH ORDINALITY o(shape, shp)
     CROSS JOIN LATERAL (SELECT count(*)::integer AS n, max(x.lvl) + 1 AS nlev,
                                array_agg(x.lvl ORDER BY x.idx) AS lvls
                           FROM tasker_bench.fixture_shape(o.shape) x) f;
    INSERT INTO tb_fx_steps (shp, idx, lvl, mp, parents, step_name)
    SELECT s.shp, f.idx, f.lvl, coalesce((SELECT max(p) FROM unnest(f.parents) p), 0), f.parents,
           s.shape || '.' || f.step_name
      FROM tb_fx_shapes s CROSS JOIN LATERAL tasker_bench.fixture_shape(s.shape) f;
    -- steps created at run time (decision points, batches): see fixture_shape_dynamic
    UPDATE tb_fx_steps st
       SET aft = d.created_after,
           gpos = CASE WHEN d.branch_group > 0 THEN d.gpos ELSE 0 END,
           gcnt = CASE WHEN d.branch_group > 0 THEN d.gcnt ELSE 0 END
      FROM tb_fx_shapes sh
     CROSS JOIN LATERAL (SELECT x.idx, x.created_after, x.branch_group,
                                row_number() OVER (PARTITION BY x.branch_group ORDER BY x.idx)::integer AS gpos,
                                count(*) OVER (PARTITION BY x.branch_group)::integer AS gcnt
                           FROM tasker_bench.fixture_shape_dynamic(sh.shape) x) d
     WHERE st.shp = sh.shp AND st.idx = d.idx;

    EXECUTE format($q$
        INSERT INTO %1$I.task_namespaces (task_namespace_uuid, name, description, created_at, updated_at)
        SELECT tasker_bench._fx_uuid($1, 0, 0, row_number() OVER (ORDER BY ns)::integer, 1), ns,
               'tasker_bench fixture namespace', $2 + $1 * interval '1 ms', $2 + $1 * interval '1 ms'
          FROM (SELECT DISTINCT ns FROM pg_temp.tb_fx_shapes) d
        ON CONFLICT DO NOTHING$q$, p_schema) USING p_cat_ms, v_epoch;
    EXECUTE format($q$
        INSERT INTO %1$I.named_tasks (named_task_uuid, task_namespace_uuid, name, description, version,
                                      configuration, created_at, updated_at)
        SELECT tasker_bench._fx_uuid($1, 0, 0, d.first_shp, 2), ns.task_namespace_uuid, d.shape,
               'tasker_bench fixture workflow ' || d.shape, '0.1.0', '{}'::jsonb,
               $2 + $1 * interval '1 ms', $2 + $1 * interval '1 ms'
          FROM (SELECT shape, min(ns) AS ns, min(shp) AS first_shp FROM pg_temp.tb_fx_shapes GROUP BY shape) d
          JOIN %1$I.task_namespaces ns ON ns.name = d.ns
        ON CONFLICT DO NOTHING$q$, p_schema) USING p_cat_ms, v_epoch;
    EXECUTE format($q$
        UPDATE pg_temp.tb_fx_shapes s SET named_task_uuid = nt.named_task_uuid
          FROM %1$I.named_tasks nt JOIN %1$I.task_namespaces ns ON ns.task_namespace_uuid = nt.task_namespace_uuid
         WHERE ns.name = s.ns AND nt.name = s.shape AND nt.version = '0.1.0'$q$, p_schema);
    EXECUTE format($q$
        INSERT INTO %1$I.named_steps (named_step_uuid, name, description, created_at, updated_at)
        SELECT tasker_bench._fx_uuid($1, 0, d.first_shp, d.idx, 3), d.step_name,
               'tasker_bench fixture step', $2 + $1 * interval '1 ms', $2 + $1 * interval '1 ms'
          FROM (SELECT step_name, min(shp) AS first_shp, min(idx) AS idx FROM pg_temp.tb_fx_steps GROUP BY step_name) d
        ON CONFLICT DO NOTHING$q$, p_schema) USING p_cat_ms, v_epoch;
    EXECUTE format($q$
        UPDATE pg_temp.tb_fx_steps s SET named_step_uuid = ns.named_step_uuid
          FROM %1$I.named_steps ns WHERE ns.name = s.step_name$q$, p_schema);
    EXECUTE format($q$
        INSERT INTO %1$I.named_tasks_named_steps (ntns_uuid, named_task_uuid, named_step_uuid,
                                                  default_retryable, default_max_attempts, created_at, updated_at)
        SELECT DISTINCT ON (sh.named_task_uuid, st.named_step_uuid)
               tasker_bench._fx_uuid($1, 0, sh.shp, st.idx, 4), sh.named_task_uuid, st.named_step_uuid,
               true, 3, $2 + $1 * interval '1 ms', $2 + $1 * interval '1 ms'
          FROM pg_temp.tb_fx_shapes sh JOIN pg_temp.tb_fx_steps st ON st.shp = sh.shp
         ORDER BY sh.named_task_uuid, st.named_step_uuid, sh.shp
        ON CONFLICT DO NOTHING$q$, p_schema) USING p_cat_ms, v_epoch;
    SELECT array_agg(tasker_bench._fx_uuid(p_cat_ms, 0, 0, p, 5) ORDER BY p) INTO v_procs
      FROM generate_series(1, 4) p;
    RETURN v_procs;
END
$fx$;

-- Draws the task plans: indexes and analyzes the shape tables, derives
-- pg_temp.tb_fx_edges from tb_fx_steps, and creates pg_temp.tb_fx_t, one row
-- per task: its state (drawn from p_states/p_bounds, see _fx_state_mix),
-- progress, path, time line (ms before p_now_ms) and id, everything else
-- being derived from these columns and the shape tables.  p_salt: the
-- seed's salt of every random choice (hashint8extended, see _fx_u).
CREATE FUNCTION tasker_bench._fx_plan_tasks(p_tasks integer, p_nshapes integer, p_states text[],
                                            p_bounds double precision[], p_salt bigint, p_now_ms bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
BEGIN
    -- Every consumer below scans the big table (tasks, then steps) in its
    -- physical order and fetches the few rows it combines them with through a
    -- LATERAL index lookup: rows are then inserted in task creation order, step
    -- order and sort_key order, i.e. in ascending id order.
    CREATE INDEX ON pg_temp.tb_fx_steps (shp, idx);
    CREATE TEMP TABLE tb_fx_edges ON COMMIT DROP AS
    SELECT s.shp, p AS from_idx, s.idx AS to_idx, f.aft AS f_aft, f.gpos AS f_gpos, f.gcnt AS f_gcnt,
           s.aft AS t_aft, s.gpos AS t_gpos, s.gcnt AS t_gcnt
      FROM pg_temp.tb_fx_steps s CROSS JOIN LATERAL unnest(s.parents) p
      JOIN pg_temp.tb_fx_steps f ON f.shp = s.shp AND f.idx = p;
    CREATE INDEX ON pg_temp.tb_fx_edges (shp, to_idx, from_idx);
    ANALYZE pg_temp.tb_fx_shapes;
    ANALYZE pg_temp.tb_fx_steps;
    ANALYZE pg_temp.tb_fx_edges;
    CREATE TEMP TABLE tb_fx_t (
        i integer, shp integer, st text, k integer, fa integer, ready boolean, retr integer,
        tp text, m integer, gms bigint, ms_last bigint, ms0 bigint, prio integer, bs integer,
        task_uuid uuid
    ) ON COMMIT DROP;
    INSERT INTO tb_fx_t
    SELECT c.i, c.shp, c.st, c.k, c.fa, c.ready, c.retr, c.tp, c.m, c.gms, c.ms_last, c.ms0, c.prio, c.bs,
           tasker_bench._fx_uuid(c.ms0, 1, c.i, 0, 0)
      FROM (
        SELECT b.*, length(b.tp) AS m, b.ms_last - (length(b.tp) - 1) * b.gms AS ms0
          FROM (
            SELECT a.*,
                   CASE a.st
                       WHEN 'pending' THEN 'p'
                       WHEN 'initializing' THEN 'pi'
                       WHEN 'enqueuing_steps' THEN 'pi' || repeat('esv', a.r) || 'e'
                       WHEN 'steps_in_process' THEN 'pi' || repeat('esv', a.r) || 'es'
                       WHEN 'evaluating_results' THEN 'pi' || repeat('esv', a.r)
                       WHEN 'waiting_for_dependencies' THEN 'pi' || repeat('esv', a.r) || 'd'
                       WHEN 'waiting_for_retry' THEN 'pi' || repeat('esv', a.r) || 'es' || repeat('wes', a.fa - 1) || 'w'
                       WHEN 'blocked_by_failures' THEN 'pi' || repeat('esv', a.r) || 'es' || repeat('wes', a.fa - 1) || 'vb'
                       WHEN 'error' THEN 'pi' || repeat('esv', a.r) || 'es' || repeat('wes', a.fa - 1) || 'vbx'
                       WHEN 'resolved_manually' THEN 'pi' || repeat('esv', a.r) || 'es' || repeat('wes', a.fa - 1) || 'vbr'
                       WHEN 'cancelled' THEN CASE WHEN a.canp THEN 'pn' ELSE 'pi' || repeat('esv', a.r) || 'esn' END
                       WHEN 'complete' THEN 'pi' || CASE WHEN a.retr > 0 THEN 'esw' ELSE '' END || repeat('esv', a.r) || 'c'
                   END AS tp,
                   p_now_ms - (a.d * 1000)::bigint AS ms_last
              FROM (
                SELECT y.*,
                       -- backoff of the waiting_for_retry step: 90..300 s and not yet
                       -- elapsed for 30 % of the tasks (they failed 5 s..4 min ago),
                       -- 1..300 s and already elapsed for the others
                       CASE WHEN y.st <> 'waiting_for_retry' THEN NULL
                            WHEN y.u4 < 0.3 THEN 90 + floor(y.u9 * 210)::integer
                            ELSE greatest(1, floor(y.u9 * least(y.d, 300))::integer) END AS bs
                  FROM (
                SELECT z.i, z.shp, z.st, z.k, z.fa, z.ready, z.retr, z.gms, z.prio, z.u4, z.u9,
                       (z.st = 'cancelled' AND z.k = 0 AND z.u3 < 0.5) AS canp,
                       CASE WHEN z.st = 'complete' THEN z.nlev WHEN z.k = 0 THEN 0 ELSE z.lvls[z.k] + 1 END AS r,
                       CASE
                           WHEN z.st = 'pending' THEN
                               CASE WHEN z.u5 < 0.4 THEN z.u6 * 3600
                                    WHEN z.u5 < 0.8 THEN 3600 + z.u6 * 82800
                                    ELSE 86400 + z.u6 * 172800 END
                           WHEN z.st = 'waiting_for_dependencies' THEN
                               CASE WHEN z.u5 < 0.75 THEN 30 + z.u6 * 3500 ELSE 3660 + z.u6 * 39600 END
                           WHEN z.st = 'waiting_for_retry' THEN
                               CASE WHEN z.u4 < 0.3 THEN 5 + z.u6 * (10 + floor(z.u9 * 210))   -- <= backoff - 75 s
                                    WHEN z.u5 < 0.75 THEN 30 + z.u6 * 1740
                                    ELSE 1830 + z.u6 * 19800 END
                           WHEN z.st IN ('initializing', 'enqueuing_steps', 'steps_in_process', 'evaluating_results') THEN
                               CASE WHEN z.u5 < 0.9 THEN 5 + z.u6 * 595 ELSE 600 + z.u6 * 10200 END
                           WHEN z.st = 'blocked_by_failures' THEN 60 + z.u6 * 86340
                           ELSE 60 + z.u6 * 604740
                       END AS d
                  FROM (
                    SELECT g.i, sh.shp, sh.n, sh.nlev, sh.lvls, s.st, s.u3, s.u4, s.u5, s.u6, s.u9,
                           CASE WHEN s.st IN ('pending', 'initializing') THEN 0
                                WHEN s.st = 'complete' THEN sh.n
                                WHEN s.st IN ('evaluating_results', 'waiting_for_dependencies')
                                    THEN 1 + floor(s.u2 * (sh.n - 1))::integer
                                ELSE floor(s.u2 * sh.n)::integer END AS k,
                           CASE WHEN s.st = 'waiting_for_retry' THEN CASE WHEN s.u3 < 0.65 THEN 1 ELSE 2 END
                                WHEN s.st IN ('blocked_by_failures', 'error', 'resolved_manually')
                                    THEN CASE WHEN s.u3 < 0.3 THEN 1 ELSE 3 END
                                ELSE 1 END AS fa,
                           (s.st = 'waiting_for_dependencies' AND s.u3 < 0.5) AS ready,
                           CASE WHEN s.st = 'complete' AND s.u3 < 0.1 THEN 1 + floor(s.u4 * sh.n)::integer
                                ELSE 0 END AS retr,
                           1000 + floor(s.u7 * 19000)::bigint AS gms,
                           ('{0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,3,3,4,5,6,8,10}'::integer[])[1 + floor(s.u8 * 25)::integer] AS prio
                      FROM generate_series(1, p_tasks) g(i)
                      JOIN pg_temp.tb_fx_shapes sh ON sh.shp = (g.i - 1) % p_nshapes + 1
                     CROSS JOIN LATERAL (
                           SELECT p_states[width_bucket(tasker_bench._fx_u(g.i, p_salt + 1), p_bounds)] AS st,
                                  tasker_bench._fx_u(g.i, p_salt + 2) AS u2,
                                  tasker_bench._fx_u(g.i, p_salt + 3) AS u3,
                                  tasker_bench._fx_u(g.i, p_salt + 4) AS u4,
                                  tasker_bench._fx_u(g.i, p_salt + 5) AS u5,
                                  tasker_bench._fx_u(g.i, p_salt + 6) AS u6,
                                  tasker_bench._fx_u(g.i, p_salt + 7) AS u7,
                                  tasker_bench._fx_u(g.i, p_salt + 8) AS u8,
                                  tasker_bench._fx_u(g.i, p_salt + 11) AS u9
                           OFFSET 0) s
                    OFFSET 0) z
                OFFSET 0) y
                OFFSET 0) a
            OFFSET 0) b
        OFFSET 0) c
     ORDER BY c.ms0, c.i;
    ANALYZE pg_temp.tb_fx_t;
END
$fx$;

-- Draws the step plans: pg_temp.tb_fx_s, one row per step of every task
-- that exists so far, from tb_fx_t and tb_fx_steps: its path (see
-- _fx_step_path), timing and ids.
CREATE FUNCTION tasker_bench._fx_plan_steps(p_salt bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
BEGIN
    -- one row per step: its path (one character per transition), timing and ids
    CREATE TEMP TABLE tb_fx_s (
        i integer, idx integer, ms0 bigint, gms bigint, es bigint, bs integer, path text, p integer,
        att integer, lip integer, task_uuid uuid, step_uuid uuid, named_step_uuid uuid
    ) ON COMMIT DROP;
    INSERT INTO tb_fx_s
    SELECT q.i, q.idx, q.ms0, q.gms,
           CASE WHEN q.idx <= q.k THEN q.ms0 + (q.ms_last - q.ms0) * q.idx / (q.k + 1)
                ELSE q.ms_last - 500 END,
           q.bs, q.path, length(q.path),
           length(q.path) - length(replace(q.path, 'i', '')),
           length(q.path) + 1 - strpos(reverse(q.path), 'i'),
           q.task_uuid, tasker_bench._fx_uuid(q.ms0, 2, q.i, q.idx, 0), q.named_step_uuid
      FROM (SELECT t.i, t.ms0, t.ms_last, t.gms, t.k, t.bs, t.task_uuid, s.idx, s.named_step_uuid,
                   tasker_bench._fx_step_path(t.st, s.idx, t.k, s.mp, t.fa, t.ready, t.retr,
                                              tasker_bench._fx_u(t.i::bigint * 2048 + s.idx, p_salt + 10)) AS path
              FROM pg_temp.tb_fx_t t
             CROSS JOIN LATERAL (SELECT s.idx, s.mp, s.named_step_uuid FROM pg_temp.tb_fx_steps s
                                  WHERE s.shp = t.shp AND tasker_bench._fx_exists(t.i, t.k, s.aft, s.gpos, s.gcnt)
                                  ORDER BY s.idx OFFSET 0) s
            OFFSET 0) q;
    ANALYZE pg_temp.tb_fx_s;
END
$fx$;

-- Spells out every distinct task path of tb_fx_t and step path of tb_fx_s,
-- one row per transition (state, previous state, last one, claimed by a
-- processor / audited): pg_temp.tb_fx_tpath and tb_fx_spath.
CREATE FUNCTION tasker_bench._fx_plan_paths() RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
BEGIN
    -- every distinct path, one row per transition
    CREATE TEMP TABLE tb_fx_tpath ON COMMIT DROP AS
    SELECT d.tp, j, tasker_bench._fx_tstate(substr(d.tp, j, 1)) AS to_state,
           CASE WHEN j > 1 THEN tasker_bench._fx_tstate(substr(d.tp, j - 1, 1)) END AS from_state,
           j = length(d.tp) AS last,
           substr(d.tp, j, 1) IN ('i', 'e', 's', 'v') AS claimed
      FROM (SELECT DISTINCT tp FROM pg_temp.tb_fx_t) d CROSS JOIN LATERAL generate_series(1, length(d.tp)) j;
    CREATE INDEX ON pg_temp.tb_fx_tpath (tp, j);
    CREATE TEMP TABLE tb_fx_spath ON COMMIT DROP AS
    SELECT d.path, j, tasker_bench._fx_sstate(substr(d.path, j, 1)) AS to_state,
           CASE WHEN j > 1 THEN tasker_bench._fx_sstate(substr(d.path, j - 1, 1)) END AS from_state,
           j = length(d.path) AS last,
           substr(d.path, j, 1) IN ('o', 'a') AS audit
      FROM (SELECT DISTINCT path FROM pg_temp.tb_fx_s) d CROSS JOIN LATERAL generate_series(1, length(d.path)) j;
    CREATE INDEX ON pg_temp.tb_fx_spath (path, j);
    ANALYZE pg_temp.tb_fx_tpath;
    ANALYZE pg_temp.tb_fx_spath;
END
$fx$;

-- The load: writes table p_table of the tasker schema p_schema from the
-- plan, in one INSERT .. SELECT (rows in ascending id order), and returns
-- how many rows it wrote.  Parameters of the statements: $1 the epoch (times
-- are milliseconds after it), $2 the seed, $3 the salt of the tasks' parent
-- correlation draw, $4 the ids of the processors that claim tasks.
CREATE FUNCTION tasker_bench._fx_load(p_schema text, p_table text, p_seed integer, p_salt bigint, p_procs uuid[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    v_epoch   constant timestamp := '1970-01-01 00:00:00';
    v_sql     text;
    v_n       bigint;
BEGIN
    v_sql := CASE p_table
        -- from tb_fx_t and tb_fx_shapes
        WHEN 'tasks' THEN $q$
            INSERT INTO %1$I.tasks (task_uuid, named_task_uuid, complete, requested_at, completed_at, initiator,
                                    source_system, reason, tags, context, identity_hash, priority,
                                    correlation_id, parent_correlation_id, created_at, updated_at)
            SELECT t.task_uuid, sh.named_task_uuid, t.st = 'complete',
                   $1 + t.ms0 * interval '1 ms',
                   CASE WHEN t.st = 'complete' THEN $1 + t.ms_last * interval '1 ms' END,
                   'tasker_bench', 'tasker_bench_fixture', 'benchmark fixture',
                   '{"fixture": "tasker_bench"}'::jsonb,
                   jsonb_build_object('fixture_task', t.i, 'seed', $2),
                   replace(t.task_uuid::text, '-', ''),
                   t.prio,
                   tasker_bench._fx_uuid(t.ms0, 7, t.i, 0, 1),
                   CASE WHEN tasker_bench._fx_u(t.i, $3) < 0.05 THEN tasker_bench._fx_uuid(t.ms0, 7, t.i, 0, 2) END,
                   $1 + t.ms0 * interval '1 ms', $1 + t.ms_last * interval '1 ms'
              FROM pg_temp.tb_fx_t t JOIN pg_temp.tb_fx_shapes sh ON sh.shp = t.shp$q$
        -- from tb_fx_s
        WHEN 'workflow_steps' THEN $q$
            INSERT INTO %1$I.workflow_steps (workflow_step_uuid, task_uuid, named_step_uuid, retryable, max_attempts,
                                             in_process, processed, processed_at, attempts, last_attempted_at,
                                             backoff_request_seconds, inputs, results, priority, created_at, updated_at)
            SELECT x.step_uuid, x.task_uuid, x.named_step_uuid,
                   x.path NOT IN ('peiax', 'peiaxr'), 3,
                   x.last IN ('e', 'i', 'o'),
                   x.last IN ('c', 'r'),
                   CASE WHEN x.last IN ('c', 'r') THEN $1 + greatest(x.ms0, x.es) * interval '1 ms' END,
                   x.att,
                   CASE WHEN x.att > 0 THEN $1 + greatest(x.ms0, x.es - (x.p - x.lip) * (x.gms / 2)) * interval '1 ms' END,
                   CASE WHEN x.last = 'w' THEN x.bs END,
                   NULL,
                   CASE x.last
                       WHEN 'c' THEN '{"success": true, "fixture": true}'::jsonb
                       WHEN 'x' THEN '{"success": false, "error": "fixture: simulated failure"}'::jsonb
                       WHEN 'r' THEN '{"success": false, "error": "fixture: simulated failure", "resolved_manually": true}'::jsonb
                   END,
                   0,
                   $1 + x.ms0 * interval '1 ms',
                   $1 + CASE WHEN x.p = 1 THEN x.ms0 ELSE greatest(x.ms0, x.es) END * interval '1 ms'
              FROM (SELECT s.*, right(s.path, 1) AS last FROM pg_temp.tb_fx_s s OFFSET 0) x$q$
        -- from tb_fx_t and tb_fx_edges: the edges between steps that exist
        WHEN 'workflow_step_edges' THEN $q$
            INSERT INTO %1$I.workflow_step_edges (workflow_step_edge_uuid, from_step_uuid, to_step_uuid, name,
                                                  created_at, updated_at)
            SELECT tasker_bench._fx_uuid(t.ms0, 3, t.i, e.to_idx, e.from_idx),
                   tasker_bench._fx_uuid(t.ms0, 2, t.i, e.from_idx, 0),
                   tasker_bench._fx_uuid(t.ms0, 2, t.i, e.to_idx, 0),
                   'provides', $1 + t.ms0 * interval '1 ms', $1 + t.ms0 * interval '1 ms'
              FROM pg_temp.tb_fx_t t
             CROSS JOIN LATERAL (SELECT e.from_idx, e.to_idx FROM pg_temp.tb_fx_edges e
                                  WHERE e.shp = t.shp
                                    AND tasker_bench._fx_exists(t.i, t.k, e.f_aft, e.f_gpos, e.f_gcnt)
                                    AND tasker_bench._fx_exists(t.i, t.k, e.t_aft, e.t_gpos, e.t_gcnt)
                                  ORDER BY e.to_idx, e.from_idx OFFSET 0) e$q$
        -- from tb_fx_t and tb_fx_tpath; claimed transitions name one of the
        -- processors $4.  Ids carry the task's creation millisecond and the
        -- sort_key, so that they ascend in insertion order (append-only index
        -- maintenance).
        WHEN 'task_transitions' THEN $q$
            INSERT INTO %1$I.task_transitions (task_transition_uuid, task_uuid, to_state, from_state, metadata,
                                               transition_metadata, processor_uuid, sort_key, most_recent,
                                               created_at, updated_at)
            SELECT tasker_bench._fx_uuid(t.ms0, 4, t.i, 0, r.j), t.task_uuid, r.to_state, r.from_state,
                   '{}'::jsonb, '{}'::jsonb,
                   CASE WHEN r.claimed THEN $4[1 + t.i %% 4] END,
                   r.j, r.last,
                   $1 + (t.ms0 + (r.j - 1) * t.gms) * interval '1 ms',
                   $1 + (t.ms0 + (r.j - 1) * t.gms) * interval '1 ms'
              FROM pg_temp.tb_fx_t t
             CROSS JOIN LATERAL (SELECT r.j, r.to_state, r.from_state, r.last, r.claimed FROM pg_temp.tb_fx_tpath r
                                  WHERE r.tp = t.tp ORDER BY r.j OFFSET 0) r$q$
        -- from tb_fx_s and tb_fx_spath
        WHEN 'workflow_step_transitions' THEN $q$
            INSERT INTO %1$I.workflow_step_transitions (workflow_step_transition_uuid, workflow_step_uuid, to_state,
                                                        from_state, metadata, sort_key, most_recent,
                                                        created_at, updated_at)
            SELECT tasker_bench._fx_uuid(x.ms0, 5, x.i, x.idx, r.j), x.step_uuid, r.to_state, r.from_state,
                   '{}'::jsonb, r.j, r.last,
                   $1 + CASE WHEN r.j = 1 THEN x.ms0 ELSE greatest(x.ms0, x.es - (x.p - r.j) * (x.gms / 2)) END * interval '1 ms',
                   $1 + CASE WHEN r.j = 1 THEN x.ms0 ELSE greatest(x.ms0, x.es - (x.p - r.j) * (x.gms / 2)) END * interval '1 ms'
              FROM pg_temp.tb_fx_s x
             CROSS JOIN LATERAL (SELECT r.j, r.to_state, r.from_state, r.last FROM pg_temp.tb_fx_spath r
                                  WHERE r.path = x.path ORDER BY r.j OFFSET 0) r$q$
        -- from tb_fx_s and tb_fx_spath: what the audit trigger, not fired in
        -- fast mode, would have written (one row per step transition into
        -- enqueued_for_orchestration or enqueued_as_error_for_orchestration)
        WHEN 'workflow_step_result_audit' THEN $q$
            INSERT INTO %1$I.workflow_step_result_audit (workflow_step_result_audit_uuid, workflow_step_uuid,
                                                         workflow_step_transition_uuid, task_uuid, recorded_at,
                                                         success)
            SELECT tasker_bench._fx_uuid(x.ms0, 6, x.i, x.idx, r.j),
                   x.step_uuid, tasker_bench._fx_uuid(x.ms0, 5, x.i, x.idx, r.j), x.task_uuid,
                   $1 + greatest(x.ms0, x.es - (x.p - r.j) * (x.gms / 2)) * interval '1 ms',
                   r.to_state = 'enqueued_for_orchestration'
              FROM pg_temp.tb_fx_s x
             CROSS JOIN LATERAL (SELECT r.j, r.to_state FROM pg_temp.tb_fx_spath r
                                  WHERE r.path = x.path AND r.audit ORDER BY r.j OFFSET 0) r$q$
    END;
    IF v_sql IS NULL THEN
        RAISE EXCEPTION 'tasker_bench._fx_load: no load for table "%"', p_table USING ERRCODE = '22023';
    END IF;
    EXECUTE format(v_sql, p_schema) USING v_epoch, p_seed, p_salt + 9, p_procs;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$fx$;

-- Fast mode, after the load: runs the statements _fx_drop_indexes returned
-- (p_defs, the table of each in p_tables), with more maintenance_work_mem
-- and as many parallel workers as leave the leader a core; one progress
-- NOTICE per table and one for all.
CREATE FUNCTION tasker_bench._fx_build_indexes(p_defs text[], p_tables text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    v_tp      timestamptz;
    v_tq      timestamptz;
    v_old_mwm text;
    v_old_pmw text;
    v_n       integer;
BEGIN
    v_tp := clock_timestamp();
    v_old_mwm := current_setting('maintenance_work_mem');
    v_old_pmw := current_setting('max_parallel_maintenance_workers');
    PERFORM set_config('maintenance_work_mem', '256MB', true);
    -- a parallel build's leader works too: more workers than the other
    -- cores only makes them take turns (one worker on 2 cores is 10-15 %
    -- faster than the default two); never more than the caller allows
    PERFORM set_config('max_parallel_maintenance_workers',
                       least(current_setting('max_parallel_maintenance_workers')::integer,
                             greatest(tasker_bench._cpu_count() - 1, 0))::text, true);
    v_tq := clock_timestamp();
    FOR v_n IN 1 .. cardinality(p_defs) LOOP
        EXECUTE p_defs[v_n];
        IF v_n = cardinality(p_defs) OR p_tables[v_n + 1] <> p_tables[v_n] THEN
            PERFORM tasker_bench._fx_progress(format('indexes of %s built (%s of %s)', p_tables[v_n],
                                                     v_n, cardinality(p_defs)), v_tq);
            v_tq := clock_timestamp();
        END IF;
    END LOOP;
    PERFORM set_config('maintenance_work_mem', v_old_mwm, true);
    PERFORM set_config('max_parallel_maintenance_workers', v_old_pmw, true);
    PERFORM tasker_bench._fx_progress(format('%s indexes built', cardinality(p_defs)), v_tp);
END
$fx$;

-- ANALYZEs the nine tasker tables and the audit table if there is one.
CREATE FUNCTION tasker_bench._fx_analyze(p_schema text, p_has_audit boolean) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fx$
DECLARE
    c_tables constant text[] := tasker_bench._fx_tables();
    v_table   text;
BEGIN
    FOREACH v_table IN ARRAY c_tables || CASE WHEN p_has_audit THEN '{workflow_step_result_audit}'::text[]
                                              ELSE '{}'::text[] END LOOP
        EXECUTE format('ANALYZE %I.%I', p_schema, v_table);
    END LOOP;
END
$fx$;

-- ---------------------------------------------------------------------------
-- tasker_bench_fixture
-- ---------------------------------------------------------------------------

-- The driver: checks everything before it writes anything, sets up the load
-- (search_path, fast mode), empties the tables, writes the catalog, draws
-- the plan, loads the tables, builds the indexes again, analyzes.
CREATE FUNCTION tasker_bench_fixture(
    tasks     integer,
    shapes    text[]    DEFAULT NULL,
    seed      integer   DEFAULT 1,
    schema    text      DEFAULT 'tasker',
    state_mix jsonb     DEFAULT NULL,
    replace   boolean   DEFAULT NULL,
    fast      boolean   DEFAULT true,
    as_of     timestamp DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET jit = off   -- the load queries are big expressions run once: compiling them costs more than it saves
AS $fx$
DECLARE
    v_tasks   integer := tasker_bench_fixture.tasks;
    v_shapes  text[]  := coalesce(tasker_bench_fixture.shapes, '{linear4,diamond4,complex_dag7,tree8}');
    v_seed    integer := tasker_bench_fixture.seed;
    v_schema  text    := tasker_bench_fixture.schema;
    v_mix     jsonb   := coalesce(tasker_bench_fixture.state_mix, tasker_bench.fixture_default_state_mix());
    v_now     timestamp := coalesce(tasker_bench_fixture.as_of, localtimestamp);
    v_now_ms  bigint;
    v_cat_ms  bigint;
    v_salt    bigint;
    v_states  text[];
    v_bounds  double precision[];
    v_replace boolean;
    v_has_audit boolean;
    v_fast    boolean;
    v_audit   text;
    v_trunc   text[];
    v_procs   uuid[];
    v_table   text;
    v_index_defs  text[] := '{}';
    v_index_tables text[] := '{}';
    v_old_srr text;
    v_old_sp  text;
    v_t0      timestamptz := clock_timestamp();
    v_tp      timestamptz;
    v_n       bigint;
    v_result  jsonb;
BEGIN
    -- ---------------------------------------------------------------- checks
    PERFORM tasker_bench._fx_check_args(v_tasks, v_shapes, v_seed);
    SELECT m.states, m.bounds INTO v_states, v_bounds FROM tasker_bench._fx_state_mix(v_mix) m;
    SELECT c.do_replace, c.has_audit INTO v_replace, v_has_audit
      FROM tasker_bench._fx_check_schema(v_schema, tasker_bench_fixture.replace) c;

    -- -------------------------------------------------------------- settings
    v_now_ms := floor(extract(epoch FROM v_now) * 1000)::bigint;
    v_cat_ms := v_now_ms - 30 * 86400000::bigint;
    v_salt := v_seed::bigint * 4096;

    -- the tasker functions (and tasker-core's audit trigger) name their tables
    -- unqualified: run the load with the tasker schema first on the path
    v_old_sp := current_setting('search_path');
    PERFORM set_config('search_path', format('%I, public', v_schema), true);

    SELECT m.fast_mode, m.audit_by INTO v_fast, v_audit
      FROM tasker_bench._fx_load_mode(v_schema, tasker_bench_fixture.fast, v_has_audit) m;
    IF v_fast THEN
        v_old_srr := current_setting('session_replication_role');
    END IF;

    -- ----------------------------------------------------------------- clear
    IF v_replace THEN
        v_tp := clock_timestamp();
        v_trunc := tasker_bench._fx_clear(v_schema, v_has_audit);
        PERFORM tasker_bench._fx_progress(format('emptied %s.{%s}', v_schema, array_to_string(v_trunc, ',')), v_tp);
    END IF;
    IF v_fast THEN
        PERFORM set_config('session_replication_role', 'replica', true);
        SELECT d.index_defs, d.index_tables INTO v_index_defs, v_index_tables
          FROM tasker_bench._fx_drop_indexes(v_schema) d;
    END IF;

    -- ------------------------------------------------------- catalog and plan
    v_tp := clock_timestamp();
    v_procs := tasker_bench._fx_catalog(v_schema, v_shapes, v_cat_ms);
    PERFORM tasker_bench._fx_progress(format('catalog of %s shape(s) written', cardinality(v_shapes)), v_tp);

    v_tp := clock_timestamp();
    PERFORM tasker_bench._fx_plan_tasks(v_tasks, cardinality(v_shapes), v_states, v_bounds, v_salt, v_now_ms);
    PERFORM tasker_bench._fx_plan_steps(v_salt);
    PERFORM tasker_bench._fx_plan_paths();
    PERFORM tasker_bench._fx_progress(format('%s task plans drawn', v_tasks), v_tp);

    -- ----------------------------------------------------------------- loads
    FOREACH v_table IN ARRAY '{tasks,workflow_steps,workflow_step_edges,task_transitions,workflow_step_transitions}'::text[]
                             || CASE WHEN v_audit = 'fixture' THEN '{workflow_step_result_audit}'::text[]
                                     ELSE '{}'::text[] END LOOP
        v_tp := clock_timestamp();
        v_n := tasker_bench._fx_load(v_schema, v_table, v_seed, v_salt, v_procs);
        PERFORM tasker_bench._fx_progress(format('%s %s inserted', v_table, v_n), v_tp);
    END LOOP;

    -- ------------------------------------------------------------- finishing
    IF v_fast THEN
        PERFORM set_config('session_replication_role', v_old_srr, true);
    END IF;
    IF cardinality(v_index_defs) > 0 THEN
        PERFORM tasker_bench._fx_build_indexes(v_index_defs, v_index_tables);
    END IF;
    DROP TABLE pg_temp.tb_fx_spath, pg_temp.tb_fx_tpath, pg_temp.tb_fx_s, pg_temp.tb_fx_t,
               pg_temp.tb_fx_edges, pg_temp.tb_fx_steps, pg_temp.tb_fx_shapes;

    v_tp := clock_timestamp();
    PERFORM tasker_bench._fx_analyze(v_schema, v_has_audit);
    PERFORM tasker_bench._fx_progress('tables analyzed', v_tp);

    PERFORM set_config('search_path', v_old_sp, true);

    v_result := tasker_bench.describe_dataset(v_schema)
        || jsonb_build_object('fixture', jsonb_build_object(
               'tasks', v_tasks, 'shapes', to_jsonb(v_shapes), 'seed', v_seed,
               'state_mix', (SELECT jsonb_object_agg(s, (v_mix ->> s)::numeric)
                               FROM unnest(v_states) s),
               'as_of', v_now, 'fast', v_fast, 'audit', v_audit,
               'indexes_rebuilt', cardinality(v_index_defs),
               'seconds', round(extract(epoch FROM clock_timestamp() - v_t0)::numeric, 3)));
    PERFORM tasker_bench._fx_progress(format('done, %s tasks', v_tasks), v_t0);
    RETURN v_result;
END;
$fx$;

COMMENT ON FUNCTION tasker_bench_fixture(integer, text[], integer, text, jsonb, boolean, boolean, timestamp) IS
    'tasker_bench: fill a tasker schema with a deterministic, realistic dataset (replaces all rows of a reference model''s tasker tables; a real tasker schema holding tasks only with replace => true)';
