// mx transfer --from URL --to URL: copies tables between databases in local mode (the CLI connects
// itself) through arrow-transfer, with a progress line, resume by job id and a verification report.
// With connection names (ENV/CONNECTION) the serving agent does it (transfer-platform.ts).
import type { ProgressEvent, TransferOptions, TransferReport } from "../../arrow-transfer/index.ts";
import { formatBytes } from "../../common/units.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { runPlatformTransfer } from "./transfer-platform.ts";
import { defineCommand } from "./types.ts";

type TransferModule = typeof import("../../arrow-transfer/index.ts");

const POLICIES = ["fail", "skip", "upsert", "truncate"] as const;
type Policy = (typeof POLICIES)[number];

function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^sqlite:/i.test(text);
}

/** "t.c=TYPE;t2.c=TYPE" (";" because types such as numeric(12,2) hold commas). */
export function parseOverrides(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const out: Record<string, string> = {};
  for (const part of text.split(";")) {
    const m = /^\s*([^=\s]+\.[^=\s]+)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m?.[1] || !m[2])
      throw new UsageError(`--override: expected table.column=TYPE, got '${part.trim()}'`, "transfer");
    out[m[1]] = m[2];
  }
  return out;
}

export function progressLine(e: ProgressEvent): string {
  const pct = e.estimatedRows > 0 ? ` ${Math.min(100, Math.round((e.totalRows / e.estimatedRows) * 100))}%` : "";
  const eta = e.etaSeconds === null ? "" : `, ETA ${Math.ceil(e.etaSeconds)} s`;
  const skipped = e.chunksSkipped > 0 ? ` (${e.chunksSkipped} done before)` : "";
  return `${e.table}: chunk ${e.chunksCopied}${skipped}, ${e.rows} rows, ${formatBytes(e.bytes)} | total ${e.totalRows} rows${pct}, ${Math.round(e.rowsPerSecond)} rows/s${eta}`;
}

function render(out: Output, r: TransferReport): void {
  out.line(`job ${r.preflight.jobId}${r.preflight.resumed ? " (resumed)" : ""}`);
  const mark = (ok: boolean) => (ok ? out.paint("green", "ok") : out.paint("red", "MISMATCH"));
  out.table(
    ["TABLE", "PATH", "ROWS COPIED", "CHUNKS", "SOURCE ROWS", "TARGET ROWS", "CHECKSUM", ""],
    r.tables.map((t) => [
      t.table,
      t.path,
      String(t.rowsCopied),
      `${t.chunksCopied}${t.chunksSkipped ? ` (+${t.chunksSkipped} resumed)` : ""}`,
      String(t.sourceRows),
      String(t.targetRows),
      t.sourceChecksum === null
        ? "-"
        : t.sourceChecksum === t.targetChecksum
          ? t.sourceChecksum
          : `${t.sourceChecksum}≠${t.targetChecksum}`,
      mark(t.match),
    ]),
  );
  for (const f of r.finished) out.line(`  ${out.paint("dim", "after rows:")} ${f}`);
  for (const w of r.warnings) out.note(`warning: ${w}`);
  out.line(
    `${r.ok ? "done" : "finished with differences"} in ${r.seconds.toFixed(1)} s (${Math.round(r.rowsPerSecond)} rows/s)`,
  );
}

function renderPreflight(out: Output, r: TransferReport): void {
  const p = r.preflight;
  out.table(
    ["TABLE", "KEY", "ROWS (EST.)", "SIZE (EST.)", "TARGET", "PATH"],
    p.tables.map((t) => [
      t.table,
      t.key ? t.key.join(",") : "(none: one chunk)",
      String(t.rowEstimate),
      t.bytesEstimate === null ? "unknown" : formatBytes(t.bytesEstimate),
      t.action === "create" ? "create" : "existing",
      t.path,
    ]),
  );
  out.line(
    `target free space: ${p.freeBytes === null ? "unknown (the engine does not tell)" : formatBytes(p.freeBytes)}`,
  );
  for (const t of p.tables) for (const n of t.notes) out.line(`  ${t.table}.${n}`);
  for (const l of p.losses)
    out.note(`lossy: ${l.table}.${l.column} ${l.sourceType} → ${l.targetType}: ${l.reasons.join("; ")}`);
}

