-- A message queue modelled on pgmq (schema tasker_bench, pgmq semantics, one
-- shared message table)
--   tasker_bench.queue_create(queue_name) / queue_drop(queue_name) / queue_purge(queue_name)
--   tasker_bench.queue_send(queue_name, msg, delay)                 -> msg_id
--   tasker_bench.queue_send_with_notify(queue_name, message, delay_seconds) -> msg_id
--       the model of tasker-core's pgmq_send_with_notify: the message and, in the
--       same transaction, pg_notify on pgmq_message_ready.<namespace> (namespace =
--       queue name without its _queue suffix) and on pgmq_message_ready.  Payload:
--       JSON, event_type message_with_payload with the whole message when its text
--       is under 7000 bytes, else message_ready with payload_omitted; never over
--       7800 bytes.
--   tasker_bench.queue_read(queue_name, vt, qty, conditional)       -> claimed messages
--       visible messages (vt <= now) oldest first, FOR UPDATE SKIP LOCKED; each
--       becomes invisible for vt seconds and its read_ct goes up
--   tasker_bench.queue_delete(queue_name, msg_id) / queue_archive(queue_name, msg_id) -> found
--   tasker_bench.queue_notify_channel(queue_name), queue_notify_payload(queue_name, msg_id, message)
--   built-in queues: worker_<namespace>_queue for the fixture's namespaces,
--   orchestration_step_results (tasker-core's default names), tasker_bench_notify

-- ---------------------------------------------------------------------------
-- Queue functions
-- ---------------------------------------------------------------------------

-- The error for a queue that is not there (or a NULL name).
CREATE FUNCTION tasker_bench._queue_missing(p_queue text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    IF p_queue IS NULL THEN
        RAISE EXCEPTION 'queue name must not be NULL' USING ERRCODE = '22004',
            HINT = 'SELECT queue_name FROM tasker_bench.queues lists the queues.';
    END IF;
    RAISE EXCEPTION 'queue "%" does not exist', p_queue USING ERRCODE = '42P01',
        HINT = format('Create it with SELECT tasker_bench.queue_create(%L); SELECT queue_name FROM tasker_bench.queues lists the queues.',
                      p_queue);
END
$fn$;

-- Namespace of a queue for notifications: its name without the _queue suffix.
CREATE FUNCTION tasker_bench.queue_notify_namespace(queue_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN length(queue_name) > 6 AND right(queue_name, 6) = '_queue'
                THEN left(queue_name, -6) ELSE queue_name END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_notify_namespace(text) IS
    'The notify namespace of a queue: its name without the _queue suffix';

CREATE FUNCTION tasker_bench.queue_notify_channel(queue_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT 'pgmq_message_ready.' || tasker_bench.queue_notify_namespace(queue_name)
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_notify_channel(text) IS
    'The channel queue_send_with_notify notifies for a queue (besides the global pgmq_message_ready)';

-- The notification payload of a sent message.  A message whose text is under
-- 7000 bytes travels whole; the envelope adds at most a few hundred bytes
-- (queue names have at most 47), so the payload stays under 7800 bytes.
-- STABLE like jsonb_build_object, so that it is inlined into its callers
-- (an IMMUTABLE SQL function calling a STABLE one is not inlined, and then
-- costs a parse and plan of its body per call).
CREATE FUNCTION tasker_bench.queue_notify_payload(queue_name text, msg_id bigint, message jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
    SELECT CASE
               WHEN octet_length(message::text) < 7000 THEN
                   jsonb_build_object('event_type', 'message_with_payload',
                                      'queue_name', queue_name,
                                      'namespace', tasker_bench.queue_notify_namespace(queue_name),
                                      'msg_id', msg_id,
                                      'message', message)
               ELSE
                   jsonb_build_object('event_type', 'message_ready',
                                      'queue_name', queue_name,
                                      'namespace', tasker_bench.queue_notify_namespace(queue_name),
                                      'msg_id', msg_id,
                                      'message_size', octet_length(message::text),
                                      'payload_omitted', true)
           END::text
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_notify_payload(text, bigint, jsonb) IS
    'Notification payload of queue_send_with_notify: message_with_payload (message under 7000 bytes) or message_ready with payload_omitted';

CREATE FUNCTION tasker_bench.queue_create(queue_name text) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_name text := queue_create.queue_name;
BEGIN
    IF v_name IS NULL OR v_name !~ '^[a-z0-9_]{1,47}$'
       OR length(tasker_bench.queue_notify_namespace(v_name)) > 44 THEN
        RAISE EXCEPTION 'invalid queue name "%"', coalesce(v_name, 'NULL') USING ERRCODE = '42602',
            HINT = 'Queue names have 1 to 47 characters: lower-case letters, digits and underscores; '
                   'without a _queue suffix at most 44 (the notify channel is pgmq_message_ready.<name without _queue>).';
    END IF;
    INSERT INTO tasker_bench.queues (queue_name) VALUES (v_name) ON CONFLICT DO NOTHING;
    RETURN FOUND;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_create(text) IS
    'Creates a message queue (idempotent: false when it exists already)';

CREATE FUNCTION tasker_bench.queue_drop(queue_name text) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_name text := queue_drop.queue_name;
BEGIN
    IF EXISTS (SELECT 1 FROM tasker_bench.queues q WHERE q.queue_name = v_name AND q.builtin) THEN
        RAISE EXCEPTION 'queue "%" is built in', v_name USING ERRCODE = '42501',
            HINT = 'The lifecycle and notify cases use it; tasker_bench.queue_purge() empties it.';
    END IF;
    DELETE FROM tasker_bench.queues q WHERE q.queue_name = v_name AND q.created_by = current_user;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM tasker_bench.queues q WHERE q.queue_name = v_name) THEN
            RAISE EXCEPTION 'queue "%" belongs to another role', v_name USING ERRCODE = '42501',
                HINT = 'Only the role that created a queue can drop it.';
        END IF;
        PERFORM tasker_bench._queue_missing(v_name);
    END IF;
    DELETE FROM tasker_bench.queue_messages m WHERE m.queue_name = v_name AND m.sent_by = current_user;
    DELETE FROM tasker_bench.queue_archive a WHERE a.queue_name = v_name AND a.sent_by = current_user;
    RETURN true;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_drop(text) IS 'Removes a queue with its messages and archive';

CREATE FUNCTION tasker_bench.queue_purge(queue_name text) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_name text := queue_purge.queue_name;
    v_n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tasker_bench.queues q
                    WHERE q.queue_name = v_name AND (q.builtin OR q.created_by = current_user)) THEN
        PERFORM tasker_bench._queue_missing(v_name);
    END IF;
    DELETE FROM tasker_bench.queue_messages m WHERE m.queue_name = v_name AND m.sent_by = current_user;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_purge(text) IS 'Deletes every message of a queue; returns how many';

-- send: one INSERT that also proves the queue exists.
CREATE FUNCTION tasker_bench.queue_send(queue_name text, msg jsonb, delay integer DEFAULT 0) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_id bigint;
BEGIN
    IF msg IS NULL THEN
        RAISE EXCEPTION 'message must not be NULL' USING ERRCODE = '22004',
            HINT = 'Send a jsonb value, e.g. ''{}''.';
    END IF;
    IF delay IS NULL OR delay < 0 THEN
        RAISE EXCEPTION 'delay must be 0 or more seconds, got %', coalesce(delay::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'The message becomes visible delay seconds from now.';
    END IF;
    INSERT INTO tasker_bench.queue_messages (queue_name, vt, message)
    SELECT q.queue_name, clock_timestamp() + make_interval(secs => delay), msg
      FROM tasker_bench.queues q
     WHERE q.queue_name = queue_send.queue_name AND (q.builtin OR q.created_by = current_user)
    RETURNING msg_id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM tasker_bench._queue_missing(queue_send.queue_name);
    END IF;
    RETURN v_id;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_send(text, jsonb, integer) IS
    'Sends a message (pgmq send): visible after delay seconds; returns its msg_id';

CREATE FUNCTION tasker_bench.queue_send_with_notify(queue_name text, message jsonb, delay_seconds integer DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_id bigint;
    v_payload text;
BEGIN
    v_id := tasker_bench.queue_send(queue_send_with_notify.queue_name, queue_send_with_notify.message,
                                    delay_seconds);
    v_payload := tasker_bench.queue_notify_payload(queue_send_with_notify.queue_name, v_id,
                                                   queue_send_with_notify.message);
    PERFORM pg_catalog.pg_notify(tasker_bench.queue_notify_channel(queue_send_with_notify.queue_name), v_payload);
    PERFORM pg_catalog.pg_notify('pgmq_message_ready', v_payload);
    RETURN v_id;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_send_with_notify(text, jsonb, integer) IS
    'Model of pgmq_send_with_notify: sends a message and notifies pgmq_message_ready.<namespace> and pgmq_message_ready in the same transaction';

-- read: claim up to qty visible messages (oldest first), invisible for vt seconds.
CREATE FUNCTION tasker_bench.queue_read(queue_name text, vt integer, qty integer DEFAULT 1,
                                        conditional jsonb DEFAULT '{}')
RETURNS SETOF tasker_bench.queue_message
LANGUAGE plpgsql AS $fn$
BEGIN
    IF queue_read.vt IS NULL OR queue_read.vt < 0 THEN
        RAISE EXCEPTION 'vt must be 0 or more seconds, got %', coalesce(queue_read.vt::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'vt is the visibility timeout: how long the claimed messages stay invisible.';
    END IF;
    IF qty IS NULL OR qty < 1 THEN
        RAISE EXCEPTION 'qty must be 1 or more, got %', coalesce(qty::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'qty is the most messages to claim.';
    END IF;
    RETURN QUERY
    WITH nxt AS (
        SELECT m.msg_id
          FROM tasker_bench.queue_messages m
         WHERE m.queue_name = queue_read.queue_name
           AND m.sent_by = current_user
           AND m.vt <= clock_timestamp()
           AND (queue_read.conditional IS NULL OR queue_read.conditional = '{}'::jsonb
                OR m.message @> queue_read.conditional)
         ORDER BY m.msg_id
         LIMIT qty
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE tasker_bench.queue_messages m
           SET vt = clock_timestamp() + make_interval(secs => queue_read.vt),
               read_ct = m.read_ct + 1
          FROM nxt
         WHERE m.msg_id = nxt.msg_id
        RETURNING m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    )
    SELECT c.msg_id, c.read_ct, c.enqueued_at, c.vt, c.message FROM claimed c ORDER BY c.msg_id;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM tasker_bench.queues q WHERE q.queue_name = queue_read.queue_name) THEN
        PERFORM tasker_bench._queue_missing(queue_read.queue_name);
    END IF;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_read(text, integer, integer, jsonb) IS
    'Claims up to qty visible messages (pgmq read: FOR UPDATE SKIP LOCKED), invisible for vt seconds; conditional filters by message @> conditional';

CREATE FUNCTION tasker_bench.queue_delete(queue_name text, msg_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM tasker_bench.queue_messages m
     WHERE m.msg_id = queue_delete.msg_id AND m.queue_name = queue_delete.queue_name
       AND m.sent_by = current_user;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tasker_bench.queues q WHERE q.queue_name = queue_delete.queue_name) THEN
        PERFORM tasker_bench._queue_missing(queue_delete.queue_name);
    END IF;
    RETURN false;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_delete(text, bigint) IS 'Deletes a message (pgmq delete); false when it is not there';

CREATE FUNCTION tasker_bench.queue_archive(queue_name text, msg_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_n integer;
BEGIN
    WITH gone AS (
        DELETE FROM tasker_bench.queue_messages m
         WHERE m.msg_id = queue_archive.msg_id AND m.queue_name = queue_archive.queue_name
           AND m.sent_by = current_user
        RETURNING m.msg_id, m.queue_name, m.read_ct, m.enqueued_at, m.vt, m.message
    )
    INSERT INTO tasker_bench.queue_archive (msg_id, queue_name, read_ct, enqueued_at, vt, message)
    SELECT g.msg_id, g.queue_name, g.read_ct, g.enqueued_at, g.vt, g.message FROM gone g;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    IF v_n > 0 THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tasker_bench.queues q WHERE q.queue_name = queue_archive.queue_name) THEN
        PERFORM tasker_bench._queue_missing(queue_archive.queue_name);
    END IF;
    RETURN false;
END
$fn$;

COMMENT ON FUNCTION tasker_bench.queue_archive(text, bigint) IS
    'Moves a message to tasker_bench.queue_archive (pgmq archive); false when it is not there';
