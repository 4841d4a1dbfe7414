// Schema impact of an apply: the schema is read under the run's lock before the first statement and
// after the last, and the readable diff goes on the run's event stream, where the control plane shows
// it to the approvers of the next stage. Reading the schema never decides the run: a failed read is a
// warning in the run's log and the run goes on without an impact. The after-snapshot rides along
// (after reverts too): it becomes the connection's expected schema for drift detection.
import { gzipSync } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import { MigratrixError } from "../common/errors.ts";
import { diffSchemas, type RunHooks, renderDiffText, type SchemaSnapshot } from "../engines/index.ts";
import { LogLineSchema, SchemaImpactSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { RunEventStream } from "./events.ts";
import type { OpenTarget } from "./targets.ts";

/** Keeps the event well under NATS's default 1 MB max_payload with its envelope. */
export const MAX_IMPACT_TEXT = 256 * 1024;
/** Room for the after-snapshot beside the text, still under max_payload with the envelope. */
export const MAX_SNAPSHOT_BYTES = 700 * 1024;

/** The after-snapshot as the event carries it: plain, gzip+base64, or omitted with the reason. */
export function packSnapshot(
  json: string,
  limit = MAX_SNAPSHOT_BYTES,
): { snapshotJson: string; snapshotEncoding: string; snapshotOmitted: string } {
  const bytes = Buffer.byteLength(json);
  if (bytes <= limit) return { snapshotJson: json, snapshotEncoding: "", snapshotOmitted: "" };
  const packed = gzipSync(json).toString("base64");
  if (packed.length <= limit) return { snapshotJson: packed, snapshotEncoding: "gzip+base64", snapshotOmitted: "" };
  return {
    snapshotJson: "",
    snapshotEncoding: "",
    snapshotOmitted: `snapshot of ${bytes} bytes is ${packed.length} bytes gzip+base64, over the ${limit}-byte limit of one bus message`,
  };
}

export function schemaImpactHooks(target: OpenTarget, events: RunEventStream): RunHooks {
  let before: SchemaSnapshot | undefined;
  let direction: "apply" | "revert" | undefined;
  const warn = (what: string, err: unknown) =>
    events.emit({
      case: "log",
      value: create(LogLineSchema, {
        level: "warn",
        message: `schema impact not recorded: ${what} failed: ${MigratrixError.from(err).message}`,
      }),
    });
  const read = () => target.engine.inspector.inspect(target.session, { objects: true });
  return {
    async beforeRun(ctx) {
      direction = ctx.direction;
      // A resumed run's starting point is not the schema before the migration.
      if (ctx.resumeFrom > 0) return;
      try {
        before = await read();
      } catch (err) {
        await warn("reading the schema before the run", err);
      }
    },
    async afterRun(result) {
      if (!direction || result.outcome !== "completed") return;
      let after: SchemaSnapshot;
      try {
        after = await read();
      } catch (err) {
        await warn("reading the schema after the run", err);
        return;
      }
      // Source = after, target = before: the changes that turn the old schema into the new one.
      // Without a before (resumed run) the text stays empty and only the snapshot is reported.
      const diff = before ? diffSchemas(after, before) : undefined;
      const full = diff ? renderDiffText(diff) : "";
      const truncated = full.length > MAX_IMPACT_TEXT;
      const text = truncated ? `${full.slice(0, MAX_IMPACT_TEXT)}\n… (cut: ${full.length} characters in all)` : full;
      await events.emit({
        case: "schemaImpact",
        value: create(SchemaImpactSchema, {
          text,
          changes: diff?.changes.length ?? 0,
          truncated,
          direction,
          ...packSnapshot(JSON.stringify(after)),
        }),
      });
    },
  };
}
