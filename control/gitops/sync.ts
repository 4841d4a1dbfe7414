// One commit of a linked repository → migrations, all or nothing: every migration file is read and
// parsed first; if any file does not parse or edits a migration that already ran somewhere, nothing
// of the commit is stored and the refusal is audited. Otherwise new files become migrations and
// changed files of migrations that never ran get their new checksum (votes on the old one are void),
// in one store transaction with the link's last commit, the delivery (if any) and the audit records.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { parseMigrationFileName } from "../../engines/migration/index.ts";
import { appendAudit } from "../audit/index.ts";
import { type ParsedMigration, parseForEngine } from "../domain/migration-file.ts";
import { assessMigration } from "../domain/migration-risk.ts";
import { createMigration } from "../domain/migrations.ts";
import { getFlow, promote } from "../flows/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { GitReader } from "./git.ts";
import { type LinkRow, recordEvent, secretContext } from "./links.ts";
import type { SecretBox } from "./secrets.ts";

export const MIGRATION_EXTENSIONS = [".sql", ".migration"] as const;

export type FileOutcome = "created" | "updated" | "unchanged" | "refused" | "invalid" | "removed" | "archived";

export interface SyncedFile {
  path: string;
  migrationId: string;
  outcome: FileOutcome;
  checksum: string;
  message: string;
  author: string;
}

export interface SyncReport {
  commit: string;
  applied: boolean;
  /** The delivery was seen before: nothing was done. */
  duplicate: boolean;
  files: SyncedFile[];
  promotions: string[];
}

export interface SyncDeps {
  db: Db;
  bus: Bus;
  git: GitReader;
  box: SecretBox;
  log: Logger;
  agentOnlineMs: number;
}

export interface SyncInput {
  link: LinkRow;
  /** "" = head of the link's branch. */
  commit: string;
  /** Webhook delivery id: a second sync with the same id is a no-op. */
  deliveryId?: string;
  actor: string;
  correlationId: string;
}

interface Planned {
  file: SyncedFile;
  parsed?: ParsedMigration;
  content: string;
  createdBy: string;
  actor: string;
  authorEmail: string;
}

/** Thrown inside the transaction to roll it back when another replica took the same delivery. */
class DuplicateDelivery extends Error {}

/** The workspace member whose email is the commit author's, as the audit and createdBy name them. */
async function memberByEmail(db: Db, workspaceId: string, email: string) {
  if (email === "") return null;
  const [row] = await db
    .select({ id: tables.users.id, email: tables.users.email })
    .from(tables.users)
    .innerJoin(tables.memberships, eq(tables.memberships.userId, tables.users.id))
    .where(and(eq(tables.memberships.workspaceId, workspaceId), sql`lower(${tables.users.email}) = ${email}`));
  return row ?? null;
}

/** A migration has run somewhere when any of its runs got past queued/pending or did any work. */
async function ranSomewhere(db: Db | Tx, workspaceId: string, ids: string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      migrationId: tables.runs.migrationId,
      state: tables.runs.state,
      done: tables.runs.statementsDone,
      env: tables.environments.name,
    })
    .from(tables.runs)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
    .where(and(eq(tables.runs.workspaceId, workspaceId), inArray(tables.runs.migrationId, ids)));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    // A PostgreSQL run that failed before any statement committed left nothing behind, and a
    // rejected one never started; everything else counts as run (in progress included).
    if ((r.state === "failed" || r.state === "rejected") && r.done === 0) continue;
    out.set(r.migrationId, [...(out.get(r.migrationId) ?? []), `${r.env} (${r.state.replace("_", " ")})`]);
  }
  return out;
}

