-- Site search analytics: queries users ran, the results they clicked, and zero-result queries per day.
CREATE TABLE IF NOT EXISTS analytics.search_queries
(
    at DateTime('UTC'),
    site_id UInt32,
    session_id UUID,
    query String,
    results UInt32,
    latency_ms UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site_id, at)
TTL at + INTERVAL 6 MONTH;
CREATE TABLE IF NOT EXISTS analytics.search_clicks (at DateTime('UTC'), site_id UInt32, session_id UUID, query String, document_id String, position UInt16)
ENGINE = MergeTree PARTITION BY toYYYYMM(at) ORDER BY (site_id, at) TTL at + INTERVAL 6 MONTH;
CREATE TABLE IF NOT EXISTS analytics.search_zero_results_daily (day Date, site_id UInt32, query String, searches UInt64)
ENGINE = SummingMergeTree ORDER BY (site_id, day, query);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.search_zero_results_mv TO analytics.search_zero_results_daily AS
SELECT toDate(at) AS day, site_id, lower(trim(query)) AS query, count() AS searches
FROM analytics.search_queries
WHERE results = 0
GROUP BY day, site_id, query;
CREATE VIEW IF NOT EXISTS analytics.search_ctr AS
SELECT q.site_id AS site_id, toDate(q.at) AS day, count() AS searches, countIf(c.document_id != '') AS clicks
FROM analytics.search_queries AS q
LEFT JOIN analytics.search_clicks AS c ON c.session_id = q.session_id AND c.query = q.query
GROUP BY site_id, day;
ALTER TABLE analytics.search_queries ADD COLUMN IF NOT EXISTS locale LowCardinality(String) DEFAULT 'en';
ALTER TABLE analytics.search_queries ADD COLUMN IF NOT EXISTS filters Array(String) DEFAULT [];
ALTER TABLE analytics.search_clicks ADD COLUMN IF NOT EXISTS dwell_ms UInt32 DEFAULT 0;
ALTER TABLE analytics.search_queries COMMENT COLUMN latency_ms 'server time to first result, in milliseconds';
SELECT query, sum(searches) AS n FROM analytics.search_zero_results_daily WHERE site_id = 7 AND day >= today() - 7 GROUP BY query ORDER BY n DESC LIMIT 50;
SELECT quantiles(0.5, 0.95, 0.99)(latency_ms) FROM analytics.search_queries WHERE site_id = 7 AND at >= now() - INTERVAL 1 HOUR;
SELECT position, count() AS clicks FROM analytics.search_clicks WHERE site_id = 7 AND at >= today() GROUP BY position ORDER BY position LIMIT 20;
SELECT day, clicks / searches AS ctr FROM analytics.search_ctr WHERE site_id = 7 ORDER BY day DESC LIMIT 30;
