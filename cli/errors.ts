// Turns anything a command throws into one line on stderr and an exit code: 2 for a wrong command
// line, 1 for everything else. Never a stack trace, never a secret.
// Connect is not imported here (only its types): most commands never load it, and an error can
// only be a ConnectError when a command did.
import type { Code, ConnectError } from "@connectrpc/connect";
import { ERROR_CODES, MigratrixError, redactSecrets } from "../common/errors.ts";

/** The command line itself is wrong: exit 2 and point at the help. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The command whose help explains the fix, e.g. "env create". */
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export interface Failure {
  lines: string[];
  exitCode: number;
}

/** Connect's numeric codes 1..16 are ERROR_CODES in the same order. */
export function codeName(code: Code): string {
  return ERROR_CODES[code - 1] ?? "unknown";
}

/** The same test as Connect's own `instanceof ConnectError` for an error from another copy of it. */
function isConnectError(err: unknown): err is ConnectError {
  return (
    err instanceof Error &&
    err.name === "ConnectError" &&
    typeof Reflect.get(err, "code") === "number" &&
    typeof Reflect.get(err, "rawMessage") === "string"
  );
}

/**
 * A failed fetch (refused, DNS, reset) surfaces as a client-side ConnectError whose cause is the
 * fetch error; a wire error always came from a server that answered.
 */
export function isUnreachable(err: unknown): boolean {
  if (!isConnectError(err) || err.isWireError) return false;
  const code = codeName(err.code);
  if (code !== "unknown" && code !== "unavailable") return false;
  const cause = err.cause;
  return cause instanceof TypeError || (cause instanceof Error && typeof Reflect.get(cause, "code") === "string");
}

export function describeFailure(err: unknown, ctx: { server?: string; tokenSource?: string }): Failure {
  if (err instanceof UsageError) {
    const help = err.command === undefined ? "mx --help" : `mx ${err.command} --help`;
    return { lines: [`error: ${redactSecrets(err.message)}`, `run '${help}' for usage`], exitCode: 2 };
  }
  if (isUnreachable(err)) {
    const where = ctx.server === undefined ? "" : ` at ${redactSecrets(ctx.server)}`;
    return { lines: [`error: cannot reach the Migratrix server${where}: is it running? (bun start)`], exitCode: 1 };
  }
  if (isConnectError(err)) {
    const lines = [`error: ${redactSecrets(err.rawMessage)} (${codeName(err.code)})`];
    if (codeName(err.code) === "unauthenticated" && ctx.tokenSource !== undefined) {
      lines.push(`the token came from ${ctx.tokenSource}`);
    }
    return { lines, exitCode: 1 };
  }
  if (err instanceof MigratrixError) {
    return { lines: [`error: ${redactSecrets(err.message)} (${err.code})`], exitCode: 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { lines: [`error: ${redactSecrets(message)}`], exitCode: 1 };
}
