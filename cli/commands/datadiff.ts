// mx datadiff SOURCE TARGET --table T: row-level data diff between two tables given by database
// URLs (local mode), same or different engines. Exit 0 equal, 1 differences, 2 error.
import { MigratrixError } from "../../common/errors.ts";
import type { DataDiffResult, DiffSide, EngineId, RowDiff, Session } from "../../engines/index.ts";
import { loadEngines } from "../engines.ts";
import { describeFailure, UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { defineCommand } from "./types.ts";

const FORMATS = ["text", "json", "sql"] as const;
type Format = (typeof FORMATS)[number];

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return items.length > 0 ? items : undefined;
}

const show = (v: string | null) => (v === null ? "NULL" : JSON.stringify(v));

function keyText(r: DataDiffResult, key: readonly string[]): string {
  return r.key.map((k, i) => `${k}=${show(key[i] ?? null)}`).join(", ");
}

function rowLine(out: Output, r: DataDiffResult, d: RowDiff): string[] {
  if (d.kind === "delete") return [`${out.paint("red", "- delete")}  ${keyText(r, d.key)}`];
  if (d.kind === "insert") {
    const values = Object.entries(d.row)
      .filter(([c]) => !r.key.includes(c))
      .map(([c, v]) => `${c}=${show(v)}`);
    return [`${out.paint("green", "+ insert")}  ${keyText(r, d.key)}${values.length ? `  ${values.join(", ")}` : ""}`];
  }
  return [
    `${out.paint("yellow", "~ update")}  ${keyText(r, d.key)}`,
    ...d.changes.map((c) => `      ${c.column}: ${show(c.before)} → ${show(c.after)}`),
  ];
}

/** The report for people: what to do to the target, row by row, and how the work went. */
export function renderDataDiffText(out: Output, r: DataDiffResult, ms: number): void {
  const { inserted, updated, deleted } = r.counts;
  out.line(`key ${r.key.join(", ")}; columns ${r.columns.length > 0 ? r.columns.join(", ") : "(key only)"}`);
  for (const d of r.rows) for (const l of rowLine(out, r, d)) out.line(l);
  const total = inserted + updated + deleted;
  out.line(
    total === 0
      ? out.paint("green", `${r.sourceTable} and ${r.targetTable} hold the same rows`)
      : `${total} difference(s) in ${r.targetTable}: ${inserted} to insert, ${updated} to update, ${deleted} to delete`,
  );
  const s = r.stats;
  out.line(
    out.paint(
      "dim",
      `${Math.round(ms)} ms: ${s.passes} checksum pass(es), ${s.leafRanges} range(s) fetched ` +
        `(${s.rowsFetched.source} + ${s.rowsFetched.target} rows), ${s.hashMode} hash`,
    ),
  );
}

async function open(url: string, what: string): Promise<{ id: EngineId; session: Session }> {
  const engines = await loadEngines();
  let id: EngineId;
  try {
    id = engines.engineIdFromUrl(url);
  } catch (err) {
    throw new UsageError(`${what}: ${MigratrixError.from(err).message}`);
  }
  return { id, session: await engines.getEngine(id).driver.connect(url) };
}

export const datadiff = defineCommand({
  path: ["datadiff"],
  summary: "compare the rows of two tables and print the differences or a sync script (local mode)",
  args: ["SOURCE", "TARGET"],
  options: {
    table: { type: "string", value: "T", description: "table to compare (SCHEMA.TABLE allowed)" },
    "target-table": { type: "string", value: "T", description: "table name in TARGET (default: --table)" },
    key: { type: "string", value: "COL[,COL]", description: "key columns (default: the primary key)" },
    columns: { type: "string", value: "COL[,COL]", description: "compare only these columns" },
    exclude: { type: "string", value: "COL[,COL]", description: "leave these columns out" },
    where: { type: "string", value: "SQL", description: "filter applied on both sides (SQL both engines read)" },
    threshold: {
      type: "string",
      value: "N",
      description: "fetch and compare rows of ranges with at most N rows (default 1000)",
    },
    format: { type: "string", value: "F", description: "text (default), json or sql (the sync script)" },
  },
  details: [
    "SOURCE and TARGET are database URLs: postgres://, mysql://, mariadb://, sqlite:path.",
    "Checksums of key ranges are computed in both databases at once; ranges that differ are cut",
    "further and small ones fetched, so equal data is never copied. The sync script (--format sql)",
    "deletes, updates and inserts in the target's dialect to make TARGET's rows equal SOURCE's.",
    "Exit status: 0 the rows are equal, 1 they differ, 2 error.",
  ],
  async run({ out, input }) {
    try {
      const format = (input.global.json ? "json" : (input.string("format") ?? "text")) as Format;
      if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, json or sql, got '${format}'`);
      const [sourceUrl = "", targetUrl = ""] = input.positionals;
      const engines = await loadEngines();
      const dd = engines.datadiff;
      const table = dd.parseTableName(input.required("table"));
      const targetTable = dd.parseTableName(input.string("target-table") ?? input.required("table"));
      const threshold = input.uint("threshold");
      const where = input.string("where");
      const source = await open(sourceUrl, "SOURCE");
      try {
        const target = await open(targetUrl, "TARGET");
        try {
          const side = (s: typeof source, t: typeof table): DiffSide => ({
            session: s.session,
            facts: dd.dataDiffFacts(s.id),
            engine: s.id,
            table: t,
            ...(where ? { where } : {}),
          });
          const key = list(input.string("key"));
          const include = list(input.string("columns"));
          const exclude = list(input.string("exclude"));
          const started = performance.now();
          const r = await dd.diffTables({
            source: side(source, table),
            target: side(target, targetTable),
            ...(key ? { key } : {}),
            ...(include ? { include } : {}),
            ...(exclude ? { exclude } : {}),
            ...(threshold !== undefined ? { fetchThreshold: threshold } : {}),
          });
          if (format === "json") out.document(r);
          else if (format === "sql") out.raw(r.script);
          else renderDataDiffText(out, r, performance.now() - started);
          return r.rows.length === 0 ? 0 : 1;
        } finally {
          await target.session.close();
        }
      } finally {
        await source.session.close();
      }
    } catch (err) {
      if (err instanceof UsageError) err.command ??= "datadiff";
      // Not the usual exit 1: for datadiff 1 means "the rows differ".
      out.note(describeFailure(err, {}).lines.join("\n"));
      return 2;
    }
  },
});
