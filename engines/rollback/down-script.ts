// The frame every down-script generator shares: the empty script a split problem leaves, and the
// assembly of the steps (last up statement first) with the worst reversibility of them all.
import type { SqlProblem } from "../types.ts";
import type { BackupGap, BackupSpec, DownScript, DownStep, GenerateDownOptions, Reversibility } from "./types.ts";

const RANK: Record<Reversibility, number> = { exact: 0, partly: 1, irreversible: 2 };

/** A down script with nothing in it; with problems, it is irreversible. */
export function emptyDown(o: GenerateDownOptions, problems: SqlProblem[]): DownScript {
  return {
    engine: o.engine,
    sql: "",
    steps: [],
    reversibility: problems.length > 0 ? "irreversible" : "exact",
    backups: [],
    backupGaps: [],
    problems,
  };
}

/** The down script of `steps` (given in up order), its SQL written by `render` in down order. */
export function assembleDown(
  base: DownScript,
  parts: {
    steps: DownStep[];
    backups: BackupSpec[];
    gaps: BackupGap[];
    render: (steps: readonly DownStep[]) => string;
  },
): DownScript {
  const steps = [...parts.steps].reverse();
  const reversibility = steps.reduce<Reversibility>(
    (w, s) => (RANK[s.reversibility] > RANK[w] ? s.reversibility : w),
    "exact",
  );
  return {
    ...base,
    sql: parts.render(steps),
    steps,
    reversibility,
    backups: parts.backups,
    backupGaps: parts.gaps,
  };
}
