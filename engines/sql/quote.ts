// Quoting shared by the dialects: each dialect picks its quote character and escape rules.

import { MigratrixError } from "../../common/errors.ts";

/** Wraps `name` in `quote`, doubling any `quote` inside; rejects empty names and NUL bytes. */
export function quoteIdentWith(name: string, quote: string): string {
  if (name === "") throw new MigratrixError("invalid_argument", "identifier is empty");
  const nul = name.indexOf("\0");
  if (nul >= 0) {
    throw new MigratrixError(
      "invalid_argument",
      `identifier ${JSON.stringify(name.slice(0, 64))} contains a NUL byte at index ${nul}`,
    );
  }
  return quote + name.replaceAll(quote, quote + quote) + quote;
}

/**
 * Rejects a NUL byte in a string literal for engines whose text cannot hold one. The value itself
 * stays out of the message: it may be customer data.
 */
export function rejectNulInLiteral(value: string): void {
  const nul = value.indexOf("\0");
  if (nul >= 0) throw new MigratrixError("invalid_argument", `string literal contains a NUL byte at index ${nul}`);
}

/** SQL-standard literal: quotes doubled, nothing else escaped. */
export function standardLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
