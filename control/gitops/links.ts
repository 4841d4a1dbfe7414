// Repository links of a workspace: where the migration files live and how to reach the provider.
// Secrets are sealed before they reach the store and only opened where they are used.
import { and, desc, eq } from "drizzle-orm";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import { isEngineId } from "../../engines/index.ts";
import { appendAudit } from "../audit/index.ts";
import { getFlow } from "../flows/index.ts";
import { isUuid } from "../ids.ts";
import { getSchedule, putSchedule, removeSchedule } from "../schedules/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { checkBranch, checkCloneUrl } from "./git.ts";
import type { SecretBox } from "./secrets.ts";

export type LinkRow = typeof tables.gitopsLinks.$inferSelect;
export type GitProviderName = LinkRow["provider"];

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** Polling syncs are "gitops" schedules of the shared scheduler; the target is the link's id. */
export const GITOPS_SCHEDULE_KIND = "gitops";

export const DEFAULT_API: Record<GitProviderName, string> = {
  github: "https://api.github.com",
  gitlab: "https://gitlab.com/api/v4",
  git: "",
};

export interface LinkInput {
  workspaceId: string;
  name: string;
  provider: GitProviderName;
  cloneUrl: string;
  repository: string;
  branch: string;
  directory: string;
  engine: string;
  autoPromoteFlow: string;
  apiBaseUrl: string;
  /** "" keeps the stored secret of an existing link. */
  webhookSecret: string;
  providerToken: string;
  /** Cron of the polling sync; "" = none. */
  pollCron?: string;
  /** The scheduler clock's now (a new schedule's first slot is the next one after it). */
  now?: Date;
  /** Whether file:// clone URLs are allowed (the runtime's setting). */
  allowFileRemotes?: boolean;
  actor: string;
  createdBy: string;
  correlationId: string;
}

/** What seals a secret of a link: its workspace, its name and what the secret is for. */
export const secretContext = (workspaceId: string, name: string, purpose: "webhook" | "token") =>
  `gitops:${workspaceId}:${name}:${purpose}`;

export function webhookPath(link: Pick<LinkRow, "provider" | "id">): string {
  return link.provider === "git" ? "" : `/webhooks/${link.provider}/${link.id}`;
}

function normaliseDirectory(dir: string): string {
  const d = dir.trim().replace(/^\/+|\/+$/g, "");
  if (d.split("/").some((part) => part === ".." || part === ".")) {
    throw new MigratrixError("invalid_argument", `directory ${JSON.stringify(dir)} may not contain "." or ".." parts`);
  }
  return d;
}

/** Creates the link or replaces the settings of the link of that name; audited. */
export async function linkRepository(db: Db, box: SecretBox, input: LinkInput): Promise<LinkRow> {
  const where = `repository link ${JSON.stringify(input.name)}`;
  if (!NAME.test(input.name)) {
    throw new MigratrixError("invalid_argument", `${where}: a name is 1-63 letters, digits, '_' or '-'`);
  }
  checkCloneUrl(input.cloneUrl, { allowFile: input.allowFileRemotes ?? false });
  const branch = checkBranch(input.branch || "main");
  const directory = normaliseDirectory(input.directory === "" ? "migrations" : input.directory);
  if (!isEngineId(input.engine))
    throw new MigratrixError("invalid_argument", `${where}: unknown engine ${input.engine}`);
  if (input.provider !== "git" && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$|^\d+$/.test(input.repository)) {
    throw new MigratrixError(
      "invalid_argument",
      `${where}: repository must be "owner/name" (GitHub) or the project path or id (GitLab), got ${JSON.stringify(input.repository)}`,
    );
  }
  const apiBaseUrl = (input.apiBaseUrl || DEFAULT_API[input.provider]).replace(/\/+$/, "");
  if (apiBaseUrl !== "" && !/^https?:\/\/[^\s/]+/.test(apiBaseUrl)) {
    throw new MigratrixError(
      "invalid_argument",
      `${where}: api base URL must be http(s), got ${redactSecrets(apiBaseUrl)}`,
    );
  }
  if (input.autoPromoteFlow !== "") {
    const flow = await getFlow(db, input.workspaceId, input.autoPromoteFlow);
    if (flow.engine !== input.engine) {
      throw new MigratrixError(
        "invalid_argument",
        `${where}: flow ${flow.name} runs ${flow.engine}, the repository's migrations are ${input.engine}`,
      );
    }
  }
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(tables.gitopsLinks)
      .where(and(eq(tables.gitopsLinks.workspaceId, input.workspaceId), eq(tables.gitopsLinks.name, input.name)))
      .for("update");
    if (input.provider !== "git" && !input.webhookSecret && !existing?.webhookSecretEnc) {
      throw new MigratrixError("invalid_argument", `${where}: a ${input.provider} link needs a webhook secret`);
    }
    const seal = (value: string, purpose: "webhook" | "token", kept: string | null | undefined) =>
      value === "" ? (kept ?? null) : box.seal(value, secretContext(input.workspaceId, input.name, purpose));
    const values = {
      provider: input.provider,
      cloneUrl: input.cloneUrl,
      repository: input.repository,
      branch,
      directory,
      engine: input.engine,
      autoPromoteFlow: input.autoPromoteFlow,
      apiBaseUrl,
      webhookSecretEnc: seal(input.webhookSecret, "webhook", existing?.webhookSecretEnc),
      providerTokenEnc: seal(input.providerToken, "token", existing?.providerTokenEnc),
      // Another remote, branch or directory: deletions are no longer measured from the old commit.
      lastCommit:
        existing &&
        (existing.cloneUrl !== input.cloneUrl || existing.branch !== branch || existing.directory !== directory)
          ? ""
          : undefined,
      updatedAt: new Date(),
    };
    const [row] = existing
      ? await tx.update(tables.gitopsLinks).set(values).where(eq(tables.gitopsLinks.id, existing.id)).returning()
      : await tx
          .insert(tables.gitopsLinks)
          .values({ ...values, workspaceId: input.workspaceId, name: input.name, createdBy: input.createdBy })
          .returning();
    if (!row) throw new MigratrixError("internal", `${where} was not stored`);
    const key = { workspaceId: input.workspaceId, kind: GITOPS_SCHEDULE_KIND, target: row.id };
    const pollCron = (input.pollCron ?? "").trim();
    if (pollCron === "") await removeSchedule(tx, key);
    else await putSchedule(tx, { ...key, cron: pollCron, actor: input.actor, now: input.now ?? new Date() });
    const detail = {
      provider: row.provider,
      cloneUrl: redactSecrets(row.cloneUrl),
      repository: row.repository,
      branch: row.branch,
      directory: row.directory,
      engine: row.engine,
      autoPromoteFlow: row.autoPromoteFlow,
      apiBaseUrl: row.apiBaseUrl,
      // Whether a secret changed, never the secret.
      webhookSecretChanged: input.webhookSecret !== "",
      providerTokenChanged: input.providerToken !== "",
      pollCron,
    };
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: existing ? "gitops.link.update" : "gitops.link.create",
      target: `gitops:${row.name}`,
      correlationId: input.correlationId,
      detail,
    });
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      linkName: row.name,
      kind: "link",
      summary: `${existing ? "updated" : "linked"} ${row.provider} ${redactSecrets(row.cloneUrl)} branch ${row.branch} directory ${row.directory || "/"}`,
      actor: input.actor,
      detail,
    });
    return row;
  });
}

