-- SVG charts drawn by the extension itself: one chart primitive
-- (tasker_bench._svg_chart, an x/y plot described by a jsonb spec) and the
-- flame graph of folded stacks (tasker_bench._svg_flame).  Every chart is a
-- self-contained <svg> element: inline styles, no scripts, no external fonts.
--
-- Text is set in the generic monospace family at 11 px, so its width is
-- known without a browser (0.6 em per character; layout reserves 7 px):
-- tick labels are thinned until they do not overlap, the legend wraps, long
-- labels are shortened to the room they have.

/* Text for XML: & < > " escaped, control characters dropped. */
CREATE FUNCTION tasker_bench._svg_esc(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(regexp_replace(coalesce(t, ''), '[[:cntrl:]]', ' ', 'g'),
                                           '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
$$;

/* A number of a jsonb value; NULL for anything else (null, text). */
CREATE FUNCTION tasker_bench._jnum(x jsonb) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(x) = 'number' THEN x::text::float8 END
$$;

/* A coordinate: one decimal. */
CREATE FUNCTION tasker_bench._svg_n(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT trim_scale(round(x::numeric, 1))::text
$$;

/* Width in px the layout reserves for text of n characters at the chart font size. */
CREATE FUNCTION tasker_bench._svg_tw(t text, px float8 DEFAULT 11) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT length(coalesce(t, '')) * px * 0.64
$$;

/* Text shortened to at most w px ('..' marks the cut); '' when not even 3 characters fit. */
CREATE FUNCTION tasker_bench._svg_fit(t text, w float8, px float8 DEFAULT 11) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN tasker_bench._svg_tw(t, px) <= w THEN t
                WHEN floor(w / (px * 0.64)) < 3 THEN ''
                ELSE left(t, floor(w / (px * 0.64))::int - 2) || '..' END
$$;

/*
 * A number for a tick or a label: 3 significant digits, k / M for thousands
 * and millions (decimals: a fixed number of decimals below 1000, for linear ticks).
 */
CREATE FUNCTION tasker_bench._svg_num_label(v float8, decimals integer DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
             WHEN v IS NULL OR v = 'NaN' THEN '-'
             WHEN v = 0 THEN '0'
             WHEN decimals IS NOT NULL AND abs(v) >= 1e6 THEN trim_scale(round((v / 1e6)::numeric, greatest(decimals, 0) + 6))::text || 'M'
             WHEN decimals IS NOT NULL AND abs(v) >= 1e3 THEN trim_scale(round((v / 1e3)::numeric, greatest(decimals, 0) + 3))::text || 'k'
             WHEN abs(v) >= 1e6 THEN trim_scale(round((v / 1e6)::numeric, greatest(0, 2 - floor(log(abs(v) / 1e6))::int)))::text || 'M'
             WHEN abs(v) >= 1e3 THEN trim_scale(round((v / 1e3)::numeric, greatest(0, 2 - floor(log(abs(v) / 1e3))::int)))::text || 'k'
             WHEN decimals IS NOT NULL THEN trim_scale(round(v::numeric, greatest(decimals, 0)))::text
             ELSE trim_scale(round(v::numeric, greatest(0, 2 - floor(log(abs(v)))::int)))::text
           END
$$;

/*
 * Ticks of an axis from lo to hi: jsonb [{v, label}].  Linear: 1-2-5 steps,
 * about `target` of them.  Log: powers of ten, with 2x and 5x when fewer than
 * 3 fit, and linear steps inside the range when even those are too few.
 * min_step: no finer steps (1 for counts).
 */
CREATE FUNCTION tasker_bench._svg_ticks(lo float8, hi float8, is_log boolean, target integer DEFAULT 6,
                                        min_step float8 DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v_step float8;
    v_mag float8;
    v_dec integer;
    v_t jsonb := '[]';
    v float8;
    k integer;
BEGIN
    IF lo IS NULL OR hi IS NULL OR NOT hi > lo THEN
        RETURN jsonb_build_array(jsonb_build_object('v', lo, 'label', tasker_bench._svg_num_label(lo)));
    END IF;
    IF is_log THEN
        FOR k IN floor(log(lo))::int .. ceil(log(hi))::int LOOP
            v := 10 ^ k;
            IF v >= lo * 0.9999 AND v <= hi * 1.0001 THEN
                v_t := v_t || jsonb_build_object('v', v, 'label', tasker_bench._svg_num_label(v));
            END IF;
        END LOOP;
        IF jsonb_array_length(v_t) < 3 THEN
            v_t := '[]';
            FOR k IN floor(log(lo))::int .. ceil(log(hi))::int LOOP
                FOREACH v IN ARRAY ARRAY[1, 2, 5]::float8[] LOOP
                    v := v * 10 ^ k;
                    IF v >= lo * 0.9999 AND v <= hi * 1.0001 THEN
                        v_t := v_t || jsonb_build_object('v', v, 'label', tasker_bench._svg_num_label(v));
                    END IF;
                END LOOP;
            END LOOP;
        END IF;
        IF jsonb_array_length(v_t) >= 3 THEN
            RETURN v_t;
        END IF;
        target := 4;    -- a narrow log axis is nearly linear: linear steps
    END IF;
    v_step := (hi - lo) / greatest(target, 2);
    v_mag := 10 ^ floor(log(v_step));
    v_step := greatest(CASE WHEN v_step / v_mag < 1.5 THEN 1 WHEN v_step / v_mag < 3.5 THEN 2
                            WHEN v_step / v_mag < 7.5 THEN 5 ELSE 10 END * v_mag, coalesce(min_step, 0));
    v_dec := greatest(0, -floor(log(v_step))::int);
    v_t := '[]';
    v := ceil(lo / v_step - 1e-9) * v_step;
    WHILE v <= hi + v_step * 1e-9 LOOP
        v_t := v_t || jsonb_build_object('v', v, 'label', tasker_bench._svg_num_label(v, v_dec));
        v := v + v_step;
    END LOOP;
    RETURN v_t;
END
$$;

/* A linear range that ends on ticks (1-2-5 steps); includes 0 when asked. */
CREATE FUNCTION tasker_bench._svg_nice(lo float8, hi float8, zero boolean, OUT lo_out float8, OUT hi_out float8)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v_step float8;
    v_mag float8;
BEGIN
    IF zero THEN
        lo := least(lo, 0);
        hi := greatest(hi, 0);
    END IF;
    IF hi <= lo THEN
        hi := lo + greatest(abs(lo) * 0.1, 1);
        IF NOT zero THEN
            lo := lo - greatest(abs(lo) * 0.1, 1);
        END IF;
    END IF;
    v_step := (hi - lo) / 6;
    v_mag := 10 ^ floor(log(v_step));
    v_step := CASE WHEN v_step / v_mag < 1.5 THEN 1 WHEN v_step / v_mag < 3.5 THEN 2
                   WHEN v_step / v_mag < 7.5 THEN 5 ELSE 10 END * v_mag;
    lo_out := floor(lo / v_step + 1e-9) * v_step;
    hi_out := ceil(hi / v_step - 1e-9) * v_step;
END
$$;

/*
 * An axis label that says when its scale is logarithmic, shortened to the
 * room it has: "latency (µs, log scale)", else "latency (µs, log)".
 */
CREATE FUNCTION tasker_bench._svg_axis_label(label text, is_log boolean, room float8 DEFAULT 'Infinity') RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN tasker_bench._svg_tw(l) <= room THEN l
                ELSE tasker_bench._svg_fit(replace(l, 'log scale', 'log'), room) END
      FROM (SELECT CASE WHEN NOT is_log THEN coalesce(label, '?')
                        WHEN label LIKE '%)' THEN left(label, -1) || ', log scale)'
                        ELSE coalesce(label, '?') || ' (log scale)' END AS l) a
$$;

/*
 * The range of an axis from its data range [lo, hi] and its spec (min, max,
 * zero): a log axis gets 15 % of room at either end, a linear one ends on ticks.
 */
CREATE FUNCTION tasker_bench._svg_range(lo float8, hi float8, axis jsonb, is_log boolean,
                                        OUT lo_out float8, OUT hi_out float8)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    lo_out := lo;
    hi_out := hi;
    IF is_log THEN
        IF axis->>'min' IS NULL THEN lo_out := lo / 1.15; END IF;
        IF axis->>'max' IS NULL THEN hi_out := hi * 1.15; END IF;
        IF hi_out <= lo_out THEN hi_out := lo_out * 2; END IF;
    ELSIF axis->>'min' IS NULL OR axis->>'max' IS NULL THEN
        SELECT CASE WHEN axis->>'min' IS NULL THEN n.lo_out ELSE lo END,
               CASE WHEN axis->>'max' IS NULL THEN n.hi_out ELSE hi END
          INTO lo_out, hi_out
          FROM tasker_bench._svg_nice(lo, hi, coalesce((axis->>'zero')::boolean, false)) n;
    END IF;
END
$$;

/* Where v lies on an axis from lo to hi: 0 .. 1 inside (not clamped). */
CREATE FUNCTION tasker_bench._svg_frac(v float8, lo float8, hi float8, is_log boolean) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_log THEN ln(v / lo) / ln(hi / lo) ELSE (v - lo) / (hi - lo) END
$$;

/*
 * The chart primitive: an x/y plot from a spec (jsonb):
 *   id, kind        names of the chart (data-chart attribute), id unique in a document
 *   title, note     heading and a line under it (e.g. "n = 1200")
 *   width, height   px (default 600 x 300)
 *   x, y            axes: {label (with unit), log (bool), min, max, zero (bool, linear: include 0),
 *                   integer (bool: ticks on whole numbers only),
 *                   ticks ([{v, label}], replaces the automatic ones), category (bool: no grid)}
 *   series          [{name, kind, color, dash, opacity, data, legend (default true)}] with kind
 *                     line      data [[x, y], ...] (points with a null or, on a log axis, a
 *                               non-positive coordinate break the line)
 *                     points    data [[x, y], ...]; shape 'left' / 'right': a triangle pointing
 *                               that way (a value beyond the axis, drawn at its edge)
 *                     rects     data [[x0, x1, y0, y1], ...]
 *                     segments  data [[x0, y0, x1, y1], ...]
 *                     vlines    data [x, ...] (full height); hlines data [y, ...] (full width)
 *                     xbands    data [[x0, x1], ...] (full height, shaded)
 * Values outside the axes' range are clamped to the plot area.  Returns the
 * <svg> element.
 */
CREATE FUNCTION tasker_bench._svg_chart(spec jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    cw float8 := coalesce((spec->>'width')::float8, 600);
    ch float8 := coalesce((spec->>'height')::float8, 300);
    FS constant float8 := 11;
    ax jsonb := coalesce(spec->'x', '{}');
    ay jsonb := coalesce(spec->'y', '{}');
    xlog boolean := coalesce((ax->>'log')::boolean, false);
    ylog boolean := coalesce((ay->>'log')::boolean, false);
    xlo float8; xhi float8; ylo float8; yhi float8;
    xt jsonb; yt jsonb;
    o text[] := '{}';
    s jsonb; d jsonb; t jsonb;
    top float8; left_ float8; right_ float8; bottom float8;
    pw float8; ph float8;
    v_legend jsonb := '[]';
    lx float8; ly float8; w float8;
    v_last float8;
    pts text;
    px float8; py float8; px2 float8; py2 float8;
    v_dash text;
    v_color text;
    v_title text;
    v_x float8;
    v_y float8;
    v_ytw float8 := 0;
BEGIN
    -- data ranges from the series (numbers only; log axes only positive)
    SELECT min(v) FILTER (WHERE NOT xlog OR v > 0), max(v) FILTER (WHERE NOT xlog OR v > 0)
      INTO xlo, xhi
      FROM (SELECT tasker_bench._jnum(CASE WHEN se->>'kind' IN ('line', 'points') THEN p->0
                         WHEN se->>'kind' = 'rects' THEN p->(k)
                         WHEN se->>'kind' = 'segments' THEN p->(2 * k)
                         WHEN se->>'kind' = 'vlines' THEN p
                         WHEN se->>'kind' = 'xbands' THEN p->(k) END) AS v
              FROM jsonb_array_elements(coalesce(spec->'series', '[]')) se,
                   jsonb_array_elements(CASE WHEN jsonb_typeof(se->'data') = 'array' THEN se->'data' ELSE '[]' END) p,
                   generate_series(0, 1) k
             WHERE se->>'kind' <> 'hlines') a
     WHERE v IS NOT NULL;
    SELECT min(v) FILTER (WHERE NOT ylog OR v > 0), max(v) FILTER (WHERE NOT ylog OR v > 0)
      INTO ylo, yhi
      FROM (SELECT tasker_bench._jnum(CASE WHEN se->>'kind' IN ('line', 'points') THEN p->1
                         WHEN se->>'kind' = 'rects' THEN p->(2 + k)
                         WHEN se->>'kind' = 'segments' THEN p->(1 + 2 * k)
                         WHEN se->>'kind' = 'hlines' THEN p END) AS v
              FROM jsonb_array_elements(coalesce(spec->'series', '[]')) se,
                   jsonb_array_elements(CASE WHEN jsonb_typeof(se->'data') = 'array' THEN se->'data' ELSE '[]' END) p,
                   generate_series(0, 1) k
             WHERE se->>'kind' NOT IN ('vlines', 'xbands')) a
     WHERE v IS NOT NULL;
    xlo := coalesce((ax->>'min')::float8, xlo, CASE WHEN xlog THEN 1 ELSE 0 END);
    xhi := coalesce((ax->>'max')::float8, xhi, xlo * 10 + 1);
    ylo := coalesce((ay->>'min')::float8, ylo, CASE WHEN ylog THEN 1 ELSE 0 END);
    yhi := coalesce((ay->>'max')::float8, yhi, ylo * 10 + 1);
    SELECT rg.lo_out, rg.hi_out INTO xlo, xhi FROM tasker_bench._svg_range(xlo, xhi, ax, xlog) rg;
    SELECT rg.lo_out, rg.hi_out INTO ylo, yhi FROM tasker_bench._svg_range(ylo, yhi, ay, ylog) rg;
    IF xhi <= xlo THEN xhi := xlo + 1; END IF;
    IF yhi <= ylo THEN yhi := ylo + 1; END IF;
    xt := coalesce(ax->'ticks', tasker_bench._svg_ticks(xlo, xhi, xlog, 6, CASE WHEN (ax->>'integer')::boolean THEN 1 END));
    yt := coalesce(ay->'ticks', tasker_bench._svg_ticks(ylo, yhi, ylog, 6, CASE WHEN (ay->>'integer')::boolean THEN 1 END));

    -- legend entries
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', se->>'name', 'color', coalesce(se->>'color', '#1f5fa8'),
                                                 'kind', se->>'kind', 'dash', se->>'dash', 'shape', se->>'shape')), '[]')
      INTO v_legend
      FROM jsonb_array_elements(coalesce(spec->'series', '[]')) se
     WHERE se->>'name' IS NOT NULL AND coalesce((se->>'legend')::boolean, true);

    o := o || format('<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="%s" id="%s" width="%s" height="%s" viewBox="0 0 %s %s" role="img" font-family="DejaVu Sans Mono, Liberation Mono, monospace" font-size="%s">',
                     tasker_bench._svg_esc(spec->>'kind'), tasker_bench._svg_esc(spec->>'id'),
                     cw, ch, cw, ch, FS);
    v_title := coalesce(spec->>'title', '');
    o := o || format('<title>%s</title>', tasker_bench._svg_esc(v_title));
    o := o || format('<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>', cw, ch);

    -- title, note, legend (top)
    top := 6;
    IF v_title <> '' THEN
        o := o || format('<text class="title" x="8" y="%s" font-size="13" font-weight="bold">%s</text>',
                         top + 12, tasker_bench._svg_esc(tasker_bench._svg_fit(v_title, cw - 16, 13)));
        top := top + 18;
    END IF;
    IF coalesce(spec->>'note', '') <> '' THEN
        o := o || format('<text class="note" x="8" y="%s" fill="#555555">%s</text>',
                         top + 11, tasker_bench._svg_esc(tasker_bench._svg_fit(spec->>'note', cw - 16)));
        top := top + 16;
    END IF;
    IF jsonb_array_length(v_legend) > 0 THEN
        lx := 8;
        ly := top + 2;
        FOR t IN SELECT e FROM jsonb_array_elements(v_legend) e LOOP
            w := 16 + tasker_bench._svg_tw(t->>'name') + 14;
            IF lx > 8 AND lx + w > cw - 8 THEN
                lx := 8;
                ly := ly + 16;
            END IF;
            IF t->>'kind' IN ('line', 'segments', 'vlines', 'hlines') THEN
                o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>',
                                 lx, ly + 6, lx + 12, ly + 6, t->>'color',
                                 CASE WHEN t->>'dash' IS NOT NULL THEN format(' stroke-dasharray="%s"', t->>'dash') ELSE '' END);
            ELSIF t->>'kind' = 'points' AND t->>'shape' = 'right' THEN
                o := o || format('<polygon points="%s,%s %s,%s %s,%s" fill="%s"/>', lx + 10, ly + 6, lx + 3, ly + 2, lx + 3, ly + 10, t->>'color');
            ELSIF t->>'kind' = 'points' THEN
                o := o || format('<circle cx="%s" cy="%s" r="3.5" fill="%s"/>', lx + 6, ly + 6, t->>'color');
            ELSE
                o := o || format('<rect x="%s" y="%s" width="12" height="10" fill="%s" fill-opacity="%s"/>',
                                 lx, ly + 1, t->>'color', CASE WHEN t->>'kind' = 'xbands' THEN '0.25' ELSE '0.85' END);
            END IF;
            o := o || format('<text class="legend" x="%s" y="%s">%s</text>', lx + 16, ly + 10,
                             tasker_bench._svg_esc(tasker_bench._svg_fit(t->>'name', cw - lx - 24)));
            lx := lx + w;
        END LOOP;
        top := ly + 20;
    END IF;
    top := top + 4;

    -- margins: y tick labels and the rotated y label on the left, x ticks and label below
    SELECT coalesce(max(tasker_bench._svg_tw(e->>'label')), 0) INTO v_ytw FROM jsonb_array_elements(yt) e;
    v_ytw := least(v_ytw, cw * 0.45);
    left_ := 8 + 14 + 6 + v_ytw + 6;
    SELECT greatest(12, coalesce(max(tasker_bench._svg_tw(e->>'label')) / 2 + 4, 0)) INTO right_
      FROM jsonb_array_elements(xt) e;
    right_ := least(right_, 60);
    bottom := 8 + 14 + 4 + 14 + 4;
    pw := cw - left_ - right_;
    ph := ch - top - bottom;
    IF pw < 40 OR ph < 30 THEN
        RAISE EXCEPTION 'chart "%" has no room to draw (% x % px)', spec->>'id', cw, ch USING ERRCODE = '22023',
            HINT = 'Make the chart larger.';
    END IF;

    -- grid and ticks
    o := o || '<g class="grid" stroke="#e4e4e4" stroke-width="1">'::text;
    FOR t IN SELECT e FROM jsonb_array_elements(yt) e LOOP
        v_y := (t->>'v')::float8;
        CONTINUE WHEN v_y IS NULL OR v_y < ylo OR v_y > yhi OR (ylog AND v_y <= 0);
        py := top + ph - ph * tasker_bench._svg_frac(v_y, ylo, yhi, ylog);
        IF NOT coalesce((ay->>'category')::boolean, false) THEN
            o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s"/>', tasker_bench._svg_n(left_), tasker_bench._svg_n(py),
                             tasker_bench._svg_n(left_ + pw), tasker_bench._svg_n(py));
        END IF;
    END LOOP;
    FOR t IN SELECT e FROM jsonb_array_elements(xt) e LOOP
        v_x := (t->>'v')::float8;
        CONTINUE WHEN v_x IS NULL OR v_x < xlo OR v_x > xhi OR (xlog AND v_x <= 0);
        px := left_ + pw * tasker_bench._svg_frac(v_x, xlo, xhi, xlog);
        IF NOT coalesce((ax->>'category')::boolean, false) THEN
            o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s"/>', tasker_bench._svg_n(px), tasker_bench._svg_n(top),
                             tasker_bench._svg_n(px), tasker_bench._svg_n(top + ph));
        END IF;
    END LOOP;
    o := o || '</g>'::text;

    -- series
    FOR s IN SELECT e FROM jsonb_array_elements(coalesce(spec->'series', '[]')) e LOOP
        v_color := coalesce(s->>'color', '#1f5fa8');
        v_dash := CASE WHEN s->>'dash' IS NOT NULL THEN format(' stroke-dasharray="%s"', s->>'dash') ELSE '' END;
        o := o || format('<g class="series" data-series="%s">', tasker_bench._svg_esc(s->>'name'));
        IF s->>'kind' = 'line' THEN
            pts := NULL;
            FOR d IN SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s->'data') = 'array' THEN s->'data' ELSE '[]' END) e LOOP
                v_x := (d->>0)::float8;
                v_y := (d->>1)::float8;
                IF v_x IS NULL OR v_y IS NULL OR (xlog AND v_x <= 0) OR (ylog AND v_y <= 0) THEN
                    IF pts IS NOT NULL THEN
                        o := o || format('<polyline fill="none" stroke="%s" stroke-width="%s"%s points="%s"/>',
                                         v_color, coalesce(s->>'stroke_width', '1.8'), v_dash, pts);
                    END IF;
                    pts := NULL;
                    CONTINUE;
                END IF;
                px := left_ + pw * least(greatest(tasker_bench._svg_frac(v_x, xlo, xhi, xlog), 0), 1);
                py := top + ph - ph * least(greatest(tasker_bench._svg_frac(v_y, ylo, yhi, ylog), 0), 1);
                pts := concat_ws(' ', pts, tasker_bench._svg_n(px) || ',' || tasker_bench._svg_n(py));
            END LOOP;
            IF pts IS NOT NULL THEN
                o := o || format('<polyline fill="none" stroke="%s" stroke-width="%s"%s points="%s"/>',
                                 v_color, coalesce(s->>'stroke_width', '1.8'), v_dash, pts);
            END IF;
        ELSE
            FOR d IN SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s->'data') = 'array' THEN s->'data' ELSE '[]' END) e LOOP
                IF s->>'kind' = 'points' THEN
                    v_x := (d->>0)::float8; v_y := (d->>1)::float8;
                    CONTINUE WHEN v_x IS NULL OR v_y IS NULL OR (xlog AND v_x <= 0) OR (ylog AND v_y <= 0);
                    px := left_ + pw * least(greatest(tasker_bench._svg_frac(v_x, xlo, xhi, xlog), 0), 1);
                    py := top + ph - ph * least(greatest(tasker_bench._svg_frac(v_y, ylo, yhi, ylog), 0), 1);
                    IF s->>'shape' IN ('left', 'right') THEN
                        -- a triangle pointing out of the plot: a value beyond the axis
                        o := o || format('<polygon points="%s,%s %s,%s %s,%s" fill="%s"/>',
                                         tasker_bench._svg_n(px), tasker_bench._svg_n(py),
                                         tasker_bench._svg_n(px + CASE WHEN s->>'shape' = 'right' THEN -7 ELSE 7 END), tasker_bench._svg_n(py - 4),
                                         tasker_bench._svg_n(px + CASE WHEN s->>'shape' = 'right' THEN -7 ELSE 7 END), tasker_bench._svg_n(py + 4),
                                         v_color);
                    ELSE
                        o := o || format('<circle cx="%s" cy="%s" r="%s" fill="%s"/>', tasker_bench._svg_n(px), tasker_bench._svg_n(py),
                                         coalesce(s->>'r', '3'), v_color);
                    END IF;
                ELSIF s->>'kind' IN ('rects', 'segments', 'xbands', 'vlines', 'hlines') THEN
                    IF s->>'kind' = 'rects' THEN
                        v_x := (d->>0)::float8; px2 := (d->>1)::float8; v_y := (d->>2)::float8; py2 := (d->>3)::float8;
                    ELSIF s->>'kind' = 'segments' THEN
                        v_x := (d->>0)::float8; v_y := (d->>1)::float8; px2 := (d->>2)::float8; py2 := (d->>3)::float8;
                    ELSIF s->>'kind' = 'xbands' THEN
                        v_x := (d->>0)::float8; px2 := (d->>1)::float8; v_y := ylo; py2 := yhi;
                    ELSIF s->>'kind' = 'vlines' THEN
                        v_x := tasker_bench._jnum(d); px2 := v_x; v_y := ylo; py2 := yhi;
                    ELSE
                        v_y := tasker_bench._jnum(d); py2 := v_y; v_x := xlo; px2 := xhi;
                    END IF;
                    CONTINUE WHEN v_x IS NULL OR px2 IS NULL OR v_y IS NULL OR py2 IS NULL;
                    IF xlog THEN v_x := greatest(v_x, xlo); px2 := greatest(px2, xlo); END IF;
                    IF ylog THEN v_y := greatest(v_y, ylo); py2 := greatest(py2, ylo); END IF;
                    px := left_ + pw * least(greatest(tasker_bench._svg_frac(v_x, xlo, xhi, xlog), 0), 1);
                    px2 := left_ + pw * least(greatest(tasker_bench._svg_frac(px2, xlo, xhi, xlog), 0), 1);
                    py := top + ph - ph * least(greatest(tasker_bench._svg_frac(v_y, ylo, yhi, ylog), 0), 1);
                    py2 := top + ph - ph * least(greatest(tasker_bench._svg_frac(py2, ylo, yhi, ylog), 0), 1);
                    IF s->>'kind' IN ('rects', 'xbands') THEN
                        o := o || format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s" fill-opacity="%s"/>',
                                         tasker_bench._svg_n(least(px, px2)), tasker_bench._svg_n(least(py, py2)),
                                         tasker_bench._svg_n(greatest(abs(px2 - px), 0.6)), tasker_bench._svg_n(abs(py2 - py)),
                                         v_color, coalesce(s->>'opacity', CASE WHEN s->>'kind' = 'xbands' THEN '0.2' ELSE '0.85' END));
                    ELSE
                        o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>',
                                         tasker_bench._svg_n(px), tasker_bench._svg_n(py), tasker_bench._svg_n(px2), tasker_bench._svg_n(py2),
                                         v_color, coalesce(s->>'stroke_width', '1.5'), v_dash);
                    END IF;
                END IF;
            END LOOP;
        END IF;
        o := o || '</g>'::text;
    END LOOP;

    -- axes, tick marks and labels (thinned so that none overlaps the previous one)
    o := o || format('<g class="axes" stroke="#333333" stroke-width="1"><line x1="%s" y1="%s" x2="%s" y2="%s"/><line x1="%s" y1="%s" x2="%s" y2="%s"/></g>',
                     tasker_bench._svg_n(left_), tasker_bench._svg_n(top + ph), tasker_bench._svg_n(left_ + pw), tasker_bench._svg_n(top + ph),
                     tasker_bench._svg_n(left_), tasker_bench._svg_n(top), tasker_bench._svg_n(left_), tasker_bench._svg_n(top + ph));
    v_last := -1e9;
    FOR t IN SELECT e FROM jsonb_array_elements(xt) e ORDER BY (e->>'v')::float8 LOOP
        v_x := (t->>'v')::float8;
        CONTINUE WHEN v_x IS NULL OR v_x < xlo OR v_x > xhi OR (xlog AND v_x <= 0);
        px := left_ + pw * tasker_bench._svg_frac(v_x, xlo, xhi, xlog);
        w := tasker_bench._svg_tw(t->>'label');
        CONTINUE WHEN px - w / 2 < v_last + 6 OR px + w / 2 > cw - 2;
        o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333"/><text class="tick x" x="%s" y="%s" text-anchor="middle">%s</text>',
                         tasker_bench._svg_n(px), tasker_bench._svg_n(top + ph), tasker_bench._svg_n(px), tasker_bench._svg_n(top + ph + 4),
                         tasker_bench._svg_n(px), tasker_bench._svg_n(top + ph + 17), tasker_bench._svg_esc(t->>'label'));
        v_last := px + w / 2;
    END LOOP;
    v_last := 1e9;
    FOR t IN SELECT e FROM jsonb_array_elements(yt) e ORDER BY (e->>'v')::float8 LOOP
        v_y := (t->>'v')::float8;
        CONTINUE WHEN v_y IS NULL OR v_y < ylo OR v_y > yhi OR (ylog AND v_y <= 0);
        py := top + ph - ph * tasker_bench._svg_frac(v_y, ylo, yhi, ylog);
        CONTINUE WHEN py > v_last - 13;
        o := o || format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333"/><text class="tick y" x="%s" y="%s" text-anchor="end">%s</text>',
                         tasker_bench._svg_n(left_ - 4), tasker_bench._svg_n(py), tasker_bench._svg_n(left_), tasker_bench._svg_n(py),
                         tasker_bench._svg_n(left_ - 6), tasker_bench._svg_n(py + 3.5),
                         tasker_bench._svg_esc(tasker_bench._svg_fit(t->>'label', v_ytw)));
        v_last := py;
    END LOOP;
    -- axis labels (the log scales say so)
    o := o || format('<text class="axis-label x" x="%s" y="%s" text-anchor="middle">%s</text>',
                     tasker_bench._svg_n(left_ + pw / 2), tasker_bench._svg_n(ch - 8),
                     tasker_bench._svg_esc(tasker_bench._svg_axis_label(ax->>'label', xlog, pw)));
    o := o || format('<text class="axis-label y" transform="translate(%s,%s) rotate(-90)" text-anchor="middle">%s</text>',
                     18, tasker_bench._svg_n(top + ph / 2),
                     tasker_bench._svg_esc(tasker_bench._svg_axis_label(ay->>'label', ylog, ph)));
    o := o || '</svg>'::text;
    RETURN array_to_string(o, '');
