// Local mode (a URL instead of ENV/CONNECTION): mx down, mx apply, mx revert, mx backup list|purge.
// The CLI connects to the database itself, for a developer's machine or a CI pipeline; the same
// runner as the agent's keeps history, the lock, backups and the statement log.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { DownScript, EngineId, SchemaSnapshot } from "../../engines/index.ts";
import { loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { listOnPlatform, printBackups, purgeOnPlatform } from "./backup.ts";
import { finishRun, type LocalDb, readMigration, runLocal, withUrl } from "./local-run.ts";
import { type CommandContext, defineCommand } from "./types.ts";

const URL_OPTION = { type: "string", value: "URL", description: "database URL (postgres://…): local mode" } as const;

async function generate(
  up: string,
  o: { engine: EngineId; schemaBefore?: SchemaSnapshot; migrationId: string; firstLine: number },
): Promise<DownScript> {
  const { generateDown } = await loadEngines();
  const down = await generateDown(up, o);
  const p = down.problems[0];
  if (p) throw new MigratrixError("invalid_argument", `cannot generate a down script: ${p.message}`);
  return down;
}

export const down = defineCommand({
  path: ["down"],
  summary: "print the generated down script of a migration file and its notes",
  args: ["FILE"],
  options: {
    engine: { type: "string", value: "E", description: "engine of the migration (postgresql, mariadb, mysql, sqlite)" },
    schema: { type: "string", value: "FILE", description: "schema snapshot JSON taken before (mx schema --json)" },
  },
  details: [
    "Without --schema only inverses that need no snapshot are generated (the rest are reported).",
    "--json prints the script, its steps, findings and the backups the run would take.",
  ],
  async run({ io, out, input }) {
    const engine = await parseEngine(input.required("engine"));
    const m = await readMigration(io.cwd, input.positionals[0] ?? "");
    const engines = await loadEngines();
    const schemaFile = input.string("schema");
    const schemaBefore = schemaFile
      ? engines.snapshotFromJson(readFileSync(resolve(io.cwd, schemaFile), "utf8"))
      : undefined;
    const d = await generate(m.up, {
      engine,
      migrationId: m.id,
      firstLine: m.upStartLine,
      ...(schemaBefore ? { schemaBefore } : {}),
    });
    if (out.json) out.document(d);
    else {
      out.raw(engines.renderDownScript(d));
      if (m.down !== null) out.note("note: the file has its own -- DOWN section; mx revert uses that one");
    }
    return 0;
  },
});

export const apply = defineCommand({
  path: ["apply"],
  summary: "run a migration file against a database URL (local mode)",
  args: ["FILE"],
  options: {
    url: URL_OPTION,
    "allow-no-backup": { type: "boolean", description: "go on where a backup cannot be taken (reported)" },
    "max-backup-rows": { type: "string", value: "N", description: "largest backup allowed (default 1000000 rows)" },
  },
  details: [
    "Without a -- DOWN section the down script is generated from the live schema first, and the",
    "rows each destructive statement removes are backed up in the same transaction (migratrix_backup).",
  ],
  async run({ io, out, input }) {
    const m = await readMigration(io.cwd, input.positionals[0] ?? "");
    const maxRows = input.uint("max-backup-rows");
    return withUrl(input.required("url"), async (db) => {
      const hooks =
        m.down === null
          ? await backupHooks(db, m.id, m.up, m.upStartLine, {
              allow: input.flag("allow-no-backup"),
              ...(maxRows !== undefined ? { maxRows } : {}),
              note: (s) => out.note(s),
              printSteps: !out.json,
              line: (s) => out.line(s),
            })
          : undefined;
      const r = await runLocal(db, out, m, {
        direction: "apply",
        sql: m.up,
        lineOffset: m.upStartLine,
        ...(hooks ? { hooks } : {}),
      });
      return finishRun(out, `apply ${m.id}`, r);
    });
  },
});

async function backupHooks(
  db: LocalDb,
  migrationId: string,
  up: string,
  firstLine: number,
  o: { allow: boolean; maxRows?: number; note(s: string): void; printSteps: boolean; line(s: string): void },
) {
  const engines = await loadEngines();
  if (!engines.generatesRollback(db.engine)) {
    o.note(`note: no down script is generated for ${db.engine.id} yet: revert needs a -- DOWN section`);
    return undefined;
  }
  const { down: d, hooks } = await engines.armRollback(db.engine, db.session, {
    migrationId,
    up,
    firstLine,
    allowWithoutBackup: o.allow,
    ...(o.maxRows !== undefined ? { maxRows: o.maxRows } : {}),
    onNotice: (s) => o.note(s),
  });
  if (o.printSteps) {
    o.line(`generated down script: ${d.reversibility}, ${d.backups.length} backup(s) to take`);
    for (const s of d.steps.filter((x) => x.reversibility !== "exact")) {
      o.line(`  statement ${s.upIndex} (line ${s.line}): ${s.reversibility}: ${s.reason ?? ""}`);
    }
  }
  return hooks;
}

export const revert = defineCommand({
  path: ["revert"],
  summary: "run a migration's down script against a database URL (local mode)",
  args: ["FILE"],
  options: { url: URL_OPTION },
  details: [
    "Uses the file's -- DOWN section, else the down script generated and stored when it was applied",
    "(it restores the rows the backups kept).",
  ],
  async run({ io, out, input }) {
    const m = await readMigration(io.cwd, input.positionals[0] ?? "");
    return withUrl(input.required("url"), async (db) => {
      let sql = m.down;
      let lineOffset = m.downStartLine ?? 1;
      if (sql === null) {
        const engines = await loadEngines();
        const stored = engines.generatesRollback(db.engine)
          ? await engines.storedDownScript(db.engine, db.session, m.id)
          : null;
        if (!stored) {
          throw new MigratrixError(
            "failed_precondition",
            `migration ${m.id} has no -- DOWN section and no down script was stored when it was applied`,
          );
        }
        if (!out.json) out.line(`using the down script generated when ${m.id} was applied (${stored.reversibility})`);
        sql = stored.sql;
        lineOffset = 1;
      }
      const r = await runLocal(db, out, m, { direction: "revert", sql, lineOffset });
      return finishRun(out, `revert ${m.id}`, r);
    });
  },
});

// Through the platform (--env) or straight on one database (--url).
const PLATFORM_OPTIONS = {
  env: { type: "string", value: "NAME", description: "an environment's databases, through their agents" },
  connection: { type: "string", value: "NAME", description: "with --env: only this connection" },
} as const;

function platformEnv(input: CommandContext["input"], command: string): string | undefined {
  const env = input.string("env");
  if (env !== undefined && input.string("url") !== undefined) {
    throw new UsageError("give either --env (through the platform) or --url (local mode), not both", command);
  }
  if (env === undefined && input.string("connection") !== undefined) {
    throw new UsageError("--connection goes with --env", command);
  }
  return env;
}

export const backupList = defineCommand({
  path: ["backup", "list"],
  summary: "list the backups kept (with their size) in an environment's databases or one database URL",
  args: [],
  options: {
    url: URL_OPTION,
    ...PLATFORM_OPTIONS,
    migration: { type: "string", value: "ID", description: "only this migration's" },
  },
  async run(ctx) {
    const { out, input } = ctx;
    const env = platformEnv(input, "backup list");
    if (env !== undefined) return listOnPlatform(ctx, env);
    const migrationId = input.string("migration");
    return withUrl(input.required("url"), async (db) => {
      const list = await (await loadEngines()).listBackups(db.engine, db.session, migrationId ? { migrationId } : {});
      if (out.json) out.document({ backups: list });
      else printBackups(out, list);
      return 0;
    });
  },
});

export const backupPurge = defineCommand({
  path: ["backup", "purge"],
  summary: "drop backups by migration or by age (--env: admins, audited; --url: also --all)",
  args: [],
  options: {
    url: URL_OPTION,
    ...PLATFORM_OPTIONS,
    migration: { type: "string", value: "ID", description: "only this migration's backups" },
    "older-than": { type: "string", value: "AGE", description: "only backups older than AGE (30m, 12h, 7d)" },
    all: { type: "boolean", description: "every backup (needed when no filter is given)" },
  },
  async run(ctx) {
    const { out, input } = ctx;
    const migrationId = input.string("migration");
    const age = input.string("older-than");
    const all = input.flag("all");
    const env = platformEnv(input, "backup purge");
    if (env !== undefined) {
      if (all) throw new UsageError("--all is local mode only: purge by --migration or --older-than", "backup purge");
      return purgeOnPlatform(ctx, env, {
        ...(migrationId !== undefined ? { migrationId } : {}),
        ...(age !== undefined ? { olderThanMs: parseAge(age) } : {}),
      });
    }
    if (migrationId === undefined && age === undefined && !all) {
      throw new UsageError("say what to purge: --migration ID, --older-than AGE or --all", "backup purge");
    }
    return withUrl(input.required("url"), async (db) => {
      const purged = await (await loadEngines()).purgeBackups(db.engine, db.session, {
        ...(migrationId !== undefined ? { migrationId } : {}),
        ...(age !== undefined ? { olderThanMs: parseAge(age) } : {}),
        all,
      });
      if (out.json) out.document({ purged });
      else
        out.line(
          `purged ${purged.length} backup(s)${purged.length ? `: ${purged.map((b) => b.table).join(", ")}` : ""}`,
        );
      return 0;
    });
  },
});

export function parseAge(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text.trim());
  if (!m)
    throw new UsageError(`--older-than: expected a number and m, h or d (e.g. 7d), got '${text}'`, "backup purge");
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
