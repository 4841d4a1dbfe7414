-- Alerting: rule definitions (a small replacing table edited from the app), the evaluations the
-- scheduler writes, and the notification log.
CREATE TABLE IF NOT EXISTS ops.alert_rules
(
    rule_id UInt32,
    name String,
    metric LowCardinality(String),
    comparison LowCardinality(String),
    threshold Float64,
    window_minutes UInt16 DEFAULT 5,
    severity LowCardinality(String) DEFAULT 'warning',
    version UInt32 DEFAULT 1
)
ENGINE = ReplacingMergeTree(version)
ORDER BY rule_id;
CREATE TABLE IF NOT EXISTS ops.alert_evaluations (at DateTime('UTC'), rule_id UInt32, value Float64, firing UInt8)
ENGINE = MergeTree PARTITION BY toYYYYMMDD(at) ORDER BY (rule_id, at) TTL at + INTERVAL 30 DAY;
CREATE TABLE IF NOT EXISTS ops.alert_notifications
(
    at DateTime('UTC'),
    rule_id UInt32,
    channel LowCardinality(String),
    recipient String,
    delivered UInt8 DEFAULT 0
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (rule_id, at)
TTL at + INTERVAL 1 YEAR;
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (1, 'API error rate', 'http_5xx_ratio', '>', 0.02, 5, 'critical');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (2, 'API latency p99', 'http_latency_p99_ms', '>', 1500, 10, 'warning');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (3, 'Queue backlog', 'queue_depth', '>', 10000, 15, 'warning');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (4, 'Disk free', 'disk_free_ratio', '<', 0.1, 30, 'critical');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (5, 'Login failures', 'auth_failures_per_min', '>', 200, 5, 'warning');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (6, 'Replication lag', 'replica_lag_seconds', '>', 60, 5, 'critical');
INSERT INTO ops.alert_rules (rule_id, name, metric, comparison, threshold, window_minutes, severity) VALUES (7, 'Certificate expiry', 'cert_days_left', '<', 14, 1440, 'warning');
ALTER TABLE ops.alert_rules ADD COLUMN IF NOT EXISTS runbook_url String DEFAULT '';
ALTER TABLE ops.alert_rules ADD COLUMN IF NOT EXISTS muted_until DateTime('UTC') DEFAULT toDateTime(0, 'UTC');
ALTER TABLE ops.alert_evaluations ADD COLUMN IF NOT EXISTS labels Map(String, String);
ALTER TABLE ops.alert_notifications ADD COLUMN IF NOT EXISTS error String DEFAULT '';
ALTER TABLE ops.alert_notifications COMMENT COLUMN delivered '1 once the channel acknowledged the message';
SELECT r.name, e.value, e.at FROM ops.alert_evaluations AS e INNER JOIN ops.alert_rules AS r ON r.rule_id = e.rule_id WHERE e.firing = 1 AND e.at >= now() - INTERVAL 1 HOUR ORDER BY e.at DESC LIMIT 100;
SELECT channel, countIf(delivered = 0) AS failed, count() AS total FROM ops.alert_notifications WHERE at >= today() GROUP BY channel ORDER BY channel;
SELECT rule_id, argMax(value, at) AS latest FROM ops.alert_evaluations WHERE at >= now() - INTERVAL 15 MINUTE GROUP BY rule_id ORDER BY rule_id;
