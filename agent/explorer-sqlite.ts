// The explorer's SQLite session, run in a child process so a statement timeout can stop it:
// bun:sqlite exposes no progress handler or sqlite3_interrupt, and a terminated Worker keeps
// running a long sqlite3_step (native code never reaches a JS safe point), so the agent runs the
// session in a child of its own binary (BUN_BE_BUN=1 makes a compiled agent act as bun) and
// SIGKILLs it at the deadline. A killed writer leaves its journal; SQLite rolls it back on the
// next open, so a timeout never leaves half a write. The file path travels over stdin, never argv.
import { Database } from "bun:sqlite";
import { MigratrixError } from "../common/errors.ts";
import { getEngine, parseSqliteUrl } from "../engines/index.ts";
import type { CatalogColumn, ExplorerSession, SessionOptions, TableInfo } from "./explorer-engines.ts";
import type { OutputColumn } from "./explorer-mask.ts";

// Plain JS for `bun -e`: one JSON command per stdin line, JSON replies on stdout. Values leave as
// text the way cellText renders them (bigint and numbers as digits, blobs as \x hex).
const CHILD = `
const { Database } = require("bun:sqlite");
let db;
const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
const text = (v) => v === null || v === undefined ? null : typeof v === "string" ? v
  : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? String(v)
  : v instanceof Uint8Array ? "\\\\x" + Buffer.from(v).toString("hex") : JSON.stringify(v);
const fail = (e) => out({ error: { message: String((e && e.message) || e), code: e && e.code, byteOffset: e && e.byteOffset } });
for await (const line of console) {
  let m;
  try { m = JSON.parse(line); } catch { continue; }
  try {
    if (m.op === "open") {
      db = new Database(m.path, { readonly: m.readonly, readwrite: !m.readonly, create: false, safeIntegers: true });
      if (m.queryOnly) db.run("PRAGMA query_only = ON");
      db.run(m.begin);
      out({ ok: true });
    } else if (m.op === "run") {
      const stmt = db.prepare(m.sql);
      const names = stmt.columnNames;
      if (names.length === 0) {
        const changes = stmt.run(...m.params).changes;
        out({ columns: [] });
        out({ end: true, changes });
        continue;
      }
      const types = stmt.declaredTypes;
      out({ columns: names.map((name, i) => ({ name, type: types[i] || "" })) });
      let batch = [];
      let seen = 0;
      for (const row of stmt.values(...m.params)) {
        batch.push(row.map(text));
        seen++;
        if (batch.length >= m.batchRows) { out({ rows: batch }); batch = []; }
        if (seen > m.maxRows) break;
      }
      if (batch.length > 0) out({ rows: batch });
      out({ end: true, changes: 0 });
    } else if (m.op === "all") {
      out({ rows: db.prepare(m.sql).values(...m.params).map((r) => r.map(text)) });
    } else if (m.op === "finish") {
      if (db && db.inTransaction) db.run(m.commit ? "COMMIT" : "ROLLBACK");
      out({ ok: true });
    }
  } catch (e) {
    fail(e);
  }
}
`;

type Reply = {
  ok?: boolean;
  error?: { message: string; code?: string; byteOffset?: number };
  columns?: { name: string; type: string }[];
  rows?: (string | null)[][];
  end?: boolean;
  changes?: number;
};

