// mx diff SOURCE TARGET and mx snapshot SRC: each side is a database URL (local mode: the CLI
// connects and introspects), a snapshot .json, a DDL .sql file (loaded into a scratch database of
// --engine to introspect), or an ENV/CONNECTION name (platform: its agent introspects, under RBAC
// and audit).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import type { EngineAdapter, EngineId, SchemaSnapshot } from "../../engines/index.ts";
import type { ParsedInput } from "../args.ts";
import type { Clients } from "../client.ts";
import { loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { defineCommand } from "./types.ts";

type DiffModule = typeof import("../../engines/diff/index.ts");

/** "dev/main": an environment/connection name (neither a URL nor a .json/.sql file). */
export function isConnectionName(text: string): boolean {
  return /^[A-Za-z0-9_-][\w.-]*\/[\w.-]+$/.test(text) && !/\.(json|sql)$/i.test(text);
}

/** A URL has a scheme; "C:\\x" and files ending .json/.sql are files. */
export function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text) && !/\.(json|sql)$/i.test(text);
}

interface Side {
  snapshot: SchemaSnapshot;
  /** The database URL when the side is a live database. */
  url?: string;
}

function readText(cwd: string, file: string): string {
  const path = resolve(cwd, file);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? err);
    throw new MigratrixError("invalid_argument", `cannot read ${path}: ${why}`);
  }
}

interface LoadContext {
  cwd: string;
  objects: boolean;
  engine: EngineId | undefined;
  /** A server where scratch databases may be made (for .sql inputs and --verify). */
  scratch: string | undefined;
  command: string;
  /** The control API, for ENV/CONNECTION sides. */
  clients?: () => Clients;
}

async function adapterFor(id: EngineId): Promise<EngineAdapter> {
  return (await loadEngines()).getEngine(id);
}

/** One side of a diff (or the input of mx snapshot) as a snapshot. */
async function loadSide(text: string, ctx: LoadContext): Promise<Side> {
  const engines = await loadEngines();
  if (isUrl(text)) {
    let adapter: EngineAdapter;
    try {
      adapter = engines.engineFromUrl(text);
    } catch (err) {
      throw new UsageError(MigratrixError.from(err).message, ctx.command);
    }
    const session = await adapter.driver.connect(text, { connectTimeoutMs: 10_000 });
    try {
      return { snapshot: await adapter.inspector.inspect(session, { objects: ctx.objects }), url: text };
    } finally {
      await session.close();
    }
  }
  if (isConnectionName(text) && ctx.clients) {
    // Platform mode: the serving agent reads the live schema; the control plane checks and audits.
    const res = await ctx.clients().schema.introspect({ connection: text, objects: ctx.objects });
    return { snapshot: engines.snapshotFromJson(res.snapshotJson) };
  }
  if (/\.json$/i.test(text)) return { snapshot: engines.snapshotFromJson(readText(ctx.cwd, text)) };
  if (/\.sql$/i.test(text)) {
    if (!ctx.engine) throw new UsageError(`${text}: a DDL file needs --engine to load it`, ctx.command);
    const adapter = await adapterFor(ctx.engine);
    if (ctx.engine !== "sqlite" && !ctx.scratch) {
      throw new UsageError(
        `${text}: loading a DDL file needs a ${ctx.engine} server for a scratch database: give --scratch URL (or a URL on the other side)`,
        ctx.command,
      );
    }
    const diff: DiffModule = await import("../../engines/diff/index.ts");
    const scratch = await diff.createScratch(adapter, ctx.scratch ?? "sqlite::memory:");
    try {
      await diff.runScript(adapter, scratch.session, readText(ctx.cwd, text));
      const snapshot = await adapter.inspector.inspect(scratch.session, { objects: ctx.objects });
      return { snapshot: { ...snapshot, capturedAt: undefined } };
    } finally {
      await scratch.drop();
    }
  }
  throw new UsageError(
    `'${text}' is neither a database URL, an ENV/CONNECTION name, a snapshot .json nor a DDL .sql file`,
    ctx.command,
  );
}

