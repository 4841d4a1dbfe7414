// The history table's DDL per engine, spelled out: it lives on customer databases for good, so any
// change to it must show up here (and in README.md) for a reviewer.
import { expect, test } from "bun:test";
import { mariadbDialect } from "../mysql/dialect.ts";
import { mysqlHistory } from "../mysql/migrate.ts";
import { postgresHistory } from "../postgres/migrate.ts";
import { sqliteHistory } from "../sqlite/migrate.ts";
import { historyTableDdl } from "./history.ts";

const columns = (q: (n: string) => string, t: Record<string, string>) =>
  [
    `${q("migration_id")} ${t.key} NOT NULL`,
    `${q("name")} ${t.text} NOT NULL`,
    `${q("checksum")} ${t.key} NOT NULL`,
    `${q("status")} ${t.short} NOT NULL`,
    `${q("direction")} ${t.short} NOT NULL`,
    `${q("attempt")} ${t.int} NOT NULL`,
    `${q("statements_total")} ${t.int} NOT NULL`,
    `${q("statements_done")} ${t.int} NOT NULL`,
    `${q("run_id")} ${t.key} NOT NULL`,
    `${q("correlation_id")} ${t.key} NOT NULL`,
    `${q("applied_by")} ${t.key} NOT NULL`,
    `${q("started_at")} ${t.timestamp} NOT NULL`,
    `${q("finished_at")} ${t.timestamp} NULL`,
    `${q("execution_ms")} ${t.bigint} NULL`,
    `${q("migratrix_version")} ${t.key} NOT NULL`,
    `PRIMARY KEY (${q("migration_id")})`,
  ]
    .map((c) => `  ${c}`)
    .join(",\n");

test.each([
  [
    "postgresql",
    historyTableDdl(postgresHistory, '"public"."migratrix_history"'),
    `CREATE TABLE IF NOT EXISTS "public"."migratrix_history" (\n${columns((n) => `"${n}"`, {
      key: "text",
      short: "text",
      text: "text",
      int: "integer",
      bigint: "bigint",
      timestamp: "timestamptz",
    })}\n)`,
  ],
  [
    "mysql/mariadb",
    historyTableDdl(mysqlHistory(mariadbDialect), "`app`.`migratrix_history`"),
    `CREATE TABLE IF NOT EXISTS \`app\`.\`migratrix_history\` (\n${columns((n) => `\`${n}\``, {
      key: "VARCHAR(191)",
      short: "VARCHAR(16)",
      text: "TEXT",
      int: "INT",
      bigint: "BIGINT",
      timestamp: "DATETIME(3)",
    })}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  ],
  [
    "sqlite",
    historyTableDdl(sqliteHistory, '"main"."migratrix_history"'),
    `CREATE TABLE IF NOT EXISTS "main"."migratrix_history" (\n${columns((n) => `"${n}"`, {
      key: "TEXT",
      short: "TEXT",
      text: "TEXT",
      int: "INTEGER",
      bigint: "INTEGER",
      timestamp: "TEXT",
    })}\n)`,
  ],
])("%s history table DDL", (_engine, got, want) => {
  expect(got).toEqual(want);
});
