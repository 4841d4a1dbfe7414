// PostgreSQL analysis: the real parser (libpg-query) over the split statements, then the rules.
// Statements are parsed many to a call (STACK.md: ~13 µs per statement that way, more per call), in
// chunks that start small: the parser's WASM code is still being compiled to machine code when the
// first call starts, and a long call keeps running the slow code it started in. A long script's
// chunks are parsed on the parse worker (parse-pool.ts) a few chunks ahead of the rules, so the two
// run at once on two cores; the first chunk is parsed here while the worker starts. A chunk that
// fails or disagrees with the splitter is parsed statement by statement here, so a syntax error is
// pinned to its statement and the others are still checked.
import type { Node, ParseResult } from "libpg-query";
import type { Statement } from "../../types.ts";
import type { AnalyseInput } from "../analyser.ts";
import type { CheckId } from "../catalog.ts";
import { findingSink } from "../findings.ts";
import type { Finding } from "../model.ts";
import { byteToCharMapper } from "../text.ts";
import { LEAF_TYPES, nodeType, walk } from "./ast.ts";
import { createScriptState, type FinishCtx, type PgRule, type Report, type StmtCtx } from "./context.ts";
import type { ParsePool } from "./parse-pool.ts";
import { parse, parseWorker, ready, usesParseWorker } from "./parser.ts";
import type { RawParse } from "./pg-wasm.ts";
import { PG_RULES } from "./rules/index.ts";
import { applyEffects } from "./state.ts";
import { syntaxFindings } from "./syntax.ts";

await ready;

/** Chunks handed to the parse worker ahead of the one the rules are on. */
const AHEAD = 2;

interface Parsed {
  node: Node | undefined;
  /** A node location (a byte offset in the parsed text) as a string offset in the file. */
  toOffset(location: number): number;
  error?: { message: string; offset: number };
}

export async function analysePostgres(input: AnalyseInput, subjects: Map<Finding, string[]>): Promise<Finding[][]> {
  const state = createScriptState(input.schema);
  const sink = findingSink(input, subjects);
  const push = sink.push;
  const ranges = [...chunks(input.statements.length)];
  const pool: ParsePool | undefined = ranges.length > 1 && usesParseWorker(input.src) ? parseWorker() : undefined;
  const queued = new Map<number, Promise<RawParse | undefined>>();
  let toQueue = 1;
  // Chunk by chunk: a chunk's trees are dropped once its statements are checked.
  for (let c = 0; c < ranges.length; c++) {
    const [from, to] = ranges[c] ?? [0, 0];
    for (; pool !== undefined && toQueue < ranges.length && toQueue <= c + AHEAD; toQueue++) {
      const [qFrom, qTo] = ranges[toQueue] ?? [0, 0];
      queued.set(
        toQueue,
        pool.parse(chunkText(input.src, input.statements, qFrom, qTo)).catch(() => undefined),
      );
    }
    const job = queued.get(c);
    queued.delete(c);
    const parsed = parseChunk(input.src, input.statements.slice(from, to), job === undefined ? undefined : await job);
    for (let i = from; i < to; i++) {
      const p = parsed[i - from];
      const st = input.statements[i];
      if (p === undefined || st === undefined) continue;
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
  }
  const finish: FinishCtx = { script: state, reportAt: push };
  for (const rule of PG_RULES) rule.finish?.(finish);
  return sink.done();
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

/** The first chunk's size; each next one doubles, up to MAX_CHUNK. */
const FIRST_CHUNK = 16;
const MAX_CHUNK = 1024;

/** [from, to) statement ranges, one per parser call. */
function* chunks(n: number): Generator<[number, number]> {
  let size = FIRST_CHUNK;
  for (let from = 0; from < n; from += size, size = Math.min(size * 2, MAX_CHUNK)) {
    yield [from, Math.min(n, from + size)];
  }
}

export function parseAll(src: string, statements: Statement[]): Parsed[] {
  const out: Parsed[] = [];
  for (const [from, to] of chunks(statements.length)) {
    for (const p of parseChunk(src, statements.slice(from, to), undefined)) out.push(p);
  }
  return out;
}

/** The source text of statements [from, to): what one parser call reads. */
function chunkText(src: string, statements: Statement[], from: number, to: number): string {
  const first = statements[from];
  const last = statements[to - 1];
  return first === undefined || last === undefined ? "" : src.slice(first.start.offset, last.endOffset);
}

/**
 * The statements' trees from one parser call (the worker's answer when it gave one, else a call
 * here), or from one call each when that call fails or disagrees.
 */
function parseChunk(src: string, statements: Statement[], raw: RawParse | undefined): Parsed[] {
  const first = statements[0];
  if (first === undefined) return [];
  const start = first.start.offset;
  const text = chunkText(src, statements, 0, statements.length);
  const result =
    raw === undefined ? parse(text) : raw.ok ? { ok: true as const, value: JSON.parse(raw.json) as ParseResult } : raw;
  const stmts = result.ok ? (result.value.stmts ?? []) : [];
  if (stmts.length !== statements.length) return statements.map((st) => parseOne(st));
  const toChar = byteToCharMapper(text);
  const toOffset = (b: number): number => start + toChar(b);
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
