-- Core Web Vitals from the browser SDK: raw beacons, a daily p75 rollup and the thresholds the
-- dashboard colours them by.
CREATE TABLE IF NOT EXISTS analytics.web_vitals
(
    at DateTime64(3, 'UTC'),
    site_id UInt32,
    page_path String,
    metric LowCardinality(String),
    value Float64,
    device LowCardinality(String) DEFAULT 'unknown',
    connection LowCardinality(String) DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site_id, metric, at)
TTL toDateTime(at) + INTERVAL 13 MONTH;
CREATE TABLE IF NOT EXISTS analytics.web_vitals_daily
(
    day Date,
    site_id UInt32,
    metric LowCardinality(String),
    device LowCardinality(String),
    p75 AggregateFunction(quantile(0.75), Float64),
    samples AggregateFunction(count)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site_id, metric, device, day);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.web_vitals_daily_mv TO analytics.web_vitals_daily AS
SELECT toDate(at) AS day, site_id, metric, device, quantileState(0.75)(value) AS p75, countState() AS samples
FROM analytics.web_vitals
GROUP BY day, site_id, metric, device;
CREATE TABLE IF NOT EXISTS analytics.web_vital_thresholds
(
    metric LowCardinality(String),
    good_below Float64,
    poor_above Float64,
    unit LowCardinality(String) DEFAULT 'ms'
)
ENGINE = ReplacingMergeTree
ORDER BY metric;
INSERT INTO analytics.web_vital_thresholds (metric, good_below, poor_above, unit) VALUES ('LCP', 2500, 4000, 'ms');
INSERT INTO analytics.web_vital_thresholds (metric, good_below, poor_above, unit) VALUES ('INP', 200, 500, 'ms');
INSERT INTO analytics.web_vital_thresholds (metric, good_below, poor_above, unit) VALUES ('CLS', 0.1, 0.25, 'score');
INSERT INTO analytics.web_vital_thresholds (metric, good_below, poor_above, unit) VALUES ('FCP', 1800, 3000, 'ms');
INSERT INTO analytics.web_vital_thresholds (metric, good_below, poor_above, unit) VALUES ('TTFB', 800, 1800, 'ms');
ALTER TABLE analytics.web_vitals ADD COLUMN IF NOT EXISTS navigation_type LowCardinality(String) DEFAULT 'navigate';
ALTER TABLE analytics.web_vitals ADD COLUMN IF NOT EXISTS country FixedString(2) DEFAULT '--';
ALTER TABLE analytics.web_vitals ADD COLUMN IF NOT EXISTS release String DEFAULT '';
ALTER TABLE analytics.web_vitals COMMENT COLUMN value 'milliseconds, except CLS (unitless score)';
ALTER TABLE analytics.web_vitals_daily COMMENT COLUMN p75 'quantileMerge(0.75)(p75) reads it';
SELECT metric, quantileMerge(0.75)(p75) AS p75 FROM analytics.web_vitals_daily WHERE site_id = 42 AND day >= today() - 28 GROUP BY metric ORDER BY metric;
SELECT device, countMerge(samples) AS n FROM analytics.web_vitals_daily WHERE day = yesterday() GROUP BY device ORDER BY n DESC LIMIT 10;
SELECT page_path, quantile(0.75)(value) AS p75 FROM analytics.web_vitals WHERE site_id = 42 AND metric = 'LCP' AND at >= now() - INTERVAL 1 DAY GROUP BY page_path ORDER BY p75 DESC LIMIT 20;
SELECT count() FROM analytics.web_vitals WHERE at >= today();
