// PostgreSQL sessions over postgres.js, one connection each: session locks and transactions need
// the same backend for the whole run, and postgres.js would silently reconnect a pool.
import postgres from "postgres";
import { MigratrixError } from "../../common/errors.ts";
import type { Driver, Row, Session } from "../types.ts";
import { postgresError } from "./errors.ts";

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** host:port/database, safe to show: never the password. */
  display: string;
}

const USAGE = "expected postgres://user:password@host:port/database";

/** Parses and checks a PostgreSQL URL without echoing it (it may hold a password). */
export function parsePostgresUrl(url: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MigratrixError("invalid_argument", `not a valid PostgreSQL URL (${USAGE})`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new MigratrixError("invalid_argument", `URL scheme "${u.protocol}" is not PostgreSQL's (${USAGE})`);
  }
  if (!u.hostname) throw new MigratrixError("invalid_argument", `PostgreSQL URL names no host (${USAGE})`);
  const user = decodeURIComponent(u.username) || "postgres";
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || user;
  const port = u.port ? Number(u.port) : 5432;
  const host = u.hostname;
  return { host, port, database, user, display: `${host}:${port}/${database}` };
}

// int8 arrives as text: keep it a number while exact, else the exact decimal string (as mysql2's
// supportBigNumbers does), so no engine silently rounds a bigint. numeric stays text: exact decimals.
function parseInt8(raw: string): number | string {
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : raw;
}

function connectError(e: unknown, t: PostgresTarget): MigratrixError {
  const m = postgresError(e);
  const native = m.detail.nativeCode;
  const opts = { cause: m };
  if (m.code === "unauthenticated") {
    return new MigratrixError(
      "unauthenticated",
      `PostgreSQL at ${t.display} refused the login of user "${t.user}": ${m.message}`,
      m.detail,
      opts,
    );
  }
  if (native === "3D000") {
    return new MigratrixError(
      "not_found",
      `database "${t.database}" does not exist on PostgreSQL at ${t.host}:${t.port}`,
      m.detail,
      opts,
    );
  }
  if (m.code === "unavailable") {
    return new MigratrixError(
      "unavailable",
      `cannot reach PostgreSQL at ${t.host}:${t.port} (${native ?? m.message})`,
      m.detail,
      opts,
    );
  }
  return new MigratrixError(m.code, `connecting to PostgreSQL at ${t.display} failed: ${m.message}`, m.detail, opts);
}

export async function connectPostgres(url: string, opts?: { connectTimeoutMs?: number }): Promise<Session> {
  const t = parsePostgresUrl(url);
  let closing = false;
  let connected = false;
  let lost = false;
  const sql = postgres(url, {
    max: 1,
    prepare: false,
    max_lifetime: null,
    connect_timeout: (opts?.connectTimeoutMs ?? 10_000) / 1000,
    onnotice: () => {},
    onclose: () => {
      if (connected && !closing) lost = true;
    },
    connection: { application_name: "migratrix" },
    types: {
      int8: { to: 20, from: [20], serialize: (v: number | string | bigint) => String(v), parse: parseInt8 },
    },
  });

  let pid: number;
  let version: string;
  try {
    const [row] = await sql.unsafe("SELECT pg_backend_pid() AS pid, current_setting('server_version') AS version");
    pid = Number(row?.pid);
    version = String(row?.version);
    connected = true;
  } catch (e) {
    await sql.end({ timeout: 0 });
    throw connectError(e, t);
  }

  const lostError = () =>
    new MigratrixError(
      "unavailable",
      `the connection to PostgreSQL at ${t.display} was lost; its session lock and open transaction are gone`,
    );
  const run = async (text: string, params?: unknown[]) => {
    if (lost) throw lostError();
    let res: postgres.RowList<postgres.Row[]>;
    try {
      res = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[] | undefined);
    } catch (e) {
      throw postgresError(e, { sql: text });
    }
    // Belt and braces for a close that raced the onclose callback: a new backend means a new session.
    if (res.state.pid !== pid) {
      lost = true;
      throw lostError();
    }
    return res;
  };

  return {
    async exec(text) {
      const res = await run(text);
      return { rowsAffected: Number(res.count ?? 0) };
    },
    async query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]> {
      const res = await run(text, params ?? []);
      return Array.from(res) as T[];
    },
    async serverVersion() {
      return `PostgreSQL ${version}`;
    },
    async close() {
      closing = true;
      await sql.end({ timeout: 1 });
    },
  };
}

export const postgresDriver = { connect: connectPostgres } satisfies Driver;
