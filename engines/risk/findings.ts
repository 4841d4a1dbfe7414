// Where every analyser collects its findings: per statement, only enabled checks, positioned in the
// file, subjects kept for --app-dir, each statement's list sorted by position at the end.
import type { AnalyseInput } from "./analyser.ts";
import { CATALOG, type CheckId } from "./catalog.ts";
import type { Finding, RiskLevel } from "./model.ts";

/** What a rule says about a statement; the position is given to `push` as a file offset. */
export interface FindingReport {
  message: string;
  hint: string;
  level?: RiskLevel;
  /** Names the application may use (dropped, renamed or changed table or column), for --app-dir. */
  subject?: string[];
}

export interface FindingSink {
  push: (statement: number, offset: number, check: CheckId, r: FindingReport) => void;
  /** The findings per statement, each list sorted by line and column. */
  done: () => Finding[][];
}

export function findingSink(input: AnalyseInput, subjects: Map<Finding, string[]>): FindingSink {
  // Made as findings come: a streamed analysis learns its statements as it goes.
  const findings: Finding[][] = [];
  return {
    push: (statement, offset, check, r) => {
      if (!input.enabled.has(check)) return;
      const p = input.text.position(offset);
      const finding: Finding = {
        check,
        level: r.level ?? CATALOG[check].level,
        message: r.message,
        line: p.line,
        column: p.column,
        hint: r.hint,
      };
      if (r.subject !== undefined) subjects.set(finding, r.subject);
      if (statement < 0 || statement >= input.statements.length) return;
      const list = findings[statement];
      if (list === undefined) findings[statement] = [finding];
      else list.push(finding);
    },
    done: () => {
      const out: Finding[][] = [];
      for (let i = 0; i < input.statements.length; i++) {
        const list = findings[i] ?? [];
        list.sort((a, b) => a.line - b.line || a.column - b.column);
        out.push(list);
      }
      return out;
    },
  };
}
