// mx transfer with connection names (ENV/CONNECTION): the platform path. The control plane starts
// the job on the agent serving the connections (or schedules it with --schedule); the CLI follows
// its progress with a bar until it ends. mx transfer list: the job history and schedules.
import { formatBytes } from "../../common/units.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import {
  type StartTransferRequest,
  type TransferJob,
  TransferJobSchema,
  type TransferSchedule,
  TransferScheduleSchema,
} from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import type { Clients } from "../client.ts";
import type { Output } from "../output.ts";
import { formatTime, protoJson, stateName } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

const over = (s: RunState) => s === RunState.COMPLETED || s === RunState.FAILED || s === RunState.REJECTED;

/** One line: a 20-cell bar when the row estimate is known, rows, bytes, rate and ETA. */
export function progressBar(j: TransferJob): string {
  const rows = Number(j.rows);
  const est = Number(j.estimatedRows);
  const pct = est > 0 ? Math.min(1, rows / est) : undefined;
  const bar =
    pct === undefined ? "" : `[${"#".repeat(Math.round(pct * 20)).padEnd(20, "-")}] ${Math.round(pct * 100)}% `;
  const eta = j.etaSeconds >= 0 && !over(j.state) ? `, ETA ${Math.ceil(j.etaSeconds)} s` : "";
  const table = j.table ? `${j.table}: ` : "";
  const attempt = j.attempt > 1 ? ` (attempt ${j.attempt})` : "";
  return `${bar}${table}${rows} rows, ${formatBytes(Number(j.bytes))}, ${Math.round(j.rowsPerSecond)} rows/s${eta} ${stateName(j.state)}${attempt}`;
}

function summary(out: Output, j: TransferJob): void {
  const ok = j.state === RunState.COMPLETED && j.verified;
  out.line(`transfer ${j.id} ${j.from} → ${j.to}: ${out.paint(ok ? "green" : "red", stateName(j.state))}`);
  out.line(
    `  ${j.rows} rows, ${formatBytes(Number(j.bytes))} in ${j.durationSeconds.toFixed(1)} s (${Math.round(j.rowsPerSecond)} rows/s), attempt ${j.attempt}/${j.maxAttempts}`,
  );
  if (j.state === RunState.COMPLETED) out.line(`  counts and checksums: ${j.verified ? "equal" : "DIFFER"}`);
  if (j.masked.length > 0) out.line(`  masked on the way: ${j.masked.join(", ")}`);
  if (j.error) out.note(`error (${j.errorCode}): ${j.error}`);
}

function scheduleLine(s: TransferSchedule): string {
  const last = s.lastFired ? `, last ${formatTime(s.lastFired)}` : "";
  return `schedule ${s.id}: ${s.from} → ${s.to} at "${s.cron}" UTC (next ${formatTime(s.nextRun)}${last})`;
}

/** Starts (or schedules) a transfer between two named connections and follows it to its end. */
export async function runPlatformTransfer(
  out: Output,
  clients: Clients,
  req: Pick<StartTransferRequest, "from" | "to" | "schedule"> & {
    options: NonNullable<StartTransferRequest["options"]>;
  },
): Promise<number> {
  const api = clients.transfers;
  const res = await api.startTransfer(req);
  if (res.schedule) {
    if (out.json) out.document({ schedule: protoJson(TransferScheduleSchema, res.schedule) });
    else out.line(scheduleLine(res.schedule));
    return 0;
  }
  let job = res.job;
  if (!job) throw new Error("the control plane answered without a job");
  if (!out.json) out.note(`transfer ${job.id} started: ${job.from} → ${job.to}`);
  let live = false;
  for await (const m of api.watchTransfer({ id: job.id })) {
    if (!m.job) continue;
    job = m.job;
    if (out.json) continue;
    if (out.live) {
      live = true;
      out.raw(`\r\u001b[2K${progressBar(job)}`);
    } else out.note(progressBar(job));
  }
  if (live) out.raw("\r\u001b[2K");
  job = (await api.getTransfer({ id: job.id })).job ?? job;
  if (out.json) out.document(protoJson(TransferJobSchema, job));
  else summary(out, job);
  return job.state === RunState.COMPLETED && job.verified ? 0 : 1;
}

export const transferList = defineCommand({
  path: ["transfer", "list"],
  summary: "transfer job history (rows, bytes, duration, rate, errors, state) and schedules",
  args: [],
  options: {
    env: { type: "string", value: "NAME", description: "only jobs into this environment" },
    limit: { type: "string", value: "N", description: "newest N jobs (default 50)" },
  },
  async run({ out, input, clients }) {
    const environment = input.string("env") ?? "";
    const limit = input.uint("limit") ?? 0;
    const res = await clients().transfers.listTransfers({ environment, limit });
    if (out.json) {
      out.document({
        jobs: res.jobs.map((j) => protoJson(TransferJobSchema, j)),
        schedules: res.schedules.map((s) => protoJson(TransferScheduleSchema, s)),
      });
      return 0;
    }
    out.table(
      ["ID", "FROM", "TO", "STATE", "ROWS", "BYTES", "SECONDS", "ROWS/S", "VERIFIED", "TRIGGER", "ERROR"],
      res.jobs.map((j) => [
        j.id,
        j.from,
        j.to,
        `${stateName(j.state)}${j.attempt > 1 ? ` (attempt ${j.attempt})` : ""}`,
        String(j.rows),
        formatBytes(Number(j.bytes)),
        j.durationSeconds.toFixed(1),
        String(Math.round(j.rowsPerSecond)),
        j.state === RunState.COMPLETED ? (j.verified ? "yes" : "NO") : "-",
        j.trigger,
        j.error,
      ]),
    );
    for (const s of res.schedules) out.line(scheduleLine(s));
    return 0;
  },
});
