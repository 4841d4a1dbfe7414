--
-- PostgreSQL database dump (excerpt)
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);

CREATE SCHEMA app;

CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');

CREATE FUNCTION app.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now(); -- keep; inside
  RETURN NEW;
END;
$$;

CREATE TABLE app.users (
    id bigint NOT NULL,
    name text DEFAULT 'anon;ymous'::text,
    "select" integer,
    mood app.mood
);

COMMENT ON TABLE app.users IS 'People; who log in';

CREATE INDEX CONCURRENTLY users_name_idx ON app.users USING btree (name);

CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch();

DO $do$
DECLARE r record;
BEGIN
  FOR r IN SELECT 1 LOOP
    RAISE NOTICE 'x; %', r;
  END LOOP;
END
$do$;

ALTER TYPE app.mood ADD VALUE 'ecstatic';
VACUUM ANALYZE app.users;
