// What "equal to the original" means for PostgreSQL in the round trips: our introspection, the
// server's own view (pg_dump --schema-only) and data checksums, each after a stated normalisation.
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import { HISTORY_TABLE } from "../../runner/history.ts";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import type { Session } from "../../types.ts";

export interface PgState {
  snapshot: SchemaSnapshot;
  dump: string[];
  /** table → "rows:md5" over the rows as JSON objects (key order fixed by jsonb). */
  data: Record<string, string>;
}

export interface PgServer {
  host: string;
  port: number;
  user: string;
  database: string;
}

/**
 * Normalisation, also written in COVERAGE.md: column order does not count (a re-added column comes
 * back last, reported as partly reversible), so columns are compared by name without ordinals; the
 * dump drops comments, SET lines and blank lines, and sorts the lines inside each CREATE TABLE body.
 */
export function normaliseSnapshot(s: SchemaSnapshot): SchemaSnapshot {
  return {
    ...s,
    tables: s.tables.map((t) => ({
      ...t,
      columns: [...t.columns].sort((a, b) => (a.name < b.name ? -1 : 1)).map((c) => ({ ...c, ordinal: 0 })),
    })),
  };
}

export function normaliseDump(text: string): string[] {
  const lines = text.split("\n").filter(
    (l) =>
      l.trim() !== "" &&
      !l.startsWith("--") &&
      !l.startsWith("SET ") &&
      !l.includes("set_config(") &&
      // pg_dump 15.14+ fences its output with a random key.
      !/^\\(un)?restrict /.test(l),
  );
  const out: string[] = [];
  let body: string[] | null = null;
  for (const l of lines) {
    if (body) {
      if (l.startsWith(");") || l.startsWith(")")) {
        out.push(...body.map((b) => b.replace(/,$/, "")).sort(), l);
        body = null;
      } else body.push(l);
    } else {
      out.push(l);
      if (/^CREATE TABLE .*\($/.test(l)) body = [];
    }
  }
  return out;
}

/** One pg_dump of many schemas, split per schema by the entry headers pg_dump writes. */
export async function pgDumpSchemas(server: PgServer, schemas: string[]): Promise<Map<string, string[]>> {
  const proc = Bun.spawn(
    [
      "pg_dump",
      "--schema-only",
      "--no-owner",
      "--no-privileges",
      `--host=${server.host}`,
      `--port=${server.port}`,
      `--username=${server.user}`,
      `--dbname=${server.database}`,
      ...schemas.map((s) => `--schema=${s}`),
      `--exclude-table=*.${HISTORY_TABLE}`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new MigratrixError("internal", `pg_dump failed: ${err.trim()}`);
  const chunks = new Map<string, string[]>(schemas.map((s) => [s, []]));
  let current: string[] | undefined;
  for (const line of out.split("\n")) {
    const m = /^-- Name: ([^;]*); Type: ([^;]*); Schema: ([^;]*);/.exec(line);
    if (m) current = chunks.get(m[2] === "SCHEMA" ? (m[1] ?? "") : (m[3] ?? ""));
    current?.push(line);
  }
  return new Map([...chunks].map(([s, lines]) => [s, normaliseDump(lines.join("\n"))]));
}

export async function captureState(
  engine: EngineAdapter,
  session: Session,
  schema: string,
): Promise<Omit<PgState, "dump">> {
  const snapshot = await engine.inspector.inspect(session, { schemas: [schema], objects: true });
  const data: Record<string, string> = {};
  const q = engine.dialect.quoteIdent;
  for (const t of snapshot.tables) {
    const rows = await session.query<{ n: number | string; h: string }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg(j, E'\\n' ORDER BY j), '')) AS h
       FROM (SELECT to_jsonb(x)::text AS j FROM ${q(t.schema)}.${q(t.name)} AS x) AS r`,
    );
    data[t.name] = `${rows[0]?.n}:${rows[0]?.h}`;
  }
  return { snapshot: normaliseSnapshot(snapshot), data };
}
