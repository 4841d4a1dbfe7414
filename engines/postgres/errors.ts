// PostgreSQL errors → MigratrixError: SQLSTATE kept as nativeCode, the server's `position`
// (1-based character index into the statement) turned into line:column within the statement.
import { type ErrorCode, MigratrixError, redactSecrets } from "../../common/errors.ts";
import { createLocator, type LineColumn } from "../sql/index.ts";

// Exact SQLSTATEs first, then the two-character class (PostgreSQL manual, appendix A).
const BY_CODE: Record<string, ErrorCode> = {
  "23505": "already_exists",
  "42P04": "already_exists",
  "42P06": "already_exists",
  "42P07": "already_exists",
  "42701": "already_exists",
  "42710": "already_exists",
  "42723": "already_exists",
  "42501": "permission_denied",
  "42P01": "not_found",
  "42703": "not_found",
  "42704": "not_found",
  "42883": "not_found",
  "3D000": "not_found",
  "3F000": "not_found",
  "22003": "out_of_range",
  "40001": "aborted",
  "40P01": "aborted",
  "55P03": "failed_precondition",
  "57014": "canceled",
  "0A000": "unimplemented",
};

const BY_CLASS: Record<string, ErrorCode> = {
  "08": "unavailable",
  "22": "invalid_argument",
  "23": "failed_precondition",
  "25": "failed_precondition",
  "28": "unauthenticated",
  "40": "aborted",
  "42": "invalid_argument",
  "53": "resource_exhausted",
  "54": "resource_exhausted",
  "55": "failed_precondition",
  "57": "unavailable",
  "58": "unavailable",
  XX: "internal",
};

// postgres.js's own (client-side) error codes.
const CLIENT: Record<string, ErrorCode> = {
  CONNECTION_CLOSED: "unavailable",
  CONNECTION_ENDED: "unavailable",
  CONNECTION_DESTROYED: "unavailable",
  CONNECT_TIMEOUT: "unavailable",
  ECONNREFUSED: "unavailable",
  ECONNRESET: "unavailable",
  ETIMEDOUT: "unavailable",
  ENOTFOUND: "unavailable",
  EHOSTUNREACH: "unavailable",
  MAX_PARAMETERS_EXCEEDED: "invalid_argument",
};

export function codeForSqlState(state: string): ErrorCode {
  return BY_CODE[state] ?? BY_CLASS[state.slice(0, 2)] ?? "unknown";
}

/** 1-based line and column of PostgreSQL's 1-based position, which counts characters (code points). */
export function lineColumnAt(text: string, position: number): LineColumn {
  let offset = 0;
  for (let n = 1; n < position && offset < text.length; n++) {
    const c = text.charCodeAt(offset);
    offset += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return createLocator(text)(offset);
}

interface PgLike {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  hint?: unknown;
  severity?: unknown;
}

export function postgresError(e: unknown, ctx?: { sql?: string }): MigratrixError {
  if (e instanceof MigratrixError) return e;
  if (!(e instanceof Error)) return MigratrixError.from(e, "unknown");
  const pg = e as Error & PgLike;
  const native = typeof pg.code === "string" ? pg.code : undefined;
  const isServer = typeof pg.severity === "string" && native !== undefined;
  const code: ErrorCode =
    native === undefined ? "unknown" : isServer ? codeForSqlState(native) : (CLIENT[native] ?? "unknown");
  // The hint helps the reader fix the SQL; `detail` is left out because it can quote row values.
  const hint = typeof pg.hint === "string" && pg.hint ? ` (hint: ${pg.hint})` : "";
  const detail: Record<string, unknown> = {};
  if (native) detail.nativeCode = native;
  const position = Number(pg.position);
  if (ctx?.sql && Number.isInteger(position) && position > 0) Object.assign(detail, lineColumnAt(ctx.sql, position));
  return new MigratrixError(code, redactSecrets(`${e.message}${hint}`), detail, { cause: e });
}
