-- Event analytics: raw events, sessions, daily rollups.
CREATE DATABASE IF NOT EXISTS analytics;
CREATE TABLE IF NOT EXISTS analytics.events
(
    event_id UUID,
    ts DateTime64(3, 'UTC'),
    user_id UInt64,
    session_id UInt64,
    kind LowCardinality(String),
    url String CODEC(ZSTD(3)),
    props Map(String, String),
    day Date MATERIALIZED toDate(ts),
    INDEX idx_url url TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (kind, user_id, ts)
TTL toDateTime(ts) + INTERVAL 400 DAY
SETTINGS index_granularity = 8192;
CREATE TABLE IF NOT EXISTS analytics.sessions
(
    session_id UInt64,
    user_id UInt64,
    started_at DateTime('UTC'),
    ended_at DateTime('UTC'),
    pages UInt32 DEFAULT 0,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, session_id);
CREATE TABLE IF NOT EXISTS analytics.daily_kind_counts
(
    day Date,
    kind LowCardinality(String),
    events UInt64
)
ENGINE = SummingMergeTree
ORDER BY (day, kind);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.daily_kind_counts_mv TO analytics.daily_kind_counts AS
SELECT toDate(ts) AS day, kind, count() AS events FROM analytics.events GROUP BY day, kind;
