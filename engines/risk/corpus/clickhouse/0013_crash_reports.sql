-- Mobile crash reports: symbolicated crashes, the releases they belong to, and crash-free sessions per
-- release.
CREATE TABLE IF NOT EXISTS mobile.crashes
(
    at DateTime('UTC'),
    app_id UInt32,
    release String,
    os LowCardinality(String),
    os_version String,
    fingerprint FixedString(16),
    exception_type LowCardinality(String),
    top_frame String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (app_id, release, fingerprint, at)
TTL at + INTERVAL 1 YEAR;
CREATE TABLE IF NOT EXISTS mobile.sessions_daily (day Date, app_id UInt32, release String, sessions UInt64, crashed_sessions UInt64)
ENGINE = SummingMergeTree ORDER BY (app_id, release, day);
CREATE TABLE IF NOT EXISTS mobile.releases (app_id UInt32, release String, released_at DateTime('UTC'), build UInt32 DEFAULT 0)
ENGINE = ReplacingMergeTree ORDER BY (app_id, release);
INSERT INTO mobile.releases (app_id, release, released_at, build) VALUES (1, '5.12.0', '2026-09-01 09:00:00', 5120);
INSERT INTO mobile.releases (app_id, release, released_at, build) VALUES (1, '5.13.0', '2026-10-06 09:00:00', 5130);
INSERT INTO mobile.releases (app_id, release, released_at, build) VALUES (1, '5.13.1', '2026-10-14 15:30:00', 5131);
INSERT INTO mobile.releases (app_id, release, released_at, build) VALUES (2, '2.4.0', '2026-10-20 08:00:00', 240);
ALTER TABLE mobile.crashes ADD COLUMN IF NOT EXISTS device_model LowCardinality(String) DEFAULT '';
ALTER TABLE mobile.crashes ADD COLUMN IF NOT EXISTS free_memory_mb UInt32 DEFAULT 0;
ALTER TABLE mobile.crashes COMMENT COLUMN fingerprint 'hash of the symbolicated top frames, groups one crash';
SELECT release, 1 - sum(crashed_sessions) / sum(sessions) AS crash_free FROM mobile.sessions_daily WHERE app_id = 1 AND day >= today() - 30 GROUP BY release ORDER BY release DESC LIMIT 10;
SELECT hex(fingerprint) AS fp, any(exception_type), count() AS n FROM mobile.crashes WHERE app_id = 1 AND release = '5.13.1' GROUP BY fingerprint ORDER BY n DESC LIMIT 25;
SELECT os, count() AS n FROM mobile.crashes WHERE app_id = 1 AND at >= today() - 1 GROUP BY os ORDER BY n DESC LIMIT 5;