export async function openSqliteSession(url: string): Promise<ExplorerSession> {
  const t = parseSqliteUrl(url);
  const errors = getEngine("sqlite").errors;
  const proc = Bun.spawn([process.execPath, "-e", CHILD], {
    env: { BUN_BE_BUN: "1", PATH: process.env.PATH ?? "/usr/bin:/bin" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  const lines: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let closed = false;
  let killedFor: MigratrixError | undefined;
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(line);
        } else lines.push(line);
      }
    }
    closed = true;
    waiting?.(undefined);
  })();

  const next = async (sql: string): Promise<Reply> => {
    const line = lines.shift() ?? (closed ? undefined : await new Promise<string | undefined>((r) => (waiting = r)));
    if (line === undefined) {
      throw killedFor ?? new MigratrixError("internal", "the SQLite explorer session ended unexpectedly");
    }
    const reply = JSON.parse(line) as Reply;
    if (reply.error) {
      const e = Object.assign(new Error(reply.error.message), {
        code: reply.error.code,
        byteOffset: reply.error.byteOffset,
      });
      throw errors.toMigratrixError(e, { sql });
    }
    return reply;
  };
  const send = (msg: Record<string, unknown>) => {
    proc.stdin.write(`${JSON.stringify(msg)}\n`);
    proc.stdin.flush();
  };
  const call = async (msg: Record<string, unknown>, sql = ""): Promise<Reply> => {
    send(msg);
    return next(sql);
  };
  const all = async (sql: string, params: unknown[] = []) => (await call({ op: "all", sql, params }, sql)).rows ?? [];
  let timeoutMs = 30_000;
  let writable = false;

  const session: ExplorerSession = {
    traces: false,
    forUpdate: "",
    placeholder: () => "?",
    async begin(opts: SessionOptions) {
      timeoutMs = opts.timeoutMs;
      // Layer 2 (the session guard) is query_only; layer 3 (the read credential) is the file
      // opened SQLITE_OPEN_READONLY, which no statement or pragma can undo.
      const readonly = opts.readCredential || t.mode === "ro" || (opts.readOnly && opts.guard);
      writable = !readonly;
      await call({
        op: "open",
        path: t.path,
        readonly,
        queryOnly: opts.readOnly && opts.guard,
        begin: readonly ? "BEGIN" : "BEGIN IMMEDIATE",
      });
    },
    async run(opts) {
      send({ op: "run", sql: opts.sql, params: [...opts.params], maxRows: opts.maxRows, batchRows: opts.batchRows });
      const timer = setTimeout(() => {
        killedFor = new MigratrixError(
          "canceled",
          `the SQLite statement ran longer than its ${timeoutMs} ms timeout and was stopped`,
        );
        proc.kill("SIGKILL");
      }, timeoutMs);
      // The whole result is read before returning: the child writes it in one go, and the catalog
      // reads that follow (masking) must not interleave with it on the one pipe.
      const collected: (string | null)[][][] = [];
      let columns: OutputColumn[] = [];
      let changes = 0;
      try {
        columns = (await next(opts.sql)).columns ?? [];
        for (;;) {
          const r = await next(opts.sql);
          if (r.end) {
            changes = r.changes ?? 0;
            break;
          }
          if (r.rows) collected.push(r.rows);
        }
      } finally {
        clearTimeout(timer);
      }
      return {
        columns,
        batches: (async function* () {
          yield* collected;
        })(),
        rowsAffected: () => changes,
      };
    },
    async viewDefinitions(names) {
      const out = new Map<string, string>();
      if (names.length === 0) return out;
      const rows = await all(
        `SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name IN (${names.map(() => "?").join(", ")})`,
        [...names],
      );
      for (const [name, sql] of rows) if (name && sql) out.set(name, sql);
      return out;
    },
    async columnsOf(): Promise<CatalogColumn[]> {
      // Unused: SQLite results are not traced, so the name rule covers every column.
      return [];
    },
    async userFunctions() {
      // SQL cannot define functions in SQLite.
      return [];
    },
    async tableInfo(table): Promise<TableInfo | undefined> {
      const q = getEngine("sqlite").dialect.quoteIdent;
      const rows = await all(`SELECT name, pk FROM pragma_table_info(?${table.schema ? ", ?" : ""})`, [
        table.name,
        ...(table.schema ? [table.schema] : []),
      ]);
      if (rows.length === 0) return undefined;
      const primaryKey = rows
        .filter((r) => Number(r[1]) > 0)
        .sort((a, b) => Number(a[1]) - Number(b[1]))
        .map((r) => String(r[0]));
      return {
        sqlName: table.schema ? `${q(table.schema)}.${q(table.name)}` : q(table.name),
        columns: rows.map((r) => String(r[0])),
        primaryKey,
      };
    },
    async finish(commit) {
      if (killedFor || closed) return;
      await call({ op: "finish", commit });
    },
    async close() {
      proc.stdin.end();
      if (!closed) proc.kill("SIGKILL");
      await proc.exited;
      if (killedFor && writable) {
        // A writer killed mid-statement leaves a hot journal that read-only openers cannot roll
        // back (SQLITE_READONLY_ROLLBACK): roll it back now with a read-write open.
        const db = new Database(t.path, { readwrite: true, create: false });
        try {
          db.query("SELECT count(*) FROM sqlite_master").get();
        } finally {
          db.close();
        }
      }
    },
  };
  return session;
}