END
$$;

COMMENT ON FUNCTION tasker_bench._svg_chart(jsonb) IS
    'The chart primitive: an SVG x/y plot (lines, points, rects, segments, reference lines, bands) from a jsonb spec';

/* A flame graph of folded stacks as SVG: the outermost frame at the bottom, widths proportional to time. */
CREATE FUNCTION tasker_bench._svg_flame(folded text[], p_title text, p_id text, p_unit text DEFAULT 'µs',
                                        p_width float8 DEFAULT 1200)
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    cw float8 := p_width;
    FH constant float8 := 17;
    v_total float8;
    v_depth integer;
    o text[] := '{}';
    f record;
    top float8 := 6;
    left_ constant float8 := 28;
    pw float8;
    ch float8;
    x float8; w float8; y float8;
    v_label text;
    v_hue integer;
BEGIN
    SELECT sum(ff.value) FILTER (WHERE ff.depth = 1), max(ff.depth) INTO v_total, v_depth
      FROM tasker_bench.flame_frames(folded) ff;
    IF v_total IS NULL OR v_total <= 0 THEN
        RETURN NULL;
    END IF;
    pw := cw - left_ - 12;
    ch := 6 + 18 + 16 + 4 + (v_depth + 1) * FH + 8 + 18 + 8;
    o := o || format('<svg xmlns="http://www.w3.org/2000/svg" class="chart flame" data-chart="flame" id="%s" width="%s" height="%s" viewBox="0 0 %s %s" role="img" font-family="DejaVu Sans Mono, Liberation Mono, monospace" font-size="11">',
                     tasker_bench._svg_esc(p_id), cw, ch, cw, ch);
    o := o || format('<title>%s</title><rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>',
                     tasker_bench._svg_esc(p_title), cw, ch);
    o := o || format('<text class="title" x="8" y="%s" font-size="13" font-weight="bold">%s</text>', top + 12,
                     tasker_bench._svg_esc(tasker_bench._svg_fit(p_title, cw - 16, 13)));
    top := top + 18;
    o := o || format('<text class="note" x="8" y="%s" fill="#555555">%s</text>', top + 11,
                     tasker_bench._svg_esc(tasker_bench._svg_fit(format('total %s %s over %s stacks; hover a frame for its time',
                                                                        tasker_bench._svg_num_label(v_total), p_unit,
                                                                        (SELECT count(*) FROM tasker_bench.flame_frames(folded) ff WHERE ff.self > 0)),
                                                                 cw - 16)));
    top := top + 20;
    -- the root ("all") at the bottom, depth 1 above it
    y := top + v_depth * FH;
    o := o || format('<g class="frame" data-depth="0" data-value="%s"><title>all: %s %s (100 %%)</title><rect x="%s" y="%s" width="%s" height="%s" fill="#e0c080" stroke="#ffffff" stroke-width="0.5"/><text class="frame-label" x="%s" y="%s">%s</text></g>',
                     v_total, tasker_bench._svg_num_label(v_total), p_unit, left_, y, tasker_bench._svg_n(pw), FH - 1,
                     left_ + 3, tasker_bench._svg_n(y + 12),
                     tasker_bench._svg_esc(tasker_bench._svg_fit(format('all (%s %s)', tasker_bench._svg_num_label(v_total), p_unit), pw - 6)));
    FOR f IN SELECT * FROM tasker_bench.flame_frames(folded) LOOP
        x := left_ + pw * f.x0 / v_total;
        w := pw * f.value / v_total;
        y := top + (v_depth - f.depth) * FH;
        v_hue := abs(hashtext(f.frame)) % 50;
        v_label := tasker_bench._svg_fit(f.frame, w - 6);
        o := o || format('<g class="frame" data-depth="%s" data-value="%s"><title>%s: %s %s (%s %%)</title><rect x="%s" y="%s" width="%s" height="%s" fill="hsl(%s,75%%,%s%%)" stroke="#ffffff" stroke-width="0.5"/>%s</g>',
                         f.depth, f.value, tasker_bench._svg_esc(array_to_string(f.path, ' > ')),
                         tasker_bench._svg_num_label(f.value), p_unit,
                         round((100 * f.value / v_total)::numeric, 1),
                         tasker_bench._svg_n(x), tasker_bench._svg_n(y), tasker_bench._svg_n(greatest(w, 0.3)), FH - 1,
                         v_hue + 5, 55 + (abs(hashtext(f.frame || 'l')) % 15),
                         CASE WHEN v_label = '' THEN ''
                              ELSE format('<text class="frame-label" x="%s" y="%s">%s</text>', tasker_bench._svg_n(x + 3),
                                          tasker_bench._svg_n(y + 12), tasker_bench._svg_esc(v_label)) END);
    END LOOP;
    y := top + (v_depth + 1) * FH + 6;
    o := o || format('<text class="axis-label x" x="%s" y="%s" text-anchor="middle">%s</text>',
                     tasker_bench._svg_n(left_ + pw / 2), tasker_bench._svg_n(y + 12),
                     tasker_bench._svg_esc(format('frame width: share of the total time (%s); frames sorted by name, not by time', p_unit)));
    o := o || format('<text class="axis-label y" transform="translate(%s,%s) rotate(-90)" text-anchor="middle">%s</text>',
                     18, tasker_bench._svg_n(top + (v_depth + 1) * FH / 2),
                     tasker_bench._svg_esc(CASE WHEN (v_depth + 1) * FH >= 84 THEN 'stack depth' ELSE 'depth' END));
    o := o || '</svg>'::text;
    RETURN array_to_string(o, '');
END
$$;