async function plan(deps: SyncDeps, link: LinkRow, fetched: Fetched): Promise<Planned[]> {
  const { repo, commit } = fetched;
  const files = await deps.git.files(repo, commit, link.directory, MIGRATION_EXTENSIONS);
  const planned: Planned[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const item: Planned = {
      file: { path: f.path, migrationId: "", outcome: "unchanged", checksum: "", message: "", author: "" },
      content: f.content,
      createdBy: `gitops:${link.name}`,
      actor: `gitops:${link.name}`,
      authorEmail: "",
    };
    try {
      // The repository path as the file name: problems read path:line:column.
      item.parsed = parseForEngine(f.path, f.content, link.engine);
      item.file.migrationId = item.parsed.id;
      item.file.checksum = item.parsed.checksum;
      const other = seen.get(item.parsed.id);
      if (other !== undefined) {
        throw new MigratrixError(
          "invalid_argument",
          `${f.path}: migration id ${item.parsed.id} is also the id of ${other}`,
        );
      }
      seen.set(item.parsed.id, f.path);
    } catch (err) {
      const e = MigratrixError.from(err);
      if (e.code !== "invalid_argument") throw e;
      item.file.outcome = "invalid";
      item.file.message = e.message.startsWith(f.path) ? e.message : `${f.path}: ${e.message}`;
    }
    planned.push(item);
  }
  const ids = planned.flatMap((p) => (p.parsed ? [p.parsed.id] : []));
  const existing =
    ids.length === 0
      ? []
      : await deps.db
          .select({
            id: tables.migrations.id,
            checksum: tables.migrations.checksum,
            createdBy: tables.migrations.createdBy,
          })
          .from(tables.migrations)
          .where(and(eq(tables.migrations.workspaceId, link.workspaceId), inArray(tables.migrations.id, ids)));
  const stored = new Map(existing.map((m) => [m.id, m]));
  const changed = planned.filter(
    (p) => p.parsed && stored.has(p.parsed.id) && stored.get(p.parsed.id)?.checksum !== p.parsed.checksum,
  );
  const ran = await ranSomewhere(
    deps.db,
    link.workspaceId,
    changed.map((p) => p.file.migrationId),
  );
  for (const p of planned) {
    if (!p.parsed) continue;
    const prior = stored.get(p.parsed.id);
    if (prior) {
      p.file.author = prior.createdBy;
      if (prior.checksum === p.parsed.checksum) continue;
      const where = ran.get(p.parsed.id);
      if (where) {
        p.file.outcome = "refused";
        p.file.message = `${p.file.path}: edited after it was applied (${where.join(", ")}); the applied checksum is ${prior.checksum}, the file's is ${p.parsed.checksum}; put the change in a new migration file`;
      } else {
        p.file.outcome = "updated";
      }
      continue;
    }
    p.file.outcome = "created";
    const author = await deps.git.addedBy(repo, commit, p.file.path);
    p.authorEmail = author?.email ?? "";
    const member = author ? await memberByEmail(deps.db, link.workspaceId, author.email) : null;
    if (member) {
      p.createdBy = member.email;
      p.actor = `user:${member.id}`;
    }
    p.file.author = p.createdBy;
  }
  return [...planned, ...(await deletions(deps, link, fetched, new Set(ids)))];
}

interface Fetched {
  repo: string;
  commit: string;
  /** The link's last synced commit, when the cache holds it. */
  previous: string | null;
}

/**
 * Files deleted since the last synced commit: a migration that never ran anywhere is removed, one
 * that ran (or has runs at all, whose history must stay) is archived under the [ARCHIVED] prefix.
 */
async function deletions(deps: SyncDeps, link: LinkRow, fetched: Fetched, present: Set<string>): Promise<Planned[]> {
  if (fetched.previous === null || fetched.previous === fetched.commit) return [];
  const paths = await deps.git.deleted(
    fetched.repo,
    fetched.previous,
    fetched.commit,
    link.directory,
    MIGRATION_EXTENSIONS,
  );
  const byId = new Map<string, string>();
  for (const path of paths) {
    try {
      const { id } = parseMigrationFileName(path);
      if (!present.has(id)) byId.set(id, path);
    } catch {
      // A deleted file that never parsed was never a migration: nothing to remove.
    }
  }
  if (byId.size === 0) return [];
  const ids = [...byId.keys()];
  const stored = await deps.db
    .select({ id: tables.migrations.id, checksum: tables.migrations.checksum, createdBy: tables.migrations.createdBy })
    .from(tables.migrations)
    .where(and(eq(tables.migrations.workspaceId, link.workspaceId), inArray(tables.migrations.id, ids)));
  const withRuns = new Set(
    (
      await deps.db
        .selectDistinct({ id: tables.runs.migrationId })
        .from(tables.runs)
        .where(and(eq(tables.runs.workspaceId, link.workspaceId), inArray(tables.runs.migrationId, ids)))
    ).map((r) => r.id),
  );
  return stored.map((m) => ({
    file: {
      path: byId.get(m.id) ?? "",
      migrationId: m.id,
      outcome: withRuns.has(m.id) ? "archived" : "removed",
      checksum: m.checksum,
      message: "",
      author: m.createdBy,
    },
    content: "",
    createdBy: m.createdBy,
    actor: `gitops:${link.name}`,
    authorEmail: "",
  }));
}

