// MySQL and MariaDB dialects: quoting and statement splitting as the mysql client splits a script.
//
// Decisions:
// - `DELIMITER x` (at the start of a statement) switches the terminator for the following text and
//   is not itself a statement; its argument is the first word after it on its line. A missing
//   argument or one with a backslash is a bad_delimiter problem and splitting stops there.
// - Strings '…' and "…" take backslash escapes and doubled quotes (NO_BACKSLASH_ESCAPES and
//   ANSI_QUOTES are off by default). `…` identifiers double their backticks.
// - "#" and "-- " start line comments; "--" must be followed by whitespace or a control character
//   (`--1` is an expression). /* */ comments do not nest.
// - /*! … */ executable comments are statement text (both engines); /*M! … */ is statement text on
//   MariaDB only and an ordinary comment on MySQL. An executable comment ends at the first */.
// - Without DELIMITER, CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT (and ALTER EVENT … DO) bodies keep
//   their ";": BEGIN, CASE, LOOP, WHILE open a block, and IF, REPEAT, FOR do where a statement
//   starts (so IF(…) and REPEAT(…) calls do not); END [IF|CASE|LOOP|…] closes one. The same applies
//   to compound statements at the top level (BEGIN NOT ATOMIC …, IF … END IF), which MariaDB runs.
//   A body that is a bare IF/CASE/loop directly after a routine's characteristics needs DELIMITER.
// - ownSegment is always false: MySQL has no transactional DDL, every statement commits anyway.

import {
  C,
  composeDialect,
  composeLexer,
  type Lexed,
  type Lexer,
  type Opener,
  parenDepth,
  quotes,
  type SigToken,
  type StatementAnalyzer,
  scanBlockComment,
  scanLineComment,
  token,
  unclosed,
  words,
} from "../sql/index.ts";

function createLexer(mariadb: boolean): Lexer {
  // "#" and "-- " line comments; executable comments (/*!, and /*M! on MariaDB) are statement text.
  const comments = (src: string, pos: number): Lexed | null => {
    const c = src.charCodeAt(pos);
    const next = src.charCodeAt(pos + 1);
    if (c === C.hash || (c === C.dash && next === C.dash && !(src.charCodeAt(pos + 2) > C.space))) {
      return token("comment", pos, scanLineComment(src, pos));
    }
    if (c === C.slash && next === C.star) {
      const executable = src.charCodeAt(pos + 2) === C.bang || (mariadb && src.startsWith("M!", pos + 2));
      const end = scanBlockComment(src, pos, false);
      if (end < 0) {
        return unclosed("unclosed_comment", `unclosed ${executable ? "executable" : "block"} comment`, pos);
      }
      return token(executable ? "opaque" : "comment", pos, end);
    }
    return null;
  };
  return composeLexer(
    comments,
    quotes(
      { open: C.squote, kind: "string", backslash: true },
      { open: C.dquote, kind: "string", backslash: true },
      { open: C.backtick, kind: "identifier" },
    ),
    words({ dollar: true, extraStart: [C.dollar] }),
  );
}

interface Block {
  offset: number;
  word: string;
  /** A CASE inside an expression: its THEN/ELSE are followed by expressions, not statements. */
  expr: boolean;
}

const ROUTINES = new Set(["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"]);
const OTHER_OBJECTS = new Set([
  "TABLE",
  "VIEW",
  "INDEX",
  "DATABASE",
  "SCHEMA",
  "USER",
  "ROLE",
  "SERVER",
  "TABLESPACE",
  "LOGFILE",
  "SEQUENCE",
  "UNIQUE",
  "FULLTEXT",
  "SPATIAL",
  "TEMPORARY",
  "RESOURCE",
]);
const COMPOUND_FIRST = new Set(["IF", "WHILE", "LOOP", "REPEAT", "CASE", "FOR"]);
/** Where a CREATE's object kind must have shown up (after OR REPLACE, DEFINER = …, IF NOT EXISTS). */
const GATE_LIMIT = 16;

