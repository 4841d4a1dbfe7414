// Findings point at the original file: lines and columns survive comments, DELIMITER blocks,
// executable comments, multi-byte text and a migration section's first line.
import { expect, test } from "bun:test";
import { assess } from "../assess.ts";

const SCRIPT = [
  "-- a comment line; DELETE FROM users",
  "/*!40101 SET NAMES utf8mb4 */;",
  "DELIMITER $$",
  "CREATE PROCEDURE p() BEGIN DELETE FROM users; END$$",
  "DELIMITER ;",
  "SELECT 'é😀' AS x, id FROM t WHERE id = 1; DELETE   FROM `users`;",
  "  ALTER TABLE orders",
  "    ADD COLUMN qty INT NOT NULL;",
].join("\n");

const at = async (firstLine?: number) =>
  (await assess(SCRIPT, { engine: "mariadb", firstLine })).statements.flatMap((s) =>
    s.findings.map((f) => `${f.line}:${f.column} ${f.check}`),
  );

test("line and column of each finding in the file", async () => {
  expect(await at()).toEqual([
    "4:1 raw-sql-unchecked",
    // DELETE starts at column 43 (the emoji is one column); the finding points at `users`.
    "6:43 missing-statement-timeout",
    "6:43 mix-ddl-dml",
    "6:57 delete-without-where",
    "7:3 missing-lock-timeout",
    "8:16 not-null-without-default",
  ]);
});

test("firstLine shifts every line to the file's numbering", async () => {
  expect((await at(20)).map((s) => s.split(" ")[0])).toEqual(["23:1", "25:43", "25:43", "25:57", "26:3", "27:16"]);
});
