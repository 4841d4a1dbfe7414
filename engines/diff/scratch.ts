// Scratch databases: uniquely named, created on a server the caller names, always dropped after.
// They hold a target's schema for verifying a sync script, or a DDL file to introspect.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import type { EngineAdapter } from "../adapter.ts";
import type { Session } from "../types.ts";

export interface Scratch {
  url: string;
  session: Session;
  /** Closes the session and drops the database; safe to call twice. */
  drop(): Promise<void>;
}

/** The URL of `database` on the server of `serverUrl` (same credentials and options). */
export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** A new empty database named mx_scratch_<random> on the server of `serverUrl` (SQLite: a temp file). */
export async function createScratch(adapter: EngineAdapter, serverUrl: string): Promise<Scratch> {
  const name = `mx_scratch_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  if (adapter.id === "sqlite") {
    const path = join(tmpdir(), `${name}.db`);
    const url = `sqlite://${path}`;
    const session = await adapter.driver.connect(url);
    let dropped = false;
    return {
      url,
      session,
      async drop() {
        if (dropped) return;
        dropped = true;
        await session.close();
        rmSync(path, { force: true });
      },
    };
  }
  const q = adapter.dialect.quoteIdent;
  const admin = await adapter.driver.connect(serverUrl, { connectTimeoutMs: 10_000 });
  try {
    await admin.exec(`CREATE DATABASE ${q(name)}`);
  } catch (e) {
    await admin.close();
    throw new MigratrixError(
      "failed_precondition",
      `cannot create a scratch database: ${redactSecrets(MigratrixError.from(e).message)}`,
    );
  }
  const url = withDatabase(serverUrl, name);
  let session: Session;
  try {
    session = await adapter.driver.connect(url);
  } catch (e) {
    await admin.exec(`DROP DATABASE IF EXISTS ${q(name)}`).catch(() => undefined);
    await admin.close();
    throw e;
  }
  let dropped = false;
  return {
    url,
    session,
    async drop() {
      if (dropped) return;
      dropped = true;
      await session.close();
      try {
        // PostgreSQL: end any session a failed script left behind; MySQL has no FORCE and needs none.
        await admin.exec(`DROP DATABASE IF EXISTS ${q(name)}${adapter.id === "postgresql" ? " WITH (FORCE)" : ""}`);
      } finally {
        await admin.close();
      }
    },
  };
}

/** Runs a script statement by statement in autocommit (CREATE INDEX CONCURRENTLY needs that). */
export async function runScript(adapter: EngineAdapter, session: Session, sql: string): Promise<void> {
  const split = adapter.dialect.split(sql);
  const problem = split.problems[0];
  if (problem) {
    throw new MigratrixError("invalid_argument", `${problem.message} at ${problem.line}:${problem.column}`, {
      line: problem.line,
      column: problem.column,
    });
  }
  for (const st of split.statements) {
    try {
      await session.exec(st.text);
    } catch (e) {
      const err = adapter.errors.toMigratrixError(e, { sql: st.text });
      throw new MigratrixError(err.code, `statement ${st.index} (line ${st.start.line}): ${err.message}`, {
        ...err.detail,
        line: st.start.line,
      });
    }
  }
}

/** pg_dump --schema-only of a live database restored with psql into `into` (both PostgreSQL). */
export async function copySchemaWithPgDump(fromUrl: string, intoUrl: string): Promise<void> {
  const env = (url: string) => {
    const u = new URL(url);
    const password = decodeURIComponent(u.password);
    u.password = "";
    return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
  };
  const from = env(fromUrl);
  const into = env(intoUrl);
  const dump = Bun.spawn(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", `--dbname=${from.url}`], {
    env: from.env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const restore = Bun.spawn(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", `--dbname=${into.url}`], {
    env: into.env,
    stdin: dump.stdout,
    stdout: "ignore",
    stderr: "pipe",
  });
  const [dumpErr, restoreErr, dumpCode, restoreCode] = await Promise.all([
    new Response(dump.stderr).text(),
    new Response(restore.stderr).text(),
    dump.exited,
    restore.exited,
  ]);
  if (dumpCode !== 0)
    throw new MigratrixError("unavailable", `pg_dump of the target failed: ${redactSecrets(dumpErr.trim())}`);
  if (restoreCode !== 0) {
    throw new MigratrixError(
      "internal",
      `restoring the target's pg_dump into the scratch database failed: ${redactSecrets(restoreErr.trim())}`,
    );
  }
}
