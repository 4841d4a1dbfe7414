// Follows a run through WatchRun (the stream ends when the run is over) and renders its progress as
// a card that the platform posts once and then updates: thread message in Slack, edits in Discord.
import { RunState, type WatchRunResponse } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { ApiClients } from "./api.ts";
import { stateText } from "./handle.ts";
import { type Card, card, type RunRef, type StageRef } from "./view.ts";

export interface RunProgress {
  run: RunRef;
  state: RunState;
  total: number;
  done: number;
  failed?: { statement: number; excerpt: string; message: string; nativeCode: string };
}

/** A run's progress before its first event: pending, nothing known yet. */
export function startOf(run: RunRef): RunProgress {
  return { run, state: RunState.PENDING, total: 0, done: 0 };
}

/** Folds one WatchRun item into the progress. */
export function advance(p: RunProgress, item: WatchRunResponse): RunProgress {
  const next: RunProgress = { ...p, state: item.state === RunState.UNSPECIFIED ? p.state : item.state };
  const kind = item.event?.kind;
  switch (kind?.case) {
    case "started":
      return { ...next, total: kind.value.statementsTotal, done: kind.value.statementsDone };
    case "statementFinished":
      return { ...next, done: Math.max(next.done, kind.value.statement?.index ?? next.done) };
    case "statementFailed":
      return {
        ...next,
        failed: {
          statement: kind.value.statement?.index ?? 0,
          excerpt: kind.value.statement?.excerpt ?? "",
          message: kind.value.error?.message ?? "",
          nativeCode: kind.value.error?.nativeCode ?? "",
        },
      };
    case "finished":
      // The agent's last word: on a failure in a transaction it is 0 (everything rolled back).
      return { ...next, done: kind.value.statementsDone };
    default:
      return next;
  }
}

/**
 * Streams the run's events, calling onUpdate (awaited, so updates never overtake each other) after
 * each one; resolves with the final progress when the stream ends or the signal aborts.
 */
export async function followRun(
  api: ApiClients,
  run: RunRef,
  onUpdate: (p: RunProgress) => Promise<void>,
  signal?: AbortSignal,
): Promise<RunProgress> {
  let p = startOf(run);
  try {
    for await (const item of api.migrations.watchRun({ runId: run.runId, afterSeq: 0n }, { signal })) {
      p = advance(p, item);
      await onUpdate(p);
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  return p;
}

/** The progress card; a failed apply offers a Rollback button on the stage. */
export function progressCard(ref: StageRef, p: RunProgress): Card {
  const verb = p.run.direction === "revert" ? "rollback" : "apply";
  const counts = p.total > 0 ? `${p.done} of ${p.total} statements` : "waiting for the agent";
  const lines = [counts];
  if (p.failed) {
    lines.push(
      `Failed at statement ${p.failed.statement}: ${p.failed.excerpt}`,
      `${p.failed.message}${p.failed.nativeCode ? ` (${p.failed.nativeCode})` : ""}`,
    );
  }
  const tone =
    p.state === RunState.COMPLETED
      ? "success"
      : p.state === RunState.FAILED || p.state === RunState.REJECTED
        ? "danger"
        : "info";
  return card(tone, `${p.run.target} ${verb}: ${stateText(p.state)}`, {
    lines,
    fields: [["Migration", ref.migration]],
    ...(p.state === RunState.FAILED && verb === "apply" ? { rollback: ref } : {}),
  });
}
