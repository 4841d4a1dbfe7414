// mx risk FILE|-: scores a SQL script Low → Critical per statement, offline (no server, no token).
// The risk module is imported directly and lazily: the engine registry would load every driver.
// The migration-file parser and the engine registry are imported where used: a cold `mx risk` is
// what users wait for.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { RiskReport } from "../../engines/risk/index.ts";
import type { SchemaSnapshot } from "../../engines/schema/index.ts";
import { ENGINE_IDS, type EngineId } from "../../engines/types.ts";
import { UsageError } from "../errors.ts";
import type { Colour, Output } from "../output.ts";
import { defineCommand } from "./types.ts";

type RiskModule = typeof import("../../engines/risk/index.ts");

const ALIASES: Record<string, EngineId> = { postgres: "postgresql", pg: "postgresql", mssql: "sqlserver" };

/** Like cli/engines.ts parseEngine, without loading the engine registry (every driver) for an offline check. */
function engineOf(text: string): EngineId {
  const lower = text.toLowerCase();
  const id = (ENGINE_IDS as readonly string[]).includes(lower) ? (lower as EngineId) : ALIASES[lower];
  if (id === undefined)
    throw new UsageError(`unknown engine '${text}': expected one of ${ENGINE_IDS.join(", ")}`, "risk");
  return id;
}

const PAINT: Record<string, Colour[]> = {
  Critical: ["red", "bold"],
  High: ["red"],
  Medium: ["yellow"],
  Low: ["cyan"],
  None: ["green"],
};

function paintLevel(out: Output, level: string, text = level): string {
  return (PAINT[level] ?? []).reduce((t, c) => out.paint(c, t), text);
}

function readInput(cwd: string, file: string): Promise<string> | string {
  if (file === "-") return Bun.stdin.text();
  const path = resolve(cwd, file);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? err);
    throw new MigratrixError("invalid_argument", `cannot read ${path}: ${why}`);
  }
}

function checkList(risk: RiskModule, text: string | undefined, what: string) {
  if (text === undefined) return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      if (!risk.isCheckId(s)) throw new UsageError(`${what}: unknown check '${s}'`, "risk");
      return s;
    });
}

/** One block per finding: where, level and check, the source line with a caret, message and hint. */
export function renderRiskText(out: Output, report: RiskReport, sql: string, name: string): string {
  const lines = sql.split(/\r\n|\r|\n/);
  const blocks: string[] = [];
  let findings = 0;
  for (const st of report.statements) {
    for (const f of st.findings) {
      findings++;
      const source = (lines[f.line - 1] ?? "").replaceAll("\t", " ");
      // Columns count code points; a terminal shows some (emoji, CJK) two cells wide.
      const before = Array.from(source)
        .slice(0, Math.max(0, f.column - 1))
        .join("");
      const caret = `${" ".repeat(Bun.stringWidth(before))}^`;
      blocks.push(
        [
          `${out.paint("bold", `${name}:${f.line}:${f.column}`)} ${paintLevel(out, f.level)} ${f.check}`,
          `  ${source}`,
          `  ${paintLevel(out, f.level, caret)}`,
          `  ${f.message}`,
          `  ${out.paint("dim", `hint: ${f.hint}`)}`,
          ...(f.impact ?? []).map((r) => `  ${out.paint("yellow", "used at")} ${r.file}:${r.line}  ${r.text}`),
        ].join("\n"),
      );
    }
  }
  const n = report.statements.length;
  blocks.push(
    `${paintLevel(out, report.level, report.level)}: ${n} statement${n === 1 ? "" : "s"}, ${findings} finding${findings === 1 ? "" : "s"} (${report.engine})`,
  );
  return blocks.join("\n\n");
}

const MARKER = /^--[ \t]*(?:up|down)[ \t]*$/im;

/** The up (or down) section of a migration file with markers; the whole text otherwise. */
async function section(
  text: string,
  down: boolean,
): Promise<{ sql: string; firstLine: number; noTransaction: boolean }> {
  if (!MARKER.test(text) && !/^--[ \t]*migratrix:/im.test(text)) {
    if (down) throw new UsageError("--down needs a migration file with a -- DOWN marker", "risk");
    return { sql: text, firstLine: 1, noTransaction: false };
  }
  // The file name only has to satisfy the migration-name rules; sections do not depend on it.
  const { parseMigrationFile } = await import("../../engines/migration/index.ts");
  const m = parseMigrationFile(text, { fileName: "0_risk.sql" });
  if (!down) return { sql: m.up, firstLine: m.upStartLine, noTransaction: m.noTransaction };
  if (m.down === null || m.downStartLine === null) {
    throw new UsageError("--down: the file has no -- DOWN section", "risk");
  }
  return { sql: m.down, firstLine: m.downStartLine, noTransaction: m.noTransaction };
}

/** "prod/main": an environment/connection name, unless a file of that name exists. */
function isConnectionName(cwd: string, text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_-]*$/.test(text) && !existsSync(resolve(cwd, text));
}

