// ClickHouse dialect: quoting and statement splitting as clickhouse-client --multiquery splits a script.
//
// Decisions:
// - '…' strings take backslash escapes and doubled quotes; "…" and `…` identifiers too.
// - -- and /* */ comments; /* */ does not nest. There are no procedural blocks: ";" outside
//   parentheses always ends a statement.
// - ownSegment is always false: ClickHouse has no transactions, every statement stands alone.

import {
  C,
  comments,
  composeDialect,
  composeLexer,
  type Opener,
  parenDepth,
  quotes,
  type SigToken,
  type StatementAnalyzer,
  words,
} from "../sql/index.ts";

const lexClickHouse = composeLexer(
  comments(false),
  quotes(
    { open: C.squote, kind: "string", backslash: true },
    { open: C.dquote, kind: "identifier", backslash: true },
    { open: C.backtick, kind: "identifier", backslash: true },
  ),
  words({ dollar: true, extraStart: [C.dollar] }),
);

function clickHouseAnalyzer(): StatementAnalyzer {
  let parens = 0;
  let first = -1;
  return {
    feed(tok: SigToken): void {
      if (first < 0) first = tok.start;
      parens = parenDepth(parens, tok);
    },
    semicolonEnds: () => parens === 0,
    unclosed: (): Opener | null =>
      parens > 0 ? { offset: Math.max(0, first), what: "unclosed parenthesis in the statement" } : null,
    ownSegment: () => false,
  };
}

const LITERAL_ESCAPES: Record<string, string> = { "\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r" };

const spec = { lex: lexClickHouse, analyzer: clickHouseAnalyzer };

export const clickHouseDialect = composeDialect({
  quote: "`",
  /** Backslash is an escape in ClickHouse strings, so it is escaped as well as the quote. */
  literal: (value: string): string => `'${value.replace(/[\\'\0\n\r]/g, (ch) => LITERAL_ESCAPES[ch] ?? ch)}'`,
  spec,
});

const TSV_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A value as one field of ClickHouse's TabSeparated input (NULL is written as \N by the caller). */
export function clickHouseTsvField(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (ch) => TSV_ESCAPES[ch] ?? ch) : value;
}

const TSV_BYTE_ESCAPES: Record<number, number> = { 92: 0x5c, 9: 0x74, 10: 0x6e, 13: 0x72 };

/** Raw bytes as one TabSeparated field of a String column: only \, tab, LF and CR are escaped. */
export function clickHouseTsvBytes(value: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of value) if (TSV_BYTE_ESCAPES[b] !== undefined) extra++;
  if (extra === 0) return value;
  const out = new Uint8Array(value.length + extra);
  let j = 0;
  for (const b of value) {
    const e = TSV_BYTE_ESCAPES[b];
    if (e === undefined) out[j++] = b;
    else {
      out[j++] = 0x5c;
      out[j++] = e;
    }
  }
  return out;
}
