// Argument parsing for mx on node:util parseArgs: global options may sit anywhere on the line,
// command words are found first, then the rest is parsed strictly against the command's options.
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in help for string options: "N", "ENV", "URL". */
  value?: string;
  description: string;
}

export const GLOBAL_OPTIONS = {
  server: {
    type: "string",
    value: "URL",
    description: "control plane URL (default $MIGRATRIX_SERVER or http://localhost:8080)",
  },
  token: {
    type: "string",
    value: "T",
    description: "API token (default $MIGRATRIX_TOKEN, else .migratrix/admin-token)",
  },
  json: { type: "boolean", description: "machine output: one JSON document on stdout" },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", description: "print the version of mx" },
} as const satisfies Record<string, OptionSpec>;

export interface GlobalOptions {
  server: string | undefined;
  token: string | undefined;
  json: boolean;
  help: boolean;
  version: boolean;
}

export interface ParsedInput {
  positionals: string[];
  global: GlobalOptions;
  string(name: string): string | undefined;
  /** A string option the command cannot run without. */
  required(name: string): string;
  flag(name: string): boolean;
  /** A non-negative integer option. */
  uint(name: string): number | undefined;
}

function isGlobal(name: string): name is keyof typeof GLOBAL_OPTIONS {
  return Object.hasOwn(GLOBAL_OPTIONS, name);
}

function optionName(arg: string): string | undefined {
  if (arg.startsWith("--")) return arg.slice(2).split("=")[0];
  if (arg.length === 2 && arg.startsWith("-")) {
    const short = arg.slice(1);
    for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
      if ("short" in spec && spec.short === short) return name;
    }
  }
  return undefined;
}

/**
 * The next command word at or after `from`, stepping over global options (and their values) only:
 * a command option before the words means the line cannot be read as a command.
 */
export function nextWord(argv: readonly string[], from: number): { index: number; word: string } | undefined {
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") return undefined;
    if (!arg.startsWith("-") || arg === "-") return { index: i, word: arg };
    const name = optionName(arg);
    if (name === undefined || !isGlobal(name)) return undefined;
    if (GLOBAL_OPTIONS[name].type === "string" && !arg.includes("=")) i++;
  }
  return undefined;
}

type ParseArgsConfig = Record<string, { type: "string" | "boolean"; short?: string }>;

function toParseArgsConfig(options: Record<string, OptionSpec>): ParseArgsConfig {
  const config: ParseArgsConfig = {};
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...options };
  for (const [name, spec] of Object.entries(all)) {
    config[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  return config;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function readGlobal(values: Values): GlobalOptions {
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  return {
    server: str(values.server),
    token: str(values.token),
    json: values.json === true,
    help: values.help === true,
    version: values.version === true,
  };
}

/** Parses a command's arguments (the line without its command words) strictly. */
export function parseCommandArgs(args: readonly string[], options: Record<string, OptionSpec>): ParsedInput {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: toParseArgsConfig(options), strict: true, allowPositionals: true });
  } catch (err) {
    // parseArgs names the option well but then explains `--` escaping at length: keep the first sentence.
    const message = (err instanceof Error ? err.message : String(err)).split(/\.\s/)[0] ?? "";
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1));
  }
  const { values, positionals } = parsed;
  const string = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };
  return {
    positionals,
    global: readGlobal(values),
    string,
    required: (name) => {
      const v = string(name);
      if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
      return v;
    },
    flag: (name) => values[name] === true,
    uint: (name) => {
      const v = string(name);
      if (v === undefined) return undefined;
      return parseUint(v, `--${name}`);
    },
  };
}

export function parseUint(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) > 0xffffffff) {
    throw new UsageError(`${what} must be a non-negative integer, got '${text}'`);
  }
  return Number(text);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "30d", "12h", "90m", "3600s" or a bare number of seconds; "0" or "never" for no expiry. */
export function parseDuration(text: string, what: string): number {
  if (text === "never") return 0;
  const match = /^(\d+)([smhdw]?)$/.exec(text);
  if (match === null) {
    throw new UsageError(`${what} must be a duration like 30d, 12h, 90m or 3600s (or 'never'), got '${text}'`);
  }
  const seconds = Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1);
  if (seconds > 0xffffffff) throw new UsageError(`${what} is too long: ${text}`);
  return seconds;
}
