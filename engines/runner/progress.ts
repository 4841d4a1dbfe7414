// The run's migratrix_history row as the run advances.
import type { HistoryRow, HistoryTable } from "../adapter.ts";
import type { Ctx } from "./context.ts";

/** The run's history row, and how many statements are really committed (`done`). */
export class Progress {
  done: number;
  row: HistoryRow;
  finished = false;

  constructor(
    private readonly c: Ctx,
    private readonly history: HistoryTable,
    row: HistoryRow,
  ) {
    this.row = row;
    this.done = row.statementsDone;
  }

  private async write(status: HistoryRow["status"], statementsDone: number): Promise<void> {
    const closing = status !== "in_progress";
    const next: HistoryRow = closing
      ? {
          ...this.row,
          status,
          statementsDone,
          finishedAt: new Date(),
          executionMs: Math.round(performance.now() - this.c.started),
        }
      : { ...this.row, status, statementsDone };
    await this.history.update(next);
    this.row = next;
  }

  private get finalStatus(): HistoryRow["status"] {
    return this.c.o.direction === "apply" ? "applied" : "reverted";
  }

  /** A statement outside any transaction has committed by itself. */
  async statementCommitted(): Promise<void> {
    this.done += 1;
    await this.write("in_progress", this.done);
  }

  /** Written inside the segment's transaction, so it commits with the segment or not at all. */
  async segmentWritten(n: number, last: boolean): Promise<void> {
    await this.write(last ? this.finalStatus : "in_progress", this.done + n);
    this.finished = last;
  }

  segmentCommitted(n: number): void {
    this.done += n;
  }

  async finish(): Promise<void> {
    await this.write(this.finalStatus, this.done);
    this.finished = true;
  }

  async fail(): Promise<void> {
    await this.write("failed", this.done);
  }
}
