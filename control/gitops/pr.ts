// Workflow B: a migration written in the platform becomes a pull (merge) request on the linked
// repository: branch migration-{timestamp}-{slug}, one commit adding the file, the request to the
// link's branch. The file is parsed first, so a bad file never reaches the repository.
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { parseForEngine } from "../domain/migration-file.ts";
import { getMigration } from "../domain/migrations.ts";
import type { Db } from "../store/index.ts";
import type { GitReader } from "./git.ts";
import { type LinkRow, recordEvent, secretContext } from "./links.ts";
import { openGitHubPullRequest, openGitLabMergeRequest, type PullRequestResult } from "./providers.ts";
import type { SecretBox } from "./secrets.ts";

/** Plain git remotes: the branch is pushed; there is no request to open (number 0, no URL). */
async function pushBranch(
  git: GitReader | undefined,
  request: { token: string; base: string; branch: string; path: string; content: string; commitMessage: string },
  link: { cloneUrl: string; requestedBy: string },
): Promise<PullRequestResult> {
  if (!git) throw new MigratrixError("internal", "pushing a branch needs the git reader");
  const email = link.requestedBy.includes("@") ? link.requestedBy : "gitops@migratrix.invalid";
  const commitSha = await git.pushFile({
    url: link.cloneUrl,
    token: request.token || undefined,
    base: request.base,
    branch: request.branch,
    path: request.path,
    content: request.content,
    message: request.commitMessage,
    author: { name: link.requestedBy, email },
  });
  return { branch: request.branch, path: request.path, commitSha, number: 0, url: "" };
}

export interface OpenPrInput {
  link: LinkRow;
  migrationId: string;
  fileName: string;
  content: string;
  title: string;
  body: string;
  actor: string;
  requestedBy: string;
  correlationId: string;
  now?: Date;
  fetch?: typeof fetch;
  /** For plain git remotes (the branch is pushed with the git CLI). */
  git?: GitReader;
}

/** "20260101120000_add_users.sql" → "add-users". */
export function slugOf(fileName: string): string {
  const stem = fileName.replace(/\.sql$/i, "").replace(/^(V\d+(?:[._]\d+)*__|\d+_)/, "");
  return (
    stem
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "migration"
  );
}

export function branchName(fileName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `migration-${stamp}-${slugOf(fileName)}`;
}

/** The file of a stored migration: its sections under -- UP / -- DOWN markers. */
export function fileOfMigration(m: { upSql: string; downSql: string }): string {
  const up = m.upSql.endsWith("\n") ? m.upSql : `${m.upSql}\n`;
  if (m.downSql === "") return `-- UP\n${up}`;
  return `-- UP\n${up}-- DOWN\n${m.downSql.endsWith("\n") ? m.downSql : `${m.downSql}\n`}`;
}

export async function openPullRequest(db: Db, box: SecretBox, input: OpenPrInput): Promise<PullRequestResult> {
  const { link } = input;
  const where = `repository link ${link.name}`;
  if (link.provider !== "git" && !link.providerTokenEnc) {
    throw new MigratrixError(
      "failed_precondition",
      `${where} has no provider token: set one with mx gitops link --token-file`,
    );
  }
  let fileName = input.fileName;
  let content = input.content;
  if (input.migrationId !== "") {
    const m = await getMigration(db, link.workspaceId, input.migrationId);
    fileName ||= `${m.id}.sql`;
    content ||= fileOfMigration(m);
  }
  if (fileName === "" || content === "") {
    throw new MigratrixError("invalid_argument", "give a migration_id, or a file_name and its content");
  }
  if (fileName.includes("/") || fileName.includes("\\")) {
    throw new MigratrixError("invalid_argument", `file name ${JSON.stringify(fileName)} must not contain a directory`);
  }
  const parsed = parseForEngine(fileName, content, link.engine);
  const token = link.providerTokenEnc
    ? box.open(link.providerTokenEnc, secretContext(link.workspaceId, link.name, "token"))
    : "";
  const path = link.directory === "" ? fileName : `${link.directory}/${fileName}`;
  const branch = branchName(fileName, input.now ?? new Date());
  const title = input.title || `Migration ${parsed.id}: ${parsed.name}`;
  const body =
    input.body ||
    [
      `Migration \`${parsed.id}\` (${parsed.statements} statement${parsed.statements === 1 ? "" : "s"}, ${link.engine}), opened from Migratrix by ${input.requestedBy}.`,
      "",
      `Checksum: \`${parsed.checksum}\``,
      "",
      "When this is merged, Migratrix syncs the file and queues the migration.",
    ].join("\n");
  const request = {
    apiBaseUrl: link.apiBaseUrl,
    repository: link.repository,
    token,
    base: link.branch,
    branch,
    path,
    content,
    title,
    body,
    commitMessage: `Add migration ${parsed.id}`,
    fetch: input.fetch,
  };
  let result: PullRequestResult;
  try {
    result =
      link.provider === "github"
        ? await openGitHubPullRequest(request)
        : link.provider === "gitlab"
          ? await openGitLabMergeRequest(request)
          : await pushBranch(input.git, request, { cloneUrl: link.cloneUrl, requestedBy: input.requestedBy });
  } catch (err) {
    const e = MigratrixError.from(err);
    // A refused or failed request is part of the changes log too (the branch may exist already).
    await db.transaction(async (tx) => {
      const detail = { provider: link.provider, repository: link.repository, branch, path, error: e.message };
      await appendAudit(tx, {
        workspaceId: link.workspaceId,
        actor: input.actor,
        action: "gitops.pull_request.failed",
        target: `migration:${parsed.id}`,
        correlationId: input.correlationId,
        detail,
      });
      await recordEvent(tx, {
        workspaceId: link.workspaceId,
        linkName: link.name,
        kind: "pull_request.failed",
        summary: `could not ${link.provider === "git" ? "push a branch" : `open a ${link.provider === "github" ? "pull" : "merge"} request`} for ${parsed.id}: ${e.message}`,
        actor: input.actor,
        detail,
      });
    });
    throw e;
  }
  await db.transaction(async (tx) => {
    const detail = {
      provider: link.provider,
      repository: link.repository,
      branch,
      path,
      number: result.number,
      url: result.url,
      commit: result.commitSha,
      checksum: parsed.checksum,
    };
    await appendAudit(tx, {
      workspaceId: link.workspaceId,
      actor: input.actor,
      action: "gitops.pull_request",
      target: `migration:${parsed.id}`,
      correlationId: input.correlationId,
      detail,
      sql: content,
    });
    await recordEvent(tx, {
      workspaceId: link.workspaceId,
      linkName: link.name,
      kind: "pull_request",
      commit: result.commitSha,
      summary:
        link.provider === "git"
          ? `pushed branch ${branch} adding ${path} for ${parsed.id}`
          : `${link.provider === "github" ? "pull request" : "merge request"} #${result.number} for ${parsed.id}: ${result.url}`,
      actor: input.actor,
      detail,
    });
  });
  return result;
}
