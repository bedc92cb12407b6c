-- The compact report, the charts (tasker_bench_svg) and the HTML report:
-- structure only (line counts, which charts, axis labels, percentiles gated
-- by n), never timings.  The flame graph's frames add up to the folded stacks.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;

\i sql/include/expect_error.sql

CREATE SCHEMA rv;
CREATE FUNCTION rv.work(n int) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(g) FROM generate_series(1, n) g';
CREATE FUNCTION rv.phased() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM tasker_bench.phase('prepare');
    PERFORM rv.work(50);
    PERFORM tasker_bench.phase('execute');
    PERFORM rv.work(200);
    RETURN 1;
END $$;
SELECT tasker_bench_register('rv/many', 'SELECT rv.work(10)', suite => 'rv', search_path => 'rv, public') IS NOT NULL AS registered;
SELECT tasker_bench_register('rv/few', 'SELECT rv.work(100)', suite => 'rv') IS NOT NULL AS registered;
SELECT tasker_bench_register('rv/phased', 'SELECT rv.phased()', suite => 'rv') IS NOT NULL AS registered;
-- rv/few gets 50 iterations, the others 1200: three runs, the first named as baseline
SELECT count(*) AS cases FROM tasker_bench_run('rv', iterations => 1200, warmup => '0');
SELECT max(id) AS run1 FROM tasker_bench.runs \gset
SELECT (tasker_bench_baseline('rv-base', :run1)).name AS named;
SELECT count(*) AS cases FROM tasker_bench_run('rv', iterations => 1200, warmup => '0');
SELECT count(*) AS cases FROM tasker_bench_run('rv/few', iterations => 50, warmup => '0');
SELECT max(id) AS run_few FROM tasker_bench.runs \gset
SELECT count(*) AS cases FROM tasker_bench_run('rv', iterations => 1200, warmup => '0');
SELECT max(id) AS run3 FROM tasker_bench.runs \gset

-- ---- compact text: a header, one line per case, a few notes ----
SELECT count(*) AS lines,
       count(*) FILTER (WHERE line ~ '^rv/(many|few|phased) ') AS case_lines,
       count(*) FILTER (WHERE line LIKE 'case %n%p50 µs%p95 µs%p99 µs%p99.9 µs%ops/s%change%interval%verdict%') AS table_head,
       count(*) FILTER (WHERE line LIKE 'baseline "rv-base": run %') AS baseline_line
  FROM regexp_split_to_table(tasker_bench_report(:run3, 'rv-base'), E'\n') AS line;
-- n gates the percentiles: 50 samples show p95, not p99 or p99.9; 1200 show all
SELECT regexp_replace(line, '\s+', ' ', 'g') ~ '^rv/few 50 [0-9.]+ [0-9.]+ - - ' AS few_gated
  FROM regexp_split_to_table(tasker_bench_report(:run_few), E'\n') AS line WHERE line LIKE 'rv/few %';
SELECT regexp_replace(line, '\s+', ' ', 'g') ~ '^rv/many 1200 [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+' AS many_all
  FROM regexp_split_to_table(tasker_bench_report(:run3), E'\n') AS line WHERE line LIKE 'rv/many %';
-- counts are integers, figures 3 significant digits
SELECT tasker_bench._fmt_sig(x) AS sig FROM unnest(ARRAY[0, 0.012345, 1.23456, 12.3456, 123.456, 12345.6, 1234567, NULL]::float8[]) x;
-- markdown: the same table
SELECT count(*) FILTER (WHERE line LIKE '| case | n | p50 µs |%| verdict |') AS md_head,
       count(*) FILTER (WHERE line LIKE '| rv/%') AS md_rows
  FROM regexp_split_to_table(tasker_bench_report(:run3, 'rv-base', 'markdown'), E'\n') AS line;
-- several runs at once; the baseline applies to those of the same what
SELECT count(*) FILTER (WHERE line LIKE 'run %') AS run_headers,
       count(*) FILTER (WHERE line LIKE 'baseline %') AS compared
  FROM regexp_split_to_table(tasker_bench_report(runs => ARRAY[:run3, :run_few], baseline => 'rv-base'), E'\n') AS line;
SELECT jsonb_array_length(tasker_bench_report(runs => ARRAY[:run3, :run_few], format => 'json')::jsonb) AS json_runs;
-- detail => true: the full blocks
SELECT count(*) > 40 AS detail_is_longer
  FROM regexp_split_to_table(tasker_bench_report(:run3, 'rv-base', detail => true), E'\n') AS line;

-- ---- the charts ----
SELECT chart,
       s LIKE '<svg xmlns="http://www.w3.org/2000/svg" class="chart%' AS is_svg,
       s LIKE '%class="axis-label x"%' AND s LIKE '%class="axis-label y"%' AS has_axis_labels,
       s ~ 'log( scale)?\)' AS says_log,
       s NOT LIKE '%<script%' AND s NOT LIKE '%href%' AS self_contained
  FROM (SELECT c AS chart,
               tasker_bench_svg(c, :run3, CASE WHEN c IN ('histogram', 'percentiles', 'history') THEN 'rv/many' END,
                                CASE WHEN c IN ('comparison', 'histogram', 'percentiles') THEN 'rv-base' END) AS s
          FROM unnest(ARRAY['histogram', 'percentiles', 'history', 'comparison', 'phases', 'flame']) c) x;
