// PostgreSQL analysis: the real parser (libpg-query) over the split statements, then the rules.
// The file is parsed in one call where possible (STACK.md: ~13 µs per statement that way, more per
// call); when that fails or disagrees with the splitter, each statement is parsed on its own so a
// syntax error is pinned to its statement and the rest is still checked.
import { loadModule, type Node, type ParseResult, parseSync } from "libpg-query";
import type { Statement } from "../../types.ts";
import type { AnalyseInput } from "../analyser.ts";
import type { CheckId } from "../catalog.ts";
import { findingSink } from "../findings.ts";
import type { Finding } from "../model.ts";
import { byteToCharMapper } from "../text.ts";
import { LEAF_TYPES, nodeType, walk } from "./ast.ts";
import { createScriptState, type FinishCtx, type PgRule, type Report, type StmtCtx } from "./context.ts";
import { PG_RULES } from "./rules/index.ts";
import { applyEffects } from "./state.ts";
import { syntaxFindings } from "./syntax.ts";

await loadModule();

interface Parsed {
  node: Node | undefined;
  /** String offset in the file of byte offset 0 of the parsed text. */
  toOffset(location: number): number;
  error?: { message: string; offset: number };
}

export function analysePostgres(input: AnalyseInput, subjects: Map<Finding, string[]>): Finding[][] {
  const parsed = parseAll(input.src, input.statements);
  const state = createScriptState(input.schema);
  const sink = findingSink(input, subjects);
  const push = sink.push;
  input.statements.forEach((st, i) => {
    const p = parsed[i];
    if (p === undefined) return;
    const node = p.node;
    if (node === undefined) {
      for (const f of syntaxFindings(st, p.error)) push(i, f.offset, f.check, f);
      return;
    }
    const ctx = statementCtx(i, input.noTransaction ? { ...st, ownSegment: true } : st, { ...p, node }, state, push);
    runRules(PG_RULES, ctx);
    applyEffects(ctx);
  });
  const finish: FinishCtx = { script: state, reportAt: push };
  for (const rule of PG_RULES) rule.finish?.(finish);
  return sink.done();
}

export function statementCtx(
  index: number,
  st: Statement,
  p: Parsed & { node: Node },
  script: StmtCtx["script"],
  push: (statement: number, offset: number, check: CheckId, r: Report) => void,
): StmtCtx {
  const offsetOf = (location: number | undefined): number =>
    location === undefined || location < 0 ? st.start.offset : p.toOffset(location);
  return {
    index,
    node: p.node,
    type: nodeType(p.node),
    text: st.text,
    ownSegment: st.ownSegment,
    script,
    offsetOf,
    report: (check, r) => push(index, offsetOf(r.location), check, r),
    existing: (table) => !script.created.has(table),
  };
}

type Handler = (value: unknown, ctx: StmtCtx, parentType: string, parent: unknown) => void;

/** Node type → the rules' handlers for it, in rule order: one lookup per node instead of one per rule. */
const HANDLERS = new Map<string, Handler[]>();
for (const rule of PG_RULES) {
  for (const [type, handler] of Object.entries(rule.nodes ?? {})) {
    if (handler === undefined) continue;
    HANDLERS.set(type, [...(HANDLERS.get(type) ?? []), handler as Handler]);
  }
}

/** Leaf types no rule handles: the rules' walk skips them (every handled type is still visited). */
const SKIP = new Set([...LEAF_TYPES].filter((t) => !HANDLERS.has(t)));

function runRules(rules: readonly PgRule[], ctx: StmtCtx): void {
  for (const rule of rules) rule.statement?.(ctx);
  walk(
    ctx.node,
    (type, value, parentType, parent) => {
      const handlers = HANDLERS.get(type);
      if (handlers !== undefined) for (const h of handlers) h(value, ctx, parentType, parent);
    },
    SKIP,
  );
}

export function parseAll(src: string, statements: Statement[]): Parsed[] {
  const last = statements.at(-1);
  if (last === undefined) return [];
  const whole = src.slice(0, last.endOffset);
  const result = tryParse(whole);
  const stmts = result.ok ? (result.value.stmts ?? []) : [];
  if (stmts.length === statements.length) {
    const toChar = byteToCharMapper(whole);
    return stmts.map((s) => ({ node: s.stmt, toOffset: toChar }));
  }
  return statements.map((st) => parseOne(st));
}

function parseOne(st: Statement): Parsed {
  const toChar = byteToCharMapper(st.text);
  const toOffset = (b: number): number => st.start.offset + toChar(b);
  const result = tryParse(st.text);
  // The parser's cursor counts characters, unlike node locations, which count bytes.
  if (!result.ok)
    return { node: undefined, toOffset, error: { message: result.message, offset: st.start.offset + result.at } };
  const first = result.value.stmts?.[0]?.stmt;
  return { node: first, toOffset };
}

type Attempt = { ok: true; value: ParseResult } | { ok: false; message: string; at: number };

function tryParse(text: string): Attempt {
  try {
    return { ok: true, value: parseSync(text) };
  } catch (err) {
    // The parser reports bad SQL by throwing; turn it into a value here and nowhere else.
    const details = err instanceof Error ? Reflect.get(err, "sqlDetails") : undefined;
    const at = typeof details === "object" && details !== null ? Reflect.get(details, "cursorPosition") : undefined;
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, message, at: typeof at === "number" ? Math.max(0, at) : 0 };
  }
}
