// assess(): split the script with the engine's dialect (PostgreSQL: its parser finds the
// statements, postgres/chunks.ts), run that engine's analyser over the statements, and turn split
// problems (an unclosed quote swallows the rest) into findings.
import { MigratrixError } from "../../common/errors.ts";
import type { SchemaSnapshot } from "../schema/index.ts";
import type { Dialect, EngineId, SplitResult, SqlProblem, Statement } from "../types.ts";
import type { AnalyseInput, Analyser } from "./analyser.ts";
import { CATALOG, type CheckId, checksFor } from "./catalog.ts";
import { attachImpact } from "./impact.ts";
import type { AssessOptions, Finding, RiskReport, StatementReport } from "./model.ts";
import { maxLevel } from "./model.ts";
import { createTextIndex } from "./text.ts";
import type { PreparedEngine } from "./tokens/prepared-analyser.ts";

type EngineRisk = EngineRiskBase &
  (
    | {
        /** Loaded on first use too, so one engine's assessment never loads another's files. */
        dialect(): Dialect | Promise<Dialect>;
        /** Loaded on first use: parsers take tens of milliseconds to load. */
        analyser(): Promise<Analyser>;
        splitAndAnalyse?: undefined;
      }
    | {
        dialect?: undefined;
        analyser?: undefined;
        /** Splits and analyses at once (PostgreSQL: its parser finds the statements). */
        splitAndAnalyse(
          input: Omit<AnalyseInput, "statements">,
          firstLine: number,
          subjects: Map<Finding, string[]>,
        ): Promise<{ split: SplitResult; findings: Finding[][] }>;
      }
  );

interface EngineRiskBase {
  /**
   * Starts what can load off the main thread (a parser's WASM compile and instance). assess()
   * awaits it first: a dynamic import is only evaluated once the main thread yields, so merely
   * starting the analysis's import would leave the parser waiting behind the rules' modules.
   */
  preload?(): Promise<unknown>;
  /** The schema a DDL file leaves behind. */
  ddlSchema(sql: string): Promise<SchemaSnapshot>;
}

/** What an engine read through token preparation hands to assess(): its splitter, reader and analyser. */
export interface PreparedRisk {
  dialect: Dialect;
  reader: Pick<PreparedEngine, "lex" | "expr" | "prepare">;
  analyser(): Analyser | Promise<Analyser>;
}

function prepared(engine: PreparedEngine["engine"], load: () => Promise<PreparedRisk>): EngineRisk {
  return {
    dialect: async () => (await load()).dialect,
    analyser: async () => (await load()).analyser(),
    ddlSchema: async (sql) => {
      const [risk, { snapshotFromPreparedDdl }] = await Promise.all([load(), import("./tokens/prepared-analyser.ts")]);
      return snapshotFromPreparedDdl(risk.dialect.split(sql).statements, engine, risk.reader);
    },
  };
}

const ENGINES: Partial<Record<EngineId, EngineRisk>> = {
  postgresql: {
    preload: async () => {
      (await import("./postgres/parser.ts")).parserReady().catch(() => undefined);
    },
    splitAndAnalyse: async (input, firstLine, subjects) =>
      (await import("./postgres/analyze.ts")).analysePostgres(input, firstLine, subjects),
    ddlSchema: async (sql) => (await import("./postgres/ddl-schema.ts")).snapshotFromPostgresDdl(sql),
  },
  // node-sql-parser loads only here, on first use: PostgreSQL never pays for it.
  mysql: {
    dialect: async () => (await import("../mysql/dialect.ts")).mysqlDialect,
    analyser: async () => (await import("./mysql/analyze.ts")).mysqlAnalyser("mysql"),
    ddlSchema: async (sql) => (await import("./tokens/ddl-schema.ts")).snapshotFromDdl(sql, "mysql"),
  },
  mariadb: {
    dialect: async () => (await import("../mysql/dialect.ts")).mariadbDialect,
    analyser: async () => (await import("./mysql/analyze.ts")).mysqlAnalyser("mariadb"),
    ddlSchema: async (sql) => (await import("./tokens/ddl-schema.ts")).snapshotFromDdl(sql, "mariadb"),
  },
  // SQLite's own parser (bun:sqlite) checks syntax; the rules read tokens.
  sqlite: {
    dialect: async () => (await import("../sqlite/dialect.ts")).sqliteDialect,
    analyser: async () => (await import("./sqlite/analyze.ts")).analyseSqlite,
    ddlSchema: async (sql) => (await import("./tokens/ddl-schema.ts")).snapshotFromDdl(sql, "sqlite"),
  },
  // The dialect-only engines: the token reader after each engine's preparation; node-sql-parser's
  // T-SQL build checks SQL Server syntax (it has no Oracle or ClickHouse grammar).
  sqlserver: prepared("sqlserver", async () => (await import("./sqlserver/analyze.ts")).SQLSERVER_RISK),
  oracle: prepared("oracle", async () => (await import("./oracle/analyze.ts")).ORACLE_RISK),
  clickhouse: prepared("clickhouse", async () => (await import("./clickhouse/analyze.ts")).CLICKHOUSE_RISK),
};

