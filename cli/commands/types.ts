// The shape every mx command has, and what it gets to run with.
import type { OptionSpec, ParsedInput } from "../args.ts";
import type { Clients } from "../client.ts";
import type { Output, Writer } from "../output.ts";

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reconnect pacing of run watches; tests set these down to milliseconds. */
  watch?: WatchTuning;
}

export interface WatchTuning {
  /** Pause before re-opening a broken watch (default 500 ms, doubling up to 5 s). */
  retryDelayMs?: number;
  /** Give up when the server stays unreachable this long (default 60 s). */
  retryDeadlineMs?: number;
}

export interface CommandContext {
  io: CliIo;
  out: Output;
  input: ParsedInput;
  /** Resolves the server and the token on first use, so --help and usage errors need neither. */
  clients(): Clients;
}

export interface CommandSpec {
  /** The command words: ["env", "create"], or ["whoami"]. */
  path: string[];
  summary: string;
  /** Positional arguments for usage lines; "[X]" marks an optional one. */
  args: string[];
  options: Record<string, OptionSpec>;
  /** Extra lines shown under --help. */
  details?: string[];
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}
