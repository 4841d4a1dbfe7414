// The checksum of a migration file. It is written to every target's migratrix_history table and
// compared on every later run, for as long as those databases live: the normalisation below must
// NEVER change, or every applied migration would suddenly look edited. Add a new function (and a
// version marker in the history table) instead of touching this one.
//
// Normalisation, in this order, over the WHOLE file (header, up and down sections):
//   1. one leading U+FEFF (UTF-8 byte-order mark) is removed;
//   2. "\r\n" becomes "\n", then any remaining "\r" becomes "\n";
//   3. on every line, trailing U+0020 space, U+0009 tab, U+000B vertical tab and U+000C form feed
//      characters are removed (exactly these four; no other Unicode whitespace);
//   4. empty lines at the end of the file are removed;
//   5. the remaining lines are joined with "\n" and exactly one "\n" is appended (an empty or
//      all-blank file normalises to "\n").
// The checksum is the lowercase hex SHA-256 of the UTF-8 encoding of the result (a lone surrogate
// encodes as U+FFFD, as TextEncoder does). Leading blank lines and indentation are significant.

import { createHash } from "node:crypto";

export function normaliseMigrationText(content: string): string {
  const text = (content.charCodeAt(0) === 0xfeff ? content.slice(1) : content).replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) lines[i] = stripTrailingBlanks(lines[i] ?? "");
  let count = lines.length;
  while (count > 0 && lines[count - 1] === "") count--;
  lines.length = count;
  return `${lines.join("\n")}\n`;
}

export function migrationChecksum(content: string): string {
  return createHash("sha256")
    .update(new TextEncoder().encode(normaliseMigrationText(content)))
    .digest("hex");
}

function stripTrailingBlanks(line: string): string {
  let end = line.length;
  for (;;) {
    const c = line.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}
