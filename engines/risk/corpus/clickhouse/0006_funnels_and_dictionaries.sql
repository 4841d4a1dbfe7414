-- Funnels, experiment assignments and the checks analysts run after deploying them.
CREATE TABLE IF NOT EXISTS analytics.funnel_steps
(
    funnel LowCardinality(String),
    step UInt8,
    kind LowCardinality(String),
    label String DEFAULT ''
)
ENGINE = ReplacingMergeTree
ORDER BY (funnel, step);
INSERT INTO analytics.funnel_steps (funnel, step, kind, label) VALUES ('checkout', 1, 'cart_view', 'Viewed cart');
INSERT INTO analytics.funnel_steps (funnel, step, kind, label) VALUES ('checkout', 2, 'address', 'Entered address');
INSERT INTO analytics.funnel_steps (funnel, step, kind, label) VALUES ('checkout', 3, 'payment', 'Paid');
INSERT INTO analytics.funnel_steps (funnel, step, kind, label) VALUES ('signup', 1, 'signup_view', 'Opened sign-up');
INSERT INTO analytics.funnel_steps (funnel, step, kind, label) VALUES ('signup', 2, 'signup_done', 'Signed up');
CREATE TABLE IF NOT EXISTS analytics.experiment_assignments
(
    experiment LowCardinality(String),
    user_id UInt64,
    variant LowCardinality(String),
    assigned_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(assigned_at)
PARTITION BY toYYYYMM(assigned_at)
ORDER BY (experiment, user_id);
CREATE TABLE IF NOT EXISTS analytics.experiment_daily
(
    day Date,
    experiment LowCardinality(String),
    variant LowCardinality(String),
    users AggregateFunction(uniq, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (day, experiment, variant);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.experiment_daily_mv TO analytics.experiment_daily AS
SELECT toDate(assigned_at) AS day, experiment, variant, uniqState(user_id) AS users
FROM analytics.experiment_assignments GROUP BY day, experiment, variant;
ALTER TABLE analytics.experiment_assignments ADD COLUMN IF NOT EXISTS source LowCardinality(String) DEFAULT 'web';
ALTER TABLE analytics.funnel_steps COMMENT COLUMN label 'shown in dashboards';
SELECT funnel, step, label FROM analytics.funnel_steps WHERE funnel = 'checkout' ORDER BY step LIMIT 10;
SELECT experiment, variant, uniqMerge(users) FROM analytics.experiment_daily WHERE day >= today() - 14 GROUP BY experiment, variant LIMIT 100;
SELECT count() FROM analytics.experiment_assignments WHERE experiment = 'new_checkout';
SELECT table, sum(rows) FROM system.parts WHERE database = 'analytics' AND active GROUP BY table LIMIT 50;
