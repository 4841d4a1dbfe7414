// Tokens of one statement for the token-level analysers (MySQL/MariaDB, SQLite, SQL Server, Oracle,
// ClickHouse): words, quoted
// identifiers, strings and operators with their file offsets; comments dropped. Built on the same
// scanning helpers as the dialect splitters, so a quote or comment is read the way the splitter read it.
import { qQuoteAt, scanQQuote } from "../../oracle/dialect.ts";
import {
  C,
  isDigit,
  isIdentStart,
  isSpace,
  scanBlockComment,
  scanLineComment,
  scanQuoted,
  scanWord,
} from "../../sql/index.ts";
import { scanBracket } from "../../sqlserver/dialect.ts";

export type TokKind = "word" | "ident" | "string" | "number" | "op";

export interface Tok {
  kind: TokKind;
  /** Raw text; for ident and string the unquoted value. */
  text: string;
  /** Upper-cased text of a word or operator ("" for ident and string). */
  upper: string;
  /** File offsets. */
  start: number;
  end: number;
}

export interface LexFlavour {
  /** MySQL: "#" comments, backslash escapes, "…" is a string, /*! … *\/ executable comments. */
  mysql: boolean;
  /** MariaDB also runs /*M! … *\/. */
  mariadb: boolean;
  /** Backslash escapes in '…' strings without MySQL's other rules (ClickHouse). */
  backslash?: boolean;
  /** […] is not an identifier (ClickHouse array literals, Oracle). Default: it is, except on MySQL. */
  noBrackets?: boolean;
  /** Oracle's q'[…]' alternative quoting. */
  qQuote?: boolean;
  /** SQL Server: #temp, ##global and @variable names are words. */
  hashNames?: boolean;
  /** SQL Server and Oracle: "]]" inside […] stands for "]"; /* *\/ nests (SQL Server). */
  nestedComments?: boolean;
}

const OPS = ["<=>", "<=", ">=", "<>", "!=", "||", "&&", ":=", "->>", "->", "<<", ">>", "=="];

/** Tokens of `text`, which starts at file offset `base`. Never throws; an unclosed run ends the list. */
export function lexStatement(text: string, base: number, f: LexFlavour): Tok[] {
  const out: Tok[] = [];
  lexInto(text, 0, text.length, base, f, out);
  return out;
}

function lexInto(src: string, from: number, to: number, base: number, f: LexFlavour, out: Tok[]): void {
  let i = from;
  while (i < to) {
    const c = src.charCodeAt(i);
    const next = src.charCodeAt(i + 1);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if ((f.mysql && c === C.hash) || (c === C.dash && next === C.dash && (!f.mysql || !(src.charCodeAt(i + 2) > 32)))) {
      i = scanLineComment(src, i);
      continue;
    }
    if (c === C.slash && next === C.star) {
      const end = scanBlockComment(src, i, f.nestedComments === true);
      const stop = end < 0 ? to : Math.min(end, to);
      const exec = f.mysql && (src.charCodeAt(i + 2) === C.bang || (f.mariadb && src.startsWith("M!", i + 2)));
      if (exec) {
        // /*!50001 body */: the body is statement text on the engine (the version number is not).
        let j = i + (src.charCodeAt(i + 2) === C.bang ? 3 : 4);
        while (j < stop && isDigit(src.charCodeAt(j))) j++;
        lexInto(src, j, Math.max(j, stop - 2), base, f, out);
      }
      i = stop;
      continue;
    }
    const q = f.qQuote === true ? qQuoteAt(src, i) : -1;
    if (q >= 0) {
      // q'[…]': the body as written, no quote doubling inside.
      const end = scanQQuote(src, q);
      const stop = end < 0 ? to : Math.min(end, to);
      out.push(tok("string", src.slice(q + 3, Math.max(q + 3, stop - 2)), i, stop, base));
      i = stop;
      continue;
    }
    if (c === C.squote || (f.mysql && c === C.dquote)) {
      const backslash = f.mysql || f.backslash === true;
      const end = scanQuoted(src, i, c, backslash);
      const stop = end < 0 ? to : end;
      out.push(tok("string", unquote(src.slice(i, stop), backslash), i, stop, base));
      i = stop;
      continue;
    }
    if (c === C.backtick || c === C.dquote || (!f.mysql && f.noBrackets !== true && c === C.lbracket)) {
      const bracket = c === C.lbracket;
      const end = bracket
        ? f.hashNames === true
          ? scanBracket(src, i)
          : src.indexOf("]", i + 1) + 1
        : scanQuoted(src, i, c, f.backslash === true);
      const stop = end <= 0 ? to : end;
      const body = src.slice(i + 1, Math.max(i + 1, stop - 1));
      const quote = bracket ? "]" : String.fromCharCode(c);
      out.push(
        tok("ident", bracket && f.hashNames !== true ? body : body.replaceAll(quote + quote, quote), i, stop, base),
      );
      i = stop;
      continue;
    }
    if (f.hashNames === true && c === C.hash) {
      const j = Math.min(scanWord(src, i, true, ";"), to);
      out.push(tok("word", src.slice(i, j), i, j, base));
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      let j = i + 1;
      while (j < to && (isDigit(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      // 1e10, 0x1F, and MySQL identifiers that start with digits (1abc) are words.
      if (j < to && isIdentStart(src.charCodeAt(j))) {
        j = scanWord(src, i, f.mysql, ";");
        out.push(tok("word", src.slice(i, j), i, j, base));
      } else {
        out.push(tok("number", src.slice(i, j), i, j, base));
      }
      i = j;
      continue;
    }
    const varStart = c === 64 /* @ */ && (isIdentStart(next) || isDigit(next) || next === 64);
    if (isIdentStart(c) || c === C.dollar || varStart) {
      // @var and @@session.var stay one word.
      let j = c === 64 ? i + 1 : i;
      if (src.charCodeAt(j) === 64) j++;
      j =
        j < to && (isIdentStart(src.charCodeAt(j)) || isDigit(src.charCodeAt(j))) ? scanWord(src, j, true, ";") : j + 1;
      while (c === 64 && src.charCodeAt(j) === 46 && isIdentStart(src.charCodeAt(j + 1)))
        j = scanWord(src, j + 1, true, ";");
      out.push(tok("word", src.slice(i, Math.min(j, to)), i, Math.min(j, to), base));
      i = Math.min(j, to);
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    const len = op?.length ?? 1;
    out.push(tok("op", src.slice(i, i + len), i, i + len, base));
    i += len;
  }
}

function tok(kind: TokKind, text: string, start: number, end: number, base: number): Tok {
  return {
    kind,
    text,
    upper: kind === "word" || kind === "op" ? text.toUpperCase() : "",
    start: base + start,
    end: base + end,
  };
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", b: "\b", Z: "\x1a" };

function unquote(raw: string, backslash: boolean): string {
  const q = raw.charAt(0);
  const body = raw.endsWith(q) && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  const doubled = body.replaceAll(q + q, q);
  if (!backslash || !doubled.includes("\\")) return doubled;
  return doubled.replace(/\\(.)/gs, (_m, ch: string) => ESCAPES[ch] ?? ch);
}