function engineRisk(engine: EngineId): EngineRisk {
  const found = ENGINES[engine];
  if (found === undefined) {
    throw new MigratrixError(
      "unimplemented",
      `risk assessment has no rules for ${engine} in this version (has: ${RISK_ENGINES.join(", ")})`,
    );
  }
  return found;
}

/** A schema snapshot from a DDL file: what `--schema FILE.sql` stands for. */
export function schemaFromDdl(sql: string, engine: EngineId): Promise<SchemaSnapshot> {
  return engineRisk(engine).ddlSchema(sql);
}

/** Engines assess() has rules for in this version. */
export const RISK_ENGINES = Object.keys(ENGINES) as EngineId[];

export function enabledChecks(opts: Pick<AssessOptions, "engine" | "include" | "exclude">): Set<CheckId> {
  const include = new Set(opts.include ?? []);
  const exclude = new Set(opts.exclude ?? []);
  return new Set(
    checksFor(opts.engine).filter((id) => !exclude.has(id) && (!("optIn" in CATALOG[id]) || include.has(id))),
  );
}

export async function assess(sql: string, opts: AssessOptions): Promise<RiskReport> {
  const engine = engineRisk(opts.engine);
  const firstLine = opts.firstLine ?? 1;
  // Started first: a parser's WASM compiles and instantiates off the main thread while the rules
  // load. Its failure is thrown below by the analysis, whenever the script has text to parse: a
  // blank one needs no parser.
  await engine.preload?.().catch(() => undefined);
  const enabled = enabledChecks(opts);
  const subjects = new Map<Finding, string[]>();
  const base = {
    src: sql,
    text: createTextIndex(sql, firstLine),
    schema: opts.schema,
    enabled,
    noTransaction: opts.noTransaction === true,
  };
  const { split, findings: perStatement } =
    engine.splitAndAnalyse === undefined
      ? await splitThenAnalyse(engine.analyser(), await engine.dialect(), base, firstLine, subjects)
      : await engine.splitAndAnalyse(base, firstLine, subjects);
  if (opts.appDir !== undefined && subjects.size > 0) attachImpact(opts.appDir, subjects);
  const statements: StatementReport[] = split.statements.map((st, i) => statementReport(i, st, perStatement[i] ?? []));
  for (const problem of split.problems) {
    const rest = restOfFile(sql, split.statements.at(-1)?.endOffset ?? 0, base.text);
    const finding = problemFinding(problem);
    statements.push({
      index: statements.length,
      line: rest.line,
      column: rest.column,
      sql: rest.sql,
      level: finding.level,
      findings: enabled.has(finding.check) ? [finding] : [],
    });
  }
  for (const s of statements) s.level = maxLevel(s.findings.map((f) => f.level));
  return { engine: opts.engine, level: maxLevel(statements.map((s) => s.level)), statements };
}

async function splitThenAnalyse(
  analyser: Promise<Analyser>,
  dialect: Dialect,
  base: Omit<AnalyseInput, "statements">,
  firstLine: number,
  subjects: Map<Finding, string[]>,
): Promise<{ split: SplitResult; findings: Finding[][] }> {
  analyser.catch(() => undefined);
  const split = dialect.split(base.src, { firstLine });
  const findings =
    split.statements.length === 0 ? [] : await (await analyser)({ ...base, statements: split.statements }, subjects);
  return { split, findings };
}

function statementReport(index: number, st: Statement, findings: Finding[]): StatementReport {
  return {
    index,
    line: st.start.line,
    column: st.start.column,
    sql: st.text,
    level: maxLevel(findings.map((f) => f.level)),
    findings,
  };
}

/** The unparsed tail: from the first character after the last complete statement's terminator. */
function restOfFile(sql: string, from: number, text: ReturnType<typeof createTextIndex>) {
  let i = from;
  while (i < sql.length && (/\s/.test(sql.charAt(i)) || sql.charAt(i) === ";")) i++;
  const p = text.position(i);
  return { line: p.line, column: p.column, sql: sql.slice(i).trimEnd() };
}

function problemFinding(p: SqlProblem): Finding {
  const rest = "; the rest of the file was not analysed";
  const finding = (check: CheckId, hint: string): Finding => ({
    check,
    level: "High",
    message: `${p.message}${rest}`,
    line: p.line,
    column: p.column,
    hint,
  });
  switch (p.code) {
    case "unclosed_quote":
    case "unclosed_identifier":
    case "unclosed_dollar_quote":
      return finding("unclosed-quote", "close the quote; everything after it is read as part of the string");
    case "unclosed_block":
      return p.message.startsWith("unclosed parenthesis")
        ? finding("unbalanced-parens", "close the parenthesis")
        : finding("syntax-error", "close the block with END");
    default:
      return finding("syntax-error", "fix the script text at that position");
  }
}
