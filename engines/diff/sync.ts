// The sync script: the diff's changes turned into the target engine's statements (renamed first,
// then drops with dependents first, then creates and alters by the dependency graph, then
// validations and ownerships), with its down script and the risk report of the up script.
import { assess } from "../risk/assess.ts";
import type { SchemaObjectSnapshot, SchemaSnapshot } from "../schema/snapshot.ts";
import { alignDatabases, diffSchemas } from "./compare.ts";
import { engineFacts, syncRenderer } from "./engines.ts";
import { createRank, dependencies, NameIndex, topoSort, type Unit } from "./graph.ts";
import type {
  Change,
  DiffOptions,
  RenderContext,
  SchemaDiff,
  SyncOptions,
  SyncPlan,
  SyncRenderer,
  SyncStatement,
} from "./model.ts";
import { crossEngine, inTargetFlavour } from "./translate.ts";

export const DEFAULT_LOCK_TIMEOUT = "5s";
export const DEFAULT_STATEMENT_TIMEOUT = "30min";

const viewKey = (o: { schema: string; name: string }) => `${o.schema}.${o.name}`;

/**
 * Views (and materialized views) of the target that must be dropped and made again because what
 * they read changes shape: a column changes type or goes away, a table goes, or a view they read
 * is itself re-made. Transitive over views reading views.
 */
function viewsToRecreate(changes: Change[], target: SchemaSnapshot): SchemaObjectSnapshot[] {
  const shaken = new Set<string>();
  for (const ch of changes) {
    if (
      ch.kind === "column" &&
      (ch.action === "dropped" || ch.fields.some((f) => ["type", "collation", "generated"].includes(f.field)))
    ) {
      shaken.add(`${ch.schema}.${ch.table}`);
    }
    if (ch.kind === "table" && ch.action === "dropped") shaken.add(viewKey(ch));
    if ((ch.kind === "view" || ch.kind === "materialized_view") && ch.action !== "added") shaken.add(viewKey(ch));
  }
  const views = (target.objects ?? []).filter((o) => o.kind === "view" || o.kind === "materialized_view");
  const out: SchemaObjectSnapshot[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const v of views) {
      if (shaken.has(viewKey(v))) continue;
      if ((v.dependsOn ?? []).some((d) => shaken.has(d))) {
        shaken.add(viewKey(v));
        out.push(v);
        grew = true;
      }
    }
  }
  return out;
}

/** What the planner adds to the diff: a new table's keys and indexes, views to re-make. */
function expand(
  diff: SchemaDiff,
  source: SchemaSnapshot,
  target: SchemaSnapshot,
): Array<{ ch: Change; recreate?: boolean }> {
  const out: Array<{ ch: Change; recreate?: boolean }> = [];
  const droppedTables = new Set(diff.changes.filter((c) => c.kind === "table" && c.action === "dropped").map(viewKey));
  for (const ch of diff.changes) {
    // A dropped table takes its triggers with it.
    if (ch.kind === "trigger" && ch.action === "dropped" && droppedTables.has(`${ch.schema}.${ch.table}`)) continue;
    out.push({ ch });
    if (ch.kind === "table" && ch.action === "dropped" && ch.target) {
      // Its foreign keys go first, so tables that reference each other can be dropped.
      for (const k of ch.target.constraints ?? []) {
        if (k.kind !== "foreign") continue;
        out.push({
          ch: {
            kind: "constraint",
            action: "dropped",
            schema: ch.schema,
            table: ch.name,
            name: k.name,
            fields: [],
            target: k,
          },
        });
      }
    }
    if (ch.kind !== "table" || ch.action !== "added" || !ch.source) continue;
    const t = ch.source;
    const base = { schema: t.schema, table: t.name, action: "added" as const, fields: [] };
    if (t.constraints) {
      for (const k of t.constraints) out.push({ ch: { kind: "constraint", ...base, name: k.name, source: k } });
    } else if (t.primaryKey) {
      out.push({
        ch: { kind: "primary_key", ...base, name: t.primaryKey.name ?? `${t.name}_pkey`, source: t.primaryKey },
      });
    }
    for (const ix of t.indexes) {
      if (ix.primary || ix.constraint) continue;
      out.push({ ch: { kind: "index", ...base, name: ix.name, source: ix } });
    }
  }
  const sourceViews = new Map((source.objects ?? []).map((o) => [`${o.kind}:${viewKey(o)}`, o]));
  for (const v of viewsToRecreate(diff.changes, target)) {
    const now = sourceViews.get(`${v.kind}:${viewKey(v)}`);
    if (!now) continue; // only in the target: the diff drops it (or withholds the drop)
    out.push({
      ch: { kind: v.kind, action: "changed", schema: v.schema, name: v.name, fields: [], source: now, target: v },
      recreate: true,
    });
  }
  return out;
}

const label = (ch: Change) =>
  `${ch.kind} ${ch.schema}.${ch.table ? `${ch.table}.` : ""}${ch.name}${ch.signature !== undefined ? `(${ch.signature})` : ""}`;

export interface RenderedSync {
  statements: string[];
  withheld: string[];
  unsupported: string[];
  /** Changes whose order a dependency cycle decided. */
  cycles: string[];
}

