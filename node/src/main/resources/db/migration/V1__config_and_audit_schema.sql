-- raftcache's durable configuration and audit trail. Applied by Flyway (io.raftcache.node.persist.PostgresStore)
-- at node start; never edit an applied migration, add V2__... instead.

-- Namespaces as configured objects: defaults and limits the nodes enforce.
CREATE TABLE namespaces (
    name            text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
    default_ttl_ms  bigint  NOT NULL DEFAULT 0 CHECK (default_ttl_ms >= 0),
    max_entries     bigint  CHECK (max_entries IS NULL OR max_entries > 0),
    max_bytes       bigint  CHECK (max_bytes IS NULL OR max_bytes > 0),
    ops_per_second  integer CHECK (ops_per_second IS NULL OR ops_per_second > 0),
    encrypted       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    token_sha256    bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    ops_per_second  integer CHECK (ops_per_second IS NULL OR ops_per_second > 0),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- What a token may do, per namespace ('*' = every namespace).
CREATE TABLE token_grants (
    token_id   bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    namespace  text   NOT NULL,
    role       text   NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    PRIMARY KEY (token_id, namespace)
);

-- Cluster-wide settings (e.g. audit retention days), one JSON value per key.
CREATE TABLE cluster_settings (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Who changed what: one row per change of a namespace, token, grant or setting.
CREATE TABLE config_history (
    id          bigserial PRIMARY KEY,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    entity      text NOT NULL,
    entity_key  text NOT NULL,
    old_value   jsonb,
    new_value   jsonb,
    request_id  text
);
CREATE INDEX config_history_entity ON config_history (entity, entity_key, changed_at);

-- The audit trail, range-partitioned by month. event_id is chosen by the node when the event happens, so a
-- batch replayed from the spool after a lost acknowledgement inserts nothing twice (ON CONFLICT DO NOTHING).
CREATE TABLE audit_events (
    occurred_at  timestamptz NOT NULL,
    event_id     uuid        NOT NULL,
    actor        text        NOT NULL,
    action       text        NOT NULL,
    namespace    text,
    target       text,
    outcome      text        NOT NULL,
    node_id      text        NOT NULL,
    request_id   text,
    detail       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (occurred_at, event_id)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX audit_events_action ON audit_events (action, occurred_at);
CREATE INDEX audit_events_namespace ON audit_events (namespace, occurred_at);

-- Creates the monthly partitions from the month of `from_time` through `months_ahead` months later
-- (idempotent); returns how many it created. Nodes call it at start and daily.
CREATE FUNCTION raftcache_ensure_audit_partitions(from_time timestamptz, months_ahead integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', from_time AT TIME ZONE 'UTC')::date;
    created integer := 0;
    name text;
BEGIN
    FOR i IN 0 .. months_ahead LOOP
        name := format('audit_events_%s', to_char(month_start + make_interval(months => i), 'YYYYMM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)', name,
                (month_start + make_interval(months => i))::timestamp AT TIME ZONE 'UTC',
                (month_start + make_interval(months => i + 1))::timestamp AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

-- Retention: drops the monthly partitions that end on or before `cutoff`; returns how many it dropped.
CREATE FUNCTION raftcache_drop_audit_partitions_before(cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    FOR part IN
        SELECT c.relname AS name
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'audit_events' AND c.relname ~ '^audit_events_[0-9]{6}$'
          AND (to_date(substring(c.relname FROM 14), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', part.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

SELECT raftcache_ensure_audit_partitions(now(), 2);

-- Erasure requests (a data subject's tag removed from every partition), with the outcome.
CREATE TABLE erasure_requests (
    id             bigserial PRIMARY KEY,
    requested_at   timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL,
    namespace      text NOT NULL,
    tag            text NOT NULL,
    status         text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    completed_at   timestamptz,
    deleted_count  bigint,
    request_id     text
);

-- Config changes are announced to the nodes (LISTEN raftcache_config); the payload names what changed, the
-- node re-reads it. A NOTIFY inside a transaction is delivered at commit.
CREATE FUNCTION raftcache_notify_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('raftcache_config', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER namespaces_changed AFTER INSERT OR UPDATE OR DELETE ON namespaces
    FOR EACH STATEMENT EXECUTE FUNCTION raftcache_notify_config();
CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION raftcache_notify_config();
CREATE TRIGGER token_grants_changed AFTER INSERT OR UPDATE OR DELETE ON token_grants
    FOR EACH STATEMENT EXECUTE FUNCTION raftcache_notify_config();
CREATE TRIGGER cluster_settings_changed AFTER INSERT OR UPDATE OR DELETE ON cluster_settings
    FOR EACH STATEMENT EXECUTE FUNCTION raftcache_notify_config();