function mysqlAnalyzer(): StatementAnalyzer {
  let count = 0;
  let gate: "undecided" | "on" | "off" = "undecided";
  let first = "";
  let firstStart = 0;
  let parens = 0;
  const blocks: Block[] = [];
  let prev: SigToken | null = null;
  let prevOpened = false;
  let prevAtStatement = false;

  const atStatement = (): boolean => {
    if (prev === null) return true;
    if (prev.kind === "punct") {
      return prev.upper === ";" || prev.upper === ":" || (prev.upper === ")" && parens === 0 && blocks.length === 0);
    }
    if (prev.kind !== "word") return false;
    switch (prev.upper) {
      case "BEGIN":
      case "LOOP":
      case "REPEAT":
        return prevOpened;
      case "THEN":
      case "ELSE":
        return blocks.at(-1)?.expr !== true;
      case "DO":
        // `WHILE … DO` and an event's `DO` start a body; the DO statement itself takes an expression.
        return !prevAtStatement;
      case "ROW":
        return blocks.length === 0;
      case "ATOMIC":
        return true;
      default:
        return false;
    }
  };

  const decide = (tok: SigToken): void => {
    if (count === 1) {
      first = tok.upper;
      firstStart = tok.start;
      if (COMPOUND_FIRST.has(first)) gate = "on";
      else if (first !== "CREATE" && first !== "ALTER" && first !== "BEGIN") gate = "off";
    } else if (first === "BEGIN") {
      // BEGIN NOT ATOMIC is a compound statement; BEGIN [WORK] starts a transaction.
      gate = tok.upper === "NOT" ? "on" : "off";
      if (gate === "on") blocks.push({ offset: firstStart, word: "BEGIN", expr: false });
    } else if (ROUTINES.has(tok.upper)) {
      gate = "on";
    } else if (OTHER_OBJECTS.has(tok.upper) || count > GATE_LIMIT) {
      gate = "off";
    }
  };

  const track = (tok: SigToken): void => {
    const here = atStatement();
    let opened = false;
    if (tok.kind === "word" && !(prev?.kind === "word" && prev.upper === "END")) {
      const open = (expr: boolean): void => {
        blocks.push({ offset: tok.start, word: tok.upper, expr });
        opened = true;
      };
      switch (tok.upper) {
        case "BEGIN":
          if (prev?.upper !== "XA") open(false);
          break;
        case "CASE":
          open(!here);
          break;
        case "LOOP":
        case "WHILE":
          open(false);
          break;
        case "IF":
        case "REPEAT":
        case "FOR":
          if (here) open(false);
          break;
        case "END":
          blocks.pop();
          break;
      }
    }
    prevOpened = opened;
    prevAtStatement = here;
  };

  return {
    feed(tok: SigToken): void {
      count++;
      if (gate === "undecided") decide(tok);
      if (gate === "on") track(tok);
      parens = parenDepth(parens, tok);
      prev = tok;
    },
    semicolonEnds: () => blocks.length === 0,
    unclosed(): Opener | null {
      const b = blocks.at(-1);
      return b === undefined ? null : { offset: b.offset, what: `unclosed ${b.word} … END block` };
    },
    ownSegment: () => false,
  };
}

const LITERAL_ESCAPES = new Map([
  ["\0", "\\0"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\x1a", "\\Z"],
  ["\\", "\\\\"],
  ["'", "''"],
]);

/** Backslashes are escapes in MySQL strings by default, so they are escaped as well as quotes. */
function mysqlLiteral(value: string): string {
  const parts: string[] = ["'"];
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const escaped = LITERAL_ESCAPES.get(value.charAt(i));
    if (escaped === undefined) continue;
    parts.push(value.slice(from, i), escaped);
    from = i + 1;
  }
  parts.push(value.slice(from), "'");
  return parts.join("");
}

function createDialect(mariadb: boolean) {
  const spec = { lex: createLexer(mariadb), analyzer: mysqlAnalyzer, delimiterCommand: true };
  return composeDialect({ quote: "`", literal: mysqlLiteral, spec });
}

export const mysqlDialect = createDialect(false);
export const mariadbDialect = createDialect(true);
