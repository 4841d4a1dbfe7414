// Ids that reach Postgres uuid columns are checked first, so a malformed id is a clean
// not_found instead of a driver error.
import { MigratrixError } from "../common/errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireUuid(what: string, value: string): string {
  if (!isUuid(value)) throw new MigratrixError("not_found", `${what} "${value.slice(0, 80)}" not found`);
  return value;
}

export function newCorrelationId(): string {
  return crypto.randomUUID();
}
