// The shared frame of the token-level down-script generators (MariaDB/MySQL, SQLite): split the up
// script, read each statement with the risk rules' token reader, collect one inverse per statement
// and assemble the down script (last statement first). The per-engine inverses live in mysql/ and
// sqlite/; this file knows nothing of either engine's SQL.
import { mariadbDialect, mysqlDialect } from "../mysql/dialect.ts";
import { lexStatement, type Tok } from "../risk/tokens/lex.ts";
import type { Stmt } from "../risk/tokens/model.ts";
import { readStatement } from "../risk/tokens/read.ts";
import { STEP_MARKER } from "../runner/plan.ts";
import { sqliteDialect } from "../sqlite/dialect.ts";
import { assembleDown, emptyDown } from "./down-script.ts";
import { irreversible } from "./postgres/step.ts";
import type { BackupGap, BackupSpec, DownScript, DownStep, GenerateDownOptions } from "./types.ts";

export type { Inverse } from "./postgres/step.ts";

export type TokenEngine = "mysql" | "mariadb" | "sqlite";

/** One up statement as the token reader sees it. */
export interface TokStatement {
  index: number;
  line: number;
  column: number;
  /** Text as written, without terminator; token offsets are file offsets from `base`. */
  text: string;
  base: number;
  toks: Tok[];
  stmt: Stmt;
  /** The reader's first problem: the statement was not fully understood. */
  problem?: string;
}

/** What an engine's inverse gets: the statement and where to register backups and gaps. */
export interface TokCtx {
  st: TokStatement;
  upIndex: number;
  migrationId: string;
  backups: BackupSpec[];
  gaps: BackupGap[];
}

export function generateWithTokens(
  upSql: string,
  o: GenerateDownOptions,
  engine: TokenEngine,
  inverseOf: (c: TokCtx) => import("./postgres/step.ts").Inverse,
): DownScript {
  const dialect = engine === "sqlite" ? sqliteDialect : engine === "mysql" ? mysqlDialect : mariadbDialect;
  const split = dialect.split(upSql, { firstLine: o.firstLine ?? 1 });
  if (split.problems.length > 0) return emptyDown(o, split.problems);
  const mysql = engine !== "sqlite";
  const backups: BackupSpec[] = [];
  const gaps: BackupGap[] = [];
  const steps: DownStep[] = [];
  for (const s of split.statements) {
    const toks = lexStatement(s.text, s.start.offset, { mysql, mariadb: engine === "mariadb" });
    const read = readStatement(toks, { pipesConcat: !mysql, multiWordTypes: !mysql });
    const st: TokStatement = {
      index: s.index,
      line: s.start.line,
      column: s.start.column,
      text: s.text,
      base: s.start.offset,
      toks,
      stmt: read.stmt,
      ...(read.problems[0] ? { problem: read.problems[0].message } : {}),
    };
    const c: TokCtx = { st, upIndex: s.index, migrationId: o.migrationId ?? "migration", backups, gaps };
    let inv: import("./postgres/step.ts").Inverse;
    if (st.problem !== undefined) {
      inv = noInverse(c, `the statement could not be read: ${st.problem}`);
    } else {
      try {
        inv = inverseOf(c);
      } catch (e) {
        inv = cannot(c, `the down-script generator could not handle this statement: ${(e as Error).message}`);
      }
    }
    steps.push({ upIndex: s.index, line: s.start.line, column: s.start.column, ...inv });
  }
  return assembleDown(emptyDown(o, []), {
    steps,
    backups,
    gaps,
    // Each step opens with a marker line naming the up statement it undoes: a revert of a partly
    // applied migration runs only the steps of the statements that committed (runner/plan.ts).
    render: (down) =>
      down
        .filter((s) => s.sql.length > 0)
        .map((s) => `${STEP_MARKER} ${s.upIndex}\n${s.sql.map((x) => `${x};\n`).join("")}`)
        .join(""),
  });
}

