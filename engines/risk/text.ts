// Offsets to file positions, and UTF-8 byte offsets (what libpg-query reports) to string offsets.

export interface TextIndex {
  /** 1-based line and column (code points) of a string offset, lines shifted by firstLine. */
  position(offset: number): { line: number; column: number };
}

export function createTextIndex(src: string, firstLine = 1): TextIndex {
  const starts = lineStarts(src);
  return {
    position(offset: number) {
      const at = Math.max(0, Math.min(offset, src.length));
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= at) lo = mid;
        else hi = mid - 1;
      }
      const lineStart = starts[lo] ?? 0;
      let column = 1;
      for (let i = lineStart; i < at; i++) {
        const c = src.charCodeAt(i);
        // As sql/locator.ts counts: the second half of a surrogate pair, a leading byte-order mark
        // and the "\r" of a "\r\n" take no column.
        if (c === 13 || (c === 0xfeff && i === 0)) continue;
        if (c >= 0xdc00 && c <= 0xdfff && i > lineStart) {
          const h = src.charCodeAt(i - 1);
          if (h >= 0xd800 && h <= 0xdbff) continue;
        }
        column++;
      }
      return { line: lo + firstLine, column };
    },
  };
}

/**
 * Offsets where lines start: after each "\n", "\r\n" or lone "\r". Without a "\r" in the text, by
 * the native search for "\n" (a long script is read once per assessment, mostly before the JIT
 * has compiled anything: a character loop costs milliseconds there).
 */
function lineStarts(src: string): number[] {
  const starts = [0];
  if (!src.includes("\r")) {
    for (let i = src.indexOf("\n"); i >= 0; i = src.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || (c === 13 && src.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** Maps UTF-8 byte offsets of `text` to string offsets; the identity for ASCII text. */
export function byteToCharMapper(text: string): (byte: number) => number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point here
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) ?? 0;
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) map.push(i);
    if (c >= 0x10000) i++;
  }
  map.push(text.length);
  return (b) => map[Math.max(0, Math.min(b, map.length - 1))] ?? text.length;
}
