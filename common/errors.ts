// The one error type of Migratrix: a closed set of codes (Connect's), a message that says what is
// wrong and where, and optional native detail (SQLSTATE, errno) kept beside the normalised code.

export const ERROR_CODES = [
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  /** The engine's own code: SQLSTATE "42601", MySQL errno "1064", "SQLITE_ERROR". */
  nativeCode?: string;
  /** Where in a SQL text (1-based). */
  line?: number;
  column?: number;
  /** Extra machine-readable facts (never secrets). */
  [key: string]: unknown;
}

export class MigratrixError extends Error {
  override readonly name = "MigratrixError";
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;

  constructor(code: ErrorCode, message: string, detail: ErrorDetail = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }

  /** Normalises anything thrown into a MigratrixError without leaking stack traces or secrets. */
  static from(err: unknown, fallback: ErrorCode = "internal"): MigratrixError {
    if (err instanceof MigratrixError) return err;
    if (err instanceof Error) return new MigratrixError(fallback, redactSecrets(err.message), {}, { cause: err });
    return new MigratrixError(fallback, redactSecrets(String(err)));
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Removes credentials from text that may contain connection URLs or key=value secrets,
 * so a driver's error message can be shown or logged safely.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]+):([^@\s/]*)@/gi, "$1$2:***@")
    .replace(/\b(password|passwd|pwd|secret|token|apikey|api_key)=([^&\s;]+)/gi, "$1=***");
}
