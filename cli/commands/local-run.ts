// Local mode's plumbing: open the database a URL names, read a migration file, run it through the
// runner with the statement log printed live. No server, no token: the CLI connects itself.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { EngineAdapter, MigrationFile, RunHooks, RunnerEvent, RunResult, Session } from "../../engines/index.ts";
import { loadEngines } from "../engines.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";

export interface LocalDb {
  engine: EngineAdapter;
  session: Session;
}

/** Opens one session on the database `url` names; the URL itself is never printed. */
export async function openUrl(url: string): Promise<LocalDb> {
  const engines = await loadEngines();
  let engine: EngineAdapter;
  try {
    engine = engines.engineFromUrl(url);
  } catch (err) {
    throw new UsageError(`--url: ${MigratrixError.from(err).message}`);
  }
  return { engine, session: await engine.driver.connect(url) };
}

export async function withUrl<T>(url: string, f: (db: LocalDb) => Promise<T>): Promise<T> {
  const db = await openUrl(url);
  try {
    return await f(db);
  } finally {
    await db.session.close();
  }
}

export async function readMigration(cwd: string, file: string): Promise<MigrationFile> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    throw new MigratrixError(
      "invalid_argument",
      `cannot read migration file ${path}: ${code === "ENOENT" ? "no such file" : String(code ?? err)}`,
    );
  }
  return (await loadEngines()).parseMigrationFile(text, { fileName: path });
}

/** One line per runner event, as `mx migration watch` prints a run. */
export function printEvent(out: Output, e: RunnerEvent, total: { n: number }): void {
  if (out.json) return;
  switch (e.kind) {
    case "started":
      total.n = e.statementsTotal;
      out.line(
        `${e.statementsTotal} statement(s)${e.statementsDone > 0 ? `, resuming after ${e.statementsDone}` : ""}`,
      );
      return;
    case "statementStarted":
      return;
    case "statementFinished":
      out.line(
        `${out.paint("green", "ok")}   [${e.statement.index}/${total.n}] line ${e.statement.position.line}  ${e.statement.excerpt}  ${out.paint("dim", `${Math.round(e.durationMs)} ms, ${e.rowsAffected} row(s)`)}`,
      );
      return;
    case "statementFailed":
      out.line(
        `${out.paint("red", "FAIL")} [${e.statement.index}/${total.n}] line ${e.error.position?.line ?? e.statement.position.line}  ${e.statement.excerpt}`,
      );
      out.line(`     ${e.error.message}`);
      return;
    case "log":
      out.line(
        `${out.paint(e.level === "error" ? "red" : e.level === "warn" ? "yellow" : "dim", e.level)} ${e.message}`,
      );
  }
}

export async function runLocal(
  db: LocalDb,
  out: Output,
  m: MigrationFile,
  o: { direction: "apply" | "revert"; sql: string; lineOffset: number; hooks?: RunHooks },
): Promise<RunResult> {
  const { runMigration } = await loadEngines();
  const total = { n: 0 };
  const runId = crypto.randomUUID();
  return runMigration({
    engine: db.engine,
    session: db.session,
    migration: {
      id: m.id,
      name: m.name,
      checksum: m.checksum,
      sql: o.sql,
      noTransaction: m.noTransaction,
      lineOffset: o.lineOffset,
      // A revert decides a statement an apply that died left in doubt from the up script.
      ...(o.direction === "revert" ? { up: { sql: m.up, lineOffset: m.upStartLine } } : {}),
    },
    direction: o.direction,
    runId,
    attempt: 1,
    appliedBy: process.env.USER ?? "mx-local",
    correlationId: runId,
    onEvent: (e) => printEvent(out, e, total),
    ...(o.hooks ? { hooks: o.hooks } : {}),
  });
}

/** Exit code and closing line of a local run; failures carry the file position. */
export function finishRun(out: Output, what: string, r: RunResult): number {
  const summary = {
    outcome: r.outcome,
    statementsDone: r.statementsDone,
    statementsTotal: r.statementsTotal,
    ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
  };
  if (out.json) out.document(summary);
  else if (r.outcome === "completed" || r.outcome === "already_applied") {
    out.line(`${what}: ${r.outcome.replace("_", " ")} (${r.statementsDone}/${r.statementsTotal} statements)`);
  } else out.note(`${what}: ${r.outcome}: ${r.error?.message ?? ""}`);
  return r.outcome === "completed" || r.outcome === "already_applied" ? 0 : 1;
}
