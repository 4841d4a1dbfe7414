// SQLite errors → MigratrixError: the (extended) result code kept as nativeCode, the error's byte
// offset in the statement (when SQLite gives one) turned into line:column.
import { type ErrorCode, MigratrixError, redactSecrets } from "../../common/errors.ts";
import { createLocator } from "../sql/index.ts";

// Primary result codes (https://sqlite.org/rescode.html); extended codes map by their primary.
const BY_CODE: Record<string, ErrorCode> = {
  SQLITE_CONSTRAINT_UNIQUE: "already_exists",
  SQLITE_CONSTRAINT_PRIMARYKEY: "already_exists",
  SQLITE_CONSTRAINT: "failed_precondition",
  SQLITE_BUSY: "aborted",
  SQLITE_LOCKED: "aborted",
  SQLITE_SCHEMA: "aborted",
  SQLITE_READONLY: "permission_denied",
  SQLITE_PERM: "permission_denied",
  SQLITE_AUTH: "permission_denied",
  SQLITE_CANTOPEN: "unavailable",
  SQLITE_IOERR: "unavailable",
  SQLITE_FULL: "resource_exhausted",
  SQLITE_NOMEM: "resource_exhausted",
  SQLITE_TOOBIG: "out_of_range",
  SQLITE_RANGE: "out_of_range",
  SQLITE_MISMATCH: "invalid_argument",
  SQLITE_CORRUPT: "data_loss",
  SQLITE_NOTADB: "data_loss",
  SQLITE_INTERRUPT: "canceled",
  SQLITE_MISUSE: "internal",
  SQLITE_INTERNAL: "internal",
};

/** SQLITE_ERROR covers every SQL-level failure; its message says which. */
function genericCode(message: string): ErrorCode {
  if (/^no such (table|column|index|view|trigger|function|collation)/.test(message)) return "not_found";
  if (/already exists/.test(message)) return "already_exists";
  return "invalid_argument";
}

export function codeForSqliteCode(code: string, message: string): ErrorCode {
  if (code === "SQLITE_ERROR") return genericCode(message);
  return BY_CODE[code] ?? BY_CODE[code.replace(/_[A-Z]+$/, "")] ?? "unknown";
}

/** UTF-8 byte offset → UTF-16 offset into `text`. */
function utf16Offset(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

interface SqliteLike {
  code?: unknown;
  byteOffset?: unknown;
}

export function sqliteError(e: unknown, ctx?: { sql?: string }): MigratrixError {
  if (e instanceof MigratrixError) return e;
  if (!(e instanceof Error)) return MigratrixError.from(e, "unknown");
  const s = e as Error & SqliteLike;
  const native = typeof s.code === "string" && s.code.startsWith("SQLITE_") ? s.code : undefined;
  const code = native ? codeForSqliteCode(native, e.message) : "unknown";
  const detail: Record<string, unknown> = {};
  if (native) detail.nativeCode = native;
  if (ctx?.sql && typeof s.byteOffset === "number" && s.byteOffset >= 0) {
    Object.assign(detail, createLocator(ctx.sql)(utf16Offset(ctx.sql, s.byteOffset)));
  }
  return new MigratrixError(code, redactSecrets(e.message), detail, { cause: e });
}
