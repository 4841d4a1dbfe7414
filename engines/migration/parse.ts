// The migration file format: optional "-- UP" / "-- DOWN" marker lines split a file into a header,
// an up section and a down section; a file without markers is all up.
//
// Rules (markers and directives are whole lines, found wherever they are, even inside a string
// or a dollar-quoted body, so do not start a line of a body with them):
// - A marker line is "--", optional blanks, then UP or DOWN (any case), and nothing else;
//   "-- UP migration" is an ordinary comment, so prose comments are never mistaken for markers.
// - At most one of each marker; "-- DOWN" must come after "-- UP". Without "-- UP", the text
//   before "-- DOWN" (or the whole file) is the up section.
// - Before "-- UP" only blank lines, "--" comments and /* */ comments may stand.
// - "-- migratrix:no-transaction" in the header or the up section sets noTransaction (it applies
//   to the whole migration); in the down section, or any other "-- migratrix:" directive, is refused.
// - up and down are exact slices of the file (a leading byte-order mark removed), without their
//   marker lines; down is null without a "-- DOWN" marker and "" when the marker ends the file.
//   upStartLine/downStartLine are the 1-based file lines where those slices begin: pass them as
//   split's `firstLine` so statements and problems name file lines (offsets stay section-relative).

import { MigratrixError } from "../../common/errors.ts";
import { createLocator } from "../sql/index.ts";
import { migrationChecksum } from "./checksum.ts";
import { parseMigrationFileName } from "./filename.ts";

export interface MigrationFile {
  id: string;
  name: string;
  up: string;
  down: string | null;
  noTransaction: boolean;
  checksum: string;
  upStartLine: number;
  downStartLine: number | null;
}

interface Line {
  number: number;
  start: number;
  /** Start of the next line (after this line's break). */
  next: number;
}

const MARKER = /^--\s*(up|down)$/i;
const DIRECTIVE = /^--\s*migratrix:\s*(.*)$/i;

export function parseMigrationFile(content: string, opts: { fileName: string }): MigrationFile {
  const { id, name } = parseMigrationFileName(opts.fileName);
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const fail = (line: number, column: number, why: string): never => {
    throw new MigratrixError("invalid_argument", `${opts.fileName}:${line}:${column}: ${why}`, {
      file: opts.fileName,
      line,
      column,
    });
  };

  let up: Line | null = null;
  let down: Line | null = null;
  let noTransaction = false;
  for (const line of lines(text)) {
    const trimmed = text.slice(line.start, line.next).trim();
    if (!trimmed.startsWith("--")) continue;
    const marker = MARKER.exec(trimmed)?.[1]?.toUpperCase();
    if (marker === "UP") {
      if (up !== null) fail(line.number, 1, `second -- UP marker (the first is on line ${up.number})`);
      if (down !== null) fail(line.number, 1, `-- UP marker after the -- DOWN marker on line ${down.number}`);
      up = line;
    } else if (marker === "DOWN") {
      if (down !== null) fail(line.number, 1, `second -- DOWN marker (the first is on line ${down.number})`);
      down = line;
    }
    const directive = DIRECTIVE.exec(trimmed)?.[1];
    if (directive === undefined) continue;
    if (directive.toLowerCase() !== "no-transaction") {
      fail(line.number, 1, `unknown directive "migratrix:${directive}" (known: migratrix:no-transaction)`);
    }
    if (down !== null) {
      fail(line.number, 1, "-- migratrix:no-transaction belongs in the header or the up section, not the down section");
    }
    noTransaction = true;
  }

  if (up !== null) {
    const bad = firstNonComment(text, up.start);
    if (bad >= 0) {
      const at = createLocator(text)(bad);
      fail(at.line, at.column, `only comments and blank lines may come before the -- UP marker on line ${up.number}`);
    }
  }
  const upStart = up?.next ?? 0;
  return {
    id,
    name,
    up: text.slice(upStart, down?.start ?? text.length),
    down: down === null ? null : text.slice(down.next),
    noTransaction,
    checksum: migrationChecksum(content),
    upStartLine: up === null ? 1 : up.number + 1,
    downStartLine: down === null ? null : down.number + 1,
  };
}

/** Lines ended by "\n", "\r\n" or a lone "\r", as the splitter counts them. */
function* lines(text: string): Generator<Line> {
  let start = 0;
  for (let number = 1; start < text.length; number++) {
    let i = start;
    while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    const next = text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    yield { number, start, next: Math.min(next, text.length) };
    start = next;
  }
}

/** Offset of the first character in text[0, end) outside blanks and comments, or -1. */
function firstNonComment(text: string, end: number): number {
  let i = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
    } else if (text.startsWith("--", i)) {
      while (i < end && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close < 0 || close + 2 > end) return i;
      i = close + 2;
    } else {
      return i;
    }
  }
  return -1;
}
