// The chunk loop reads chunk n+1 while chunk n commits (readahead.ts) and the fast path passes the
// source's CopyData messages to the target as they came (copywire.ts): on the real server, a
// checkpoint never claims a row that is not committed, a failed chunk leaves the read-ahead behind
// without a trace, key types pick their bound query, and a connection without a plain socket (TLS)
// still works through the payload conversions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { errorOf } from "../bus/contract-helpers.ts";
import type { Endpoints } from "./endpoints.ts";
import { createPostgresSource, createPostgresTarget, openPostgres } from "./postgres.ts";
import { createPgDb, type PgDb } from "./test-support.ts";
import { transfer } from "./transfer.ts";

const KEYS: Record<string, [string, string]> = {
  big: ["id", "bigint"],
  tk: ["k", "text"],
  nk: ["k", "numeric"],
  uk: ["k", "uuid"],
};

let src: PgDb;
const targets: PgDb[] = [];

async function target(): Promise<PgDb> {
  const t = await createPgDb("xfer_pipedst");
  targets.push(t);
  return t;
}

const TABLES = `
CREATE TABLE big (id bigint PRIMARY KEY, t text, b bytea, n numeric(12,2), j jsonb);
INSERT INTO big SELECT g, 'row ' || g || repeat('x', g % 300), decode(lpad(to_hex(g), 8, '0'), 'hex'), g / 4.0,
  jsonb_build_object('g', g) FROM generate_series(1, 2000) g;
CREATE TABLE tk (k text PRIMARY KEY, v integer);
INSERT INTO tk SELECT chr(65 + g % 26) || lower(chr(65 + (g * 7) % 26)) || g || (ARRAY['é', 'Z', ' ', 'ä', '10'])[g % 5 + 1], g
  FROM generate_series(1, 400) g;
CREATE TABLE nk (k numeric(10,2) PRIMARY KEY, v integer);
INSERT INTO nk SELECT (g - 200) / 3.0, g FROM generate_series(1, 400) g;
CREATE TABLE uk (k uuid PRIMARY KEY, v integer);
INSERT INTO uk SELECT md5(g::text)::uuid, g FROM generate_series(1, 400) g;
`;

beforeAll(async () => {
  src = await createPgDb("xfer_pipesrc");
  await src.sql.unsafe(TABLES).simple();
});

afterAll(async () => {
  for (const t of targets) await t.drop();
  await src?.drop();
}, 60_000);

async function dump(db: PgDb, table: string): Promise<string[]> {
  const rows = await db.sql.unsafe(`SELECT t::text AS r FROM ${table} t ORDER BY 1`);
  return rows.map((r) => String(r.r));
}

