// Cases for every catalog check on ClickHouse: SQL in, the findings of one check out (≥3 flagged, ≥3
// close cousins that must stay quiet).
import { caseTable } from "../cases/table.ts";
import type { CaseSchema, CheckCases } from "../cases/types.ts";

const CH = ["clickhouse"] as const;
const MT = "ENGINE = MergeTree ORDER BY id";
const EVENTS: CaseSchema = {
  events: ["id:UInt64:notnull", "kind:LowCardinality(String):notnull", "note:Nullable(String)", "score:Int32:notnull"],
};

const check = caseTable(CH);

export const CLICKHOUSE_CASES: CheckCases[] = [
  check(
    "delete-without-where",
    [
      ["ALTER TABLE events DELETE WHERE 1", "Critical"],
      ["ALTER TABLE analytics.events ON CLUSTER main DELETE WHERE true", "Critical"],
      ["DELETE FROM events WHERE 1 = 1", "Critical"],
    ],
    [
      "ALTER TABLE events DELETE WHERE ts < now() - INTERVAL 1 YEAR",
      "SELECT 'ALTER TABLE events DELETE WHERE 1'",
      `CREATE TABLE tmp (id UInt64) ${MT};\nALTER TABLE tmp DELETE WHERE 1`,
    ],
  ),
  check(
    "update-without-where",
    [
      ["ALTER TABLE events UPDATE score = 0 WHERE 1", "Critical"],
      ["ALTER TABLE events UPDATE score = 0 WHERE 1 = 1", "Critical"],
      ["ALTER TABLE `events` UPDATE `score` = 0 WHERE 'a' = 'a'", "Critical"],
    ],
    [
      "ALTER TABLE events UPDATE score = 0 WHERE id = 7",
      "/* ALTER TABLE events UPDATE score = 0 WHERE 1 */ SELECT 1",
      `CREATE TABLE tmp (id UInt64, a UInt8) ${MT};\nALTER TABLE tmp UPDATE a = 1 WHERE 1`,
    ],
  ),
  check(
    "drop-table",
    [
      ["DROP TABLE events", "Critical"],
      ["DROP TABLE IF EXISTS analytics.events ON CLUSTER main SYNC", "Critical"],
      ["DROP TABLE `events`", "Critical"],
    ],
    [
      "SELECT 'DROP TABLE events'",
      `CREATE TABLE tmp (id UInt64) ${MT};\nDROP TABLE tmp`,
      "DROP VIEW IF EXISTS events_mv",
      "DROP DICTIONARY IF EXISTS countries_dict",
    ],
  ),
  check(
    "drop-database-or-schema",
    [
      ["DROP DATABASE analytics", "Critical"],
      ["DROP DATABASE IF EXISTS analytics ON CLUSTER main", "Critical"],
      ["DROP DATABASE `staging`", "Critical"],
    ],
    ["CREATE DATABASE IF NOT EXISTS analytics", "SELECT 'DROP DATABASE analytics'", "DROP TABLE IF EXISTS tmp_x"],
  ),
  check(
    "truncate",
    [
      ["TRUNCATE TABLE events", "Critical"],
      ["TRUNCATE TABLE IF EXISTS analytics.events ON CLUSTER main", "Critical"],
      ["ALTER TABLE events DROP PARTITION 202401", "Critical"],
    ],
    [
      `CREATE TABLE stage (id UInt64) ${MT};\nTRUNCATE TABLE stage`,
      "ALTER TABLE events FREEZE PARTITION 202401",
      "SELECT 'TRUNCATE TABLE events'",
    ],
  ),
  check(
    "drop-column",
    [
      ["ALTER TABLE events DROP COLUMN note", "High"],
      ["ALTER TABLE events DROP COLUMN IF EXISTS note", "High"],
      ["ALTER TABLE events DROP COLUMN a, DROP COLUMN b", "High", { count: 2 }],
    ],
    [
      `CREATE TABLE t (id UInt64, a UInt8) ${MT};\nALTER TABLE t DROP COLUMN a`,
      "ALTER TABLE events DROP INDEX idx_kind",
      "SELECT 'ALTER TABLE events DROP COLUMN note'",
    ],
  ),
  check(
    "drop-not-null",
    [
      ["ALTER TABLE events MODIFY COLUMN score Nullable(Int32)", "Medium", { schema: EVENTS }],
      ["ALTER TABLE events MODIFY COLUMN kind Nullable(String)", "Medium", { schema: EVENTS }],
      ["ALTER TABLE events MODIFY COLUMN id Nullable(UInt64)", "Medium", { schema: EVENTS }],
    ],
    [
      { sql: "ALTER TABLE events MODIFY COLUMN note Nullable(String) COMMENT 'free text'", schema: EVENTS },
      { sql: "ALTER TABLE events MODIFY COLUMN score Int64", schema: EVENTS },
      `CREATE TABLE t (id UInt64, a UInt8) ${MT};\nALTER TABLE t MODIFY COLUMN a Nullable(UInt8)`,
    ],
  ),
  check(
    "heavy-mutation",
    [
      ["ALTER TABLE events UPDATE score = 0 WHERE kind = 'test'", "High"],
      ["ALTER TABLE events MODIFY COLUMN score Int64", "High"],
      ["DELETE FROM events WHERE kind = 'test'", "Medium"],
      ["OPTIMIZE TABLE events FINAL", "High"],
      ["ALTER TABLE events MATERIALIZE INDEX idx_kind", "High"],
    ],
    [
      "ALTER TABLE events ADD COLUMN region LowCardinality(String) DEFAULT 'eu'",
      "ALTER TABLE events DROP PARTITION 202401",
      `CREATE TABLE t (id UInt64, a UInt8) ${MT};\nALTER TABLE t UPDATE a = 1 WHERE id = 1`,
      "OPTIMIZE TABLE events",
    ],
  ),
  check(
    "large-dml",
    [
      ["INSERT INTO events_v2 (id, kind) SELECT id, kind FROM events", "Medium"],
      ["ALTER TABLE events UPDATE kind = lower(kind) WHERE kind <> lower(kind)", "Medium"],
      ["INSERT INTO archive.events (id) SELECT id FROM events", "Medium"],
    ],
    [
      "INSERT INTO events_v2 (id, kind) SELECT id, kind FROM events WHERE ts >= '2024-01-01'",
      "ALTER TABLE events UPDATE score = 0 WHERE id = 42",
      "INSERT INTO events_v2 (id, kind) SELECT id, kind FROM events LIMIT 1000",
    ],
  ),
  check(
    "syntax-error",
    [
      ["SELEKT 1", "High"],
      ["CRATE TABLE t (id UInt64) ENGINE = Memory", "High"],
      ["INSRT INTO t (id) VALUES (1)", "High"],
    ],
    ["SELECT 1", "SYSTEM FLUSH LOGS", "OPTIMIZE TABLE events"],
  ),
  check(
    "unclosed-quote",
    [
      ["SELECT 'abc FROM events", "High"],
      ["SELECT 1;\nSELECT `name FROM events", "High"],
      ["SELECT 'it\\' FROM events", "High"],
    ],
    ["SELECT 'it\\'s'", "SELECT 'it''s'", "-- don't\nSELECT 1"],
  ),
  check(
    "unbalanced-parens",
    [
      ["SELECT count() FROM (SELECT id FROM events", "High"],
      ["SELECT id) FROM events", "High"],
      ["SELECT sum(score FROM events;\nSELECT 1", "High"],
    ],
    ["SELECT count() FROM events WHERE id = 1", "SELECT '(' AS p", "SELECT [1, (2)] AS a"],
  ),
  check(
    "unknown-table",
    [
      ["SELECT id FROM eventz WHERE id = 1", "High", { schema: EVENTS }],
      ["ALTER TABLE sessions ADD COLUMN x UInt8 DEFAULT 0", "High", { schema: EVENTS }],
      ["INSERT INTO audit (id) VALUES (1)", "High", { schema: EVENTS }],
    ],
    [
      { sql: "SELECT id FROM events WHERE id = 1", schema: EVENTS },
      { sql: `CREATE TABLE audit (id UInt64) ${MT};\nINSERT INTO audit (id) VALUES (1)`, schema: EVENTS },
      "SELECT id FROM eventz WHERE id = 1",
    ],
  ),
  check(
    "unknown-column",
    [
      ["ALTER TABLE events UPDATE scroe = 0 WHERE id = 1", "High", { schema: EVENTS }],
      ["INSERT INTO events (id, knd) VALUES (1, 'x')", "High", { schema: EVENTS }],
      ["ALTER TABLE events DROP COLUMN nickname", "High", { schema: EVENTS }],
    ],
    [
      { sql: "ALTER TABLE events UPDATE score = 0 WHERE id = 1", schema: EVENTS },
      {
        sql: "ALTER TABLE events ADD COLUMN nick String DEFAULT '';\nINSERT INTO events (id, nick) VALUES (1, 'x')",
        schema: EVENTS,
      },
      "INSERT INTO events (id, knd) VALUES (1, 'x')",
    ],
  ),
  check(
    "unsupported-type",
    [
      ["CREATE TABLE t (id UInt64, tags Nullable(Array(String))) ENGINE = MergeTree ORDER BY id", "High"],
      ["ALTER TABLE events ADD COLUMN payload jsonb DEFAULT '{}'", "High"],
      ["CREATE TABLE t (id serial, at DateTime) ENGINE = MergeTree ORDER BY at", "High"],
    ],
    [
      "CREATE TABLE t (id UInt64, tags Array(String)) ENGINE = MergeTree ORDER BY id",
      "ALTER TABLE events ADD COLUMN payload String DEFAULT '{}'",
      "CREATE TABLE t (id UInt64, kind LowCardinality(Nullable(String)), at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id",
    ],
  ),
  check(
    "duplicate-column",
    [
      ["CREATE TABLE t (id UInt64, a UInt8, a UInt16) ENGINE = MergeTree ORDER BY id", "High"],
      ["INSERT INTO events (id, kind, kind) VALUES (1, 'a', 'b')", "High"],
      ["ALTER TABLE events UPDATE score = 1, score = 2 WHERE id = 1", "High"],
    ],
    [
      "CREATE TABLE t (id UInt64, a UInt8, b UInt16) ENGINE = MergeTree ORDER BY id",
      "INSERT INTO events (id, kind) VALUES (1, 'a')",
      "ALTER TABLE events UPDATE score = 1, kind = 'x' WHERE id = 1",
    ],
  ),
  check(
    "not-null-without-default",
    [
      ["ALTER TABLE events ADD COLUMN region String", "Low"],
      ["ALTER TABLE events ADD COLUMN IF NOT EXISTS attempts UInt8 AFTER kind", "Low"],
      ["ALTER TABLE events ADD COLUMN at DateTime", "Low"],
    ],
    [
      "ALTER TABLE events ADD COLUMN region String DEFAULT 'eu'",
      "ALTER TABLE events ADD COLUMN region Nullable(String)",
      `CREATE TABLE t (id UInt64) ${MT};\nALTER TABLE t ADD COLUMN a UInt8`,
      "ALTER TABLE events ADD COLUMN day Date MATERIALIZED toDate(ts)",
    ],
  ),
  check(
    "transaction-control",
    [
      ["BEGIN TRANSACTION", "Medium"],
      ["COMMIT", "Medium"],
      ["ROLLBACK", "Medium"],
    ],
    ["SELECT 'BEGIN TRANSACTION'", "INSERT INTO events (id) VALUES (1)", "SET mutations_sync = 2"],
  ),
  check(
    "set-not-null",
    [
      ["ALTER TABLE events MODIFY COLUMN note String", "Medium", { schema: EVENTS }],
      ["ALTER TABLE events MODIFY COLUMN note LowCardinality(String)", "Medium", { schema: EVENTS }],
      ["ALTER TABLE events MODIFY COLUMN `note` String DEFAULT ''", "Medium", { schema: EVENTS }],
    ],
    [
      { sql: "ALTER TABLE events MODIFY COLUMN note Nullable(String)", schema: EVENTS },
      { sql: "ALTER TABLE events MODIFY COLUMN score Int64", schema: EVENTS },
      "ALTER TABLE events MODIFY COLUMN note String",
    ],
  ),
  check(
    "merge-alter-table",
    [
      ["ALTER TABLE events ADD COLUMN a UInt8 DEFAULT 0;\nALTER TABLE events ADD COLUMN b UInt8 DEFAULT 0", "Low"],
      ["ALTER TABLE events DROP INDEX idx_a;\nALTER TABLE events ADD COLUMN c UInt8 DEFAULT 0", "Low"],
      [
        "ALTER TABLE t1 ADD COLUMN a UInt8 DEFAULT 0;\nALTER TABLE t2 ADD COLUMN a UInt8 DEFAULT 0;\nALTER TABLE t1 ADD COLUMN b UInt8 DEFAULT 0",
        "Low",
      ],
    ],
    [
      "ALTER TABLE events ADD COLUMN a UInt8 DEFAULT 0, ADD COLUMN b UInt8 DEFAULT 0",
      "ALTER TABLE events ADD COLUMN a UInt8 DEFAULT 0;\nALTER TABLE sessions ADD COLUMN a UInt8 DEFAULT 0",
      `CREATE TABLE t (id UInt64) ${MT};\nALTER TABLE t ADD COLUMN a UInt8;\nALTER TABLE t ADD COLUMN b UInt8`,
    ],
  ),
  check(
    "rename-column",
    [
      ["ALTER TABLE events RENAME COLUMN kind TO event_kind", "High"],
      ["ALTER TABLE analytics.events ON CLUSTER main RENAME COLUMN score TO points", "High"],
      ["ALTER TABLE `events` RENAME COLUMN IF EXISTS `note` TO `comment`", "High"],
    ],
    [
      `CREATE TABLE t (id UInt64, a UInt8) ${MT};\nALTER TABLE t RENAME COLUMN a TO b`,
      "SELECT 'RENAME COLUMN'",
      "ALTER TABLE events COMMENT COLUMN kind 'event type'",
    ],
  ),
  check(
    "rename-table",
    [
      ["RENAME TABLE events TO events_v1", "High"],
      ["RENAME TABLE analytics.events TO analytics.events_old ON CLUSTER main", "High"],
      ["RENAME TABLE a TO a_old, b TO b_old", "High", { count: 2 }],
    ],
    [
      `CREATE TABLE t (id UInt64) ${MT};\nRENAME TABLE t TO t2`,
      "SELECT 'RENAME TABLE events TO x'",
      "RENAME DATABASE staging TO staging_old",
    ],
  ),
  check(
    "missing-primary-key",
    [
      ["CREATE TABLE logs (line String) ENGINE = MergeTree", "High"],
      ["CREATE TABLE logs (at DateTime, line String) ENGINE = MergeTree ORDER BY tuple()", "Medium"],
      ["CREATE TABLE logs (at DateTime, line String) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(at)", "High"],
    ],
    [
      "CREATE TABLE logs (at DateTime, line String) ENGINE = MergeTree ORDER BY at",
      "CREATE TABLE logs (at DateTime, line String) ENGINE = MergeTree PRIMARY KEY at",
      "CREATE TABLE buffer_logs (line String) ENGINE = Memory",
    ],
  ),
  check(
    "type-hygiene",
    [
      ["CREATE TABLE t (id UInt64, note Nullable(String)) ENGINE = MergeTree ORDER BY id", "Low"],
      ["ALTER TABLE events ADD COLUMN total_amount Float64 DEFAULT 0", "Low"],
      ["CREATE TABLE t (id UInt64, price Float32) ENGINE = MergeTree ORDER BY id", "Low"],
    ],
    [
      "CREATE TABLE t (id UInt64, note String DEFAULT '') ENGINE = MergeTree ORDER BY id",
      "ALTER TABLE events ADD COLUMN total_amount Decimal(19, 4) DEFAULT 0",
      "CREATE TABLE t (id UInt64, ratio Float64) ENGINE = MergeTree ORDER BY id",
    ],
  ),
  check(
    "naming",
    [
      ["CREATE TABLE `order items` (id UInt64) ENGINE = MergeTree ORDER BY id", "Low"],
      ["CREATE TABLE t (id UInt64, `first-name` String) ENGINE = MergeTree ORDER BY id", "Low"],
      [`CREATE TABLE ${"x".repeat(260)} (id UInt64) ENGINE = MergeTree ORDER BY id`, "High"],
    ],
    [
      "CREATE TABLE order_items (id UInt64) ENGINE = MergeTree ORDER BY id",
      "CREATE TABLE t (id UInt64, first_name String) ENGINE = MergeTree ORDER BY id",
      "CREATE TABLE `Order` (id UInt64) ENGINE = MergeTree ORDER BY id",
    ],
  ),
  check(
    "non-idempotent",
    [
      [`CREATE TABLE t (id UInt64) ${MT}`, "Low"],
      ["DROP TABLE old_events", "Low"],
      ["DROP VIEW events_mv", "Low"],
    ],
    [
      `CREATE TABLE IF NOT EXISTS t (id UInt64) ${MT}`,
      "DROP TABLE IF EXISTS old_events",
      "DROP VIEW IF EXISTS events_mv",
    ],
  ),
  check(
    "index-hygiene",
    [
      [
        "CREATE TABLE t (id UInt64, a UInt8, CONSTRAINT c1 CHECK a > 0, PRIMARY KEY (id, id)) ENGINE = MergeTree",
        "Low",
      ],
      ["CREATE TABLE t (id UInt64, a UInt8, PRIMARY KEY (a, a)) ENGINE = MergeTree", "Low"],
      ["CREATE TABLE t (id UInt64, b UInt8, PRIMARY KEY (id, b, id)) ENGINE = MergeTree", "Low"],
    ],
    [
      "CREATE TABLE t (id UInt64, a UInt8, PRIMARY KEY (id, a)) ENGINE = MergeTree",
      `CREATE TABLE t (id UInt64, a UInt8) ${MT}`,
      "CREATE TABLE t (id UInt64, a UInt8, INDEX ia a TYPE minmax GRANULARITY 1) ENGINE = MergeTree ORDER BY id",
    ],
  ),
  check(
    "object-policy",
    [
      ["CREATE FUNCTION linear AS (x, k, b) -> k * x + b", "Low"],
      ["CREATE FUNCTION clamp AS (x) -> greatest(0, least(x, 100))", "Low"],
      ["CREATE OR REPLACE FUNCTION f AS (x) -> x + 1", "Low"],
    ],
    ["CREATE VIEW v AS SELECT id FROM events", "SELECT 'CREATE FUNCTION'", "DROP FUNCTION IF EXISTS linear"],
  ),
  check(
    "select-star",
    [
      ["SELECT * FROM events WHERE id = 1", "Low"],
      ["SELECT * FROM events LIMIT 10", "Low"],
      ["SELECT e.* FROM events AS e WHERE e.id = 1", "Low"],
    ],
    [
      "SELECT id, kind FROM events WHERE id = 1",
      "SELECT count(*) FROM events",
      "SELECT id FROM events WHERE id IN (SELECT id FROM archived)",
    ],
  ),
  check(
    "missing-limit",
    [
      ["SELECT id, kind FROM events", "Low"],
      ["SELECT DISTINCT kind FROM events", "Low"],
      ["SELECT e.id FROM events AS e JOIN users AS u ON u.id = e.user_id", "Low"],
    ],
    [
      "SELECT id, kind FROM events LIMIT 100",
      "SELECT id FROM events WHERE id = 1",
      "SELECT kind, count() FROM events GROUP BY kind",
    ],
  ),
  check(
    "cartesian-join",
    [
      ["SELECT e.id FROM events AS e, users AS u WHERE e.id = 1", "Medium"],
      ["SELECT e.id FROM events AS e JOIN users AS u ON 1 = 1 WHERE e.id = 1", "Medium"],
      ["SELECT e.id FROM events e, sessions s WHERE e.kind = 'x'", "Medium"],
    ],
    [
      "SELECT e.id FROM events AS e, users AS u WHERE u.id = e.user_id",
      "SELECT e.id FROM events AS e JOIN users AS u ON u.id = e.user_id WHERE e.id = 1",
      "SELECT e.id FROM events AS e CROSS JOIN regions AS r WHERE e.id = 1",
    ],
  ),
  check(
    "insert-without-columns",
    [
      ["INSERT INTO events VALUES (1, 'a', NULL, 0)", "Low"],
      ["INSERT INTO analytics.events VALUES (1, 'a', NULL, 0)", "Low"],
      ["INSERT INTO events_v2 SELECT id, kind, note, score FROM events WHERE id = 1", "Low"],
    ],
    [
      "INSERT INTO events (id, kind) VALUES (1, 'a')",
      "INSERT INTO events (id, kind) FORMAT JSONEachRow",
      "SELECT 'INSERT INTO events VALUES (1)'",
    ],
  ),
  check(
    "non-sargable",
    [
      ["SELECT id FROM events WHERE kind LIKE '%click'", "Low"],
      ["SELECT id FROM events WHERE lower(kind) = 'click'", "Low"],
      ["SELECT id FROM events WHERE note = NULL", "Medium"],
    ],
    [
      "SELECT id FROM events WHERE kind LIKE 'click%'",
      "SELECT id FROM events WHERE kind = 'click'",
      "SELECT id FROM events WHERE note IS NULL",
    ],
  ),
  check(
    "mix-ddl-dml",
    [
      ["ALTER TABLE events ADD COLUMN a UInt8 DEFAULT 0;\nINSERT INTO events (id, a) VALUES (1, 1)", "Low"],
      ["INSERT INTO events (id) VALUES (1);\nDROP TABLE IF EXISTS tmp_x", "Low"],
      [`CREATE TABLE t (id UInt64) ${MT};\nINSERT INTO t (id) VALUES (1)`, "Low"],
    ],
    [
      "ALTER TABLE events ADD COLUMN a UInt8 DEFAULT 0",
      "INSERT INTO events (id) VALUES (1);\nINSERT INTO events (id) VALUES (2)",
      "SELECT 1;\nDROP TABLE IF EXISTS tmp_x",
    ],
  ),
  check(
    "raw-sql-unchecked",
    [
      ["ALTER TABLE events ADD COLUMN", "Low"],
      ["INSERT INTO events (id) SELEC 1", "Low"],
      ["ALTER TABLE events UPDATE WHERE id = 1", "Low"],
    ],
    ["SELECT 1", "SYSTEM RELOAD DICTIONARIES", "SHOW TABLES"],
  ),
];
