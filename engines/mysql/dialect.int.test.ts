// The splitter's output runs on the real MariaDB: every golden statement executes one by one.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { mariadbDialect } from "./dialect.ts";

const dbName = `mx_dialect_${process.pid}_${Date.now()}`;
let conn: mysql.Connection;

beforeAll(async () => {
  conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  await conn.query(`CREATE DATABASE ${mariadbDialect.quoteIdent(dbName)}`);
  await conn.query(`USE ${mariadbDialect.quoteIdent(dbName)}`);
});

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${mariadbDialect.quoteIdent(dbName)}`);
  await conn?.end();
});

async function runGolden(file: string): Promise<void> {
  const { statements, problems } = mariadbDialect.split(readFileSync(join(import.meta.dir, "golden", file), "utf8"));
  expect(problems).toEqual([]);
  for (const s of statements) await conn.query(s.text);
}

async function rows(sql: string): Promise<unknown[]> {
  const [result] = await conn.query(sql);
  return (result as object[]).map((r) => ({ ...r }));
}

test("stored programs without DELIMITER run statement by statement", async () => {
  await runGolden("procedures.sql");
  expect(await rows("SELECT id, n, note, sign_of(-2) AS s FROM counters")).toEqual([
    { id: 1, n: 4, note: "x;x;", s: "neg" },
  ]);
});

test("mysqldump-style file with DELIMITER and executable comments runs", async () => {
  await runGolden("mysqldump_style.sql");
  await conn.query("INSERT INTO `t;1` (id, msg) VALUES (3, 'x')");
  await conn.query("CALL p_count(@c)");
  expect(await rows("SELECT id, msg, @c AS c FROM `t;1` ORDER BY id")).toEqual([
    { id: 1, msg: "a\\b;", c: 3 },
    { id: 2, msg: 'line\nbreak; "dq"', c: 3 },
    { id: 3, msg: "x;", c: 3 },
  ]);
});

test("quoted identifiers and literals round-trip through the server", async () => {
  const name = "we`ird; name";
  const value = "it's \\ a 'test'; \0 \x1a 😀";
  const sql = `SELECT ${mariadbDialect.quoteLiteral(value)} AS ${mariadbDialect.quoteIdent(name)}`;
  expect(await rows(sql)).toEqual([{ [name]: value }]);
});
