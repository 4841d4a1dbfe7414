// GitOpsService: repository links, syncs, pull requests and the changes log over control/gitops.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import {
  FileOutcome,
  type GitOpsService,
  GitProvider,
  type RepositoryLinkSchema,
  type SyncReportSchema,
} from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { engineFromProto, engineToProto } from "../domain/engines.ts";
import {
  type GitOpsRuntime,
  getLink,
  importMigrations,
  type LinkRow,
  linkRepository,
  listEvents,
  listLinks,
  openPullRequest,
  pollCronOf,
  type SyncReport,
  syncCommit,
  unlinkRepository,
  webhookPath,
} from "../gitops/index.ts";
import { requesterOf } from "../identity/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

const PROVIDERS = { github: GitProvider.GITHUB, gitlab: GitProvider.GITLAB, git: GitProvider.GIT } as const;

function providerFromProto(p: GitProvider): LinkRow["provider"] {
  const found = (Object.entries(PROVIDERS) as [LinkRow["provider"], GitProvider][]).find(([, v]) => v === p);
  if (!found) throw new MigratrixError("invalid_argument", "provider is required: github, gitlab or git");
  return found[0];
}

function linkMsg(l: LinkRow, pollCron: string): MessageInitShape<typeof RepositoryLinkSchema> {
  return {
    id: l.id,
    name: l.name,
    provider: PROVIDERS[l.provider],
    cloneUrl: redactSecrets(l.cloneUrl),
    repository: l.repository,
    branch: l.branch,
    directory: l.directory,
    engine: engineToProto(l.engine),
    autoPromoteFlow: l.autoPromoteFlow,
    apiBaseUrl: l.apiBaseUrl,
    hasWebhookSecret: l.webhookSecretEnc !== null,
    hasProviderToken: l.providerTokenEnc !== null,
    webhookPath: webhookPath(l),
    lastCommit: l.lastCommit,
    createdBy: l.createdBy,
    updatedAt: timestampFromDate(l.updatedAt),
    pollCron,
  };
}

const OUTCOMES = {
  created: FileOutcome.CREATED,
  updated: FileOutcome.UPDATED,
  unchanged: FileOutcome.UNCHANGED,
  refused: FileOutcome.REFUSED,
  invalid: FileOutcome.INVALID,
  removed: FileOutcome.REMOVED,
  archived: FileOutcome.ARCHIVED,
} as const;

export function reportMsg(r: SyncReport): MessageInitShape<typeof SyncReportSchema> {
  return {
    commit: r.commit,
    applied: r.applied,
    files: r.files.map((f) => ({ ...f, outcome: OUTCOMES[f.outcome] })),
    promotions: r.promotions,
  };
}

export function gitopsService(
  deps: ServiceDeps & { gitops: GitOpsRuntime },
): Partial<ServiceImpl<typeof GitOpsService>> {
  return {
    async linkRepository(req, ctx) {
      const c = callerOf(ctx);
      const link = await linkRepository(deps.db, deps.gitops.box(), {
        workspaceId: c.workspaceId,
        name: req.name,
        provider: providerFromProto(req.provider),
        cloneUrl: req.cloneUrl,
        repository: req.repository,
        branch: req.branch,
        directory: req.directory,
        engine: engineFromProto(req.engine, `repository link ${req.name}`),
        autoPromoteFlow: req.autoPromoteFlow,
        apiBaseUrl: req.apiBaseUrl,
        webhookSecret: req.webhookSecret,
        providerToken: req.providerToken,
        allowFileRemotes: deps.gitops.allowFileRemotes,
        pollCron: req.pollCron,
        now: deps.clock?.now() ?? new Date(),
        actor: c.actor,
        createdBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      deps.scheduler?.wake();
      return { link: linkMsg(link, await pollCronOf(deps.db, link)) };
    },
    async listRepositories(_req, ctx) {
      const c = callerOf(ctx);
      const links = await listLinks(deps.db, c.workspaceId);
      return { links: await Promise.all(links.map(async (l) => linkMsg(l, await pollCronOf(deps.db, l)))) };
    },
    async unlinkRepository(req, ctx) {
      const c = callerOf(ctx);
      await unlinkRepository(deps.db, {
        workspaceId: c.workspaceId,
        name: req.name,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      deps.scheduler?.wake();
      return {};
    },
    async syncRepository(req, ctx) {
      const c = callerOf(ctx);
      const link = await getLink(deps.db, c.workspaceId, req.name);
      const report = await syncCommit(
        { ...deps, box: deps.gitops.box(), git: deps.gitops.git },
        { link, commit: req.commit, actor: c.actor, correlationId: correlationOf(ctx) },
      );
      return { report: reportMsg(report) };
    },
    async openPullRequest(req, ctx) {
      const c = callerOf(ctx);
      const link = await getLink(deps.db, c.workspaceId, req.name);
      const pr = await openPullRequest(deps.db, deps.gitops.box(), {
        link,
        migrationId: req.migrationId,
        fileName: req.fileName,
        content: req.content,
        title: req.title,
        body: req.body,
        actor: c.actor,
        requestedBy: requesterOf(c),
        correlationId: correlationOf(ctx),
        fetch: deps.gitops.fetch,
        git: deps.gitops.git,
      });
      return { ...pr, number: BigInt(pr.number) };
    },
    async importMigrations(req, ctx) {
      const c = callerOf(ctx);
      return importMigrations(deps, {
        workspaceId: c.workspaceId,
        format: req.format,
        engine: engineFromProto(req.engine, "import"),
        files: req.files,
        environment: req.environment,
        connection: req.connection,
        dryRun: req.dryRun,
        source: req.source,
        actor: c.actor,
        requestedBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
    },
    async listGitOpsEvents(req, ctx) {
      const c = callerOf(ctx);
      const events = await listEvents(deps.db, c.workspaceId, { linkName: req.name, limit: req.limit });
      return {
        events: events.map((e) => ({
          id: BigInt(e.id),
          link: e.linkName,
          kind: e.kind,
          commit: e.commit,
          summary: e.summary,
          actor: e.actor,
          at: timestampFromDate(e.at),
        })),
      };
    },
  };
}
