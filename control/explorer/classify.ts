// The control plane's first gate on explorer SQL: each statement (split by the engine's dialect)
// classified read or write. Anything that is not a plain read counts as a write:
// DML (also inside a CTE), SELECT … INTO, locking reads, DDL, transaction control, session
// settings that leave read-only mode, functions that write or reach outside the database, and any
// call that is not a built-in known to be read-only (functions.ts: a user's function may write).
// The agent's read-only transaction is the second gate; this one refuses before anything is sent.
import { MigratrixError } from "../../common/errors.ts";
import { type EngineId, getEngine } from "../../engines/index.ts";
import { definedNames, unknownCall } from "./functions.ts";

export type StatementKind = "read" | "write";

export interface Classification {
  kind: StatementKind;
  /** The statement as split (no terminator). */
  sql: string;
  /** Why it is a write: the keyword or function found. */
  reason?: string;
}

const READ_STARTS = new Set(["SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "PRAGMA"]);

const WRITE_WORDS = new Set([
  "INSERT",
  "UPDATE",
  "DELETE",
  "MERGE",
  "UPSERT",
  "INTO",
  "COPY",
  "CREATE",
  "DROP",
  "ALTER",
  "TRUNCATE",
  "GRANT",
  "REVOKE",
  "CALL",
  "DO",
  "LOCK",
  "VACUUM",
  "REINDEX",
  "CLUSTER",
  "REFRESH",
  "COMMIT",
  "ROLLBACK",
  "BEGIN",
  "START",
  "SAVEPOINT",
  "RELEASE",
  "SET",
  "RESET",
  "LOAD",
  "HANDLER",
  "ATTACH",
  "DETACH",
  "ANALYZE",
  "NOTIFY",
  "LISTEN",
  "PREPARE",
  "EXECUTE",
  "DEALLOCATE",
  "DISCARD",
  "SECURITY",
  "OUTFILE",
  "DUMPFILE",
]);

/** Functions that change state, take locks, or read files / other servers. */
const WRITE_FUNCTIONS = new Set([
  "nextval",
  "setval",
  "lo_export",
  "lo_import",
  "lo_unlink",
  "lo_create",
  "lo_put",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls_dir",
  "pg_stat_file",
  "pg_file_write",
  "dblink",
  "dblink_exec",
  "dblink_connect",
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_notify",
  "set_config",
  "pg_advisory_lock",
  "pg_advisory_xact_lock",
  "pg_try_advisory_lock",
  "pg_try_advisory_xact_lock",
  "txid_current",
  "pg_current_xact_id",
  "load_file",
  "get_lock",
  "release_lock",
  "sys_exec",
  "sys_eval",
  "load_extension",
  "writefile",
  "readfile",
]);

/** Keywords and identifiers outside string literals and comments; quoted identifiers are not keywords. */
function words(sql: string): { word: string; quoted: boolean; call: boolean }[] {
  const out: { word: string; quoted: boolean; call: boolean }[] = [];
  const re =
    /'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\1\$|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|(?:"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\])(\s*\()?|([A-Za-z_][A-Za-z0-9_$]*)(\s*\()?/g;
  for (const m of sql.matchAll(re)) {
    const quoted = m[2] ?? m[3] ?? m[4];
    // A quoted name followed by "(" is still a call: "my_fn"() must not slip past the function check.
    if (quoted !== undefined) out.push({ word: quoted, quoted: true, call: m[5] !== undefined });
    else if (m[6] !== undefined) out.push({ word: m[6], quoted: false, call: m[7] !== undefined });
  }
  return out;
}

/** Splits with the engine's dialect and refuses anything but exactly one statement. */
export function singleStatement(sql: string, engine: EngineId): string {
  const split = getEngine(engine).dialect.split(sql);
  const problem = split.problems[0];
  if (problem) {
    throw new MigratrixError("invalid_argument", `SQL at ${problem.line}:${problem.column}: ${problem.message}`);
  }
  if (split.statements.length !== 1) {
    throw new MigratrixError(
      "invalid_argument",
      split.statements.length === 0
        ? "the SQL holds no statement"
        : `the explorer runs exactly one statement per call; this SQL holds ${split.statements.length} (statement 2 starts at line ${split.statements[1]?.start.line})`,
    );
  }
  return split.statements[0]?.text ?? "";
}

export function classify(sql: string, engine: EngineId): Classification {
  return classifyStatement(singleStatement(sql, engine));
}

/** Every statement of the SQL (split by the engine's dialect), each classified on its own. */
export function classifyAll(sql: string, engine: EngineId): Classification[] {
  const split = getEngine(engine).dialect.split(sql);
  const problem = split.problems[0];
  if (problem) {
    throw new MigratrixError("invalid_argument", `SQL at ${problem.line}:${problem.column}: ${problem.message}`);
  }
  if (split.statements.length === 0) throw new MigratrixError("invalid_argument", "the SQL holds no statement");
  return split.statements.map((s) => classifyStatement(s.text));
}

function classifyStatement(text: string): Classification {
  const ws = words(text);
  const defined = definedNames(text);
  const first = ws.find((w) => !w.quoted)?.word.toUpperCase() ?? "";
  if (!READ_STARTS.has(first)) return { kind: "write", sql: text, reason: first || "an unknown statement" };
  if (first === "PRAGMA" && /=|\(/.test(text)) return { kind: "write", sql: text, reason: "PRAGMA assignment" };
  for (const w of ws) {
    const upper = w.word.toUpperCase();
    if (!w.quoted && WRITE_WORDS.has(upper)) {
      // FOR UPDATE / FOR SHARE lock rows: a write as far as a read-only environment goes.
      return { kind: "write", sql: text, reason: upper };
    }
    if (!w.call) continue;
    if (WRITE_FUNCTIONS.has(w.word.toLowerCase())) {
      return { kind: "write", sql: text, reason: `${w.word.toLowerCase()}()` };
    }
    const unknown = unknownCall(w.word, defined);
    if (unknown) return { kind: "write", sql: text, reason: unknown };
  }
  return { kind: "read", sql: text };
}
