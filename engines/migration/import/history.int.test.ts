// Reading each tool's history table on real PostgreSQL and MariaDB, marking those migrations in
// migratrix_history, and the runner then reporting them already_applied.
import { afterAll, describe, expect, test } from "bun:test";
import { runMigration } from "../../runner/run.ts";
import type { FreshDatabase } from "../../test/target.ts";
import { mariadbTarget } from "../../test/targets/mariadb.ts";
import { postgresTarget } from "../../test/targets/postgres.ts";
import { parseMigrationFile } from "../parse.ts";
import { atlasSum } from "./atlas.ts";
import { historyEntry, markApplied, readToolHistory } from "./history.ts";
import { importMigrations } from "./index.ts";
import { FLYWAY_TABLE, flywayRow } from "./testing.ts";
import type { ImportFormat } from "./types.ts";

interface Scenario {
  name: string;
  format: ImportFormat;
  files: Record<string, string>;
  /** The tool's history table in its real layout, with its rows; t1 and t2 exist (the tool ran them). */
  setup: string[];
  /** Runner outcome per migration after the import, or the refusal. */
  want: string[] | { refused: string };
}

const EXISTING = ["CREATE TABLE t1 (id INT)", "CREATE TABLE t2 (id INT)"];
const GOLANG_TABLE = "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)";
const LIQUIBASE_TABLE =
  "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP NOT NULL, ORDEREXECUTED INT NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))";
const liquibaseRow = (id: string, order: number, exec: string) =>
  `INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, EXECTYPE) VALUES ('${id}', 'alice', 'changelog.sql', CURRENT_TIMESTAMP, ${order}, '${exec}')`;
const ATLAS_TABLE =
  "CREATE TABLE atlas_schema_revisions (version VARCHAR(255) NOT NULL PRIMARY KEY, description VARCHAR(255) NOT NULL, type BIGINT NOT NULL DEFAULT 2, applied BIGINT NOT NULL DEFAULT 0, total BIGINT NOT NULL DEFAULT 0, executed_at TIMESTAMP NOT NULL, execution_time BIGINT NOT NULL, error TEXT NULL, error_stmt TEXT NULL, hash VARCHAR(255) NOT NULL, partial_hashes TEXT NULL, operator_version VARCHAR(255) NOT NULL)";
const atlasRow = (version: string, applied: number, error: string | null) =>
  `INSERT INTO atlas_schema_revisions (version, description, type, applied, total, executed_at, execution_time, error, hash, operator_version) VALUES ('${version}', 'x', 2, ${applied}, 1, CURRENT_TIMESTAMP, 1000, ${error === null ? "NULL" : `'${error}'`}, 'h', 'Atlas CLI v0.14.0')`;

const ATLAS_SQL = {
  "20240101000000_t1.sql": "CREATE TABLE t1 (id INT);\n",
  "20240102000000_t2.sql": "CREATE TABLE t2 (id INT);\n",
  "20240103000000_t3.sql": "CREATE TABLE t3 (id INT);\n",
};
// atlasSum is checked against a sum Atlas itself wrote in atlas.test.ts.
const ATLAS_FILES = {
  ...ATLAS_SQL,
  "atlas.sum": atlasSum(Object.entries(ATLAS_SQL).map(([name, content]) => ({ name, content }))),
};

