-- Checks run after the migration.
SELECT count() FROM analytics.events WHERE ts >= now() - INTERVAL 1 DAY;
SELECT kind, count() AS n FROM analytics.events WHERE day = today() GROUP BY kind ORDER BY n DESC LIMIT 20;
SELECT user_id, uniqExact(session_id) FROM analytics.sessions WHERE started_at >= today() - 7 GROUP BY user_id LIMIT 100;
SELECT name, engine FROM system.tables WHERE database = 'analytics';
SELECT database, table, is_done FROM system.mutations WHERE database = 'analytics' AND is_done = 0;
SYSTEM FLUSH LOGS;
SET max_threads = 4;
