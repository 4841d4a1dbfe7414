// A PostgreSQL script as statements and their parse trees, chunk by chunk, with PostgreSQL's own
// parser finding the statements. The parser bounds every statement it reads (stmt_location,
// stmt_len), so a script it accepts needs no split of our own: the text is cut into chunks at a
// ";" that ends a line, each chunk is parsed in one call, and its statements are read off the
// tree. A cut is kept only when the parser accepted the chunk and its last statement ends at a ";"
// of its own: a cut in a string, a body or a block comment leaves it unclosed (refused), one in a
// line comment after the last ";" is harmless, and one in a line comment inside a statement leaves
// that statement without a ";" (it may go on in the next chunk). So a kept cut is where a
// statement may start, and chunk by chunk reads the same as the whole script at once.
//
// When the parser refuses a chunk (a syntax error, or a cut inside a dollar-quoted body) the rest
// of the script is split by the dialect's splitter from the last kept cut, and parsed in chunks of
// whole statements (analyze.ts pins a syntax error to its statement). The statements are the
// splitter's either way (first token to last token, ownSegment, positions): chunks.test.ts holds
// the two to the same answer.
import type { ParseResult } from "libpg-query";
import { postgresDialect, postgresOwnSegmentAt, postgresStatementEnd } from "../../postgres/dialect.ts";
import type { SqlProblem, Statement } from "../../types.ts";
import { byteToCharMapper, createTextIndex, type TextIndex } from "../text.ts";
import type { ParseAttempt } from "./pg-wasm.ts";

/** A run of consecutive statements and the parser's answer for the text that holds them. */
export interface ParsedChunk {
  /** 0-based index of the chunk's first statement in the script. */
  first: number;
  statements: Statement[];
  /** The parsed text is script[from, to): node locations count its bytes. */
  from: number;
  to: number;
  /** The parser's answer for that text: its tree, or its refusal. */
  parsed: ParseAttempt;
  /** Who bounded the statements: the parser (its tree's statements), or the splitter after a refusal. */
  foundBy: "parser" | "splitter";
}

/**
 * Characters in the first chunk cut from the script; each next one doubles, up to `max`: the first
 * calls run while the WASM code is still tiering up (a long call keeps running the slow code it
 * started in), later ones make few calls (~13 µs per statement many to a call, more one by one).
 * A test hook: 1 cuts at every ";" that ends a line.
 */
export const cutSettings = { first: 2_048, max: 65_536 };

/**
 * Statements per parser call where the splitter bounded them: many to a call (STACK.md: ~13 µs per
 * statement that way, more one by one), in chunks that start small (the first calls run while the
 * WASM code is still tiering up) and double up to MAX_STATEMENTS.
 */
const FIRST_STATEMENTS = 16;
const MAX_STATEMENTS = 1024;

const nextStatementCount = (count: number): number => Math.min(count * 2, MAX_STATEMENTS);

/** [from, to) ranges of `n` statements, one per parser call. */
export function* statementRanges(n: number): Generator<[number, number]> {
  for (let from = 0, size = FIRST_STATEMENTS; from < n; from += size, size = nextStatementCount(size)) {
    yield [from, Math.min(n, from + size)];
  }
}

/** A ";" that ends its line (only blanks after it): where a chunk may end. */
const CUT = /;[ \t]*(?:\r\n?|\n)/g;

/**
 * Calls `emit` with the script's statements and their parse, in order, chunk by chunk, and returns
 * how many there were and the split's problems (an unclosed quote: the rest was not read).
 * `lines`: the script's line index, when the caller has one (assess() does).
 */
export function parseScript(
  src: string,
  firstLine: number,
  parse: (text: string) => ParseAttempt,
  emit: (chunk: ParsedChunk) => void,
  lines: TextIndex = createTextIndex(src, firstLine),
): { count: number; problems: SqlProblem[] } {
  // A byte-order mark is not text of the first statement (the splitter skips it too).
  let from = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  let count = 0;
  let size = cutSettings.first;
  while (from < src.length) {
    let to = src.length;
    // The rest in one call when it is not much longer than a chunk.
    if (src.length - from > size + (size >> 1)) {
      CUT.lastIndex = from + size;
      const m = CUT.exec(src);
      if (m !== null) to = m.index + m[0].length;
    }
    const text = src.slice(from, to);
    const parsed = parse(text);
    const statements = parsed.ok ? statementsOf(parsed.value, text, from, to, to < src.length, count) : undefined;
    if (statements === undefined) break;
    if (statements.length > 0) emit({ first: count, statements, from, to, parsed, foundBy: "parser" });
    count += statements.length;
    from = to;
    size = Math.min(size * 2, cutSettings.max);
  }
  if (from >= src.length) return { count, problems: [] };
  return splitRest(src, firstLine, parse, emit, { offset: from, index: count });

  function statementsOf(
    tree: ParseResult,
    text: string,
    base: number,
    end: number,
    cut: boolean,
    before: number,
  ): Statement[] | undefined {
    const stmts = tree.stmts ?? [];
    const toChar = byteToCharMapper(text);
    const out: Statement[] = [];
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      const location = s?.stmt_location ?? 0;
      const length = s?.stmt_len ?? 0;
      const start = base + toChar(location);
      // Length 0: the statement runs to the end of the text (no ";" after it).
      const limit = length === 0 ? end : base + toChar(location + length);
      // A cut chunk whose last statement has no ";" of its own: the ";" cut at was in a comment
      // and the statement may go on in the next chunk.
      if (cut && length === 0) return undefined;
      const stop = postgresStatementEnd(src, start, limit);
      const at = lines.position(start);
      out.push({
        index: before + i + 1,
        text: src.slice(start, stop),
        start: { line: at.line, column: at.column, offset: start },
        endOffset: stop,
        ownSegment: postgresOwnSegmentAt(src, start, stop),
      });
    }
    return out;
  }
}

/** The rest of the script from a kept cut: the dialect's splitter, then chunks of whole statements. */
function splitRest(
  src: string,
  firstLine: number,
  parse: (text: string) => ParseAttempt,
  emit: (chunk: ParsedChunk) => void,
  resume: { offset: number; index: number },
): { count: number; problems: SqlProblem[] } {
  let pending: Statement[] = [];
  let size = FIRST_STATEMENTS;
  let count = resume.index;
  const send = () => {
    if (pending.length === 0) return;
    emit(statementChunk(src, count, pending, parse));
    count += pending.length;
    pending = [];
    size = nextStatementCount(size);
  };
  const { problems } = postgresDialect.split(src, {
    firstLine,
    resume: { offset: resume.offset, index: resume.index + 1 },
    onStatement(st) {
      pending.push(st);
      if (pending.length >= size) send();
    },
  });
  send();
  return { count, problems };
}

/** Statements split by the splitter as a chunk: their text, first token to last, in one parser call. */
export function statementChunk(
  src: string,
  first: number,
  statements: Statement[],
  parse: (text: string) => ParseAttempt,
): ParsedChunk {
  const from = statements[0]?.start.offset ?? 0;
  const to = statements.at(-1)?.endOffset ?? from;
  return { first, statements, from, to, parsed: parse(src.slice(from, to)), foundBy: "splitter" };
}
