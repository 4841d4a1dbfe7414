// The contract between assess() and the per-dialect analysers (loaded lazily: parsers are heavy).
import type { SchemaSnapshot } from "../schema/index.ts";
import type { Statement } from "../types.ts";
import type { CheckId } from "./catalog.ts";
import type { Finding } from "./model.ts";
import type { TextIndex } from "./text.ts";

export interface AnalyseInput {
  /** The whole file. */
  src: string;
  statements: Statement[];
  text: TextIndex;
  schema: SchemaSnapshot | undefined;
  enabled: ReadonlySet<CheckId>;
  /** Every statement commits on its own (no runner transaction around the script). */
  noTransaction: boolean;
}

/**
 * Findings per statement, in statement order. `subjects` receives, per finding about a dropped,
 * renamed or changed table or column, the names application code would use for it.
 */
export type Analyser = (input: AnalyseInput, subjects: Map<Finding, string[]>) => Finding[][] | Promise<Finding[][]>;