export async function listLinks(db: Db, workspaceId: string): Promise<LinkRow[]> {
  return db
    .select()
    .from(tables.gitopsLinks)
    .where(eq(tables.gitopsLinks.workspaceId, workspaceId))
    .orderBy(tables.gitopsLinks.name);
}

export async function getLink(db: Db | Tx, workspaceId: string, name: string): Promise<LinkRow> {
  if (name === "") throw new MigratrixError("invalid_argument", "the repository link name is required");
  const [row] = await db
    .select()
    .from(tables.gitopsLinks)
    .where(and(eq(tables.gitopsLinks.workspaceId, workspaceId), eq(tables.gitopsLinks.name, name)));
  if (!row) throw new MigratrixError("not_found", `repository link ${JSON.stringify(name)} not found`);
  return row;
}

/** By id, across workspaces: the webhook URL names only the link. */
export async function findLinkById(db: Db, id: string): Promise<LinkRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(tables.gitopsLinks).where(eq(tables.gitopsLinks.id, id));
  return row ?? null;
}

export async function unlinkRepository(
  db: Db,
  input: { workspaceId: string; name: string; actor: string; correlationId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const link = await getLink(tx, input.workspaceId, input.name);
    await removeSchedule(tx, { workspaceId: input.workspaceId, kind: GITOPS_SCHEDULE_KIND, target: link.id });
    await tx.delete(tables.gitopsLinks).where(eq(tables.gitopsLinks.id, link.id));
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "gitops.link.delete",
      target: `gitops:${link.name}`,
      correlationId: input.correlationId,
      detail: { cloneUrl: redactSecrets(link.cloneUrl), branch: link.branch },
    });
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      linkName: link.name,
      kind: "unlink",
      summary: `unlinked ${redactSecrets(link.cloneUrl)}`,
      actor: input.actor,
    });
  });
}

/** The link's polling cron, "" when it has none. */
export async function pollCronOf(db: Db, link: Pick<LinkRow, "workspaceId" | "id">): Promise<string> {
  const row = await getSchedule(db, { workspaceId: link.workspaceId, kind: GITOPS_SCHEDULE_KIND, target: link.id });
  return row?.cron ?? "";
}

export type EventRow = typeof tables.gitopsEvents.$inferSelect;

export async function recordEvent(
  tx: Db | Tx,
  e: {
    workspaceId: string;
    linkName: string;
    kind: string;
    commit?: string;
    summary: string;
    actor: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.insert(tables.gitopsEvents).values({
    workspaceId: e.workspaceId,
    linkName: e.linkName,
    kind: e.kind,
    commit: e.commit ?? "",
    summary: e.summary,
    actor: e.actor,
    detail: e.detail ?? {},
  });
}

export async function listEvents(
  db: Db,
  workspaceId: string,
  opts: { linkName?: string; limit?: number } = {},
): Promise<EventRow[]> {
  const scope = opts.linkName
    ? and(eq(tables.gitopsEvents.workspaceId, workspaceId), eq(tables.gitopsEvents.linkName, opts.linkName))
    : eq(tables.gitopsEvents.workspaceId, workspaceId);
  return db
    .select()
    .from(tables.gitopsEvents)
    .where(scope)
    .orderBy(desc(tables.gitopsEvents.id))
    .limit(Math.min(Math.max(opts.limit || 50, 1), 1000));
}
