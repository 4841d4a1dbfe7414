// State shared by the steps of one run, and how a run ends.
import { MigratrixError } from "../../common/errors.ts";
import type { Statement } from "../types.ts";
import type { RunnerEvent } from "./events.ts";
import type { RunOptions, RunResult } from "./options.ts";

export interface Ctx {
  o: RunOptions;
  statements: Statement[];
  started: number;
  /** onEvent errors met while reporting a failure: kept, not thrown over the failure itself. */
  eventErrors: string[];
}

export function finish(
  c: Ctx,
  outcome: RunResult["outcome"],
  statementsDone: number,
  error?: MigratrixError,
): RunResult {
  const r: RunResult = {
    outcome,
    statementsDone,
    statementsTotal: c.statements.length,
    durationMs: performance.now() - c.started,
  };
  if (error) {
    r.error =
      c.eventErrors.length > 0
        ? new MigratrixError(
            error.code,
            error.message,
            { ...error.detail, eventErrors: c.eventErrors },
            { cause: error },
          )
        : error;
  }
  return r;
}

/** Reports on the failure path, where an onEvent error must not hide the failure being reported. */
export async function report(c: Ctx, e: RunnerEvent): Promise<void> {
  try {
    await c.o.onEvent(e);
  } catch (err) {
    c.eventErrors.push(MigratrixError.from(err).message);
  }
}
