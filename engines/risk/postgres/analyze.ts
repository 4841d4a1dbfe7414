// PostgreSQL analysis: the real parser (libpg-query) over the split statements, then the rules.
// Statements are parsed many to a call, in chunks (pg-wasm.ts). A long script is split and parsed on
// the parse worker (parse-pool.ts) while the main thread runs the rules on the chunks that came
// back: two cores, and neither the split nor the parser's WASM on the main thread's path. Whatever
// the worker cannot do is done here, with the same result. A chunk that fails or disagrees with
// the splitter is parsed statement by statement, so a syntax error is pinned to its statement and
// the others are still checked.
import type { Node, ParseResult } from "libpg-query";
import { postgresDialect } from "../../postgres/dialect.ts";
import type { SplitResult, Statement } from "../../types.ts";
import type { AnalyseInput } from "../analyser.ts";
import type { CheckId } from "../catalog.ts";
import { findingSink } from "../findings.ts";
import type { Finding } from "../model.ts";
import { byteToCharMapper } from "../text.ts";
import { LEAF_TYPES, nodeType, walk } from "./ast.ts";
import { createScriptState, type FinishCtx, type PgRule, type Report, type StmtCtx } from "./context.ts";
import type { SplitStream } from "./parse-pool.ts";
import { parse, parserReady } from "./parser.ts";
import { FIRST_CHUNK, nextChunkSize, type RawParse } from "./pg-wasm.ts";
import { mayHaveLongName } from "./rules/hygiene.ts";
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
    /** Statements [first, first + statements.length), with the worker's parse of their text if it made one. */
    check(first: number, statements: Statement[], raw: RawParse | undefined): void {
      const parsed = parseChunk(input.src, statements, raw);
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

/** Checks a script split here, parsing on this thread. */
export async function analysePostgres(input: AnalyseInput, subjects: Map<Finding, string[]>): Promise<Finding[][]> {
  await parserReady();
  const c = checker(input, subjects);
  checkHere(c, input.statements, 0);
  return c.done();
}

/** Parses and checks statements [from, end) on this thread, chunk by chunk (a chunk's trees are dropped once checked). */
function checkHere(c: ReturnType<typeof checker>, statements: Statement[], from: number): void {
  for (const [a, b] of chunks(statements.length - from))
    c.check(from + a, statements.slice(from + a, from + b), undefined);
}

/**
 * Analyses a script from the parse worker's chunks as they come (parse-pool.ts), finishing on the
 * main thread from where the worker stopped if it fails.
 */
export async function analysePostgresStream(
  stream: SplitStream,
  input: Omit<AnalyseInput, "statements">,
  firstLine: number,
  subjects: Map<Finding, string[]>,
): Promise<{ split: SplitResult; findings: Finding[][] }> {
  const statements: Statement[] = [];
  const c = checker({ ...input, statements }, subjects);
  for (;;) {
    let next: Awaited<ReturnType<typeof stream.next>>;
    try {
      next = await stream.next();
    } catch {
      // The worker failed: the same split here, the rules go on from the first statement it did not send.
      await parserReady();
      const split = postgresDialect.split(input.src, { firstLine });
      const done = statements.length;
      statements.push(...split.statements.slice(done));
      checkHere(c, statements, done);
      return { split: { statements, problems: split.problems }, findings: c.done() };
    }
    if ("done" in next) return { split: { statements, problems: next.problems }, findings: c.done() };
    statements.push(...next.statements);
    // This thread's parser only for what the worker's answer does not cover: a chunk it refused is
    // parsed here statement by statement, and long names are read from the scanner's tokens.
    if (!next.raw.ok || next.statements.some((st) => mayHaveLongName(st.text))) await parserReady();
    c.check(next.first, next.statements, next.raw);
  }
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

/** [from, to) statement ranges, one per parser call. */
function* chunks(n: number): Generator<[number, number]> {
  for (let from = 0, size = FIRST_CHUNK; from < n; from += size, size = nextChunkSize(size)) {
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

/**
 * The statements' trees from one parser call (the worker's answer when it gave one, else a call
 * here), or from one call each when that call fails or disagrees.
 */
function parseChunk(src: string, statements: Statement[], raw: RawParse | undefined): Parsed[] {
  const first = statements[0];
  const last = statements.at(-1);
  if (first === undefined || last === undefined) return [];
  const start = first.start.offset;
  const text = src.slice(start, last.endOffset);
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
