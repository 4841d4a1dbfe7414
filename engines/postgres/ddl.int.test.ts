// renderCreateDdl against the real server: a schema with every object kind the snapshot holds is
// introspected, rendered, applied to an empty database and introspected again: equal snapshots,
// and pg_dump --schema-only of both agrees after the round trips' normalisation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { pgDumpSchemas } from "../rollback/corpus/pg-state.ts";
import type { Session } from "../types.ts";
import { renderCreateDdl } from "./ddl.ts";
import { createPostgresEngine } from "./index.ts";

const engine = createPostgresEngine();
const q = engine.dialect.quoteIdent;
const tag = `${process.pid}_${Date.now()}`;
const dbA = `mx_ddl_a_${tag}`;
const dbB = `mx_ddl_b_${tag}`;
const url = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;
let admin: Session;
let a: Session;
let b: Session;

// Every object kind of the snapshot, with the dependencies that make order matter.
export const RICH_SCHEMA = `
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.positive AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b app.mood);
CREATE SEQUENCE app.ticket_seq AS bigint START WITH 100 INCREMENT BY 5 CACHE 1;
CREATE FUNCTION app.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
CREATE TABLE app.users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(100) NOT NULL UNIQUE,
  mood app.mood DEFAULT 'ok',
  score app.positive,
  doubled integer GENERATED ALWAYS AS (app.double(id)) STORED,
  ticket bigint DEFAULT nextval('app.ticket_seq'),
  best_friend integer
);
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  qty integer CHECK (qty > 0),
  during tsrange,
  note text,
  EXCLUDE USING gist (during WITH &&)
);
ALTER TABLE app.users ADD CONSTRAINT users_best_friend_fkey FOREIGN KEY (best_friend) REFERENCES app.orders (id);
CREATE INDEX orders_note_lower ON app.orders (lower(note)) WHERE note IS NOT NULL;
CREATE INDEX orders_user_incl ON app.orders (user_id) INCLUDE (qty);
CREATE VIEW app.big_orders AS SELECT id, user_id, qty FROM app.orders WHERE qty > 10;
CREATE VIEW app.big_order_users AS SELECT u.email, o.qty FROM app.big_orders o JOIN app.users u ON u.id = o.user_id;
CREATE MATERIALIZED VIEW app.order_counts AS SELECT user_id, count(*) AS n FROM app.big_orders GROUP BY user_id;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'x'); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE PROCEDURE app.reset(n integer) LANGUAGE sql AS $$ DELETE FROM app.orders WHERE qty < n $$;
`;

beforeAll(async () => {
  admin = await engine.driver.connect(url("postgres"));
  await admin.exec(`CREATE DATABASE ${q(dbA)}`);
  await admin.exec(`CREATE DATABASE ${q(dbB)}`);
  a = await engine.driver.connect(url(dbA));
  b = await engine.driver.connect(url(dbB));
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbA)} WITH (FORCE)`);
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbB)} WITH (FORCE)`);
  await admin?.close();
});

async function run(session: Session, script: string) {
  for (const st of engine.dialect.split(script).statements) await session.exec(st.text);
}

test("renderCreateDdl rebuilds a schema with every object kind: equal snapshot and equal pg_dump", async () => {
  await run(a, RICH_SCHEMA);
  const before = await engine.inspector.inspect(a, { objects: true });
  const ddl = renderCreateDdl(before);
  await run(b, ddl);
  const after = await engine.inspector.inspect(b, { objects: true });
  expect(after).toEqual(before);
  expect(new Set((before.objects ?? []).map((o) => o.kind))).toEqual(
    new Set(["view", "materialized_view", "sequence", "function", "procedure", "trigger", "type"]),
  );
  const server = { host: "127.0.0.1", port: 5432, user: "postgres" };
  const dumpA = await pgDumpSchemas({ ...server, database: dbA }, ["app"]);
  const dumpB = await pgDumpSchemas({ ...server, database: dbB }, ["app"]);
  expect(dumpB).toEqual(dumpA);
  // The rendered script is itself stable: rendering the copy gives the same text.
  expect(renderCreateDdl(after)).toEqual(ddl);
});
