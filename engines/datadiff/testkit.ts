// Test support for the data diff: one scratch database per engine (PostgreSQL, MariaDB, SQLite
// file), uniquely named and dropped afterwards, and tables created from engine-neutral specs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEngine } from "../index.ts";
import type { Session } from "../types.ts";
import { dataDiffFacts } from "./index.ts";
import type { DiffSide } from "./types.ts";

export type TestEngine = "postgresql" | "mariadb" | "sqlite";
export const TEST_ENGINES: readonly TestEngine[] = ["postgresql", "mariadb", "sqlite"];

export interface ScratchDb {
  engine: TestEngine;
  url: string;
  session: Session;
  /** Another session on the same database (a diff needs one per side). */
  other: Session;
  side(table: string, where?: string): DiffSide;
  drop(): Promise<void>;
}

const PG = "postgres://postgres@127.0.0.1:5432";
const MY = "mariadb://root@127.0.0.1:3306";

export async function scratchDb(engine: TestEngine, prefix: string): Promise<ScratchDb> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const adapter = getEngine(engine);
  let url: string;
  let cleanup: () => Promise<void>;
  if (engine === "postgresql") {
    const admin = await adapter.driver.connect(`${PG}/postgres`);
    await admin.exec(`CREATE DATABASE ${name}`);
    url = `${PG}/${name}`;
    cleanup = async () => {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    };
  } else if (engine === "mariadb") {
    const admin = await adapter.driver.connect(`${MY}/`);
    await admin.exec(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    url = `${MY}/${name}`;
    cleanup = async () => {
      await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
      await admin.close();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    url = `sqlite://${join(dir, `${name}.db`)}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const session = await adapter.driver.connect(url);
  const other = await adapter.driver.connect(url);
  return {
    engine,
    url,
    session,
    other,
    side: (table, where) => ({
      session: other,
      facts: dataDiffFacts(engine),
      engine,
      table: { name: table },
      ...(where ? { where } : {}),
    }),
    async drop() {
      await other.close();
      await session.close();
      await cleanup();
    },
  };
}

/** A column in every test engine's type names. */
export interface ColumnSpec {
  name: string;
  types: Record<TestEngine, string>;
}

export type TestValue = string | number | boolean | null | { hex: string };

/** A literal for a test value in the engine's own syntax (bytes as hex, booleans as the engine spells them). */
export function testLiteral(engine: TestEngine, v: TestValue): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return engine === "postgresql" ? String(v).toUpperCase() : v ? "1" : "0";
  if (typeof v === "object") return engine === "postgresql" ? `decode('${v.hex}', 'hex')` : `X'${v.hex}'`;
  return getEngine(engine).dialect.quoteLiteral(v);
}

export async function createTable(
  db: ScratchDb,
  o: { name: string; columns: ColumnSpec[]; key: string[]; rows: TestValue[][] },
): Promise<void> {
  const d = getEngine(db.engine).dialect;
  const cols = o.columns.map((c) => `${d.quoteIdent(c.name)} ${c.types[db.engine]}`);
  const pk = o.key.length > 0 ? `, PRIMARY KEY (${o.key.map(d.quoteIdent).join(", ")})` : "";
  await db.session.exec(`CREATE TABLE ${d.quoteIdent(o.name)} (${cols.join(", ")}${pk})`);
  for (let i = 0; i < o.rows.length; i += 500) {
    const values = o.rows.slice(i, i + 500).map((r) => `(${r.map((v) => testLiteral(db.engine, v)).join(", ")})`);
    await db.session.exec(`INSERT INTO ${d.quoteIdent(o.name)} VALUES ${values.join(", ")}`);
  }
}

/** Runs a script statement by statement, split by the engine's own splitter. */
export async function runScript(db: ScratchDb, sql: string): Promise<void> {
  const split = getEngine(db.engine).dialect.split(sql);
  if (split.problems.length > 0) throw new Error(`script does not split: ${split.problems[0]?.message}`);
  for (const s of split.statements) await db.session.exec(s.text);
}