const SCENARIOS: Scenario[] = [
  {
    name: "Flyway: successful rows are marked, the next version runs",
    format: "flyway",
    files: {
      "V1__t1.sql": "CREATE TABLE t1 (id INT);",
      "V2__t2.sql": "CREATE TABLE t2 (id INT);",
      "V3__t3.sql": "CREATE TABLE t3 (id INT);",
    },
    setup: [...EXISTING, FLYWAY_TABLE, flywayRow(1, "1", "V1__t1.sql", true), flywayRow(2, "2", "V2__t2.sql", true)],
    want: ["already_applied", "already_applied", "completed"],
  },
  {
    name: "Flyway: a failed row is refused",
    format: "flyway",
    files: { "V1__t1.sql": "CREATE TABLE t1 (id INT);" },
    setup: [FLYWAY_TABLE, flywayRow(1, "1", "V1__t1.sql", false)],
    want: { refused: "Flyway recorded version 1 (V1__t1.sql) as failed; fix it with the tool first" },
  },
  {
    name: "dbmate: listed versions are marked",
    format: "dbmate",
    files: {
      "20240101000000_t1.sql": "-- migrate:up\nCREATE TABLE t1 (id INT);\n-- migrate:down\nDROP TABLE t1;\n",
      "20240102000000_t2.sql": "-- migrate:up\nCREATE TABLE t2 (id INT);\n",
      "20240103000000_t3.sql": "-- migrate:up\nCREATE TABLE t3 (id INT);\n",
    },
    setup: [
      ...EXISTING,
      "CREATE TABLE schema_migrations (version VARCHAR(128) NOT NULL PRIMARY KEY)",
      "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000')",
    ],
    want: ["already_applied", "already_applied", "completed"],
  },
  {
    name: "golang-migrate: every version up to the recorded one is marked",
    format: "golang-migrate",
    files: {
      "1_t1.up.sql": "CREATE TABLE t1 (id INT);",
      "1_t1.down.sql": "DROP TABLE t1;",
      "2_t2.up.sql": "CREATE TABLE t2 (id INT);",
      "3_t3.up.sql": "CREATE TABLE t3 (id INT);",
    },
    setup: [...EXISTING, GOLANG_TABLE, "INSERT INTO schema_migrations (version, dirty) VALUES (2, FALSE)"],
    want: ["already_applied", "already_applied", "completed"],
  },
  {
    name: "golang-migrate: a dirty version is refused",
    format: "golang-migrate",
    files: { "1_t1.up.sql": "CREATE TABLE t1 (id INT);" },
    setup: [GOLANG_TABLE, "INSERT INTO schema_migrations (version, dirty) VALUES (1, TRUE)"],
    want: { refused: "golang-migrate left version 1 dirty (it failed half way)" },
  },
  {
    name: "Liquibase: EXECUTED and MARK_RAN changesets are marked",
    format: "liquibase-sql",
    files: {
      "changelog.sql":
        "--liquibase formatted sql\n--changeset alice:1\nCREATE TABLE t1 (id INT);\n--rollback DROP TABLE t1;\n--changeset alice:2\nCREATE TABLE t2 (id INT);\n--changeset alice:3\nCREATE TABLE t3 (id INT);\n",
    },
    setup: [...EXISTING, LIQUIBASE_TABLE, liquibaseRow("1", 1, "EXECUTED"), liquibaseRow("2", 2, "MARK_RAN")],
    want: ["already_applied", "already_applied", "completed"],
  },
  {
    name: "Liquibase: a FAILED changeset is refused",
    format: "liquibase-sql",
    files: { "changelog.sql": "--liquibase formatted sql\n--changeset alice:1\nCREATE TABLE t1 (id INT);\n" },
    setup: [LIQUIBASE_TABLE, liquibaseRow("1", 1, "FAILED")],
    want: { refused: "Liquibase recorded changeset alice:1 as FAILED" },
  },
  {
    name: "Atlas: fully applied revisions are marked",
    format: "atlas",
    files: ATLAS_FILES,
    setup: [...EXISTING, ATLAS_TABLE, atlasRow("20240101000000", 1, null), atlasRow("20240102000000", 1, null)],
    want: ["already_applied", "already_applied", "completed"],
  },
  {
    name: "Atlas: a partly applied revision is refused",
    format: "atlas",
    files: ATLAS_FILES,
    setup: [ATLAS_TABLE, atlasRow("20240101000000", 0, "syntax error")],
    want: { refused: "Atlas applied version 20240101000000 only partly (0 of 1 statements)" },
  },
];

