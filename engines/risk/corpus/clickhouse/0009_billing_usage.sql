-- Metered usage for billing: raw usage events, per-day sums per account and meter, and the plans'
-- included quotas.
CREATE TABLE IF NOT EXISTS billing.usage_events
(
    at DateTime('UTC'),
    account_id UInt64,
    meter LowCardinality(String),
    quantity UInt64,
    request_id UUID
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (account_id, meter, at, request_id);
CREATE TABLE IF NOT EXISTS billing.usage_daily
(
    day Date,
    account_id UInt64,
    meter LowCardinality(String),
    quantity UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (account_id, meter, day);
CREATE MATERIALIZED VIEW IF NOT EXISTS billing.usage_daily_mv TO billing.usage_daily AS
SELECT toDate(at) AS day, account_id, meter, sum(quantity) AS quantity FROM billing.usage_events GROUP BY day, account_id, meter;
CREATE TABLE IF NOT EXISTS billing.plan_quotas
(
    plan LowCardinality(String),
    meter LowCardinality(String),
    included UInt64,
    overage_micros UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree
ORDER BY (plan, meter);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('free', 'api_calls', 10000, 0);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('free', 'storage_gb_hours', 720, 0);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('team', 'api_calls', 1000000, 200);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('team', 'storage_gb_hours', 72000, 35);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('team', 'seats', 10, 8000000);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('business', 'api_calls', 20000000, 120);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('business', 'storage_gb_hours', 720000, 25);
INSERT INTO billing.plan_quotas (plan, meter, included, overage_micros) VALUES ('business', 'seats', 50, 6000000);
ALTER TABLE billing.usage_events ADD COLUMN IF NOT EXISTS region LowCardinality(String) DEFAULT 'eu-west-1';
ALTER TABLE billing.usage_events ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT 'api';
ALTER TABLE billing.usage_daily ADD COLUMN IF NOT EXISTS region LowCardinality(String) DEFAULT 'eu-west-1';
SELECT meter, sum(quantity) AS used FROM billing.usage_daily WHERE account_id = 1001 AND day >= toStartOfMonth(today()) GROUP BY meter ORDER BY meter;
SELECT account_id, sum(quantity) AS calls FROM billing.usage_daily WHERE meter = 'api_calls' AND day = yesterday() GROUP BY account_id ORDER BY calls DESC LIMIT 25;
SELECT count(), uniqExact(request_id) FROM billing.usage_events WHERE at >= toStartOfDay(now());
