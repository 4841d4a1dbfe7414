-- Transactional e-mail delivery events from the mail provider's webhook, and the bounce list the
-- sender checks before it sends.
CREATE TABLE IF NOT EXISTS messaging.email_events
(
    at DateTime('UTC'),
    message_id String,
    template LowCardinality(String),
    event LowCardinality(String),
    recipient_domain LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (template, event, at)
TTL at + INTERVAL 400 DAY;
CREATE TABLE IF NOT EXISTS messaging.bounces (email_hash FixedString(32), bounced_at DateTime('UTC'), kind LowCardinality(String))
ENGINE = ReplacingMergeTree(bounced_at) ORDER BY email_hash;
CREATE TABLE IF NOT EXISTS messaging.template_stats_daily (day Date, template LowCardinality(String), event LowCardinality(String), events UInt64)
ENGINE = SummingMergeTree ORDER BY (template, event, day);
CREATE MATERIALIZED VIEW IF NOT EXISTS messaging.template_stats_daily_mv TO messaging.template_stats_daily AS
SELECT toDate(at) AS day, template, event, count() AS events FROM messaging.email_events GROUP BY day, template, event;
ALTER TABLE messaging.email_events ADD COLUMN IF NOT EXISTS provider LowCardinality(String) DEFAULT 'ses';
ALTER TABLE messaging.bounces ADD COLUMN IF NOT EXISTS diagnostic String DEFAULT '';
SELECT template, sumIf(events, event = 'delivered') AS delivered, sumIf(events, event = 'bounced') AS bounced FROM messaging.template_stats_daily WHERE day >= today() - 7 GROUP BY template ORDER BY template;
SELECT kind, count() FROM messaging.bounces FINAL GROUP BY kind ORDER BY kind;
SELECT recipient_domain, count() AS n FROM messaging.email_events WHERE event = 'complained' AND at >= today() - 30 GROUP BY recipient_domain ORDER BY n DESC LIMIT 20;
