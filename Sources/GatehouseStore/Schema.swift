import GRDB

/// The store's schema as a list of migrations. Shipped migrations never change; new ones are appended.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE rest_api (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT,
                    version TEXT,
                    api_key_source TEXT NOT NULL DEFAULT 'HEADER',
                    created_date REAL NOT NULL
                );
                CREATE TABLE resource (
                    id TEXT PRIMARY KEY NOT NULL,
                    rest_api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                    parent_id TEXT,
                    path_part TEXT NOT NULL,
                    path TEXT NOT NULL,
                    UNIQUE (rest_api_id, path)
                );
                CREATE TABLE method (
                    resource_id TEXT NOT NULL REFERENCES resource(id) ON DELETE CASCADE,
                    http_method TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    PRIMARY KEY (resource_id, http_method)
                );
                CREATE TABLE deployment (
                    id TEXT PRIMARY KEY NOT NULL,
                    rest_api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                    description TEXT,
                    created_date REAL NOT NULL,
                    snapshot TEXT NOT NULL
                );
                CREATE INDEX deployment_api ON deployment(rest_api_id, created_date);
                CREATE TABLE stage (
                    rest_api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                    stage_name TEXT NOT NULL,
                    deployment_id TEXT NOT NULL REFERENCES deployment(id),
                    description TEXT,
                    variables TEXT NOT NULL DEFAULT '{}',
                    method_settings TEXT NOT NULL DEFAULT '{}',
                    created_date REAL NOT NULL,
                    last_updated_date REAL NOT NULL,
                    PRIMARY KEY (rest_api_id, stage_name)
                );
                CREATE TABLE account (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    throttle_rate REAL NOT NULL,
                    throttle_burst INTEGER NOT NULL
                );
                INSERT INTO account (id, throttle_rate, throttle_burst) VALUES (1, 10000, 5000);
                CREATE TABLE config_version (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO config_version (id, version) VALUES (1, 1);
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    time REAL NOT NULL,
                    operator TEXT NOT NULL,
                    source TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    before TEXT,
                    after TEXT
                );
                CREATE TABLE access_log (
                    id INTEGER PRIMARY KEY,
                    request_id TEXT NOT NULL,
                    time REAL NOT NULL,
                    api_id TEXT,
                    stage TEXT,
                    resource_path TEXT,
                    http_method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    latency_ms REAL NOT NULL,
                    integration_latency_ms REAL,
                    request_bytes INTEGER NOT NULL DEFAULT 0,
                    response_bytes INTEGER NOT NULL DEFAULT 0,
                    api_key_id TEXT,
                    source_ip TEXT,
                    user_agent TEXT,
                    error TEXT
                );
                CREATE INDEX access_log_time ON access_log(time);
                CREATE TABLE metric_second (
                    api_id TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    resource_path TEXT NOT NULL,
                    http_method TEXT NOT NULL,
                    second INTEGER NOT NULL,
                    count INTEGER NOT NULL DEFAULT 0,
                    count_4xx INTEGER NOT NULL DEFAULT 0,
                    count_5xx INTEGER NOT NULL DEFAULT 0,
                    throttled INTEGER NOT NULL DEFAULT 0,
                    cache_hit INTEGER NOT NULL DEFAULT 0,
                    cache_miss INTEGER NOT NULL DEFAULT 0,
                    latency_hist BLOB,
                    integration_latency_hist BLOB,
                    PRIMARY KEY (api_id, stage, resource_path, http_method, second)
                ) WITHOUT ROWID;
                CREATE INDEX metric_second_time ON metric_second(second);
                CREATE TABLE worker (
                    id TEXT PRIMARY KEY NOT NULL,
                    pid INTEGER NOT NULL,
                    version TEXT NOT NULL,
                    listen TEXT NOT NULL,
                    started REAL NOT NULL,
                    last_beat REAL NOT NULL,
                    telemetry_dropped INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL DEFAULT 'serving'
                );
                """)
            // Any write to configuration, by any process or by hand, bumps the version the worker watches.
            try bumpsConfigVersion(db, tables: ["rest_api", "resource", "method", "deployment", "stage", "account"])
        }
        migrator.registerMigration("v2-metric-minute") { db in
            // Minute rollups, so console windows of hours read 60x fewer rows than per-second ones.
            try db.execute(sql: """
                CREATE TABLE metric_minute (
                    api_id TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    resource_path TEXT NOT NULL,
                    http_method TEXT NOT NULL,
                    minute INTEGER NOT NULL,
                    count INTEGER NOT NULL DEFAULT 0,
                    count_4xx INTEGER NOT NULL DEFAULT 0,
                    count_5xx INTEGER NOT NULL DEFAULT 0,
                    throttled INTEGER NOT NULL DEFAULT 0,
                    cache_hit INTEGER NOT NULL DEFAULT 0,
                    cache_miss INTEGER NOT NULL DEFAULT 0,
                    latency_hist BLOB,
                    integration_latency_hist BLOB,
                    PRIMARY KEY (api_id, stage, resource_path, http_method, minute)
                ) WITHOUT ROWID;
                CREATE INDEX metric_minute_time ON metric_minute(minute);
                INSERT INTO metric_minute (api_id, stage, resource_path, http_method, minute, count, count_4xx, count_5xx,
                    throttled, cache_hit, cache_miss, latency_hist, integration_latency_hist)
                SELECT api_id, stage, resource_path, http_method, second / 60 * 60, sum(count), sum(count_4xx), sum(count_5xx),
                    sum(throttled), sum(cache_hit), sum(cache_miss), NULL, NULL
                FROM metric_second GROUP BY api_id, stage, resource_path, http_method, second / 60;
                """)
        }
        migrator.registerMigration("v3-alarms") { db in
            try db.execute(sql: """
                CREATE TABLE alarm (
                    name TEXT PRIMARY KEY NOT NULL,
                    definition TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'INSUFFICIENT_DATA',
                    state_reason TEXT NOT NULL DEFAULT 'Unchecked: initial alarm creation',
                    state_updated REAL NOT NULL,
                    last_evaluated REAL,
                    ack_by TEXT,
                    ack_at REAL,
                    ack_note TEXT,
                    last_notified REAL,
                    created REAL NOT NULL
                );
                CREATE TABLE alarm_history (
                    id INTEGER PRIMARY KEY,
                    alarm TEXT NOT NULL,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL,
                    old_state TEXT,
                    new_state TEXT,
                    reason TEXT NOT NULL
                );
                CREATE INDEX alarm_history_alarm ON alarm_history(alarm, id);
                CREATE TABLE alarm_delivery (
                    id INTEGER PRIMARY KEY,
                    alarm TEXT NOT NULL,
                    history_id INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt REAL NOT NULL,
                    last_error TEXT,
                    updated REAL NOT NULL
                );
                CREATE INDEX alarm_delivery_pending ON alarm_delivery(status, next_attempt);
                """)
        }
        migrator.registerMigration("v4-logging") { db in
            try db.execute(sql: """
                ALTER TABLE stage ADD COLUMN access_log_settings TEXT;
                ALTER TABLE access_log ADD COLUMN formatted TEXT;
                CREATE TABLE execution_log (
                    id INTEGER PRIMARY KEY,
                    request_id TEXT NOT NULL,
                    time REAL NOT NULL,
                    api_id TEXT,
                    stage TEXT,
                    line INTEGER NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX execution_log_request ON execution_log(request_id);
                CREATE INDEX execution_log_time ON execution_log(time);
                """)
        }
        migrator.registerMigration("v5-telemetry-errors") { db in
            try db.execute(sql: "ALTER TABLE worker ADD COLUMN telemetry_errors INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v6-access-log-throttled") { db in
            // Throttled calls get their own column (they were told apart by their error text).
            try db.execute(sql: """
                ALTER TABLE access_log ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0;
                UPDATE access_log SET throttled = 1 WHERE error = 'THROTTLED';
                """)
        }
        migrator.registerMigration("v7-leases") { db in
            // Jobs only one worker may run at a time (alarm evaluation and notification), held while the
            // holder's heartbeat is fresh.
            try db.execute(sql: """
                CREATE TABLE lease (
                    name TEXT PRIMARY KEY NOT NULL,
                    holder TEXT NOT NULL,
                    since REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v8-throttled-account") { db in
            // Of the throttled calls, those the account-wide limit refused (the console's account row counts
            // only these; a stage's or a method's own limit counts the rest).
            try db.execute(sql: """
                ALTER TABLE metric_second ADD COLUMN throttled_account INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE metric_minute ADD COLUMN throttled_account INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v9-api-keys") { db in
            // API keys: the value for `show --value`, and its SHA-256 for the worker's lookup (by hash, so the
            // comparison never walks the secret byte by byte).
            try db.execute(sql: """
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    customer_id TEXT,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    value TEXT NOT NULL,
                    value_hash BLOB NOT NULL UNIQUE,
                    created REAL NOT NULL,
                    last_updated REAL NOT NULL
                );
                """)
            try bumpsConfigVersion(db, tables: ["api_key"])
        }
        migrator.registerMigration("v10-usage-plans") { db in
            // Usage plans, the stages they cover (with per-method throttles as JSON), the keys on them, and
            // each key's admitted calls per plan per UTC day: the quota counts (summed over its period), GetUsage
            // reads them, and every worker on the store adds to them.
            try db.execute(sql: """
                CREATE TABLE usage_plan (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    rate REAL,
                    burst INTEGER,
                    quota_limit INTEGER,
                    quota_period TEXT,
                    quota_offset INTEGER NOT NULL DEFAULT 0,
                    quota_since REAL,
                    created REAL NOT NULL,
                    last_updated REAL NOT NULL
                );
                CREATE TABLE usage_plan_stage (
                    plan_id TEXT NOT NULL REFERENCES usage_plan(id) ON DELETE CASCADE,
                    api_id TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    throttle TEXT NOT NULL DEFAULT '{}',
                    PRIMARY KEY (plan_id, api_id, stage)
                );
                CREATE TABLE usage_plan_key (
                    plan_id TEXT NOT NULL REFERENCES usage_plan(id) ON DELETE CASCADE,
                    key_id TEXT NOT NULL REFERENCES api_key(id) ON DELETE CASCADE,
                    PRIMARY KEY (plan_id, key_id)
                );
                CREATE INDEX usage_plan_key_by_key ON usage_plan_key (key_id);
                CREATE TABLE key_usage (
                    plan_id TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    used INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (plan_id, key_id, day)
                ) WITHOUT ROWID;
                """)
            try bumpsConfigVersion(db, tables: ["usage_plan", "usage_plan_stage", "usage_plan_key"])
        }
        migrator.registerMigration("v11-stage-cache") { db in
            // The stage cache's settings (enabled, size, flush generation) as JSON; NULL: never configured.
            try db.execute(sql: "ALTER TABLE stage ADD COLUMN cache_settings TEXT")
        }
        migrator.registerMigration("v12-credentials") { db in
            // SigV4 access keys: the secret sealed (AES-GCM) with the key file beside the store, never in clear.
            try db.execute(sql: """
                CREATE TABLE credential (
                    access_key_id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    secret_sealed BLOB NOT NULL,
                    allow TEXT NOT NULL DEFAULT '[]',
                    created REAL NOT NULL,
                    revoked REAL
                );
                """)
            try bumpsConfigVersion(db, tables: ["credential"])
        }
        migrator.registerMigration("v13-authorizers") { db in
            // An API's authorizers (AWS's Authorizer shape as JSON); methods name one by id.
            try db.execute(sql: """
                CREATE TABLE authorizer (
                    id TEXT PRIMARY KEY NOT NULL,
                    rest_api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    UNIQUE (rest_api_id, name)
                );
                """)
            try bumpsConfigVersion(db, tables: ["authorizer"])
        }
        migrator.registerMigration("v14-resource-policy") { db in
            // An API's resource policy (AWS's RestApi.policy, a JSON document); served from the next deploy.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN policy TEXT")
        }
        migrator.registerMigration("v15-access-log-principal") { db in
            // Who the authorizer said the caller is (access key id, JWT sub, custom principalId).
            try db.execute(sql: "ALTER TABLE access_log ADD COLUMN principal TEXT")
        }
        migrator.registerMigration("v16-rollup-401-403") { db in
            // Calls refused 401 and 403, for the console's authorization rates.
            for table in ["metric_second", "metric_minute"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN count_401 INTEGER NOT NULL DEFAULT 0")
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN count_403 INTEGER NOT NULL DEFAULT 0")
            }
        }
        migrator.registerMigration("v17-domains") { db in
            // Custom domain names (certificate files the worker reads; mutual TLS truststore), their base path
            // mappings, backend client certificates (the key sealed as credentials' secrets are), and which one a
            // stage presents; an API's endpoint type (PRIVATE is served on private listeners only).
            try db.execute(sql: """
                CREATE TABLE domain_name (
                    domain_name TEXT PRIMARY KEY NOT NULL,
                    certificate_path TEXT NOT NULL,
                    private_key_path TEXT NOT NULL,
                    chain_path TEXT,
                    minimum_tls TEXT NOT NULL DEFAULT 'TLS_1_2',
                    truststore_path TEXT,
                    created REAL NOT NULL
                );
                CREATE TABLE base_path_mapping (
                    domain_name TEXT NOT NULL REFERENCES domain_name(domain_name) ON DELETE CASCADE,
                    base_path TEXT NOT NULL,
                    rest_api_id TEXT NOT NULL REFERENCES rest_api(id) ON DELETE CASCADE,
                    stage TEXT NOT NULL,
                    PRIMARY KEY (domain_name, base_path)
                ) WITHOUT ROWID;
                CREATE TABLE client_certificate (
                    id TEXT PRIMARY KEY NOT NULL,
                    description TEXT,
                    pem TEXT NOT NULL,
                    key_sealed BLOB NOT NULL,
                    created REAL NOT NULL,
                    expires REAL NOT NULL
                );
                ALTER TABLE stage ADD COLUMN client_certificate_id TEXT;
                ALTER TABLE rest_api ADD COLUMN endpoint_type TEXT;
                ALTER TABLE worker ADD COLUMN tls_handshake_failures INTEGER NOT NULL DEFAULT 0;
                """)
            try bumpsConfigVersion(db, tables: ["domain_name", "base_path_mapping", "client_certificate"])
        }
        migrator.registerMigration("v18-api-contract") { db in
            // An API's customized gateway responses (AWS's GatewayResponse shapes by type, as JSON); served from the next deploy.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN gateway_responses TEXT")
            // Its request validators and the default one, as JSON (methods name theirs in their own definition).
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN request_validators TEXT")
            // Its models (name → JSON schema, as AWS's Model.schema), kept for export and validation.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN models TEXT")
            // Its documentation parts and version, as JSON.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN documentation TEXT")
            // Its binary media types (JSON list) and minimum compression size.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN binary_media_types TEXT")
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN minimum_compression_size INTEGER")
        }
        migrator.registerMigration("v19-api-document") { db in
            // What the imported document said about itself that an export gives back: its tags and base path, as JSON.
            try db.execute(sql: "ALTER TABLE rest_api ADD COLUMN document TEXT")
        }
        migrator.registerMigration("v20-authorizer-flush") { db in
            // FlushStageAuthorizersCache bumps it: the worker keys kept authorizer answers by it.
            try db.execute(sql: "ALTER TABLE stage ADD COLUMN authorizer_generation INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v21-access-log-no-time-index") { db in
            // Rows are written in the order calls end, so their times rise with their ids: retention and the key
            // replay find a time's rows by bisecting ids (`Store.accessLogIds(_:from:to:)`). Keeping this index
            // was a fifth of the telemetry writer's CPU per row (`gatehouse bench-telemetry`).
            try db.execute(sql: "DROP INDEX IF EXISTS access_log_time")
        }
        return migrator
    }

    /// The triggers by which any write to a configuration table, whoever makes it, bumps `config_version`
    /// (what workers poll): `TABLE_insert_bumps_version` and its update and delete twins.
    static func bumpsConfigVersion(_ db: Database, tables: [String]) throws {
        for table in tables {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_\(event.lowercased())_bumps_version AFTER \(event) ON \(table)
                    BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
                    """)
            }
        }
    }
}
