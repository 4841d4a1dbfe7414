// SQLite dialect: quoting and statement splitting as sqlite3_complete() sees a statement end.
//
// Decisions:
// - '…' strings double their quotes (no backslash escapes); "…" and `…` identifiers double theirs;
//   […] identifiers end at the first "]". -- and /* */ comments; /* */ does not nest.
// - CREATE [TEMP|TEMPORARY] TRIGGER … BEGIN … END keeps the ";" of its body: like sqlite3_complete,
//   the statement ends only at a ";" that follows "; END" (or "BEGIN END"), so CASE … END inside
//   the body does not end it.
// - ownSegment: VACUUM ("cannot VACUUM from within a transaction"), PRAGMA journal_mode (WAL
//   cannot be entered or left inside one) and PRAGMA foreign_keys (silently a no-op inside one), with
//   or without a schema prefix, read or set. ATTACH/DETACH are not: current SQLite runs them inside
//   a transaction (checked in dialect.int.test.ts).

import {
  C,
  comments,
  composeDialect,
  composeLexer,
  nulFreeLiteral,
  type Opener,
  quotes,
  type SigToken,
  type StatementAnalyzer,
  scanToBracket,
  words,
} from "../sql/index.ts";

const lexSqlite = composeLexer(
  comments(false),
  quotes(
    { open: C.squote, kind: "string" },
    { open: C.dquote, kind: "identifier" },
    { open: C.backtick, kind: "identifier" },
    { open: C.lbracket, kind: "identifier", scan: scanToBracket },
  ),
  words({ dollar: true }),
);

const OWN_SEGMENT_PRAGMAS = new Set(["JOURNAL_MODE", "FOREIGN_KEYS"]);

function sqliteAnalyzer(): StatementAnalyzer {
  const head: string[] = [];
  let trigger = false;
  let sawBegin = false;
  let opener = 0;
  let what = "";
  // The two tokens before the current one, to see "; END" or "BEGIN END".
  let prev1 = "";
  let prev2 = "";
  const bodyClosed = (): boolean => prev1 === "END" && (prev2 === ";" || prev2 === "BEGIN");
  return {
    feed(tok: SigToken): void {
      if (head.length === 0) opener = tok.start;
      if (head.length < 6) {
        head.push(tok.upper);
        if (!trigger && isTriggerHead(head)) {
          trigger = true;
          what = "unclosed CREATE TRIGGER … END block";
        }
      }
      if (trigger && !sawBegin && tok.upper === "BEGIN") {
        sawBegin = true;
        opener = tok.start;
        what = "unclosed BEGIN … END block";
      }
      prev2 = prev1;
      prev1 = tok.kind === "word" || tok.kind === "punct" ? tok.upper : "";
    },
    semicolonEnds: () => !trigger || bodyClosed(),
    // A trigger whose END closes the input without a ";" is complete, like any final statement.
    unclosed: (): Opener | null => (trigger && !bodyClosed() ? { offset: opener, what } : null),
    ownSegment: () => sqliteOwnSegment(head),
  };
}

/** EXPLAIN [QUERY PLAN] CREATE [TEMP|TEMPORARY] TRIGGER, decided when the TRIGGER word arrives. */
function isTriggerHead(h: string[]): boolean {
  if (h.at(-1) !== "TRIGGER") return false;
  let i = 0;
  if (h[i] === "EXPLAIN") i += h[i + 1] === "QUERY" ? 3 : 1;
  if (h[i] !== "CREATE") return false;
  i++;
  if (h[i] === "TEMP" || h[i] === "TEMPORARY") i++;
  return i === h.length - 1;
}

function sqliteOwnSegment(h: string[]): boolean {
  switch (h[0]) {
    case "VACUUM":
      return true;
    case "PRAGMA":
      // PRAGMA [schema.]name: a quoted schema is "" here, the "." follows it either way.
      return OWN_SEGMENT_PRAGMAS.has((h[2] === "." ? h[3] : h[1]) ?? "");
    default:
      return false;
  }
}

const spec = { lex: lexSqlite, analyzer: sqliteAnalyzer };

/** SQLite reads SQL text only up to a NUL, so a NUL in a literal is refused. */
export const sqliteDialect = composeDialect({ quote: '"', literal: nulFreeLiteral, spec });
