// MySQL/MariaDB errors → MigratrixError: errno kept as nativeCode; "… at line N" of a syntax error
// becomes the line within the statement (the server gives no column).
import { type ErrorCode, MigratrixError, redactSecrets } from "../../common/errors.ts";

// Server errnos (MySQL/MariaDB error reference), then SQLSTATE class as the fallback.
const BY_ERRNO: Record<number, ErrorCode> = {
  1044: "permission_denied",
  1045: "unauthenticated",
  1049: "not_found",
  1050: "already_exists",
  1054: "not_found",
  1060: "already_exists",
  1061: "already_exists",
  1062: "already_exists",
  1064: "invalid_argument",
  1091: "not_found",
  1142: "permission_denied",
  1143: "permission_denied",
  1146: "not_found",
  1149: "invalid_argument",
  1205: "aborted",
  1213: "aborted",
  1227: "permission_denied",
  1264: "out_of_range",
  1451: "failed_precondition",
  1452: "failed_precondition",
  1698: "unauthenticated",
  1927: "unavailable",
  2002: "unavailable",
  2003: "unavailable",
  2005: "unavailable",
  2006: "unavailable",
  2013: "unavailable",
};

const BY_CLASS: Record<string, ErrorCode> = {
  "08": "unavailable",
  "22": "invalid_argument",
  "23": "failed_precondition",
  "28": "unauthenticated",
  "40": "aborted",
  "42": "invalid_argument",
};

// mysql2's and Node's own codes (no errno from a server).
const CLIENT: Record<string, ErrorCode> = {
  ECONNREFUSED: "unavailable",
  ECONNRESET: "unavailable",
  ETIMEDOUT: "unavailable",
  ENOTFOUND: "unavailable",
  EHOSTUNREACH: "unavailable",
  PROTOCOL_CONNECTION_LOST: "unavailable",
  PROTOCOL_SEQUENCE_TIMEOUT: "unavailable",
};

interface MysqlLike {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
}

export function mysqlError(e: unknown, _ctx?: { sql?: string }): MigratrixError {
  if (e instanceof MigratrixError) return e;
  if (!(e instanceof Error)) return MigratrixError.from(e, "unknown");
  const m = e as Error & MysqlLike;
  const errno = typeof m.errno === "number" && m.errno > 0 ? m.errno : undefined;
  const sqlState = typeof m.sqlState === "string" ? m.sqlState : undefined;
  const clientCode = typeof m.code === "string" ? m.code : undefined;
  const code: ErrorCode =
    (errno !== undefined ? BY_ERRNO[errno] : undefined) ??
    (sqlState ? BY_CLASS[sqlState.slice(0, 2)] : undefined) ??
    (clientCode ? CLIENT[clientCode] : undefined) ??
    "unknown";
  const text = typeof m.sqlMessage === "string" ? m.sqlMessage : e.message;
  const detail: Record<string, unknown> = {};
  const nativeCode = errno !== undefined ? String(errno) : clientCode;
  if (nativeCode) detail.nativeCode = nativeCode;
  if (sqlState) detail.sqlState = sqlState;
  const line = errno === 1064 ? /at line (\d+)\s*$/.exec(text)?.[1] : undefined;
  if (line) detail.line = Number(line);
  return new MigratrixError(code, redactSecrets(text), detail, { cause: e });
}
