// mx datadiff in local mode against real databases: exit 0 equal, 1 differences, 2 error; text,
// json and sql output; the sql output applied makes the next run exit 0.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTable, runScript, type ScratchDb, scratchDb } from "../../engines/datadiff/testkit.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let pg: ScratchDb;
let my: ScratchDb;
let lite: ScratchDb;

const COLUMNS = [
  { name: "id", types: { postgresql: "integer", mariadb: "int", sqlite: "INTEGER" } },
  { name: "email", types: { postgresql: "text", mariadb: "varchar(100)", sqlite: "TEXT" } },
  { name: "score", types: { postgresql: "numeric(6,2)", mariadb: "decimal(6,2)", sqlite: "NUMERIC" } },
];

beforeAll(async () => {
  [pg, my, lite] = await Promise.all([
    scratchDb("postgresql", "mx_ddcli"),
    scratchDb("mariadb", "mx_ddcli"),
    scratchDb("sqlite", "mx_ddcli"),
  ]);
  const rows = [
    [1, "a@x.org", "1.50"],
    [2, "b@x.org", null],
    [3, "c@x.org", "3.00"],
  ];
  await createTable(pg, { name: "users", columns: COLUMNS, key: ["id"], rows });
  await createTable(my, { name: "users", columns: COLUMNS, key: ["id"], rows });
  await createTable(lite, {
    name: "users_copy",
    columns: COLUMNS,
    key: ["id"],
    rows: [
      [1, "a@x.org", "1.5"],
      [2, "b@x.org", "0"],
      [4, "d@x.org", null],
    ],
  });
  // Differs from users in row 1's score (a column left out) and row 2's email.
  await createTable(lite, {
    name: "users_where",
    columns: COLUMNS,
    key: ["id"],
    rows: [
      [1, "a@x.org", "9.99"],
      [2, "B@x.org", null],
      [3, "c@x.org", "3.00"],
    ],
  });
  await createTable(lite, { name: "nokey", columns: COLUMNS, key: [], rows: [[1, "a", null]] });
  await createTable(pg, { name: "nokey", columns: COLUMNS, key: [], rows: [[1, "a", null]] });
});

afterAll(async () => {
  await Promise.all([pg.drop(), my.drop(), lite.drop()]);
});

async function mx(...args: string[]) {
  const io = captureIo({ cwd: "/", env: {} });
  const code = await runCli(["datadiff", ...args], io);
  return { code, out: io.out().replace(/^\d+ ms:/m, "N ms:"), err: io.err() };
}

test("equal tables across engines: exit 0", async () => {
  expect(await mx(pg.url, my.url, "--table", "users")).toEqual({
    code: 0,
    out: [
      "key id; columns email, score",
      "users and users hold the same rows",
      "N ms: 1 checksum pass(es), 0 range(s) fetched (0 + 0 rows), canonical hash",
      "",
    ].join("\n"),
    err: "",
  });
});

test("differences: exit 1 with the rows to change; sql output applied makes the tables equal", async () => {
  const args = [pg.url, lite.url, "--table", "users", "--target-table", "users_copy"];
  expect(await mx(...args)).toEqual({
    code: 1,
    out: [
      "key id; columns email, score",
      '~ update  id="2"',
      '      score: "0" → NULL',
      '+ insert  id="3"  email="c@x.org", score="3"',
      '- delete  id="4"',
      "3 difference(s) in users_copy: 1 to insert, 1 to update, 1 to delete",
      // SQLite hashes in this process: its 3 rows are read for the checksum pass and again for the ranges.
      "N ms: 1 checksum pass(es), 2 range(s) fetched (3 + 6 rows), canonical hash",
      "",
    ].join("\n"),
    err: "",
  });
  const json = await mx(...args, "--format", "json");
  expect({ code: json.code, counts: JSON.parse(json.out).counts }).toEqual({
    code: 1,
    counts: { inserted: 1, updated: 1, deleted: 1 },
  });
  const sql = await mx(...args, "--format", "sql");
  expect(sql).toEqual({
    code: 1,
    out: [
      `-- data sync for "users_copy": 1 delete(s), 1 update(s), 1 insert(s)`,
      `DELETE FROM "users_copy" WHERE "id" = 4;`,
      `UPDATE "users_copy" SET "score" = NULL WHERE "id" = 2;`,
      `INSERT INTO "users_copy" ("id", "email", "score") VALUES (3, 'c@x.org', 3);`,
      "",
    ].join("\n"),
    err: "",
  });
  await runScript(lite, sql.out);
  expect((await mx(...args)).code).toBe(0);
});

test.each([
  {
    name: "a table without primary key and no --key",
    args: () => [lite.url, pg.url, "--table", "nokey"],
    err: "error: table nokey has no primary key: name the key columns (--key COL[,COL]) (invalid_argument)\n",
  },
  {
    name: "a missing table",
    args: () => [pg.url, lite.url, "--table", "nope"],
    err: "error: table nope does not exist in the source database (postgresql) (not_found)\n",
  },
  {
    name: "an unknown URL scheme",
    args: () => ["ftp://x", lite.url, "--table", "t"],
    err: "error: SOURCE: URL scheme \"ftp:\" names no known database engine (known: postgres: postgresql: mysql: mariadb: sqlite: sqlserver: mssql: oracle: clickhouse:)\nrun 'mx datadiff --help' for usage\n",
  },
  {
    name: "a bad --format",
    args: () => [pg.url, lite.url, "--table", "users", "--format", "csv"],
    err: "error: --format must be text, json or sql, got 'csv'\nrun 'mx datadiff --help' for usage\n",
  },
  {
    name: "no --table",
    args: () => [pg.url, lite.url],
    err: "error: --table is required\nrun 'mx datadiff --help' for usage\n",
  },
])("$name: exit 2", async (c) => {
  expect(await mx(...c.args())).toEqual({ code: 2, out: "", err: c.err });
});

test("--key makes a table without primary key comparable", async () => {
  const r = await mx(lite.url, pg.url, "--table", "nokey", "--key", "id", "--format", "json");
  expect({ code: r.code, rows: JSON.parse(r.out).rows }).toEqual({ code: 0, rows: [] });
});

test("a password in a URL is never printed", async () => {
  const r = await mx("postgres://postgres:s3cret@127.0.0.1:1/nodb", lite.url, "--table", "users");
  expect({ code: r.code, leaked: `${r.out}${r.err}`.includes("s3cret") }).toEqual({ code: 2, leaked: false });
});

test("--where, --columns and --threshold reach the diff", async () => {
  const r = await mx(
    ...[pg.url, lite.url, "--table", "users", "--target-table", "users_where", "--format", "json"],
    ...["--where", "id > 1", "--columns", "email", "--threshold", "1"],
  );
  const doc = JSON.parse(r.out);
  expect({ code: r.code, columns: doc.columns, rows: doc.rows }).toEqual({
    code: 1,
    columns: ["email"],
    rows: [{ kind: "update", key: ["2"], changes: [{ column: "email", before: "B@x.org", after: "b@x.org" }] }],
  });
});
