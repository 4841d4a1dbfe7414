// What the runner reports while it runs. Shapes mirror proto migratrix.agent.v1 JobEvent's oneof
// (kind = the oneof case name) so the agent maps them 1:1 and adds seq, fencing token and time.
import type { ErrorCode, MigratrixError } from "../../common/errors.ts";
import type { Statement } from "../types.ts";

export interface SourcePosition {
  line: number;
  column: number;
}

export interface StatementInfo {
  /** 1-based index in the script. */
  index: number;
  /** Where the statement starts in the migration file. */
  position: SourcePosition;
  /** The statement text on one line, shortened for display. */
  excerpt: string;
  ownSegment: boolean;
}

export interface DbErrorInfo {
  code: ErrorCode;
  nativeCode?: string;
  message: string;
  /** Position in the migration file, when known. */
  position?: SourcePosition;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export type RunnerEvent =
  | { kind: "started"; statementsTotal: number; statementsDone: number }
  | { kind: "statementStarted"; statement: StatementInfo }
  | { kind: "statementFinished"; statement: StatementInfo; durationMs: number; rowsAffected: number }
  | { kind: "statementFailed"; statement: StatementInfo; durationMs: number; error: DbErrorInfo }
  | { kind: "log"; level: LogLevel; message: string };

const EXCERPT_MAX = 120;

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_MAX ? `${flat.slice(0, EXCERPT_MAX - 1)}…` : flat;
}

/**
 * Maps a position inside a statement (1-based, as the engine's error mapper reports it) to the
 * file. Statements already carry file lines (the dialect split with `firstLine`).
 */
export function filePosition(stmt: Statement, inner?: SourcePosition): SourcePosition {
  if (!inner) return { line: stmt.start.line, column: stmt.start.column };
  return {
    line: stmt.start.line + inner.line - 1,
    column: inner.line === 1 ? stmt.start.column + inner.column - 1 : inner.column,
  };
}

export function statementInfo(stmt: Statement): StatementInfo {
  return {
    index: stmt.index,
    position: filePosition(stmt),
    excerpt: excerpt(stmt.text),
    ownSegment: stmt.ownSegment,
  };
}

export function dbErrorInfo(e: MigratrixError): DbErrorInfo {
  const info: DbErrorInfo = { code: e.code, message: e.message };
  if (e.detail.nativeCode !== undefined) info.nativeCode = e.detail.nativeCode;
  if (typeof e.detail.line === "number") info.position = { line: e.detail.line, column: e.detail.column ?? 0 };
  return info;
}
