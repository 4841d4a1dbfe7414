// The analyser of the engines read through token preparation (SQL Server, Oracle, ClickHouse): lex
// with the engine's quoting, prepare (take out what the shared reader does not know), read, check
// syntax, run the rules with what the script did before.
import type { SchemaSnapshot } from "../../schema/index.ts";
import type { Dialect, Statement } from "../../types.ts";
import type { Analyser } from "../analyser.ts";
import type { PreparedRisk } from "../assess.ts";
import { findingSink } from "../findings.ts";
import type { TokenCtx, TokenRule } from "./context.ts";
import { createScript } from "./context.ts";
import { snapshotFromStatements } from "./ddl-schema.ts";
import type { ExprFlavour } from "./expr.ts";
import { type LexFlavour, lexStatement, type Tok } from "./lex.ts";
import type { Prepared } from "./prepare.ts";
import { type ReadResult, readStatement } from "./read.ts";
import { finishTokenRules, runTokenRules } from "./run.ts";
import { type Astify, parserRefusal, type SyntaxVerdict, syntaxVerdict } from "./syntax.ts";

export interface PreparedEngine {
  engine: Extract<TokenCtx["engine"], "sqlserver" | "oracle" | "clickhouse">;
  lex: LexFlavour;
  expr: ExprFlavour;
  prepare(toks: Tok[]): Prepared;
  /** The statement's syntax, from the raw tokens and the reader's result. */
  syntax(s: { text: string; toks: readonly Tok[]; read: ReadResult; start: number }): SyntaxVerdict | undefined;
  rules: readonly TokenRule[];
}

export interface PreparedRead {
  /** The statement's own tokens, before preparation. */
  raw: Tok[];
  prepared: Prepared;
  read: ReadResult;
}

export function readPrepared(e: Pick<PreparedEngine, "lex" | "expr" | "prepare">, st: Statement): PreparedRead {
  const raw = lexStatement(st.text, st.start.offset, e.lex);
  const prepared = e.prepare(raw);
  const read: ReadResult =
    prepared.stmt !== undefined ? { stmt: prepared.stmt, problems: [] } : readStatement(prepared.toks, e.expr);
  if (prepared.notes.bounded === true && read.stmt.kind === "select") read.stmt.select.limit = true;
  return { raw, prepared, read };
}

export function preparedAnalyser(e: PreparedEngine): Analyser {
  return (input, subjects) => {
    const script = createScript(input.schema, input.noTransaction);
    const sink = findingSink(input, subjects);
    input.statements.forEach((st, i) => {
      const { raw, prepared, read } = readPrepared(e, st);
      if (raw.length === 0) return;
      const verdict = e.syntax({ text: st.text, toks: raw, read, start: st.start.offset });
      // Code the preparation already marked as unread says so itself, more precisely.
      if (verdict !== undefined && !(verdict.check === "raw-sql-unchecked" && prepared.notes.opaque !== undefined)) {
        sink.push(i, verdict.at, verdict.check, { message: verdict.message, hint: verdict.hint });
        if (verdict.check !== "raw-sql-unchecked") return;
      }
      runTokenRules(e.rules, {
        engine: e.engine,
        index: i,
        stmt: read.stmt,
        toks: prepared.toks,
        st,
        noTransaction: input.noTransaction,
        script,
        sink,
        notes: prepared.notes,
      });
    });
    return finishTokenRules(e.rules, script, sink);
  };
}

/** What one of these engines brings; the syntax verdict and the analyser around it are shared. */
export interface PreparedEngineSpec extends Omit<PreparedEngine, "syntax"> {
  dialect: Dialect;
  /** The engine's name in messages ("SQL Server"). */
  engineName: string;
  /** Words a statement can start with. */
  statementWords: ReadonlySet<string>;
  /**
   * Loads the engine's parser (a node-sql-parser build, on first use) to check syntax where it
   * parses. Absent: no parser of the engine's grammar runs here and the token reader alone decides.
   */
  parser?: () => Promise<Astify[]>;
}

/** The risk entry of a prepared engine: its dialect, its reader and its analyser. */
export function preparedRisk(spec: PreparedEngineSpec): PreparedRisk {
  const { dialect, engineName, statementWords, parser, ...engine } = spec;
  const analyser = (astify: Astify[] | undefined): Analyser =>
    preparedAnalyser({
      ...engine,
      syntax: ({ text, toks, read, start }) =>
        syntaxVerdict({
          toks,
          read,
          refusal: astify === undefined ? "none" : parserRefusal(astify, text),
          start,
          engineName,
          statementWords,
          alwaysFirstWord: true,
        }),
    });
  const tokensOnly = parser === undefined ? analyser(undefined) : undefined;
  return {
    dialect,
    reader: { lex: engine.lex, expr: engine.expr, prepare: engine.prepare },
    analyser: async () => tokensOnly ?? analyser(await parser?.()),
  };
}

/** The schema a DDL file of one of these engines leaves behind (--schema FILE.sql). */
export function snapshotFromPreparedDdl(
  statements: readonly Statement[],
  engine: PreparedEngine["engine"],
  reader: Pick<PreparedEngine, "lex" | "expr" | "prepare">,
): SchemaSnapshot {
  return snapshotFromStatements(statements, engine, (st) => {
    const r = readPrepared(reader, st);
    return { toks: r.prepared.toks, stmt: r.read.stmt };
  });
}
