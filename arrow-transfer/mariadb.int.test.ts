// MariaDB → PostgreSQL on the real servers: every MySQL type of the mapping table, zero dates,
// tinyint(1) that is not a boolean, --create's keys and AUTO_INCREMENT, a fault then resume.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf } from "../bus/contract-helpers.ts";
import { MigratrixError } from "../common/errors.ts";
import { mapColumnType, SOURCE_TYPES } from "../engines/schema/typemap.ts";
import { createMariaDb, createPgDb, type MariaDb, type PgDb } from "./test-support.ts";
import { transfer } from "./transfer.ts";

let src: MariaDb;
const targets: PgDb[] = [];

async function target(): Promise<PgDb> {
  const t = await createPgDb("xfer_mdst");
  targets.push(t);
  return t;
}

const TABLES = [
  `CREATE TABLE all_types (
    id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    flag tinyint(1), ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned, mi mediumint,
    i int, iu int unsigned, bi bigint, biu bigint unsigned, dec_ decimal(30,10), f float, d double, y year,
    vc varchar(20), ch char(3), js json, tx mediumtext, vb varbinary(16), bl longblob, dt date, tm time(3),
    dtm datetime(6), tsp timestamp(3) NULL, uu uuid, en enum('small','medium','large'), st set('a','b','c')
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE k (a int NOT NULL, b varchar(10) NOT NULL, v text, PRIMARY KEY (a, b), KEY k_v (v(10)))`,
  `CREATE TABLE owner (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20) NOT NULL, UNIQUE KEY owner_name (name))`,
  `CREATE TABLE pet (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, owner_id int NOT NULL, CONSTRAINT pet_owner FOREIGN KEY (owner_id) REFERENCES owner (id))`,
  `CREATE TABLE flags (id int PRIMARY KEY, f tinyint(1))`,
];

beforeAll(async () => {
  src = await createMariaDb("xfer_msrc");
  for (const t of TABLES) await src.conn.query(t);
  await src.conn.query("SET SESSION sql_mode = ''");
  const rows: unknown[][] = [];
  for (let g = 1; g <= 120; g++) {
    rows.push([
      g % 2,
      -g,
      g,
      -g * 100,
      g * 500,
      g * 1000,
      -g * 100000,
      g * 30_000_000,
      g * 1000000000,
      "18446744073709551615",
      `${g}.0123456789`,
      g / 4,
      g / 3,
      2000 + (g % 100),
      `v${g} ünï ✓`,
      "abc",
      JSON.stringify({ b: g, a: [1, "x"] }),
      `line ${g}\twith tab\nand newline \\ 😀`,
      Buffer.from([0, g, 255, 92, 10]),
      Buffer.alloc(g * 10, g),
      "2024-02-29",
      "10:11:12.345",
      "2024-01-01 00:00:00.123456",
      "2024-06-01 12:00:00.500",
      "6ccd780c-baba-1026-9564-5b8c656024db",
      ["small", "medium", "large"][g % 3],
      "a,c",
    ]);
  }
  await src.conn.query(
    `INSERT INTO all_types (flag, ti, tiu, si, siu, mi, i, iu, bi, biu, dec_, f, d, y, vc, ch, js, tx, vb, bl, dt, tm, dtm, tsp, uu, en, st) VALUES ?`,
    [rows],
  );
  await src.conn.query("INSERT INTO all_types (flag) VALUES (NULL)");
  await src.conn.query(
    "INSERT INTO all_types (dt, dtm, tsp, tx, bl) VALUES ('0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', REPEAT('x', 1000000), REPEAT(x'ab', 1000000))",
  );
  await src.conn.query("INSERT INTO k (a, b, v) SELECT seq % 7, CONCAT('k', seq), CONCAT('v', seq) FROM seq_1_to_300");
  await src.conn.query("INSERT INTO owner (name) SELECT CONCAT('o', seq) FROM seq_1_to_30");
  await src.conn.query("INSERT INTO pet (owner_id) SELECT seq % 30 + 1 FROM seq_1_to_70");
  await src.conn.query("INSERT INTO flags VALUES (1, 0), (2, 1), (3, 2)");
});

// DROP DATABASE checkpoints: slow on a busy machine.
afterAll(async () => {
  for (const t of targets) await t.drop();
  await src?.drop();
}, 60_000);