export const ARCHIVED_PREFIX = "[ARCHIVED] ";

/** Removes a migration that never ran (its flow entries and votes with it), or archives it. */
async function retire(tx: Tx, link: LinkRow, p: Planned, input: { actor: string; correlationId: string }) {
  const id = p.file.migrationId;
  const ws = link.workspaceId;
  const migration = and(eq(tables.migrations.workspaceId, ws), eq(tables.migrations.id, id));
  const [row] = await tx.select().from(tables.migrations).where(migration).for("update");
  if (!row) return;
  const [run] = await tx
    .select({ id: tables.runs.id })
    .from(tables.runs)
    .where(and(eq(tables.runs.workspaceId, link.workspaceId), eq(tables.runs.migrationId, id)))
    .limit(1);
  const detail = { fileName: p.file.path, checksum: row.checksum };
  if (run || p.file.outcome === "archived") {
    p.file.outcome = "archived";
    if (row.name.startsWith(ARCHIVED_PREFIX)) return;
    await tx
      .update(tables.migrations)
      .set({ name: `${ARCHIVED_PREFIX}${row.name}` })
      .where(migration);
    await appendAudit(tx, { ...audit(link, input, id), action: "migration.archive", detail });
    return;
  }
  await tx
    .delete(tables.approvals)
    .where(and(eq(tables.approvals.workspaceId, ws), eq(tables.approvals.migrationId, id)));
  await tx
    .delete(tables.migrationStages)
    .where(and(eq(tables.migrationStages.workspaceId, ws), eq(tables.migrationStages.migrationId, id)));
  await tx.delete(tables.migrations).where(migration);
  await appendAudit(tx, { ...audit(link, input, id), action: "migration.delete", detail, sql: row.upSql });
}

const audit = (link: LinkRow, input: { actor: string; correlationId: string }, id: string) => ({
  workspaceId: link.workspaceId,
  actor: input.actor,
  target: `migration:${id}`,
  correlationId: input.correlationId,
});

const count = (files: SyncedFile[], o: FileOutcome) => files.filter((f) => f.outcome === o).length;

