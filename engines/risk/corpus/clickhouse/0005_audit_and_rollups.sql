-- An audit stream and hourly rollups.
CREATE TABLE IF NOT EXISTS analytics.audit_events
(
    at DateTime('UTC'),
    actor_id UInt64,
    action LowCardinality(String),
    subject String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (action, at)
TTL at + INTERVAL 2 YEAR;
CREATE TABLE IF NOT EXISTS analytics.hourly_actions
(
    hour DateTime('UTC'),
    action LowCardinality(String),
    events UInt64
)
ENGINE = SummingMergeTree
ORDER BY (hour, action);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.hourly_actions_mv TO analytics.hourly_actions AS
SELECT toStartOfHour(at) AS hour, action, count() AS events FROM analytics.audit_events GROUP BY hour, action;
CREATE TABLE IF NOT EXISTS analytics.actions_dict_source
(
    action String,
    label String DEFAULT ''
)
ENGINE = ReplacingMergeTree
ORDER BY action;
INSERT INTO analytics.actions_dict_source (action, label) VALUES ('login', 'Signed in');
INSERT INTO analytics.actions_dict_source (action, label) VALUES ('logout', 'Signed out');
INSERT INTO analytics.actions_dict_source (action, label) VALUES ('order.create', 'Placed an order');
INSERT INTO analytics.actions_dict_source (action, label) VALUES ('order.cancel', 'Cancelled an order');
ALTER TABLE analytics.audit_events ADD COLUMN IF NOT EXISTS ip IPv6 DEFAULT toIPv6('::');
SELECT action, sum(events) FROM analytics.hourly_actions WHERE hour >= now() - INTERVAL 1 DAY GROUP BY action LIMIT 50;
SELECT count() FROM analytics.audit_events WHERE at >= today();
