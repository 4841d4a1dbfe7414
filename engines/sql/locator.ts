// Maps offsets of a SQL text to 1-based line and column, so problems and statements can say where they are.
//
// Columns count Unicode code points (a surrogate pair is one column), which is what editors show;
// "\n", "\r\n" and a lone "\r" each end a line. A byte-order mark at offset 0 takes no column.

export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Returns a function that locates offsets. Callers ask for increasing offsets (the splitter walks
 * forward), so each call continues from the previous one and a whole split stays linear; an earlier
 * offset is still answered correctly by starting over.
 */
export function createLocator(src: string): (offset: number) => LineColumn {
  let off = 0;
  let line = 1;
  let column = 1;
  return (target: number): LineColumn => {
    if (target < off) {
      off = 0;
      line = 1;
      column = 1;
    }
    for (; off < target; off++) {
      const c = src.charCodeAt(off);
      if (c === 10) {
        line++;
        column = 1;
      } else if (c === 13) {
        // The "\n" of a "\r\n" ends the line; a lone "\r" ends it by itself.
        if (src.charCodeAt(off + 1) !== 10) {
          line++;
          column = 1;
        }
      } else if (c >= 0xdc00 && c <= 0xdfff && off > 0 && isHighSurrogate(src.charCodeAt(off - 1))) {
        // Second half of a surrogate pair: the pair is one code point, already counted.
      } else if (!(c === 0xfeff && off === 0)) {
        column++;
      }
    }
    return { line, column };
  };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
