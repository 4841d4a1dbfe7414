// Fuzz, every engine: random token soup and mutated case SQL through assess() (tokens/fuzzkit.ts).
// Each engine adds its own quoting, comments and keywords to the common tokens.
import { describe, expect, test } from "bun:test";
import type { EngineId } from "../types.ts";
import { ALL_CASES } from "./cases/index.ts";
import { MYSQL_CASES } from "./mysql/cases/index.ts";
import { SQLITE_CASES } from "./sqlite/cases/index.ts";
import { type FuzzTarget, fuzzFailures, fuzzTests } from "./tokens/fuzzkit.ts";

const words = (s: string): string[] => s.split(" ");
const MYSQL_TOKENS = [
  ...words("MODIFY CHANGE LIMIT ORDER BY ALGORITHM=INPLACE LOCK=NONE ENGINE=MyISAM ENUM('a','b') PROCEDURE $$"),
  ...words("FOREIGN CHECK RENAME TO JOIN WITH INTO VALUES \"q\" ` `b` # /*!40101 /*M! '\\' é 😀"),
  ..."-- |DELIMITER $$| |\u0000".split("|"),
];
const DIALECT_ONLY = words("RENAME TO UNIQUE ROLLBACK INSERT INTO VALUES CASCADE WITH IF EXISTS .");
const casesOf = (engine: EngineId) => ALL_CASES.filter((c) => c.engines.includes(engine));

const TARGETS: FuzzTarget[] = [
  {
    engine: "postgresql",
    tokens: [...words("CONCURRENTLY \"Q\" $$ $t$ E'\\' é 😀 FUNCTION RETURNS LANGUAGE CASCADE \u0000"), " "],
    cases: ALL_CASES,
  },
  { engine: "mysql", tokens: MYSQL_TOKENS, cases: MYSQL_CASES },
  { engine: "mariadb", tokens: MYSQL_TOKENS, cases: MYSQL_CASES },
  {
    engine: "sqlite",
    tokens: [
      ...words("RENAME TO TRIGGER AFTER INSERT INTO VALUES PRAGMA foreign_keys writable_schema OFF STRICT"),
      ...words('users_new sqlite_schema "q" [ ] [b] ` é 😀 CHECK STRING INTEGER TEXT AUTOINCREMENT JOIN WITH'),
      ..."RETURNING|WITHOUT ROWID| |\u0000".split("|"),
    ],
    cases: SQLITE_CASES,
  },
  {
    engine: "sqlserver",
    tokens: [
      ...DIALECT_ONLY,
      ...words("GO TOP (10) IDENTITY NOCHECK CONSTRAINT ONLINE EXEC sp_rename N'a' [x ] [dbo] #tmp @v TRAN"),
      ...words("PROCEDURE OBJECT_ID \nGO\n"),
    ],
    cases: casesOf("sqlserver"),
  },
  {
    engine: "oracle",
    tokens: [
      ...DIALECT_ONLY,
      ...words("\n/\n DECLARE EXECUTE IMMEDIATE MODIFY UNUSED PURGE CONSTRAINTS ONLINE q'[ ]' q'{x}' NUMBER"),
      ...words("VARCHAR2 dual FETCH FIRST GENERATED IDENTITY"),
    ],
    cases: casesOf("oracle"),
  },
  {
    engine: "clickhouse",
    tokens: [
      ...DIALECT_ONLY,
      ...words("ENGINE MergeTree ORDER BY tuple() PARTITION Nullable Array(String) UInt64 MATERIALIZE FINAL"),
      ..."OPTIMIZE|`x|'a\\'|[1, 2]|SETTINGS|FORMAT|CODEC|ON CLUSTER c".split("|"),
    ],
    cases: casesOf("clickhouse"),
  },
];

describe("fuzz", () => {
  fuzzTests(TARGETS, { n: 3000, maxMsPerInput: 250 });
});

test("the time bound counts: an input slower than it on three tries is a failure", async () => {
  const inputs = ["SELECT 1;", "DROP TABLE t;"];
  expect(await fuzzFailures({ engine: "postgresql", inputs, maxMsPerInput: 60_000 })).toEqual([]);
  const slow = await fuzzFailures({ engine: "postgresql", inputs, maxMsPerInput: -1 });
  expect(slow.map((f) => f.replace(/took \d+ ms/, "took N ms"))).toEqual([
    '"SELECT 1;": took N ms (best of 3)',
    '"DROP TABLE t;": took N ms (best of 3)',
  ]);
});
