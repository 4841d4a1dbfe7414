// Test hook: MIGRATRIX_FAULT=before-statement:N | after-statement:N | before-history:N (after a
// statement that commits by itself committed, before its history write) stops the agent at exactly that
// point of a migration (it prints one marker line to stdout, then never continues) so a test can
// SIGKILL it there. A fixed point, not a timed sleep: the kill lands where the test says.
import { MigratrixError } from "../common/errors.ts";

export type FaultPoint = "before-statement" | "after-statement" | "before-history";

export interface FaultSpec {
  point: FaultPoint;
  /** 1-based statement index. */
  statement: number;
}

/** The runner hooks a fault installs; shape-compatible with the runner's hooks. */
export interface FaultHooks {
  beforeStatement?(statement: { index: number }): Promise<void>;
  afterStatement?(statement: { index: number }): Promise<void>;
  beforeHistoryWrite?(statement: { index: number }): Promise<void>;
}

export const FAULT_MARKER = "MIGRATRIX_FAULT_REACHED";

export function parseFault(value: string | undefined): FaultSpec | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^(before-statement|after-statement|before-history):([1-9][0-9]*)$/.exec(value.trim());
  if (!m) {
    throw new MigratrixError(
      "invalid_argument",
      `MIGRATRIX_FAULT="${value}" is not understood: use before-statement:N, after-statement:N or before-history:N`,
    );
  }
  return { point: m[1] as FaultPoint, statement: Number(m[2]) };
}

/**
 * Hooks that, at the fault point, write the marker line and then wait on a promise that never
 * settles, holding the statement's transaction and lock open as a crash mid-migration would.
 */
export function faultHooks(
  spec: FaultSpec,
  write: (line: string) => void = (l) => process.stdout.write(l),
): FaultHooks {
  const hit = async (index: number): Promise<void> => {
    if (index !== spec.statement) return;
    write(`${FAULT_MARKER} ${spec.point}:${spec.statement}\n`);
    await new Promise<never>(() => {});
  };
  if (spec.point === "before-statement") return { beforeStatement: (s) => hit(s.index) };
  if (spec.point === "before-history") return { beforeHistoryWrite: (s) => hit(s.index) };
  return { afterStatement: (s) => hit(s.index) };
}
