-- pg_temp.err(stmt): run stmt and show the error it raises as
-- "SQLSTATE message" plus its hint, or 'no error'.  Run ids, the role and
-- the database name are masked so the output does not depend on the tests
-- run before, the user or the database.  Included by the regression tests.
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_state text; v_msg text; v_hint text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
    v_msg := replace(replace(v_msg, format('role "%s"', current_user), 'role "<role>"'),
                     format('database "%s"', current_database()), 'database "<db>"');
    RETURN regexp_replace(v_state || ' ' || v_msg
                          || CASE WHEN v_hint <> '' THEN E'\n      hint: ' || v_hint ELSE '' END,
                          'run [0-9]+', 'run N', 'g');
END $$;
