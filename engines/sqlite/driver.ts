// SQLite sessions over bun:sqlite. URLs: sqlite:///abs/path.db, sqlite://./rel.db, sqlite:rel.db,
// sqlite::memory:, with an optional ?mode=ro|rw|rwc (default rwc: create the file, as sqlite3 does).
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { Driver, Row, Session } from "../types.ts";
import { sqliteError } from "./errors.ts";

export type SqliteMode = "ro" | "rw" | "rwc";

export interface SqliteTarget {
  /** ":memory:" or the file path as written (relative paths resolve against the working directory). */
  path: string;
  mode: SqliteMode;
}

const USAGE = "expected sqlite:///absolute/path.db, sqlite://./relative.db or sqlite::memory:";

export function parseSqliteUrl(url: string): SqliteTarget {
  if (!url.startsWith("sqlite:")) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    throw new MigratrixError(
      "invalid_argument",
      scheme ? `URL scheme "${scheme}" is not SQLite's (${USAGE})` : `not a valid SQLite URL (${USAGE})`,
    );
  }
  const [rest = "", query = ""] = url.slice("sqlite:".length).split("?", 2);
  const params = new URLSearchParams(query);
  let mode: SqliteMode = "rwc";
  for (const [k, v] of params) {
    if (k !== "mode" || (v !== "ro" && v !== "rw" && v !== "rwc")) {
      // The value is not echoed: an unknown parameter may carry a secret.
      const what = k === "mode" ? `mode "${v}"` : `parameter "${k}"`;
      throw new MigratrixError("invalid_argument", `SQLite URL ${what} is not supported (only mode=ro|rw|rwc)`);
    }
    mode = v;
  }
  let path: string;
  try {
    path = decodeURIComponent(rest.startsWith("//") ? rest.slice(2) : rest);
  } catch {
    throw new MigratrixError("invalid_argument", `not a valid SQLite URL: bad percent-encoding (${USAGE})`);
  }
  if (!path) throw new MigratrixError("invalid_argument", `SQLite URL names no file (${USAGE})`);
  return { path, mode };
}

// safeIntegers reads every INTEGER exactly; like the other engines, a value stays a number while
// exact and becomes its decimal string beyond 2^53.
function fromSqlite(v: unknown): unknown {
  if (typeof v !== "bigint") return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function toSqlite(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

function open(t: SqliteTarget): Database {
  if (t.path !== ":memory:") {
    const file = resolve(t.path);
    if (!existsSync(dirname(file))) {
      throw new MigratrixError(
        "not_found",
        `cannot open SQLite database ${t.path}: directory ${dirname(file)} does not exist`,
      );
    }
    if (t.mode !== "rwc" && !existsSync(file)) {
      throw new MigratrixError(
        "not_found",
        `SQLite database file ${t.path} does not exist (mode=${t.mode} does not create it)`,
      );
    }
  }
  try {
    return new Database(t.path, {
      create: t.mode === "rwc",
      readonly: t.mode === "ro",
      readwrite: t.mode !== "ro",
      strict: true,
      safeIntegers: true,
    });
  } catch (e) {
    const m = sqliteError(e);
    throw new MigratrixError(m.code, `cannot open SQLite database ${t.path}: ${m.message}`, m.detail, { cause: m });
  }
}

export async function connectSqlite(url: string, opts?: { connectTimeoutMs?: number }): Promise<Session> {
  const t = parseSqliteUrl(url);
  const db = open(t);
  // A file database has no connect step; the closest wait is for another writer's lock.
  db.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts?.connectTimeoutMs ?? 5000))}`);
  const guard = <T>(sql: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw sqliteError(e, { sql });
    }
  };
  return {
    async exec(sql) {
      return { rowsAffected: guard(sql, () => db.run(sql).changes) };
    },
    async query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
      const rows = guard(sql, () =>
        db.query(sql).all(...((params ?? []).map(toSqlite) as Array<string | number | bigint | null | Uint8Array>)),
      ) as Row[];
      return rows.map((r) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(r)) out[k] = fromSqlite(v);
        return out as T;
      });
    },
    async serverVersion() {
      const row = guard("SELECT sqlite_version()", () => db.query("SELECT sqlite_version() AS v").get()) as {
        v: string;
      } | null;
      return `SQLite ${row?.v}`;
    },
    async close() {
      db.close();
    },
  };
}

export const sqliteDriver = { connect: connectSqlite } satisfies Driver;