/** Orders and renders a diff's changes; drops only with allowDrop. */
export function renderSync(
  diff: SchemaDiff,
  source: SchemaSnapshot,
  target: SchemaSnapshot,
  opts: SyncOptions & { skip?: Set<string>; renderer?: SyncRenderer } = {},
): RenderedSync {
  const renderer = opts.renderer ?? syncRenderer(target.engine);
  const withheld: string[] = [];
  const unsupported: string[] = [];
  const renames: string[] = [];
  const validates: string[] = [];
  const drops: Unit<string[]>[] = [];
  const creates: Unit<string[]>[] = [];
  const names = new NameIndex(source);
  const targetNames = new NameIndex(target);
  const seen = new Set<string>();
  for (const { ch, recreate } of expand(diff, source, target)) {
    if (opts.skip?.has(label(ch))) continue;
    if (ch.action === "dropped" && !opts.allowDrop) {
      withheld.push(label(ch));
      continue;
    }
    const ctx: RenderContext = {
      source,
      target,
      allowDrop: opts.allowDrop ?? false,
      ...(recreate ? { recreate } : {}),
    };
    const why = renderer.unsupported?.(ch, ctx);
    if (why) {
      unsupported.push(why);
      continue;
    }
    const sts: SyncStatement[] = renderer.statements(ch, ctx);
    const created: string[] = [];
    const dropped: string[] = [];
    for (const st of sts) {
      if (st.phase === "rename") renames.push(st.sql);
      else if (st.phase === "drop") dropped.push(st.sql);
      else if (st.phase === "validate") validates.push(st.sql);
      else created.push(st.sql);
    }
    // Several changes may need the same statements (SQLite rebuilds a table once for all of them).
    const key = created.join("\u0000");
    if (created.length > 0 && !seen.has(key)) {
      seen.add(key);
      creates.push({ item: created, ...dependencies(ch, names), rank: createRank(ch) });
    }
    if (dropped.length > 0)
      drops.push({ item: dropped, ...dependencies(ch, targetNames, "target"), rank: createRank(ch) });
  }
  // Drops run in the reverse of the order the target's objects could have been created in.
  const dropOrder = topoSort(drops).order.reverse();
  const { order: created, cycles } = topoSort(creates);
  return {
    // The same statement twice (a trigger a table rebuild already made) is said once.
    statements: [...renames, ...dropOrder.flat(), ...new Set(created.flat()), ...validates],
    withheld,
    unsupported,
    cycles: cycles.map((c) => c[0] ?? ""),
  };
}

function script(renderer: SyncRenderer, statements: string[]): string {
  if (statements.length === 0) return "";
  return renderer.script ? renderer.script(statements) : `${statements.map((s) => `${s};`).join("\n")}\n`;
}

/**
 * The sync plan turning `target` into `source`: the up script (empty when nothing differs), its
 * down script (the reverse sync, which may drop what the up script creates) and the risk report.
 */
export async function planSync(
  sourceIn: SchemaSnapshot,
  targetIn: SchemaSnapshot,
  opts: DiffOptions & SyncOptions & { risk?: boolean } = {},
): Promise<SyncPlan & { diff: SchemaDiff; cycles: string[] }> {
  // Across engines the script is in the target's dialect: the source is translated into its terms.
  const flavoured = inTargetFlavour(sourceIn, targetIn);
  const cross = crossEngine(flavoured, targetIn);
  const source = cross?.source ?? flavoured;
  const facts = engineFacts(targetIn.engine);
  const quote = facts.quote;
  const target = alignDatabases(source, cross?.target ?? targetIn);
  const diff = { ...diffSchemas(source, target, { ...opts, quote }), sourceEngine: sourceIn.engine };
  if (cross && cross.notes.length > 0) diff.notes = cross.notes;
  const up = renderSync(diff, source, target, opts);
  const reverseRenames = (opts.renames ?? []).map((r) => ({ from: r.to, to: r.from }));
  const back = diffSchemas(target, source, { ...opts, renames: reverseRenames, quote });
  // What the up script withheld is still there: the down script has nothing to put back.
  const down = renderSync(back, target, source, { ...opts, allowDrop: true, skip: new Set(up.withheld) });
  const header = syncRenderer(target.engine).header({
    lockTimeout: opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT,
    statementTimeout: opts.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT,
  });
  const statements = up.statements.length === 0 ? [] : [...header, ...up.statements];
  const renderer = syncRenderer(target.engine);
  const sql = script(renderer, statements);
  // Guards hide their statements in strings: the analyser reads the plan rendered without them.
  const analysed = renderer.analysed;
  const riskSql = () =>
    analysed
      ? script(analysed, [...header, ...renderSync(diff, source, target, { ...opts, renderer: analysed }).statements])
      : sql;
  const risk =
    opts.risk !== false && sql !== "" && facts.risk
      ? await assess(riskSql(), { engine: target.engine, schema: target })
      : undefined;
  return {
    engine: target.engine,
    sql,
    statements,
    down: down.statements.length === 0 ? "" : script(renderer, [...header, ...down.statements]),
    withheld: up.withheld,
    unsupported: up.unsupported,
    downUnsupported: down.unsupported,
    cycles: up.cycles,
    diff,
    ...(risk ? { risk } : {}),
  };
}
