-- Feature-flag exposures: which variant each user saw, flag metadata, and the daily exposure counts
-- the experiment reports read.
CREATE TABLE IF NOT EXISTS analytics.flag_exposures
(
    at DateTime('UTC'),
    flag_key LowCardinality(String),
    variant LowCardinality(String),
    user_id UInt64,
    sdk LowCardinality(String) DEFAULT 'web'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (flag_key, at, user_id)
TTL at + INTERVAL 180 DAY;
CREATE TABLE IF NOT EXISTS analytics.flags (flag_key String, description String DEFAULT '', owner_team LowCardinality(String), created_at DateTime('UTC') DEFAULT now(), archived UInt8 DEFAULT 0)
ENGINE = ReplacingMergeTree(created_at) ORDER BY flag_key;
CREATE TABLE IF NOT EXISTS analytics.flag_exposures_daily (day Date, flag_key LowCardinality(String), variant LowCardinality(String), users AggregateFunction(uniq, UInt64))
ENGINE = AggregatingMergeTree ORDER BY (flag_key, variant, day);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.flag_exposures_daily_mv TO analytics.flag_exposures_daily AS
SELECT toDate(at) AS day, flag_key, variant, uniqState(user_id) AS users FROM analytics.flag_exposures GROUP BY day, flag_key, variant;
INSERT INTO analytics.flags (flag_key, description, owner_team) VALUES ('new-checkout', 'Single-page checkout', 'payments');
INSERT INTO analytics.flags (flag_key, description, owner_team) VALUES ('search-v2', 'Semantic search ranking', 'discovery');
INSERT INTO analytics.flags (flag_key, description, owner_team) VALUES ('dark-mode', 'Dark theme in the web app', 'web');
INSERT INTO analytics.flags (flag_key, description, owner_team) VALUES ('bulk-export', 'CSV export of up to a million rows', 'platform');
INSERT INTO analytics.flags (flag_key, description, owner_team) VALUES ('sso-okta', 'Okta single sign-on', 'identity');
ALTER TABLE analytics.flag_exposures ADD COLUMN IF NOT EXISTS reason LowCardinality(String) DEFAULT 'rule';
ALTER TABLE analytics.flags ADD COLUMN IF NOT EXISTS rollout_percent UInt8 DEFAULT 0;
SELECT variant, uniqMerge(users) AS users FROM analytics.flag_exposures_daily WHERE flag_key = 'new-checkout' AND day >= today() - 14 GROUP BY variant ORDER BY variant;
SELECT flag_key, owner_team FROM analytics.flags FINAL WHERE archived = 0 ORDER BY flag_key LIMIT 200;
SELECT sdk, count() AS n FROM analytics.flag_exposures WHERE at >= now() - INTERVAL 1 HOUR GROUP BY sdk ORDER BY n DESC LIMIT 10;
