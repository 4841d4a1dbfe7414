// MySQL/MariaDB sessions over mysql2: one connection each (GET_LOCK is per connection), one
// statement per call (multipleStatements off), UTC for DATETIME values, exact big numbers.
import mysql from "mysql2/promise";
import { MigratrixError } from "../../common/errors.ts";
import type { Driver, Row, Session } from "../types.ts";
import { mysqlError } from "./errors.ts";

export type MysqlFlavor = "mysql" | "mariadb";

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names none. */
  database: string;
  /** host:port/database, safe to show: never the password. */
  display: string;
}

const label = (f: MysqlFlavor) => (f === "mariadb" ? "MariaDB" : "MySQL");
const usage = (f: MysqlFlavor) => `expected ${f}://user:password@host:port/database`;

/** Parses and checks a MySQL/MariaDB URL (mysql:// or mariadb://) without echoing it. */
export function parseMysqlUrl(url: string, flavor: MysqlFlavor): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MigratrixError("invalid_argument", `not a valid ${label(flavor)} URL (${usage(flavor)})`);
  }
  if (u.protocol !== "mysql:" && u.protocol !== "mariadb:") {
    throw new MigratrixError(
      "invalid_argument",
      `URL scheme "${u.protocol}" is not ${label(flavor)}'s (${usage(flavor)})`,
    );
  }
  if (!u.hostname)
    throw new MigratrixError("invalid_argument", `${label(flavor)} URL names no host (${usage(flavor)})`);
  const unknown = [...u.searchParams.keys()];
  if (unknown.length > 0) {
    throw new MigratrixError("invalid_argument", `${label(flavor)} URL parameter "${unknown[0]}" is not supported`);
  }
  const port = u.port ? Number(u.port) : 3306;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  return {
    host: u.hostname,
    port,
    user: decodeURIComponent(u.username) || "root",
    password: decodeURIComponent(u.password),
    database,
    display: `${u.hostname}:${port}/${database}`,
  };
}

function connectError(e: unknown, t: MysqlTarget, flavor: MysqlFlavor): MigratrixError {
  const m = mysqlError(e);
  const opts = { cause: m };
  const at = `${label(flavor)} at ${t.host}:${t.port}`;
  if (m.code === "unauthenticated") {
    return new MigratrixError(
      "unauthenticated",
      `${at} refused the login of user "${t.user}": ${m.message}`,
      m.detail,
      opts,
    );
  }
  if (m.detail.nativeCode === "1049") {
    return new MigratrixError("not_found", `database "${t.database}" does not exist on ${at}`, m.detail, opts);
  }
  if (m.code === "unavailable") {
    return new MigratrixError(
      "unavailable",
      `cannot reach ${at} (${m.detail.nativeCode ?? m.message})`,
      m.detail,
      opts,
    );
  }
  return new MigratrixError(
    m.code,
    `connecting to ${label(flavor)} at ${t.display} failed: ${m.message}`,
    m.detail,
    opts,
  );
}

/** "10.11.19-MariaDB-0+deb12u1" → "MariaDB 10.11.19"; "8.0.36" → "MySQL 8.0.36". */
export function mysqlServerVersion(raw: string): string {
  const number = /^\d+(\.\d+)*/.exec(raw)?.[0] ?? raw;
  return `${/mariadb/i.test(raw) ? "MariaDB" : "MySQL"} ${number}`;
}

interface Header {
  affectedRows: number;
}

export async function connectMysql(
  url: string,
  flavor: MysqlFlavor,
  opts?: { connectTimeoutMs?: number },
): Promise<Session> {
  const t = parseMysqlUrl(url, flavor);
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password,
      ...(t.database ? { database: t.database } : {}),
      connectTimeout: opts?.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      timezone: "Z",
      charset: "utf8mb4",
    });
  } catch (e) {
    throw connectError(e, t, flavor);
  }
  // A dropped connection is not reopened: its GET_LOCK and session state are gone with it.
  let lost: MigratrixError | null = null;
  conn.on("error", (e: unknown) => {
    lost = new MigratrixError(
      "unavailable",
      `the connection to ${label(flavor)} at ${t.display} was lost: ${mysqlError(e).message}`,
    );
  });
  const run = async (sql: string, values?: unknown[]) => {
    if (lost) throw lost;
    try {
      const [result] = values ? await conn.query({ sql, values }) : await conn.query(sql);
      return result as unknown;
    } catch (e) {
      throw mysqlError(e, { sql });
    }
  };
  let version: string | undefined;

  return {
    async exec(sql) {
      const result = await run(sql);
      return { rowsAffected: Array.isArray(result) ? 0 : Number((result as Header).affectedRows ?? 0) };
    },
    async query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
      const result = await run(sql, params);
      return Array.isArray(result) ? (result as T[]) : [];
    },
    async serverVersion() {
      if (version === undefined) {
        const rows = (await run("SELECT VERSION() AS v")) as Array<{ v: string }>;
        version = mysqlServerVersion(String(rows[0]?.v));
      }
      return version;
    },
    async close() {
      if (lost) conn.destroy();
      else await conn.end();
    },
  };
}

export function createMysqlDriver(flavor: MysqlFlavor) {
  return {
    connect: (url: string, opts?: { connectTimeoutMs?: number }) => connectMysql(url, flavor, opts),
  } satisfies Driver;
}
