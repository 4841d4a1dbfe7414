// The ClickHouse facts the rules rely on, checked against a real clickhouse-server (Debian's 18.16)
// started by this file on free local ports: a MergeTree table needs a sorting key, Nullable cannot
// wrap an Array, a new column without DEFAULT reads the type's default, ALTER … UPDATE is a
// background mutation, TRUNCATE and DROP PARTITION delete at once, and there is no BEGIN.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CLICKHOUSE_SKIP, type ClickhouseServer, startClickhouseServer } from "../../clickhouse/test-server.ts";
import { assess } from "../assess.ts";

let server: ClickhouseServer | undefined;
let url = "";

async function q(sql: string): Promise<{ ok: boolean; text: string }> {
  const res = await fetch(url, { method: "POST", body: sql });
  return { ok: res.ok, text: (await res.text()).trim() };
}

async function checks(sql: string) {
  const r = await assess(sql, { engine: "clickhouse" });
  return r.statements.flatMap((s) => s.findings.map((f) => `${f.check} ${f.level}`));
}

// CI machines have PostgreSQL, MariaDB and NATS only: without a server these claims cannot be checked.
describe.skipIf(CLICKHOUSE_SKIP !== undefined)(
  `ClickHouse engine facts${CLICKHOUSE_SKIP ? ` (skipped: ${CLICKHOUSE_SKIP})` : ""}`,
  () => {
    beforeAll(async () => {
      server = await startClickhouseServer();
      url = server.url;
    }, 30_000);

    afterAll(async () => {
      await server?.stop();
    });

    test("MergeTree without ORDER BY fails (missing-primary-key High); ORDER BY tuple() works (Medium)", async () => {
      const bare = "CREATE TABLE logs_a (line String) ENGINE = MergeTree";
      expect((await q(bare)).ok).toBe(false);
      expect(await checks(bare)).toEqual(["missing-primary-key High"]);
      const tuple = "CREATE TABLE logs_b (line String) ENGINE = MergeTree ORDER BY tuple()";
      expect((await q(tuple)).ok).toBe(true);
      expect(await checks(tuple)).toEqual(["missing-primary-key Medium"]);
    });

    test("Nullable(Array(…)) is refused (unsupported-type High)", async () => {
      const sql = "CREATE TABLE na (id UInt64, tags Nullable(Array(String))) ENGINE = MergeTree ORDER BY id";
      const r = await q(sql);
      expect(r.ok).toBe(false);
      expect(r.text).toContain("cannot be inside Nullable");
      expect(await checks(sql)).toEqual(["unsupported-type High"]);
    });

    test("ADD COLUMN without DEFAULT: existing rows read 0 and '' (not-null-without-default Low)", async () => {
      await q("CREATE TABLE addc (id UInt64) ENGINE = MergeTree ORDER BY id");
      await q("INSERT INTO addc (id) VALUES (1)");
      const sql = "ALTER TABLE addc ADD COLUMN n UInt32, ADD COLUMN s String";
      expect((await q(sql)).ok).toBe(true);
      expect(JSON.parse((await q("SELECT id, n, s FROM addc FORMAT JSONEachRow")).text)).toEqual({
        id: "1",
        n: 0,
        s: "",
      });
      expect(await checks(sql)).toEqual(["not-null-without-default Low", "not-null-without-default Low"]);
    });

    test("ALTER TABLE … UPDATE is a mutation in system.mutations (heavy-mutation High)", async () => {
      await q("CREATE TABLE mut (id UInt64, s String) ENGINE = MergeTree ORDER BY id");
      await q("INSERT INTO mut (id, s) VALUES (1, 'a'), (2, 'b')");
      const sql = "ALTER TABLE mut UPDATE s = 'x' WHERE id = 1";
      expect((await q(sql)).ok).toBe(true);
      expect((await q("SELECT count() FROM system.mutations WHERE table = 'mut'")).text).toBe("1");
      expect(await checks(sql)).toEqual(["heavy-mutation High"]);
    });

    test("TRUNCATE and DROP PARTITION delete at once (truncate Critical)", async () => {
      await q("CREATE TABLE tr (d Date, id UInt64) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id");
      await q("INSERT INTO tr (d, id) VALUES ('2024-01-05', 1), ('2024-02-05', 2)");
      expect((await q("ALTER TABLE tr DROP PARTITION 202401")).ok).toBe(true);
      expect((await q("SELECT count() FROM tr")).text).toBe("1");
      expect((await q("TRUNCATE TABLE tr")).ok).toBe(true);
      expect((await q("SELECT count() FROM tr")).text).toBe("0");
      expect(await checks("ALTER TABLE tr DROP PARTITION 202401;\nTRUNCATE TABLE tr")).toEqual([
        "truncate Critical",
        "truncate Critical",
      ]);
    });

    test("there is no BEGIN TRANSACTION (transaction-control Medium)", async () => {
      const r = await q("BEGIN TRANSACTION");
      expect(r.ok).toBe(false);
      expect(r.text).toContain("Syntax error");
      expect(await checks("BEGIN TRANSACTION")).toEqual(["transaction-control Medium"]);
    });
  },
);
