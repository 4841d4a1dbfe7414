// Oracle dialect: quoting and statement splitting as SQL*Plus and SQLcl split a script.
//
// Decisions:
// - A line holding only `/` ends the statement in progress (SQL*Plus runs the buffer) and is not
//   itself a statement; inside a string or a comment it is text.
// - PL/SQL units (DECLARE or BEGIN blocks; CREATE [OR REPLACE] [[NON]EDITIONABLE] PROCEDURE,
//   FUNCTION, PACKAGE [BODY], TRIGGER, TYPE [BODY], LIBRARY) keep their ";": they end at the `/`
//   line (or the end of the file).
// - '…' strings double their quotes; q'[…]' alternative quoting (any delimiter, brackets pair up),
//   with N/n before it too. "…" identifiers. -- and /* */ comments; /* */ does not nest.
// - ownSegment is always false: Oracle commits before and after every DDL statement anyway.

import {
  C,
  comments,
  composeDialect,
  composeLexer,
  isDigit,
  isIdentStart,
  type Lexed,
  nulFreeLiteral,
  type Opener,
  parenDepth,
  quotes,
  type SigToken,
  type StatementAnalyzer,
  scanWord,
  separatorLine,
  token,
  unclosed,
} from "../sql/index.ts";

const Q_CLOSE: Record<string, string> = { "[": "]", "{": "}", "(": ")", "<": ">" };

/** End (exclusive) of a q'X…X' literal whose q is at `pos`, or -1 when it never closes. */
export function scanQQuote(src: string, pos: number): number {
  const open = src.charAt(pos + 2);
  if (open === "" || /\s/.test(open)) return -1;
  const close = `${Q_CLOSE[open] ?? open}'`;
  const j = src.indexOf(close, pos + 3);
  return j < 0 ? -1 : j + 2;
}

/** Where a q-quote starts at `pos` (q' or nq'), the offset of its q; -1 otherwise. */
export function qQuoteAt(src: string, pos: number): number {
  const c = src.charCodeAt(pos) | 0x20;
  if (c === 113 /* q */ && src.charCodeAt(pos + 1) === C.squote) return pos;
  if (c === 110 /* n */ && (src.charCodeAt(pos + 1) | 0x20) === 113 && src.charCodeAt(pos + 2) === C.squote)
    return pos + 1;
  return -1;
}

/** q'…' literals (with N/n before them too). */
function qQuotes(src: string, pos: number): Lexed | null {
  const q = qQuoteAt(src, pos);
  if (q < 0) return null;
  const end = scanQQuote(src, q);
  return end < 0 ? unclosed("unclosed_quote", "unclosed q'…' literal", pos) : token("quoted", pos, end);
}

/** Words; "#" continues one, as in Oracle names. */
function oracleWords(src: string, pos: number, delimiter: string): Lexed | null {
  const c = src.charCodeAt(pos);
  if (!isIdentStart(c) && !isDigit(c)) return null;
  let end = scanWord(src, pos, true, delimiter);
  while (src.charCodeAt(end) === C.hash) end = scanWord(src, end, true, delimiter);
  return token("word", pos, end);
}

const lexOracle = composeLexer(
  comments(false),
  qQuotes,
  quotes({ open: C.squote, kind: "string" }, { open: C.dquote, kind: "identifier" }),
  oracleWords,
);

const PLSQL_OBJECTS = new Set(["PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER", "TYPE", "LIBRARY"]);
const CREATE_NOISE = new Set(["OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE"]);

function oracleAnalyzer(): StatementAnalyzer {
  let count = 0;
  let plsql = false;
  let decided = false;
  let first = "";
  let firstStart = 0;
  let parens = 0;
  return {
    feed(tok: SigToken): void {
      count++;
      if (count === 1) {
        first = tok.upper;
        firstStart = tok.start;
        if (first === "DECLARE" || first === "BEGIN") plsql = decided = true;
        else if (first !== "CREATE") decided = true;
      } else if (!decided && !CREATE_NOISE.has(tok.upper)) {
        plsql = PLSQL_OBJECTS.has(tok.upper);
        decided = true;
      }
      parens = parenDepth(parens, tok);
    },
    semicolonEnds: () => !plsql && parens === 0,
    unclosed(): Opener | null {
      // A PL/SQL unit at the end of the file ends there, as SQLcl runs it.
      return parens > 0 && !plsql ? { offset: firstStart, what: "unclosed parenthesis in the statement" } : null;
    },
    ownSegment: () => false,
  };
}

const spec = {
  lex: lexOracle,
  analyzer: oracleAnalyzer,
  separator: (src: string, pos: number) => (src.charCodeAt(pos) === C.slash ? separatorLine(src, pos, "/", false) : -1),
};

export const oracleDialect = composeDialect({ quote: '"', literal: nulFreeLiteral, spec });
