// PostgreSQL analysis: the real parser (libpg-query) finds and parses the statements, chunk by
// chunk (chunks.ts), and the rules run on each chunk's trees as it comes. A chunk the parser
// refuses is parsed statement by statement, so a syntax error is pinned to its statement and the
// others are still checked.
import type { Node } from "libpg-query";
import type { SplitResult, Statement } from "../../types.ts";
import type { AnalyseInput } from "../analyser.ts";
import type { CheckId } from "../catalog.ts";
import { findingSink } from "../findings.ts";
import type { Finding } from "../model.ts";
import { byteToCharMapper } from "../text.ts";
import { LEAF_TYPES, nodeType, walk } from "./ast.ts";
import { type ParsedChunk, parseScript, statementChunk, statementRanges } from "./chunks.ts";
import { createScriptState, type FinishCtx, type PgRule, type Report, type StmtCtx } from "./context.ts";
import { parse, parserReady } from "./parser.ts";
import { PG_RULES } from "./rules/index.ts";
import { applyEffects } from "./state.ts";
import { syntaxFindings } from "./syntax.ts";

interface Parsed {
  node: Node | undefined;
  /** A node location (a byte offset in the parsed text) as a string offset in the file. */
  toOffset(location: number): number;
  error?: { message: string; offset: number };
}

/** Runs the rules over a script's statements in order, a chunk at a time. */
function checker(input: AnalyseInput, subjects: Map<Finding, string[]>) {
  const state = createScriptState(input.schema);
  const sink = findingSink(input, subjects);
  const push = sink.push;
  return {
    /** A chunk's statements, on its trees. */
    check(chunk: ParsedChunk): void {
      const parsed = parseChunk(input.src, chunk);
      const { first, statements } = chunk;
      for (let k = 0; k < statements.length; k++) {
        const p = parsed[k];
        const st = statements[k];
        if (p === undefined || st === undefined) continue;
        const i = first + k;
        const node = p.node;
        if (node === undefined) {
          for (const f of syntaxFindings(st, p.error)) push(i, f.offset, f.check, f);
          continue;
        }
        const ctx = statementCtx(i, input.noTransaction ? { ...st, ownSegment: true } : st, node, p.toOffset, {
          script: state,
          push,
        });
        runRules(PG_RULES, ctx);
        applyEffects(ctx);
      }
    },
    done(): Finding[][] {
      const finish: FinishCtx = { script: state, reportAt: push };
      for (const rule of PG_RULES) rule.finish?.(finish);
      return sink.done();
    },
  };
}

/**
 * Chunks at least this long (characters) are followed by a request for a garbage collection. The
 * parser's WASM memory (128 MB from the start) counts in JavaScriptCore's heap size, so its
 * collector lets ~260 MB be allocated before it looks: a long script's trees and statements would
 * each land on fresh pages, never reused, and on a virtual machine a first touch of a page costs
 * microseconds. Collected after each chunk (concurrently, Bun.gc(false)), a long script reuses the
 * same few megabytes: measured on the bench file, a third fewer page faults and ~50 ms less of a
 * ~550 ms cold run.
 */
export const COLLECT_AFTER = 16_384;

/** Finds, parses and checks a script's statements, chunk by chunk (chunks.ts). */
export async function analysePostgres(
  input: Omit<AnalyseInput, "statements">,
  firstLine: number,
  subjects: Map<Finding, string[]>,
): Promise<{ split: SplitResult; findings: Finding[][] }> {
  if (/^\s*$/.test(input.src)) return { split: { statements: [], problems: [] }, findings: [] };
  await parserReady();
  const statements: Statement[] = [];
  const c = checker({ ...input, statements }, subjects);
  const { problems } = parseScript(
    input.src,
    firstLine,
    parse,
    (chunk) => {
      for (const st of chunk.statements) statements.push(st);
      c.check(chunk);
      if (chunk.to - chunk.from >= COLLECT_AFTER) Bun.gc(false);
    },
    input.text,
  );
  return { split: { statements, problems }, findings: c.done() };
}

export function statementCtx(
  index: number,
  st: Statement,
  node: Node,
  toOffset: Parsed["toOffset"],
  opts: { script: StmtCtx["script"]; push: (statement: number, offset: number, check: CheckId, r: Report) => void },
): StmtCtx {
  const offsetOf = (location: number | undefined): number =>
    location === undefined || location < 0 ? st.start.offset : toOffset(location);
  return {
    index,
    node,
    type: nodeType(node),
    text: st.text,
    ownSegment: st.ownSegment,
    script: opts.script,
    offsetOf,
    report: (check, r) => opts.push(index, offsetOf(r.location), check, r),
    existing: (table) => !opts.script.created.has(table),
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
  // Index loops: this runs on every statement, mostly before the JIT has optimised it.
  for (let i = 0; i < rules.length; i++) rules[i]?.statement?.(ctx);
  walk(
    ctx.node,
    (type, value, parentType, parent) => {
      const handlers = HANDLERS.get(type);
      if (handlers !== undefined)
        for (let i = 0; i < handlers.length; i++) handlers[i]?.(value, ctx, parentType, parent);
    },
    SKIP,
  );
}

/** The trees of statements split elsewhere, parsed on this thread (parserReady() first). */
export function parseAll(src: string, statements: Statement[]): Parsed[] {
  const out: Parsed[] = [];
  for (const [a, b] of statementRanges(statements.length)) {
    for (const p of parseChunk(src, statementChunk(src, a, statements.slice(a, b), parse))) out.push(p);
  }
  return out;
}

/**
 * A chunk's trees, one per statement, or from one parser call each when the chunk's parse failed
 * or disagrees with its statements.
 */
function parseChunk(src: string, chunk: ParsedChunk): Parsed[] {
  const { statements, from, parsed } = chunk;
  if (statements.length === 0) return [];
  const stmts = (parsed.ok ? parsed.value.stmts : undefined) ?? [];
  if (stmts.length !== statements.length) return statements.map((st) => parseOne(st));
  const toChar = byteToCharMapper(src.slice(from, chunk.to));
  const toOffset = (b: number): number => from + toChar(b);
  return stmts.map((s) => ({ node: s.stmt, toOffset }));
}

function parseOne(st: Statement): Parsed {
  const toChar = byteToCharMapper(st.text);
  const toOffset = (b: number): number => st.start.offset + toChar(b);
  const result = parse(st.text);
  // The parser's cursor counts characters, unlike node locations, which count bytes.
  if (!result.ok)
    return { node: undefined, toOffset, error: { message: result.message, offset: st.start.offset + result.at } };
  const first = result.value.stmts?.[0]?.stmt;
  return { node: first, toOffset };
}
