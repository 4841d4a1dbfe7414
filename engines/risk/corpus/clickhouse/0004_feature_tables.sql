-- Feature flags and their evaluations.
CREATE TABLE IF NOT EXISTS analytics.flag_evaluations
(
    ts DateTime('UTC'),
    flag LowCardinality(String),
    user_id UInt64,
    variant LowCardinality(String) DEFAULT 'control',
    reason String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (flag, ts, user_id);
CREATE TABLE IF NOT EXISTS analytics.flags
(
    flag String,
    description String DEFAULT '',
    enabled Bool DEFAULT false,
    updated_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY flag;
INSERT INTO analytics.flags (flag, description, enabled) VALUES ('new_checkout', 'one-page checkout', true);
INSERT INTO analytics.flags (flag, description, enabled) VALUES ('dark_mode', 'dark theme', false);
INSERT INTO analytics.flags (flag, description, enabled) VALUES ('search_v2', 'new search ranking', false);
