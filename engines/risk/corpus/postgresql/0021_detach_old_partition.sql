SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE page_views DETACH PARTITION page_views_2026_01 CONCURRENTLY;
