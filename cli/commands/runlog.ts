// The live statement-by-statement log of a run, as people read it:
//   ✓ [2/5] 12.3 ms  CREATE INDEX … (3 rows)
//   ✗ [3/5] ERROR 42P01 at 7:15 relation "x" does not exist
import type { DbError, SourcePosition } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { type JobEvent, RunOutcome, type StatementInfo } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { type Run, RunState, type WatchRunResponse } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { excerpt, formatMs, type Output } from "../output.ts";
import { isTerminal, paintState, stateName } from "../proto-output.ts";

function counter(statement: StatementInfo | undefined, total: number): string {
  const index = statement?.index ?? 0;
  return `[${index}/${total > 0 ? total : "?"}]`;
}

function at(position: SourcePosition | undefined): string {
  return position === undefined || position.line === 0 ? "" : ` at ${position.line}:${position.column}`;
}

// The runner makes its messages self-contained ("statement 2 (line 7:1) failed at 7:15: …"); the
// log line already says which statement and where, so that prefix would only repeat it.
const RUNNER_CONTEXT = /^statement \d+ \(line \d+:\d+\) failed(?: at \d+:\d+)?: /;

/** "ERROR 42P01 at 7:15 relation "x" does not exist": the engine's code first, as DBAs search for it. */
export function describeDbError(error: DbError | undefined, fallback?: SourcePosition): string {
  if (error === undefined) return "ERROR (no detail)";
  const code = error.nativeCode !== "" ? error.nativeCode : error.code;
  const head = code === "" ? "ERROR" : `ERROR ${code}`;
  return `${head}${at(error.position ?? fallback)} ${error.message.replace(RUNNER_CONTEXT, "")}`.trimEnd();
}

function rows(n: bigint): string {
  if (n <= 0n) return "";
  return n === 1n ? " (1 row)" : ` (${n} rows)`;
}

/** Formats one event; undefined for events that only matter to the live progress line. */
export function formatEvent(out: Output, event: JobEvent, total: number): string | undefined {
  const k = event.kind;
  switch (k.case) {
    case "started": {
      const resume = k.value.statementsDone > 0 ? `, resuming after ${k.value.statementsDone} done` : "";
      return out.paint("dim", `started attempt ${event.attempt}: ${k.value.statementsTotal} statements${resume}`);
    }
    case "statementFinished": {
      const s = k.value.statement;
      const text = `${counter(s, total)} ${formatMs(k.value.durationMs)}  ${excerpt(s?.excerpt ?? "")}${rows(k.value.rowsAffected)}`;
      return `${out.paint("green", "✓")} ${text}${s?.ownSegment ? out.paint("dim", "  (own segment)") : ""}`;
    }
    case "statementFailed": {
      const s = k.value.statement;
      return `${out.paint("red", "✗")} ${counter(s, total)} ${out.paint("red", describeDbError(k.value.error, s?.position))}`;
    }
    case "log": {
      const level = k.value.level.toLowerCase();
      const colour = level === "error" ? "red" : level === "warn" || level === "warning" ? "yellow" : "dim";
      return out.paint(colour, `· ${k.value.message}`);
    }
    case "rejected":
      return `${out.paint("red", "✗")} rejected: ${describeDbError(k.value.error)}`;
    case "schemaImpact": {
      const body = k.value.text
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n");
      return `${out.paint("dim", "· schema impact:")}\n${body}`;
    }
    default:
      // statementStarted feeds the live progress line, finished the summary; snapshots are not log lines.
      return undefined;
  }
}

/** Prints a run's events as they come; on a terminal the running statement shows in place. */
export class RunLogPrinter {
  private total: number;
  private transient = false;
  private lastState = RunState.UNSPECIFIED;
  finished: JobEvent | undefined;
  rejected: JobEvent | undefined;

  constructor(
    private readonly out: Output,
    total: number,
  ) {
    this.total = total;
  }

  private clearTransient(): void {
    if (this.transient) this.out.raw("\r\x1b[2K");
    this.transient = false;
  }

  /** Any line printed between events (a reconnect note) must not overwrite the progress line. */
  print(text: string): void {
    this.clearTransient();
    this.out.line(`  ${text}`);
  }

  handle(res: WatchRunResponse): void {
    const event = res.event;
    if (event === undefined) {
      if (res.state !== this.lastState && !isTerminal(res.state) && res.state !== RunState.IN_PROGRESS) {
        this.print(this.out.paint("dim", `· ${stateName(res.state)}`));
      }
      this.lastState = res.state;
      return;
    }
    this.lastState = res.state;
    const k = event.kind;
    if (k.case === "started" && k.value.statementsTotal > 0) this.total = k.value.statementsTotal;
    if (k.case === "finished") this.finished = event;
    if (k.case === "rejected") this.rejected = event;
    if (k.case === "statementStarted") {
      if (!this.out.live) return;
      this.clearTransient();
      this.out.raw(
        `  ${this.out.paint("cyan", "…")} ${counter(k.value.statement, this.total)} ${excerpt(k.value.statement?.excerpt ?? "")}`,
      );
      this.transient = true;
      return;
    }
    const line = formatEvent(this.out, event, this.total);
    if (line !== undefined) this.print(line);
  }

  /** The closing line of a run, from its final record. */
  summary(run: Run): string {
    this.clearTransient();
    const state = paintState(this.out, run.state);
    const total = run.statementsTotal > 0 ? run.statementsTotal : this.total;
    const fin = this.finished?.kind.case === "finished" ? this.finished.kind.value : undefined;
    const took = fin !== undefined && fin.durationMs > 0 ? ` in ${formatMs(fin.durationMs)}` : "";
    switch (run.state) {
      case RunState.COMPLETED:
        if (fin?.outcome === RunOutcome.ALREADY_APPLIED) return `${state}: already applied, nothing ran`;
        return `${state}: ${run.statementsDone}/${total} statements${took}`;
      case RunState.FAILED: {
        const where = run.failedStatement > 0 ? ` at statement ${run.failedStatement}/${total}` : "";
        const why = run.error === undefined ? "" : `: ${describeDbError(run.error)}`;
        return `${state}${where} (${run.statementsDone} done)${why}`;
      }
      case RunState.REJECTED:
        return `${state}${run.error === undefined ? "" : `: ${describeDbError(run.error)}`}`;
      case RunState.PENDING:
        // Waiting (the refusal above says for what): a changed generated rollback to approve.
        if (run.error !== undefined) return `${state}: nothing ran; it runs when promoted again once approved`;
        return `${state}: ${run.statementsDone}/${total} statements so far`;
      default:
        return `${state}: ${run.statementsDone}/${total} statements so far`;
    }
  }
}