function list(input: ParsedInput, name: string): string[] {
  return (input.string(name) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

async function engineOption(input: ParsedInput): Promise<EngineId | undefined> {
  const text = input.string("engine");
  return text === undefined ? undefined : parseEngine(text);
}

/** The scratch server: --scratch, else whichever side is a URL of the right engine. */
function scratchServer(
  input: ParsedInput,
  engines: Awaited<ReturnType<typeof loadEngines>>,
  engine: EngineId | undefined,
  urls: string[],
): string | undefined {
  const given = input.string("scratch");
  if (given) return given;
  return urls.find((u) => engine === undefined || engines.engineIdFromUrl(u) === engine);
}

const SCRATCH_OPTION = {
  type: "string",
  value: "URL",
  description: "server for scratch databases (.sql inputs, --verify); default: a URL side",
} as const;

export const snapshot = defineCommand({
  path: ["snapshot"],
  summary: "introspect a database, a connection (ENV/CONNECTION) or a DDL file into a schema snapshot JSON",
  args: ["SRC"],
  options: {
    objects: {
      type: "boolean",
      description: "also read constraints, index definitions, views, routines, triggers, types",
    },
    out: { type: "string", value: "FILE", description: "write the snapshot to FILE instead of stdout" },
    engine: { type: "string", value: "E", description: "engine of a .sql SRC" },
    scratch: SCRATCH_OPTION,
  },
  details: [
    "SRC: a database URL (postgres://, mysql://, mariadb://, sqlite:), an ENV/CONNECTION name (read by",
    "its agent) or a DDL .sql file with --engine.",
  ],
  async run({ io, out, input, clients }) {
    const src = input.positionals[0];
    if (!src) throw new UsageError("SRC is required", "snapshot");
    const engine = await engineOption(input);
    const side = await loadSide(src, {
      cwd: io.cwd,
      objects: input.flag("objects"),
      engine,
      scratch: input.string("scratch"),
      command: "snapshot",
      clients,
    });
    const engines = await loadEngines();
    const json = engines.snapshotToJson(side.snapshot);
    const file = input.string("out");
    if (file) {
      writeFileSync(resolve(io.cwd, file), `${json}\n`);
      out.note(
        `wrote ${side.snapshot.tables.length} tables, ${side.snapshot.objects?.length ?? 0} other objects to ${file}`,
      );
    } else out.line(json);
    return 0;
  },
});

function printText(out: Output, d: DiffModule, result: DiffResult): void {
  out.line(d.renderDiffText(result.plan.diff));
  const p = result.plan;
  if (p.diff.changes.length === 0) return;
  out.line("");
  const n = p.statements.length;
  out.line(`sync script: ${n} statement${n === 1 ? "" : "s"} (--format sql prints it with its down script)`);
  if (p.risk) out.line(`risk: ${p.risk.level}`);
  for (const w of p.withheld) out.line(out.paint("yellow", `withheld (needs --allow-drop): ${w}`));
  for (const u of p.unsupported) out.line(out.paint("red", `not in the script: ${u}`));
  if (result.verify) {
    if (result.verify.verified)
      out.line(out.paint("green", "verified: on a scratch copy of the target, the script leaves no differences"));
    else {
      out.line(
        out.paint("red", `NOT verified${result.verify.error ? `: ${result.verify.error}` : ": differences remain"}`),
      );
      for (const ch of result.verify.remaining)
        out.line(`  remains: ${ch.action} ${ch.kind} ${d.changePath(ch)} ${ch.name}`);
    }
  }
}

function sqlDocument(result: DiffResult): string {
  const p = result.plan;
  const notes = [
    "-- Migratrix sync script: turns the target into the source.",
    ...(p.risk ? [`-- risk: ${p.risk.level}`] : []),
    ...(result.verify ? [`-- verified on a scratch copy of the target: ${result.verify.verified ? "yes" : "NO"}`] : []),
    ...p.withheld.map((w) => `-- withheld (needs --allow-drop): ${w}`),
    ...p.unsupported.map((u) => `-- not in the script: ${u}`),
    ...(p.diff.notes ?? []).map((n) => `-- ${n.object}: ${n.note}`),
  ];
  return `${notes.join("\n")}\n-- UP\n${p.sql}-- DOWN\n${p.down}`;
}

interface DiffResult {
  plan: Awaited<ReturnType<DiffModule["planSync"]>>;
  verify?: Awaited<ReturnType<DiffModule["verifyPlan"]>>;
}

export const diff = defineCommand({
  path: ["diff"],
  summary: "compare two schemas and print the difference or a verified sync script",
  args: ["SOURCE", "TARGET"],
  options: {
    format: { type: "string", value: "F", description: "text (default), json or sql (the sync script, -- UP/-- DOWN)" },
    verify: { type: "boolean", description: "apply the script to a scratch copy of the target and diff again" },
    "allow-drop": { type: "boolean", description: "drop what only the target has (else listed as withheld)" },
    rename: {
      type: "string",
      value: "OLD=NEW,…",
      description: "renames instead of drop + add: users=customers, users.email=mail",
    },
    include: {
      type: "string",
      value: "GLOBS",
      description: "only objects whose schema.name matches (comma-separated, * and ?)",
    },
    exclude: { type: "string", value: "GLOBS", description: "leave out objects whose schema.name matches" },
    "no-filter": { type: "string", value: "NAMES", description: "noise filters to switch off (comma-separated)" },
    engine: { type: "string", value: "E", description: "engine of .sql inputs" },
    scratch: SCRATCH_OPTION,
    "lock-timeout": { type: "string", value: "T", description: "SET lock_timeout of the script (default 5s)" },
    "statement-timeout": {
      type: "string",
      value: "T",
      description: "SET statement_timeout of the script (default 30min)",
    },
  },
  details: [
    "SOURCE and TARGET: a database URL, an ENV/CONNECTION name (read by its agent), a snapshot .json",
    "(mx snapshot --objects) or a DDL .sql (with --engine). They may be of different engines (MariaDB/MySQL,",
    "PostgreSQL, SQLite): equivalent types are no difference, the script is in TARGET's dialect, and what",
    "TARGET's engine cannot hold is listed with what was done instead.",
    "The sync script turns TARGET into SOURCE; its down script turns it back.",
    "Noise filters (on by default): generated-names, whitespace, column-order, collation, auto-increment.",
    "Exit 0: no differences; 1: differences; 2: an error (or --verify found the script does not sync).",
  ],
  async run({ io, out, input, clients }) {
    try {
      return await runDiff(io.cwd, out, input, clients);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      out.note(`error: ${redactSecrets(MigratrixError.from(err).message)}`);
      return 2;
    }
  },
});

async function runDiff(cwd: string, out: Output, input: ParsedInput, clients: () => Clients): Promise<number> {
  const [source, target] = input.positionals;
  if (!source || !target || input.positionals.length > 2) throw new UsageError("expected SOURCE and TARGET", "diff");
  const format = input.string("format") ?? (out.json ? "json" : "text");
  if (!["text", "json", "sql"].includes(format))
    throw new UsageError(`--format must be text, json or sql, got '${format}'`, "diff");
  const d: DiffModule = await import("../../engines/diff/index.ts");
  const noFilter = list(input, "no-filter");
  for (const f of noFilter) {
    if (!(d.NOISE_FILTERS as readonly string[]).includes(f)) {
      throw new UsageError(`--no-filter: unknown filter '${f}' (known: ${d.NOISE_FILTERS.join(", ")})`, "diff");
    }
  }
  const engines = await loadEngines();
  const engine = await engineOption(input);
  const urls = [source, target].filter(isUrl);
  const scratch = scratchServer(input, engines, engine, urls);
  const ctx = { cwd, objects: true, engine, scratch, command: "diff", clients };
  const src = await loadSide(source, ctx);
  const tgt = await loadSide(target, ctx);
  const allowDrop = input.flag("allow-drop");
  const renameText = input.string("rename");
  const opts = {
    allowDrop,
    noFilter: noFilter as (typeof d.NOISE_FILTERS)[number][],
    include: list(input, "include"),
    exclude: list(input, "exclude"),
    renames: renameText ? d.parseRenames(renameText, src.snapshot, tgt.snapshot) : [],
    ...(input.string("lock-timeout") ? { lockTimeout: input.string("lock-timeout") } : {}),
    ...(input.string("statement-timeout") ? { statementTimeout: input.string("statement-timeout") } : {}),
  };
  const result: DiffResult = { plan: await d.planSync(src.snapshot, tgt.snapshot, opts) };
  const differs = result.plan.diff.changes.length > 0;
  if (input.flag("verify") && differs) {
    const adapter = await adapterFor(tgt.snapshot.engine);
    // The scratch database is of the target's engine: the source's server serves only when it is one too.
    const sameEngine = src.url !== undefined && engines.engineIdFromUrl(src.url) === tgt.snapshot.engine;
    const server = input.string("scratch") ?? tgt.url ?? (sameEngine ? src.url : undefined);
    if (!server && tgt.snapshot.engine !== "sqlite") {
      throw new UsageError(
        `--verify needs a ${tgt.snapshot.engine} server for the scratch database: give --scratch URL`,
        "diff",
      );
    }
    result.verify = await d.verifyPlan(result.plan, {
      ...opts,
      source: src.snapshot,
      target: tgt.snapshot,
      adapter,
      scratchUrl: server ?? "sqlite::memory:",
      ...(tgt.url ? { targetUrl: tgt.url } : {}),
    });
  }
  if (format === "json") {
    const p = result.plan;
    out.document({
      differences: d.diffToJson(p.diff),
      sync: { sql: p.sql, down: p.down, withheld: p.withheld, unsupported: p.unsupported, risk: p.risk ?? null },
      ...(result.verify ? { verify: result.verify } : {}),
    });
  } else if (format === "sql") out.raw(sqlDocument(result));
  else printText(out, d, result);
  if (result.verify && !result.verify.verified) return 2;
  return differs ? 1 : 0;
}
