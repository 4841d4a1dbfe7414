-- New columns always get a DEFAULT, so old parts read a chosen value.
ALTER TABLE analytics.events ADD COLUMN IF NOT EXISTS referrer String DEFAULT '' AFTER url;
ALTER TABLE analytics.events ADD COLUMN IF NOT EXISTS country LowCardinality(String) DEFAULT 'ZZ';
ALTER TABLE analytics.sessions ADD COLUMN IF NOT EXISTS device LowCardinality(String) DEFAULT 'unknown';
ALTER TABLE analytics.events COMMENT COLUMN kind 'event type, e.g. page_view';
ALTER TABLE analytics.sessions MODIFY COLUMN pages COMMENT 'pages viewed';