describe("pipelined chunks", () => {
  for (const path of ["fast", "arrow"] as const) {
    test(`${path} path: after every chunk the checkpoint claims exactly the committed rows, for text, numeric and uuid keys`, async () => {
      const t = await target();
      const seen: { table: string; chunk: number; committed: number; claimed: number; lastKeyIsMax: boolean }[] = [];
      /** Chunks after whose commit another transfer connection still had a transaction open (the next chunk's). */
      let overlapped = 0;
      const r = await transfer({
        from: src.url,
        to: t.url,
        tables: ["big", "tk", "nk", "uk"],
        create: true,
        batchRows: 70,
        path,
        jobId: `claims-${path}`,
        hooks: {
          async afterChunk({ table, chunk }) {
            const [c] = await t.sql.unsafe(
              `SELECT rows::int AS rows, last_key FROM migratrix_transfer_checkpoint WHERE job_id = $1 AND table_name = $2`,
              [`claims-${path}`, table],
            );
            const [key, type] = KEYS[table] ?? ["", ""];
            const last = (JSON.parse(String(c?.last_key)) as string[])[0];
            // Committed rows, and the checkpoint's key is the greatest of them in the key's own order.
            const [n] = await t.sql.unsafe(
              `SELECT count(*)::int AS n, count(*) FILTER (WHERE ${key} > $1::${type})::int AS above,
                      count(*) FILTER (WHERE ${key} = $1::${type})::int AS at FROM ${table}`,
              [last ?? null],
            );
            const lastKeyIsMax = n?.above === 0 && n?.at === 1;
            const [open] = await t.sql.unsafe(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
                 AND application_name = 'migratrix-transfer' AND xact_start IS NOT NULL`,
            );
            if (Number(open?.n) > 0) overlapped++;
            seen.push({ table, chunk, committed: Number(n?.n), claimed: Number(c?.rows), lastKeyIsMax });
          },
        },
      });
      expect(r.tables.map((x) => [x.table, x.path, x.rowsCopied, x.chunksCopied, x.match])).toEqual([
        ["big", path, 2000, 29, true],
        ["nk", path, 400, 6, true],
        ["tk", path, 400, 6, true],
        ["uk", path, 400, 6, true],
      ]);
      expect(seen.filter((s) => s.committed !== s.claimed || !s.lastKeyIsMax)).toEqual([]);
      expect(seen.length).toBe(29 + 6 + 6 + 6);
      // The fast path writes the next chunk on a second connection meanwhile (not yet committed:
      // the counts above saw only what the checkpoints claim); Arrow writes one chunk at a time.
      expect(path === "fast" ? overlapped > 0 : overlapped === 0).toBe(true);
      for (const table of ["big", "tk", "nk", "uk"]) expect(await dump(t, table)).toEqual(await dump(src, table));
    });

    test(`${path} path: chunk 4 fails in the target (chunk 5's read may be under way) → nothing of it is committed, resume copies the rest once`, async () => {
      const t = await target();
      // Same column types (the fast path needs them); the check rejects a row of chunk 4 (rows 211..280).
      await t.sql.unsafe(
        "CREATE TABLE big (id bigint, t text, b bytea, n numeric(12,2), j jsonb, CONSTRAINT no_250 CHECK (id <> 250))",
      );
      const opts = { from: src.url, to: t.url, tables: ["big"], batchRows: 70, path, jobId: `fail-${path}` };
      const err = await errorOf(transfer(opts));
      expect(err.code).toBe("failed_precondition");
      expect(err.message).toStartWith(
        'writing chunk 4 of big failed: new row for relation "big" violates check constraint "no_250"',
      );
      const [cp] = await t.sql.unsafe(
        "SELECT chunks, rows::int AS rows, done FROM migratrix_transfer_checkpoint WHERE job_id = $1 AND table_name = 'big'",
        [`fail-${path}`],
      );
      const [n] = await t.sql.unsafe("SELECT count(*)::int AS n, max(id)::int AS top FROM big");
      expect({ cp, n }).toEqual({ cp: { chunks: 3, rows: 210, done: false }, n: { n: 210, top: 210 } } as never);
      await t.sql.unsafe("ALTER TABLE big DROP CONSTRAINT no_250");
      const r = await transfer({ ...opts, resume: `fail-${path}` });
      expect(r.tables.map((x) => [x.chunksSkipped, x.chunksCopied, x.rowsCopied, x.targetRows, x.match])).toEqual([
        [3, 26, 1790, 2000, true],
      ]);
      expect(await dump(t, "big")).toEqual(await dump(src, "big"));
    });
  }

  test("fast path without a plain socket on either side (TLS): CopyData converted from and to payloads", async () => {
    // postgres.js connections not opened by openPostgres have no tapped socket, as under TLS.
    const plain = (url: string) =>
      postgres(url, {
        max: 1,
        prepare: false,
        onnotice: () => {},
        connection: { TimeZone: "UTC", DateStyle: "ISO, YMD", extra_float_digits: "1", bytea_output: "hex" },
      });
    for (const [name, sourcePlain, targetPlain] of [
      ["plain source", true, false],
      ["plain target", false, true],
    ] as const) {
      const t = await target();
      await t.sql.unsafe("CREATE TABLE big (id bigint, t text, b bytea, n numeric(12,2), j jsonb)");
      const s = sourcePlain ? plain(src.url) : await openPostgres(src.url);
      const w = targetPlain ? plain(t.url) : await openPostgres(t.url);
      const back = await openPostgres(t.url);
      const source = createPostgresSource(s, { targetIsPg: true });
      const ep: Endpoints = {
        source,
        target: createPostgresTarget(w, { sourceEngine: "postgresql", enums: () => new Map() }),
        targetReader: createPostgresSource(back, { targetIsPg: true }),
        warnings: () => [],
        async close() {
          for (const c of [s, w, back]) await c.end({ timeout: 1 });
        },
      };
      const r = await transfer(
        { from: src.url, to: t.url, tables: ["big"], batchRows: 300, path: "fast" },
        async () => ep,
      );
      expect([name, r.tables.map((x) => [x.path, x.rowsCopied, x.chunksCopied, x.match])]).toEqual([
        name,
        [["fast", 2000, 7, true]],
      ]);
      expect(await dump(t, "big")).toEqual(await dump(src, "big"));
    }
  });
});