function summaryOf(files: SyncedFile[]): string {
  const parts = (["created", "updated", "unchanged", "removed", "archived", "refused", "invalid"] as const)
    .map((o) => [o, count(files, o)] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`);
  return parts.length ? parts.join(", ") : "no migration files";
}

/** Stores the delivery id; false when it was stored before (by this or another replica). */
async function claimDelivery(tx: Tx, link: LinkRow, deliveryId: string | undefined, commit: string): Promise<boolean> {
  if (!deliveryId) return true;
  const claimed = await tx
    .insert(tables.gitopsDeliveries)
    .values({ linkId: link.id, deliveryId, commit })
    .onConflictDoNothing()
    .returning();
  return claimed.length > 0;
}

export async function isDuplicateDelivery(db: Db, linkId: string, deliveryId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: tables.gitopsDeliveries.deliveryId })
    .from(tables.gitopsDeliveries)
    .where(and(eq(tables.gitopsDeliveries.linkId, linkId), eq(tables.gitopsDeliveries.deliveryId, deliveryId)));
  return row !== undefined;
}

/** Syncs; a failure (remote unreachable, bad commit) is written to the changes log and rethrown. */
export async function syncCommit(deps: SyncDeps, input: SyncInput): Promise<SyncReport> {
  try {
    return await syncOnce(deps, input);
  } catch (err) {
    const e = MigratrixError.from(err);
    await recordEvent(deps.db, {
      workspaceId: input.link.workspaceId,
      linkName: input.link.name,
      kind: "sync.failed",
      commit: input.commit,
      summary: `sync failed: ${e.message}`,
      actor: input.actor,
      detail: { code: e.code, delivery: input.deliveryId ?? null },
    }).catch((logErr: unknown) =>
      deps.log.warn("gitops event not recorded", { error: MigratrixError.from(logErr).message }),
    );
    throw e;
  }
}

async function syncOnce(deps: SyncDeps, input: SyncInput): Promise<SyncReport> {
  const { link } = input;
  const token = link.providerTokenEnc
    ? deps.box.open(link.providerTokenEnc, secretContext(link.workspaceId, link.name, "token"))
    : undefined;
  const head = await deps.git.fetch({ url: link.cloneUrl, branch: link.branch, commit: input.commit, token });
  let previous: string | null = link.lastCommit === "" ? null : link.lastCommit;
  if (previous !== null && !deps.git.has(head.repo, previous)) {
    // The cache lost it (a new cache dir): fetch it; if the remote no longer has it (force push),
    // deletions since then cannot be told and are left alone.
    previous = await deps.git
      .fetch({ url: link.cloneUrl, branch: link.branch, commit: previous, token })
      .then((r) => r.commit)
      .catch(() => null);
  }
  const fetched: Fetched = { ...head, previous };
  const planned = await plan(deps, link, fetched);
  const files = planned.map((p) => p.file);
  const report: SyncReport = { commit: fetched.commit, applied: false, duplicate: false, files, promotions: [] };
  const blocked = files.filter((f) => f.outcome === "refused" || f.outcome === "invalid");
  const audit = {
    workspaceId: link.workspaceId,
    actor: input.actor,
    target: `gitops:${link.name}`,
    correlationId: input.correlationId,
  };
  // Risk is assessed outside the transaction (it may load parsers); it depends on the text only.
  const risks = new Map<string, Awaited<ReturnType<typeof assessMigration>>>();
  if (blocked.length === 0) {
    for (const p of planned) {
      if (p.file.outcome === "updated" && p.parsed)
        risks.set(p.parsed.id, await assessMigration(p.parsed, link.engine));
    }
  }
  try {
    await deps.db.transaction(async (tx) => {
      if (!(await claimDelivery(tx, link, input.deliveryId, fetched.commit))) throw new DuplicateDelivery();
      const detail = { commit: fetched.commit, delivery: input.deliveryId ?? null, summary: summaryOf(files) };
      if (blocked.length > 0) {
        await appendAudit(tx, {
          ...audit,
          action: "gitops.sync.refused",
          detail: { ...detail, problems: blocked.map((f) => f.message) },
        });
        await recordEvent(tx, {
          workspaceId: link.workspaceId,
          linkName: link.name,
          kind: "sync.refused",
          commit: fetched.commit,
          summary: `nothing applied: ${blocked.map((f) => f.message).join("; ")}`,
          actor: input.actor,
          detail: { files },
        });
        return;
      }
      for (const p of planned) {
        if (p.file.outcome === "removed" || p.file.outcome === "archived") {
          await retire(tx, link, p, input);
          continue;
        }
        if (!p.parsed) continue;
        if (p.file.outcome === "created") {
          // createMigration runs in a savepoint of this transaction and appends migration.create.
          await createMigration(tx, {
            workspaceId: link.workspaceId,
            fileName: p.file.path,
            content: p.content,
            engine: link.engine,
            actor: p.actor,
            createdBy: p.createdBy,
            correlationId: input.correlationId,
          });
        } else if (p.file.outcome === "updated") {
          await updateMigration(tx, {
            link,
            planned: p,
            risk: risks.get(p.parsed.id),
            actor: input.actor,
            correlationId: input.correlationId,
          });
        }
      }
      await tx
        .update(tables.gitopsLinks)
        .set({ lastCommit: fetched.commit, updatedAt: new Date() })
        .where(eq(tables.gitopsLinks.id, link.id));
      await appendAudit(tx, { ...audit, action: "gitops.sync", detail });
      await recordEvent(tx, {
        workspaceId: link.workspaceId,
        linkName: link.name,
        kind: "sync",
        commit: fetched.commit,
        summary: summaryOf(files),
        actor: input.actor,
        detail: { files },
      });
      report.applied = true;
    });
  } catch (err) {
    if (err instanceof DuplicateDelivery) return { ...report, applied: false, duplicate: true, files: [] };
    throw err;
  }
  if (report.applied && link.autoPromoteFlow !== "") {
    report.promotions = await autoPromote(deps, link, planned, input.correlationId);
  }
  return report;
}

async function updateMigration(
  tx: Tx,
  input: {
    link: LinkRow;
    planned: Planned;
    risk: Awaited<ReturnType<typeof assessMigration>> | undefined;
    actor: string;
    correlationId: string;
  },
): Promise<void> {
  const p = input.planned.parsed;
  if (!p || !input.risk) throw new MigratrixError("internal", `${input.planned.file.path}: update without a parse`);
  const { link } = input;
  // Re-checked under the row lock: a run started since the plan makes the edit a refusal.
  const [row] = await tx
    .select({ checksum: tables.migrations.checksum })
    .from(tables.migrations)
    .where(and(eq(tables.migrations.workspaceId, link.workspaceId), eq(tables.migrations.id, p.id)))
    .for("update");
  const ran = await ranSomewhere(tx, link.workspaceId, [p.id]);
  if (!row || ran.size > 0) {
    throw new MigratrixError(
      "aborted",
      `${input.planned.file.path}: migration ${p.id} started running while the sync was prepared; sync again`,
    );
  }
  await tx
    .update(tables.migrations)
    .set({
      name: p.name,
      upSql: p.up,
      downSql: p.down,
      checksum: p.checksum,
      statements: p.statements,
      upFirstLine: p.upFirstLine,
      downFirstLine: p.downFirstLine,
      noTransaction: p.noTransaction,
      riskLevel: input.risk.level,
      riskReport: input.risk,
    })
    .where(and(eq(tables.migrations.workspaceId, link.workspaceId), eq(tables.migrations.id, p.id)));
  await appendAudit(tx, {
    workspaceId: link.workspaceId,
    actor: input.actor,
    action: "migration.update",
    target: `migration:${p.id}`,
    correlationId: input.correlationId,
    detail: {
      fileName: input.planned.file.path,
      previousChecksum: row.checksum,
      checksum: p.checksum,
      statements: p.statements,
      riskLevel: input.risk.level,
      // Votes sign the checksum: those on the previous one no longer count.
      approvalsVoided: true,
    },
    sql: input.planned.content,
  });
}

/** New migrations enter the link's flow and start on its first stage where its policy allows. */
async function autoPromote(deps: SyncDeps, link: LinkRow, planned: Planned[], correlationId: string) {
  const lines: string[] = [];
  const flow = await getFlow(deps.db, link.workspaceId, link.autoPromoteFlow);
  const first = flow.stages[0];
  if (!first) return [`flow ${flow.name} has no stage`];
  const created = planned
    .filter((p) => p.file.outcome === "created")
    .sort((a, b) => a.file.migrationId.localeCompare(b.file.migrationId));
  for (const p of created) {
    const id = p.file.migrationId;
    if (first.policy !== "auto") {
      lines.push(`${id}: not promoted, stage ${first.environment.name} of flow ${flow.name} is manual`);
      continue;
    }
    try {
      const runs = await promote(
        deps.db,
        deps.bus,
        {
          workspaceId: link.workspaceId,
          flow: flow.name,
          migrationId: id,
          stage: first.environment.name,
          actor: `gitops:${link.name}`,
          requestedBy: p.createdBy,
          correlationId,
        },
        { agentOnlineMs: deps.agentOnlineMs },
      );
      lines.push(`${id}: promoted to ${first.environment.name} (${runs.length} run${runs.length === 1 ? "" : "s"})`);
    } catch (err) {
      const e = MigratrixError.from(err);
      deps.log.warn("gitops auto promotion did not start", { migrationId: id, error: e.message });
      lines.push(`${id}: not promoted to ${first.environment.name}: ${e.message}`);
    }
  }
  return lines;
}
