import { describe, expect, test } from "bun:test";
import { sqlServerDialect } from "./dialect.ts";

const texts = (sql: string) => sqlServerDialect.split(sql).statements.map((s) => s.text);

describe("SQL Server splitting", () => {
  test("GO lines end batches and are not statements; ';' ends statements", () => {
    expect(texts("SELECT 1;\nSELECT 2\nGO\nSELECT 3\n  go 2 -- twice\nSELECT 'GO'")).toEqual([
      "SELECT 1",
      "SELECT 2",
      "SELECT 3",
      "SELECT 'GO'",
    ]);
  });
  test("GO inside a string, a comment or a word is text", () => {
    expect(texts("SELECT 'a\nGO\nb';\n/*\nGO\n*/ SELECT goal FROM t\nGOTO x")).toEqual([
      "SELECT 'a\nGO\nb'",
      "SELECT goal FROM t\nGOTO x",
    ]);
  });
  test("procedure bodies run to GO; BEGIN … END and CASE keep their ';'", () => {
    const sql =
      "CREATE OR ALTER PROCEDURE dbo.p AS\nBEGIN\n  DELETE FROM t WHERE id = 1;\n  SELECT 1;\nEND;\nGO\n" +
      "IF 1 = 1\nBEGIN\n  SELECT CASE WHEN 1 = 1 THEN 1 END;\n  SELECT 2;\nEND;\nBEGIN TRANSACTION;\nCOMMIT;";
    expect(texts(sql)).toEqual([
      "CREATE OR ALTER PROCEDURE dbo.p AS\nBEGIN\n  DELETE FROM t WHERE id = 1;\n  SELECT 1;\nEND;",
      "IF 1 = 1\nBEGIN\n  SELECT CASE WHEN 1 = 1 THEN 1 END;\n  SELECT 2;\nEND",
      "BEGIN TRANSACTION",
      "COMMIT",
    ]);
  });
  test("without ';', a statement keyword first on its line starts the next statement", () => {
    const sql = [
      "CREATE TABLE dbo.a (id int NOT NULL)",
      "CREATE INDEX ix_a ON dbo.a (id)",
      "ALTER TABLE dbo.a",
      "  ALTER COLUMN id bigint NOT NULL",
      "ALTER TABLE dbo.a",
      "DROP COLUMN x",
      "DROP TABLE dbo.b",
      "INSERT INTO dbo.a (id)",
      "SELECT 1",
      "UNION",
      "SELECT 2",
      "UPDATE dbo.a",
      "SET id = 2 WHERE id = 1",
      "IF OBJECT_ID(N'dbo.c', N'U') IS NULL",
      "  CREATE TABLE dbo.c (id int NOT NULL)",
      "ELSE",
      "  PRINT 'exists'",
      "DECLARE @n int",
      "SET @n = 1",
      "GO",
    ].join("\n");
    expect(texts(sql)).toEqual([
      "CREATE TABLE dbo.a (id int NOT NULL)",
      "CREATE INDEX ix_a ON dbo.a (id)",
      "ALTER TABLE dbo.a\n  ALTER COLUMN id bigint NOT NULL",
      "ALTER TABLE dbo.a\nDROP COLUMN x",
      "DROP TABLE dbo.b",
      "INSERT INTO dbo.a (id)\nSELECT 1\nUNION\nSELECT 2",
      "UPDATE dbo.a\nSET id = 2 WHERE id = 1",
      "IF OBJECT_ID(N'dbo.c', N'U') IS NULL\n  CREATE TABLE dbo.c (id int NOT NULL)\nELSE\n  PRINT 'exists'",
      "DECLARE @n int",
      "SET @n = 1",
    ]);
  });
  test('[x] and "x" identifiers, nested comments, unclosed quotes', () => {
    expect(texts('SELECT [a;]]b], "c;" FROM t; /* x /* y */ ; */ SELECT 2')).toEqual([
      'SELECT [a;]]b], "c;" FROM t',
      "SELECT 2",
    ]);
    const r = sqlServerDialect.split("SELECT 1;\nSELECT 'oops");
    expect(r.problems).toEqual([
      { code: "unclosed_quote", message: "unclosed string literal opened at 2:8", line: 2, column: 8 },
    ]);
  });
  test("quoting", () => {
    expect(sqlServerDialect.quoteIdent("a]b")).toBe("[a]]b]");
    expect(sqlServerDialect.quoteLiteral("it's")).toBe("N'it''s'");
  });
});