export const transferCommand = defineCommand({
  path: ["transfer"],
  summary: "copy tables between two databases (URLs: here; ENV/CONNECTION: by the agent), resumable and verified",
  args: [],
  options: {
    from: {
      type: "string",
      value: "SRC",
      description: "source: a URL (postgres://, mysql://, mariadb://, sqlite://) or ENV/CONNECTION",
    },
    to: {
      type: "string",
      value: "DST",
      description: "target: a URL (the same, or clickhouse://) or ENV/CONNECTION (both URLs or both names)",
    },
    tables: { type: "string", value: "A,B", description: "tables to copy (default: every table of the source)" },
    "batch-rows": {
      type: "string",
      value: "N",
      description: "rows per chunk, each committed with its checkpoint (default 50000)",
    },
    "batch-bytes": { type: "string", value: "N", description: "bytes per Arrow batch (default 16 MiB)" },
    via: {
      type: "string",
      value: "local|nats",
      description: "URLs: local (one process) or nats (through JetStream, encrypted frames, as between agents)",
    },
    "nats-url": {
      type: "string",
      value: "URL",
      description: "--via nats: the NATS server (default $NATS_URL or 127.0.0.1:4222)",
    },
    create: { type: "boolean", description: "create missing target tables from the mapped source schema" },
    "on-conflict": { type: "string", value: "P", description: "fail (default), skip, upsert or truncate" },
    "confirm-truncate": { type: "boolean", description: "consent to --on-conflict truncate emptying target tables" },
    resume: { type: "string", value: "JOB", description: "continue job JOB from its checkpoints" },
    job: { type: "string", value: "ID", description: "id for a new job (default a random UUID)" },
    "no-key-ok": { type: "boolean", description: "copy tables without a primary key, each in one chunk" },
    "accept-loss": { type: "boolean", description: "go on although some columns cannot be carried losslessly" },
    override: { type: "string", value: "T.C=TYPE;…", description: "target type per column (';'-separated)" },
    "enum-as": {
      type: "string",
      value: "check|type",
      description: "enums into PostgreSQL: text + CHECK (default) or enum type",
    },
    path: { type: "string", value: "auto|arrow|fast", description: "force the Arrow path or the binary fast path" },
    verify: {
      type: "string",
      value: "checksum|count",
      description: "compare checksums and counts (default) or counts",
    },
    "dry-run": { type: "boolean", description: "print the pre-flight report and move no row" },
    schedule: {
      type: "string",
      value: "CRON",
      description: "names only: run on a schedule (5 or 6 cron fields, UTC) instead of now",
    },
  },
  details: [
    "PostgreSQL → PostgreSQL passes COPY binary straight through where column types are identical;",
    "other pairs go through Arrow record batches. Chunks follow the primary key (keyset, never OFFSET);",
    "each chunk commits with its checkpoint in the target (migratrix_transfer_checkpoint), so",
    "--resume JOB continues after the last committed chunk without duplicates.",
    "With ENV/CONNECTION names the agent serving them copies (under RBAC and audit: reading the",
    "source needs a role there, writing the target Editor, or Admin on a protected environment),",
    "retries failed attempts from the last checkpoint, and masks columns under the source",
    "environment's masking policies; --schedule creates a scheduled job (mx transfer list).",
    "Exit 0 when counts and checksums match, 1 otherwise or on error, 2 for usage errors.",
  ],
  async run({ io, out, input, clients }) {
    const from = input.required("from");
    const to = input.required("to");
    const named = !isUrl(from) && !isUrl(to);
    if (!named && (!isUrl(from) || !isUrl(to))) {
      throw new UsageError("--from and --to must both be URLs (local mode) or both ENV/CONNECTION names", "transfer");
    }
    const policyText = input.string("on-conflict") ?? "fail";
    if (!(POLICIES as readonly string[]).includes(policyText)) {
      throw new UsageError(`--on-conflict must be one of ${POLICIES.join(", ")}, got '${policyText}'`, "transfer");
    }
    const tablesOption = input
      .string("tables")
      ?.split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (named) {
      for (const flag of ["resume", "job", "override", "enum-as", "path", "verify", "batch-bytes"] as const) {
        if (input.string(flag) !== undefined)
          throw new UsageError(`--${flag} is for URLs (local mode); the agent's job decides it`, "transfer");
      }
      if (input.flag("dry-run")) throw new UsageError("--dry-run is for URLs (local mode)", "transfer");
      const batchRowsNamed = input.uint("batch-rows");
      return runPlatformTransfer(out, clients(), {
        from,
        to,
        schedule: input.string("schedule") ?? "",
        options: {
          $typeName: "migratrix.control.v1.TransferOptions",
          tables: tablesOption ?? [],
          batchRows: batchRowsNamed ?? 0,
          create: input.flag("create"),
          onConflict: policyText,
          confirmTruncate: input.flag("confirm-truncate"),
          noKeyOk: input.flag("no-key-ok"),
          acceptLoss: input.flag("accept-loss"),
          via: input.string("via") ?? "",
        },
      });
    }
    if (input.string("schedule") !== undefined) {
      throw new UsageError("--schedule needs connection names (ENV/CONNECTION): schedules never hold URLs", "transfer");
    }
    const via = input.string("via") ?? "local";
    if (via !== "local" && via !== "nats") {
      throw new UsageError(`--via must be local or nats, got '${via}'`, "transfer");
    }
    const path = input.string("path") ?? "auto";
    if (path !== "auto" && path !== "arrow" && path !== "fast") {
      throw new UsageError(`--path must be auto, arrow or fast, got '${path}'`, "transfer");
    }
    const verify = input.string("verify") ?? "checksum";
    if (verify !== "checksum" && verify !== "count") {
      throw new UsageError(`--verify must be checksum or count, got '${verify}'`, "transfer");
    }
    const enumAs = input.string("enum-as");
    if (enumAs !== undefined && enumAs !== "check" && enumAs !== "type") {
      throw new UsageError(`--enum-as must be check or type, got '${enumAs}'`, "transfer");
    }
    const batchRows = input.uint("batch-rows");
    const batchBytes = input.uint("batch-bytes");
    const tables = tablesOption;
    const overrides = parseOverrides(input.string("override"));
    const resume = input.string("resume");
    const jobId = input.string("job");

    const t: TransferModule = await import("../../arrow-transfer/index.ts");
    const fault = t.parseTransferFault(io.env.MIGRATRIX_FAULT);
    const write = (s: string) => io.stdout.write(s);
    let live = false;
    // --via nats: both sides in this process, the rows through JetStream as between two agents.
    const natsUrl = input.string("nats-url") ?? (io.env.NATS_URL || "nats://127.0.0.1:4222");
    const run = via === "nats" ? (o: TransferOptions) => t.transferViaJetStream({ ...o, natsUrl }) : t.transfer;
    const report = await run({
      from,
      to,
      ...(tables && tables.length > 0 ? { tables } : {}),
      ...(batchRows !== undefined ? { batchRows } : {}),
      ...(batchBytes !== undefined ? { batchBytes } : {}),
      create: input.flag("create"),
      onConflict: policyText as Policy,
      confirmTruncate: input.flag("confirm-truncate"),
      ...(resume !== undefined ? { resume } : {}),
      ...(jobId !== undefined ? { jobId } : {}),
      noKeyOk: input.flag("no-key-ok"),
      acceptLoss: input.flag("accept-loss"),
      ...(overrides ? { overrides } : {}),
      ...(enumAs !== undefined ? { enumAs } : {}),
      path,
      verify,
      dryRun: input.flag("dry-run"),
      onProgress: (e) => {
        if (out.json) return;
        if (out.live) {
          live = true;
          out.raw(`\r\u001b[2K${progressLine(e)}`);
        } else out.note(progressLine(e));
      },
      ...(fault ? { hooks: t.transferFaultHooks(fault, write) } : {}),
    });
    if (live) out.raw("\r\u001b[2K");
    if (out.json) {
      out.document(report);
      return report.ok ? 0 : 1;
    }
    if (input.flag("dry-run") || report.tables.length === 0) renderPreflight(out, report);
    if (!input.flag("dry-run")) render(out, report);
    return report.ok ? 0 : 1;
  },
});