for (const [label, target] of [
  ["PostgreSQL", postgresTarget()],
  ["MariaDB", mariadbTarget()],
] as const) {
  describe(`import history on ${label}`, () => {
    const dbs: FreshDatabase[] = [];
    // Dropping a database each scenario made takes a while on a busy machine.
    afterAll(async () => {
      for (const db of dbs) await db.drop();
    }, 30_000);
    for (const s of SCENARIOS) {
      test(s.name, async () => {
        const fresh = await target.create();
        dbs.push(fresh);
        const session = await target.engine.driver.connect(fresh.url);
        const db = { engine: target.engine, session };
        try {
          for (const sql of s.setup) await session.exec(sql);
          const files = Object.entries(s.files).map(([name, content]) => ({ name, content }));
          const migrations = importMigrations(files, s.format);
          if (!Array.isArray(s.want)) {
            await expect(readToolHistory(db, s.format)).rejects.toThrow(s.want.refused);
            return;
          }
          const tool = await readToolHistory(db, s.format);
          const applied = migrations.filter((m) => tool.isApplied(m.key)).map((m) => historyEntry(target.engine, m));
          const marks = await markApplied(db, { format: s.format, entries: applied });
          const ids = migrations.map((m) => parseMigrationFile(m.content, { fileName: m.fileName }).id);
          expect(marks).toEqual(ids.slice(0, 2).map((id) => ({ id, outcome: "marked" })));
          // Marking again finds them there.
          expect(await markApplied(db, { format: s.format, entries: applied })).toEqual(
            ids.slice(0, 2).map((id) => ({ id, outcome: "present" })),
          );
          const outcomes: string[] = [];
          for (const m of migrations) {
            const f = parseMigrationFile(m.content, { fileName: m.fileName });
            const r = await runMigration({
              engine: target.engine,
              session,
              migration: { id: f.id, name: f.name, checksum: f.checksum, sql: f.up, lineOffset: f.upStartLine },
              direction: "apply",
              runId: crypto.randomUUID(),
              attempt: 1,
              appliedBy: "test",
              correlationId: crypto.randomUUID(),
              lockTimeoutMs: 1000,
              onEvent: () => {},
            });
            outcomes.push(r.outcome);
          }
          expect(outcomes).toEqual(s.want);
          const rows = (await target.engine.migrate.history.open(session, await target.engine.migrate.target(session)))
            ?.list()
            .then((r) => r.map((h) => `${h.migrationId} ${h.status} ${h.appliedBy}`));
          expect(await rows).toEqual([
            `${ids[0]} applied import:${s.format}`,
            `${ids[1]} applied import:${s.format}`,
            `${ids[2]} applied test`,
          ]);
        } finally {
          await session.close();
        }
      });
    }
    test("marking is all or nothing: an entry already there with another checksum leaves the table as it was", async () => {
      const fresh = await target.create();
      dbs.push(fresh);
      const session = await target.engine.driver.connect(fresh.url);
      const db = { engine: target.engine, session };
      try {
        const entry = (id: string, checksum: string) => ({ id, name: id, checksum, statements: 1 });
        await markApplied(db, { format: "flyway", entries: [entry("V2__b", "b1")] });
        const attempt = markApplied(db, { format: "flyway", entries: [entry("V1__a", "a1"), entry("V2__b", "b2")] });
        await expect(attempt).rejects.toThrow("already has V2__b (applied, checksum b1); not overwriting it");
        expect(await markApplied(db, { format: "flyway", entries: [entry("V1__a", "a1")], dryRun: true })).toEqual([
          { id: "V1__a", outcome: "marked" },
        ]);
        const table = await target.engine.migrate.history.open(session, await target.engine.migrate.target(session));
        expect((await table?.list())?.map((h) => `${h.migrationId} ${h.checksum} ${h.appliedBy}`)).toEqual([
          "V2__b b1 import:flyway",
        ]);
      } finally {
        await session.close();
      }
    });
  });
}

describe("Atlas on PostgreSQL keeps its table in the atlas_schema_revisions schema", () => {
  const target = postgresTarget();
  let fresh: FreshDatabase;
  afterAll(async () => {
    await fresh?.drop();
  });
  test("it is found there", async () => {
    fresh = await target.create();
    const session = await target.engine.driver.connect(fresh.url);
    try {
      await session.exec("CREATE SCHEMA atlas_schema_revisions");
      await session.exec(
        ATLAS_TABLE.replace("TABLE atlas_schema_revisions", "TABLE atlas_schema_revisions.atlas_schema_revisions"),
      );
      await session.exec(
        atlasRow("20240101000000", 1, null).replace(
          "INTO atlas_schema_revisions",
          "INTO atlas_schema_revisions.atlas_schema_revisions",
        ),
      );
      const tool = await readToolHistory({ engine: target.engine, session }, "atlas");
      expect({
        table: tool.table,
        applied: ["20240101000000", "20240102000000"].map((v) => tool.isApplied(v)),
      }).toEqual({
        table: "atlas_schema_revisions.atlas_schema_revisions",
        applied: [true, false],
      });
    } finally {
      await session.close();
    }
  });
});
