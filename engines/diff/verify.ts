// Verified plans: the sync script runs on a scratch copy of the target's schema, the copy is
// introspected again and diffed against the source; only an empty diff is "verified".
import { MigratrixError } from "../../common/errors.ts";
import type { EngineAdapter } from "../adapter.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { diffSchemas } from "./compare.ts";
import { engineFacts } from "./engines.ts";
import type { DiffOptions, SyncPlan, VerifyResult } from "./model.ts";
import { copySchemaWithPgDump, createScratch, runScript } from "./scratch.ts";

export interface VerifyOptions extends DiffOptions {
  source: SchemaSnapshot;
  target: SchemaSnapshot;
  adapter: EngineAdapter;
  /** A server where a scratch database may be created (its database part is ignored). */
  scratchUrl: string;
  /** The live target: its schema is copied with pg_dump (PostgreSQL) instead of rendered from the snapshot. */
  targetUrl?: string;
  /** Drops the plan withheld are expected to remain. */
  allowDrop?: boolean;
  /** Renders the target's whole-schema DDL; default: the engine's (engines/<engine>/ddl.ts). */
  renderCreate?: (s: SchemaSnapshot) => string;
}

export async function verifyPlan(plan: Pick<SyncPlan, "sql">, o: VerifyOptions): Promise<VerifyResult> {
  const scratch = await createScratch(o.adapter, o.scratchUrl);
  try {
    if (o.targetUrl && o.adapter.id === "postgresql") await copySchemaWithPgDump(o.targetUrl, scratch.url);
    else {
      const render = o.renderCreate ?? engineFacts(o.adapter.id).renderCreate;
      if (!render)
        throw new MigratrixError("unimplemented", `verify: no CREATE rendering for ${o.adapter.id} in this version`);
      await runScript(o.adapter, scratch.session, render(o.target));
    }
    try {
      await runScript(o.adapter, scratch.session, plan.sql);
    } catch (e) {
      return { verified: false, remaining: [], error: MigratrixError.from(e).message };
    }
    const schemas = [...new Set([...o.source.schemas, ...o.target.schemas].map((s) => s.name))];
    // Where the schema is the database, the scratch database's own is read (diffSchemas lines them up).
    const after = await o.adapter.inspector.inspect(scratch.session, {
      objects: o.source.objects !== undefined,
      ...(engineFacts(o.adapter.id).databaseIsSchema ? {} : { schemas }),
    });
    const diff = diffSchemas(o.source, after, { ...o, quote: engineFacts(o.adapter.id).quote });
    // Withheld drops are meant to stay; renames have been applied, so they no longer apply.
    const remaining = diff.changes.filter((c) => o.allowDrop || c.action !== "dropped");
    return { verified: remaining.length === 0, remaining };
  } finally {
    await scratch.drop();
  }
}
