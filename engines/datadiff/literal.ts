// The SQL literal of a canonical text (DataDiffFacts.literal) where the engines agree: numbers as
// written, hex bytes as X'…', everything else quoted. An engine passes its own rule for the classes
// it writes differently.
import type { DiffColumn, ValueClass } from "./types.ts";

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function canonicalLiteral(
  col: DiffColumn,
  text: string | null,
  o: { quote: (text: string) => string; own?: Partial<Record<ValueClass, (text: string) => string>> },
): string {
  if (text === null) return "NULL";
  const own = o.own?.[col.cls];
  if (own) return own(text);
  switch (col.cls) {
    case "int":
    case "decimal":
    case "float":
    case "bool":
      return NUMBER.test(text) ? text : o.quote(text);
    case "bytes":
      return /^[0-9a-f]*$/.test(text) ? `X'${text}'` : o.quote(text);
    default:
      return o.quote(text);
  }
}
