// Structured logging for every process: one JSON object per line on stderr (stdout stays free for
// command output and the agent's fault marker), every line scrubbed of URL secrets, with fields such
// as the correlation id carried by child loggers so a job's lines can be found together.
import { redactSecrets } from "./errors.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry these fields (e.g. correlationId, runId). */
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function scrub(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (value instanceof Error) return redactSecrets(value.message);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
  }
  return value;
}

export interface CreateLoggerOptions {
  /** Where lines go; default stderr, so stdout stays free for the fault-injection marker. */
  write?: (line: string) => void;
  level?: LogLevel;
  fields?: LogFields;
}

export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const min = ORDER[opts.level ?? "info"];
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      const record = scrub({ at: new Date().toISOString(), level, msg, ...base, ...fields });
      write(JSON.stringify(record));
    };
    return {
      debug: (msg, f) => emit("debug", msg, f),
      info: (msg, f) => emit("info", msg, f),
      warn: (msg, f) => emit("warn", msg, f),
      error: (msg, f) => emit("error", msg, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(opts.fields ?? {});
}

/** A logger that drops everything (embedding callers that log elsewhere). */
export const silentLogger: Logger = createLogger({ write: () => {} });
