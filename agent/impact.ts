// Schema impact of an apply: the schema is read under the run's lock before the first statement and
// after the last, and the readable diff goes on the run's event stream, where the control plane shows
// it to the approvers of the next stage. Reading the schema never decides the run: a failed read is a
// warning in the run's log and the run goes on without an impact.
import { create } from "@bufbuild/protobuf";
import { MigratrixError } from "../common/errors.ts";
import { diffSchemas, type RunHooks, renderDiffText, type SchemaSnapshot } from "../engines/index.ts";
import { LogLineSchema, SchemaImpactSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { RunEventStream } from "./events.ts";
import type { OpenTarget } from "./targets.ts";

/** Keeps the event well under NATS's default 1 MB max_payload with its envelope. */
export const MAX_IMPACT_TEXT = 256 * 1024;

export function schemaImpactHooks(target: OpenTarget, events: RunEventStream): RunHooks {
  let before: SchemaSnapshot | undefined;
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
      // A resumed run's starting point is not the schema before the migration.
      if (ctx.direction !== "apply" || ctx.resumeFrom > 0) return;
      try {
        before = await read();
      } catch (err) {
        await warn("reading the schema before the run", err);
      }
    },
    async afterRun(result) {
      if (!before || result.outcome !== "completed") return;
      let after: SchemaSnapshot;
      try {
        after = await read();
      } catch (err) {
        await warn("reading the schema after the run", err);
        return;
      }
      // Source = after, target = before: the changes that turn the old schema into the new one.
      const diff = diffSchemas(after, before);
      const full = renderDiffText(diff);
      const truncated = full.length > MAX_IMPACT_TEXT;
      const text = truncated ? `${full.slice(0, MAX_IMPACT_TEXT)}\n… (cut: ${full.length} characters in all)` : full;
      await events.emit({
        case: "schemaImpact",
        value: create(SchemaImpactSchema, { text, changes: diff.changes.length, truncated }),
      });
    },
  };
}
