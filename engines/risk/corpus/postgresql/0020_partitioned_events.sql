SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TABLE page_views (
  id bigint GENERATED ALWAYS AS IDENTITY,
  account_id bigint NOT NULL,
  path text NOT NULL,
  viewed_at timestamptz NOT NULL,
  PRIMARY KEY (id, viewed_at)
) PARTITION BY RANGE (viewed_at);
CREATE TABLE page_views_2026_01 PARTITION OF page_views FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE page_views_2026_02 PARTITION OF page_views FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
CREATE TABLE page_views_2026_03 PARTITION OF page_views FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');
CREATE INDEX page_views_account_idx ON page_views (account_id, viewed_at);