-- the percentile plot is drawn only as far as n supports: 1 - 1/n
SELECT tasker_bench_svg('percentiles', :run_few, 'rv/few') LIKE '%drawn up to the 98 % percentile%' AS few_to_p98,
       tasker_bench_svg('percentiles', :run_few, 'rv/few') NOT LIKE '%>99 %' AS no_p99_tick,
       tasker_bench_svg('percentiles', :run3, 'rv/many') LIKE '%>99.9 %' AS many_to_p999;
-- ticks: powers of ten on a log axis, 1-2-5 steps on a linear one
SELECT tasker_bench._svg_ticks(1, 1000, true) AS log_ticks;
SELECT tasker_bench._svg_ticks(0, 10, false) AS lin_ticks;
SELECT tasker_bench._svg_axis_label('latency (µs)', true) AS log_label;
-- text is escaped
SELECT tasker_bench._svg_chart('{"title": "a <b> & \"c\"", "x": {"label": "x (s)"}, "y": {"label": "y"},
                                  "series": [{"name": "s", "kind": "points", "data": [[1, 2], [3, 4]]}]}')
       LIKE '%a &lt;b&gt; &amp; &quot;c&quot;%' AS escaped;

-- ---- flame graph: frames add up to the folded stacks ----
SELECT depth, path, x0, value, self
  FROM tasker_bench.flame_frames(ARRAY['a;b 10', 'a;c 5', 'a 3', 'd 7', 'a;b 2', 'junk']);
-- on a real run: the outermost frames add up to the total, every frame is its self time plus its children
SELECT array_agg(f) AS folded FROM tasker_bench_folded(:run3) f \gset
SELECT (SELECT sum(ff.value) FROM tasker_bench.flame_frames(:'folded') ff WHERE ff.depth = 1)
         = (SELECT sum(substring(l FROM ' ([0-9]+)$')::float8) FROM unnest(:'folded'::text[]) l) AS roots_add_up,
       (SELECT bool_and(p.value = p.self + coalesce((SELECT sum(c.value) FROM tasker_bench.flame_frames(:'folded') c
                                                      WHERE c.depth = p.depth + 1 AND c.path[1:p.depth] = p.path), 0))
          FROM tasker_bench.flame_frames(:'folded') p) AS frames_add_up,
       (SELECT count(*) FROM tasker_bench.flame_frames(:'folded') ff WHERE ff.depth = 3 AND ff.path[2] = 'rv/phased') >= 2 AS phase_frames;
-- and the SVG carries each frame's value
SELECT (SELECT sum(m[1]::float8) FROM regexp_matches(tasker_bench_svg('flame', :run3), 'data-depth="1" data-value="([0-9.e+]+)"', 'g') m)
         = (SELECT sum(substring(l FROM ' ([0-9]+)$')::float8) FROM unnest(:'folded'::text[]) l) AS svg_frames_add_up;

-- ---- the HTML report ----
SELECT tasker_bench_report(:run3, 'rv-base', 'html') AS html \gset
SELECT :'html' LIKE '<!DOCTYPE html>%</html>' AS document,
       :'html' NOT LIKE '%<script%' AND :'html' NOT LIKE '%<link%' AND :'html' NOT LIKE '%@import%' AND :'html' NOT LIKE '%url(%' AS self_contained,
       (SELECT count(*) FROM regexp_matches(:'html', '<svg ', 'g')) AS charts,
       (SELECT count(*) FROM regexp_matches(:'html', 'data-chart="histogram"', 'g')) AS histograms,
       (SELECT count(*) FROM regexp_matches(:'html', 'data-chart="percentiles"', 'g')) AS percentile_plots,
       (SELECT count(*) FROM regexp_matches(:'html', 'data-chart="history"', 'g')) AS histories,
       (SELECT count(*) FROM regexp_matches(:'html', 'data-chart="(comparison|phases|flame)"', 'g')) AS run_charts,
       (SELECT count(*) FROM regexp_matches(:'html', 'class="v-[a-z]+"', 'g')) AS verdict_cells;

-- ---- bad input ----
SELECT pg_temp.err($$SELECT tasker_bench_svg('pie')$$);
SELECT pg_temp.err($$SELECT tasker_bench_svg(NULL)$$);
SELECT pg_temp.err(format('SELECT tasker_bench_svg(%L, %s)', 'comparison', :run3));
SELECT pg_temp.err(format('SELECT tasker_bench_svg(%L, %s, %L)', 'histogram', :run3, 'no/such'));
SELECT pg_temp.err(format('SELECT tasker_bench_svg(%L, %s, %L)', 'history', :run_few, 'rv/few'));
SELECT pg_temp.err(format('SELECT tasker_bench_svg(%L, %s)', 'ab', :run3));
SELECT pg_temp.err($$SELECT tasker_bench_svg('histogram', -1)$$);
SELECT pg_temp.err($$SELECT tasker_bench_svg('concurrency_p99')$$);
SELECT pg_temp.err(format('SELECT tasker_bench_report(%s, runs => ARRAY[%s])', :run3, :run3));
SELECT pg_temp.err($$SELECT tasker_bench_report(runs => '{}')$$);

SELECT tasker_bench_drop_baseline('rv-base');
DROP SCHEMA rv CASCADE;