describe("MariaDB → PostgreSQL", () => {
  test("all_types covers every MySQL rule of the mapping table", async () => {
    const [cols] = await src.conn.query(
      "SELECT COLUMN_NAME AS n, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'all_types'",
    );
    const used = new Set(
      (cols as { n: string; t: string }[]).map(
        (c) =>
          mapColumnType("mysql", "postgresql", {
            table: "all_types",
            column: c.n,
            type: c.t,
            ctx: c.n === "js" ? { jsonCheck: true } : {},
          }).rule,
      ),
    );
    expect(SOURCE_TYPES.filter((r) => r.engine === "mysql" && !used.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  test("every type arrives as the mapped PostgreSQL type with equal values; zero dates become NULL with a warning", async () => {
    const t = await target();
    const r = await transfer({ from: src.url, to: t.url, tables: ["all_types", "k"], create: true, batchRows: 50 });
    expect(r.tables.map((x) => [x.table, x.path, x.rowsCopied, x.chunksCopied, x.match])).toEqual([
      ["all_types", "arrow", 122, 3, true],
      ["k", "arrow", 300, 6, true],
    ]);
    expect(r.warnings).toEqual([
      "all_types.dt: 1 zero date(s) became NULL",
      "all_types.dtm: 1 zero date(s) became NULL",
      "all_types.tsp: 1 zero date(s) became NULL",
    ]);
    const types = await t.sql.unsafe(
      "SELECT attname AS c, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'all_types'::regclass AND attnum > 0 ORDER BY attnum",
    );
    expect(types.map((x) => `${x.c} ${x.t}`)).toEqual([
      "id bigint",
      "flag boolean",
      "ti smallint",
      "tiu smallint",
      "si smallint",
      "siu integer",
      "mi integer",
      "i integer",
      "iu bigint",
      "bi bigint",
      "biu numeric(20,0)",
      "dec_ numeric(30,10)",
      "f real",
      "d double precision",
      "y smallint",
      "vc character varying(20)",
      "ch character varying(3)",
      "js jsonb",
      "tx text",
      "vb bytea",
      "bl bytea",
      "dt date",
      "tm time(3) without time zone",
      "dtm timestamp(6) without time zone",
      "tsp timestamp(3) with time zone",
      "uu uuid",
      "en text",
      "st text",
    ]);
    const [row] = await t.sql.unsafe(
      `SELECT flag, ti, tiu, biu::text, dec_::text, f, y, vc, js::text, tx, encode(vb, 'hex') AS vb, dt::text, tm::text,
              dtm::text, tsp::text, uu::text, en, st FROM all_types WHERE id = 7`,
    );
    expect(row).toEqual({
      flag: true,
      ti: -7,
      tiu: 7,
      biu: "18446744073709551615",
      dec_: "7.0123456789",
      f: 1.75,
      y: 2007,
      vc: "v7 ünï ✓",
      js: '{"a": [1, "x"], "b": 7}',
      tx: "line 7\twith tab\nand newline \\ 😀",
      vb: "0007ff5c0a",
      dt: "2024-02-29",
      tm: "10:11:12.345",
      dtm: "2024-01-01 00:00:00.123456",
      tsp: "2024-06-01 12:00:00.5+00",
      uu: "6ccd780c-baba-1026-9564-5b8c656024db",
      en: "medium",
      st: "a,c",
    } as never);
    const bad = await errorOf(t.sql.unsafe("INSERT INTO all_types (id, en) VALUES (1000, 'huge')"));
    expect(bad.message).toContain("all_types_en_check");
    const [big] = await t.sql.unsafe(
      "SELECT length(tx) AS l, length(bl) AS b FROM all_types WHERE dt IS NULL AND tx IS NOT NULL",
    );
    expect(big).toEqual({ l: 1000000, b: 1000000 } as never);
  });

  test("--create adds keys, indexes, foreign keys and continues AUTO_INCREMENT as identity", async () => {
    const t = await target();
    const r = await transfer({ from: src.url, to: t.url, tables: ["owner", "pet"], create: true, batchRows: 20 });
    // INSERT … SELECT reserves AUTO_INCREMENT values in blocks: the source's next value is what counts.
    const [next] = await src.conn.query(
      "SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('owner', 'pet') ORDER BY TABLE_NAME",
    );
    const [owner = 0, pet = 0] = (next as { n: number }[]).map((x) => Number(x.n));
    expect(r.finished).toEqual([
      "owner: primary key",
      "owner: index owner_name",
      "pet: primary key",
      "pet: index pet_owner",
      "pet: foreign key pet_owner",
      `owner: sequence id → ${owner}`,
      "owner: analyze",
      `pet: sequence id → ${pet}`,
      "pet: analyze",
    ]);
    const [o] = await t.sql.unsafe("INSERT INTO owner (name) VALUES ('new') RETURNING id");
    const [p] = await t.sql.unsafe("INSERT INTO pet (owner_id) VALUES (1) RETURNING id");
    expect([Number(o?.id), Number(p?.id)]).toEqual([owner, pet]);
    const dup = await errorOf(t.sql.unsafe("INSERT INTO owner (name) VALUES ('o1')"));
    expect(dup.message).toContain("owner_name");
  });

  test("a tinyint(1) holding 2 stops the transfer instead of becoming true; an override keeps it", async () => {
    const t = await target();
    const err = await errorOf(transfer({ from: src.url, to: t.url, tables: ["flags"], create: true }));
    expect(err).toEqual({
      code: "data_loss",
      message: "flags.f holds 2, not a boolean 0/1 (override the column to keep it)",
    });
    const t2 = await target();
    const ok = await transfer({
      from: src.url,
      to: t2.url,
      tables: ["flags"],
      create: true,
      overrides: { "flags.f": "smallint" },
    });
    expect(ok.ok).toBe(true);
    expect(await t2.sql.unsafe("SELECT f FROM flags ORDER BY id")).toEqual([{ f: 0 }, { f: 1 }, { f: 2 }] as never);
  });

  test("a failure after chunk 2 resumes after the last committed key", async () => {
    const t = await target();
    const opts = { from: src.url, to: t.url, tables: ["k"], create: true, batchRows: 60, jobId: "mjob" };
    const failed = await errorOf(
      transfer({
        ...opts,
        hooks: {
          afterChunk: ({ runChunk }) => {
            if (runChunk === 2) throw new MigratrixError("aborted", "injected");
          },
        },
      }),
    );
    expect(failed.code).toBe("aborted");
    const r = await transfer({ ...opts, resume: "mjob" });
    expect(r.tables.map((x) => [x.chunksSkipped, x.chunksCopied, x.rowsCopied, x.targetRows, x.match])).toEqual([
      [2, 3, 180, 300, true],
    ]);
  });
});