const DESTROYS = new Set(["DELETE", "UPDATE", "DROP", "TRUNCATE", "REPLACE"]);

/**
 * Whether a statement the generator cannot invert may destroy data: then it is a backup gap that
 * stops the run (unless allowed); anything else (GRANT, CREATE SEQUENCE, ALTER DATABASE, a compound
 * block) is only irreversible.
 */
export function destructive(st: TokStatement): boolean {
  const [a, b, c] = st.toks.map((t) => t.upper);
  if (DESTROYS.has(a ?? "")) return true;
  if (a === "ALTER") return b === "TABLE" || ((b === "IGNORE" || b === "ONLINE") && c === "TABLE");
  return a === "CREATE" && b === "OR" && c === "REPLACE";
}

/** No inverse: irreversible, and a backup gap too when the statement may destroy data. */
export function noInverse(c: TokCtx, reason: string) {
  return destructive(c.st) ? cannot(c, reason) : irreversible(reason);
}

/** Irreversible, and whatever the statement destroys goes unbacked: the hook stops the run. */
export function cannot(c: TokCtx, reason: string) {
  c.gaps.push({ upIndex: c.upIndex, reason });
  return irreversible(reason);
}

/** Index of the first top-level (outside parentheses) token whose upper text is one of `words`. */
export function findTop(toks: readonly Tok[], words: string[], from = 0): number {
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    if (t.kind === "op" && t.text === "(") depth++;
    else if (t.kind === "op" && t.text === ")") depth--;
    else if (i >= from && depth === 0 && t.kind === "word" && words.includes(t.upper)) return i;
  }
  return -1;
}

/** Source text of tokens [from, to) as written. */
export function textOf(st: TokStatement, from: number, to: number): string {
  const a = st.toks[from];
  const b = st.toks[Math.min(to, st.toks.length) - 1];
  if (!a || !b || to <= from) return "";
  return st.text.slice(a.start - st.base, b.end - st.base);
}

/** The clause after the top-level `word`, up to the first of `stops`; undefined when absent. */
export function clauseAfter(st: TokStatement, word: string, stops: string[]): string | undefined {
  const at = findTop(st.toks, [word]);
  if (at < 0) return undefined;
  const end = findTop(st.toks, stops, at + 1);
  return textOf(st, at + 1, end < 0 ? st.toks.length : end);
}

/** The value tuples after VALUES: per row, per item, its tokens. */
export function valueRows(st: TokStatement): Tok[][][] | undefined {
  const at = findTop(st.toks, ["VALUES", "VALUE"]);
  if (at < 0) return undefined;
  const rows: Tok[][][] = [];
  let depth = 0;
  let row: Tok[][] = [];
  let item: Tok[] = [];
  for (let i = at + 1; i < st.toks.length; i++) {
    const t = st.toks[i] as Tok;
    const open = t.kind === "op" && t.text === "(";
    const close = t.kind === "op" && t.text === ")";
    if (depth === 0) {
      if (open) {
        depth = 1;
        row = [];
        item = [];
        continue;
      }
      if (t.kind === "op" && t.text === ",") continue;
      if (t.kind === "word" && t.upper === "ROW") continue;
      break;
    }
    if (open) depth++;
    if (close) depth--;
    if (depth === 0) {
      row.push(item);
      rows.push(row);
      continue;
    }
    if (depth === 1 && t.kind === "op" && t.text === ",") {
      row.push(item);
      item = [];
      continue;
    }
    item.push(t);
  }
  return rows;
}

/** A constant written as one literal (optionally negative): its SQL text, else undefined. */
export function constantText(st: TokStatement, item: Tok[]): string | undefined {
  const [a, b] = item;
  if (item.length === 1 && a && (a.kind === "string" || a.kind === "number"))
    return st.text.slice(a.start - st.base, a.end - st.base);
  if (item.length === 2 && a?.text === "-" && b?.kind === "number")
    return st.text.slice(a.start - st.base, b.end - st.base);
  return undefined;
}