/** Local mode: the CLI itself connects and introspects (the registry loads the drivers only here). */
async function introspect(url: string): Promise<SchemaSnapshot> {
  const engines = await (await import("../engines.ts")).loadEngines();
  let adapter: ReturnType<typeof engines.engineFromUrl>;
  try {
    adapter = engines.engineFromUrl(url);
  } catch (err) {
    throw new UsageError(`--schema: ${MigratrixError.from(err).message}`, "risk");
  }
  const session = await adapter.driver.connect(url, { connectTimeoutMs: 10_000 });
  try {
    return await adapter.inspector.inspect(session);
  } finally {
    await session.close();
  }
}

export const riskAssess = defineCommand({
  path: ["risk"],
  summary: "score a SQL script's risk per statement (offline)",
  args: ["FILE|-"],
  options: {
    engine: {
      type: "string",
      value: "E",
      description: "postgresql, mysql, mariadb, sqlite, sqlserver, oracle or clickhouse",
    },
    schema: {
      type: "string",
      value: "FILE|URL|ENV/CONN",
      description: "existing schema: snapshot .json, DDL .sql, a database URL or ENV/CONNECTION (through its agent)",
    },
    down: { type: "boolean", description: "assess the -- DOWN section of a migration file instead of the up one" },
    "app-dir": {
      type: "string",
      value: "DIR",
      description: "list where the application uses what is dropped or renamed",
    },
    format: { type: "string", value: "F", description: "text (default) or json" },
    "fail-on": { type: "string", value: "LEVEL", description: "exit 1 when a finding reaches it (default Critical)" },
    include: { type: "string", value: "CHECKS", description: "opt-in checks to run too (comma-separated)" },
    exclude: { type: "string", value: "CHECKS", description: "checks to skip (comma-separated)" },
  },
  details: [
    "A migration file with -- UP / -- DOWN markers is assessed section by section (--down for the down one).",
    "--schema takes a snapshot .json, a DDL .sql file, a database URL (introspected locally) or",
    "ENV/CONNECTION (introspected by its agent; needs a token, like every platform command).",
    "Exit 0 unless a finding reaches --fail-on (then 1); 2 for usage errors.",
    "JSON: {engine, level, statements: [{index, line, column, sql, level, findings: [{check, level, message, line, column, hint}]}]}",
  ],
  async run({ io, out, input, clients }) {
    const file = input.positionals[0] ?? "";
    const engine = engineOf(input.required("engine"));
    const format = input.string("format") ?? (out.json ? "json" : "text");
    if (format !== "text" && format !== "json")
      throw new UsageError(`--format must be text or json, got '${format}'`, "risk");
    // The parser's compile (tens of milliseconds) overlaps loading the rules and reading the input.
    import("../../engines/risk/warm.ts").then(
      (m) => m.warmRisk(engine),
      () => undefined,
    );
    const risk: RiskModule = await import("../../engines/risk/index.ts");
    const failOnText = input.string("fail-on") ?? "Critical";
    const failOn = risk.parseRiskLevel(failOnText);
    if (failOn === undefined) {
      throw new UsageError(`--fail-on must be one of ${risk.RISK_LEVELS.join(", ")}, got '${failOnText}'`, "risk");
    }
    if (!risk.RISK_ENGINES.includes(engine)) {
      throw new UsageError(`risk has no rules for ${engine} yet (has: ${risk.RISK_ENGINES.join(", ")})`, "risk");
    }
    const include = checkList(risk, input.string("include"), "--include");
    const exclude = checkList(risk, input.string("exclude"), "--exclude");
    const schemaFile = input.string("schema");
    let schema: Awaited<ReturnType<RiskModule["schemaFromDdl"]>> | undefined;
    if (schemaFile !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(schemaFile) && !/^[a-z]:[\\/]/i.test(schemaFile)) {
      schema = await introspect(schemaFile);
    } else if (schemaFile !== undefined && isConnectionName(io.cwd, schemaFile)) {
      // The live schema through the serving agent: RBAC (schema.read) and audit apply on the server.
      const res = await clients().schema.introspect({ connection: schemaFile, schemas: [] });
      schema = (await import("../../engines/schema/index.ts")).snapshotFromJson(res.snapshotJson);
    } else if (schemaFile !== undefined) {
      const text = await readInput(io.cwd, schemaFile);
      if (schemaFile.endsWith(".json")) {
        schema = (await import("../../engines/schema/index.ts")).snapshotFromJson(text);
      } else if (schemaFile.endsWith(".sql")) {
        schema = await risk.schemaFromDdl(text, engine);
      } else {
        throw new UsageError(
          "--schema takes a snapshot .json, a DDL .sql file, a database URL or ENV/CONNECTION",
          "risk",
        );
      }
    }
    const whole = await readInput(io.cwd, file);
    const { sql, firstLine, noTransaction } = await section(whole, input.flag("down"));
    const appDir = input.string("app-dir");
    const report = await risk.assess(sql, {
      engine,
      schema,
      include,
      exclude,
      firstLine,
      noTransaction,
      ...(appDir === undefined ? {} : { appDir: resolve(io.cwd, appDir) }),
    });
    if (format === "json") out.document(report);
    else out.line(renderRiskText(out, report, whole, file === "-" ? "<stdin>" : file));
    return report.level !== "None" && risk.levelRank(report.level) >= risk.levelRank(failOn) ? 1 : 0;
  },
});
