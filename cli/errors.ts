// Turns anything a command throws into one line on stderr and an exit code: 2 for a wrong command
// line, 1 for everything else. Never a stack trace, never a secret.
import { Code, ConnectError } from "@connectrpc/connect";
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

/**
 * A failed fetch (refused, DNS, reset) surfaces as a client-side ConnectError whose cause is the
 * fetch error; a wire error always came from a server that answered.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof ConnectError) || err.isWireError) return false;
  if (err.code !== Code.Unknown && err.code !== Code.Unavailable) return false;
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
  if (err instanceof ConnectError) {
    const lines = [`error: ${redactSecrets(err.rawMessage)} (${codeName(err.code)})`];
    if (err.code === Code.Unauthenticated && ctx.tokenSource !== undefined) {
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
