SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE OR REPLACE VIEW account_usage AS
SELECT a.id, a.name, count(p.id) AS projects
FROM accounts a
LEFT JOIN projects p ON p.account_id = a.id
GROUP BY a.id, a.name;
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_signups AS
SELECT date_trunc('day', created_at) AS day, count(*) AS signups FROM users GROUP BY 1;
CREATE UNIQUE INDEX daily_signups_day_key ON daily_signups (day);
REFRESH MATERIALIZED VIEW CONCURRENTLY daily_signups;
GRANT SELECT ON account_usage, daily_signups TO reporting;
