// mx gitops link / show / sync / pr / log / unlink: migration files in the team's repository.
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import {
  FileOutcome,
  GitProvider,
  LinkRepositoryResponseSchema,
  ListGitOpsEventsResponseSchema,
  ListRepositoriesResponseSchema,
  OpenPullRequestResponseSchema,
  type RepositoryLink,
  SyncRepositoryResponseSchema,
} from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

const PROVIDERS: Record<string, GitProvider> = {
  github: GitProvider.GITHUB,
  gitlab: GitProvider.GITLAB,
  git: GitProvider.GIT,
};

function readSecret(cwd: string, file: string | undefined, what: string): string {
  if (file === undefined || file === "") return "";
  try {
    return readFileSync(resolve(cwd, file), "utf8").trim();
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    throw new MigratrixError("invalid_argument", `cannot read the ${what} file ${file}: ${String(code ?? err)}`);
  }
}

function readMigration(cwd: string, file: string): string {
  try {
    return readFileSync(resolve(cwd, file), "utf8");
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    throw new MigratrixError("invalid_argument", `cannot read migration file ${file}: ${String(code ?? err)}`);
  }
}

function providerName(p: GitProvider): string {
  return Object.entries(PROVIDERS).find(([, v]) => v === p)?.[0] ?? "?";
}

export const gitopsLink = defineCommand({
  path: ["gitops", "link"],
  summary: "link a repository whose migration files become migrations (workspace admins)",
  args: ["NAME"],
  options: {
    provider: { type: "string", value: "github|gitlab|git", description: "where it is hosted (default github)" },
    url: { type: "string", value: "URL", description: "what git clones (https://, ssh://, file://) (required)" },
    repo: { type: "string", value: "OWNER/NAME", description: "the repository on GitHub, project path on GitLab" },
    branch: { type: "string", value: "BRANCH", description: "the branch to sync (default main)" },
    dir: { type: "string", value: "DIR", description: "directory of the migration files (default migrations)" },
    engine: { type: "string", value: "ENGINE", description: "engine the files are written for (default postgresql)" },
    flow: { type: "string", value: "FLOW", description: "promote new migrations to this flow's first stage" },
    api: { type: "string", value: "URL", description: "the provider's API base URL (default the public one)" },
    "secret-file": { type: "string", value: "PATH", description: "file holding the webhook secret" },
    "token-file": { type: "string", value: "PATH", description: "file holding the provider token (for PRs)" },
    poll: {
      type: "string",
      value: "CRON",
      description: "also sync on this schedule, e.g. '*/5 * * * *' (any git remote)",
    },
  },
  details: [
    "Secrets are read from files, never from the command line, and are stored encrypted;",
    "the control plane needs MIGRATRIX_SECRET_KEY for GitOps. Point the provider's webhook",
    "(content type application/json, push events) at <server><webhook path> shown after linking.",
  ],
  async run({ out, input, clients, io }) {
    const name = input.positionals[0] ?? "";
    if (name === "") throw new UsageError("the link NAME is required", "gitops link");
    const provider = PROVIDERS[input.string("provider") ?? "github"];
    if (provider === undefined) throw new UsageError("--provider is github, gitlab or git", "gitops link");
    const engine = await parseEngine(input.string("engine") ?? "postgresql");
    const res = await clients().gitops.linkRepository({
      name,
      provider,
      cloneUrl: input.required("url"),
      repository: input.string("repo") ?? "",
      branch: input.string("branch") ?? "",
      directory: input.string("dir") ?? "",
      engine: (await loadEngines()).engineToProto(engine),
      autoPromoteFlow: input.string("flow") ?? "",
      apiBaseUrl: input.string("api") ?? "",
      webhookSecret: readSecret(io.cwd, input.string("secret-file"), "webhook secret"),
      providerToken: readSecret(io.cwd, input.string("token-file"), "provider token"),
      pollCron: input.string("poll") ?? "",
    });
    const link = res.link;
    if (out.json) {
      out.document(protoJson(LinkRepositoryResponseSchema, res));
      return 0;
    }
    out.line(`linked ${name}: ${link?.cloneUrl} branch ${link?.branch} directory ${link?.directory || "/"}`);
    if (link?.webhookPath) out.note(`webhook path: ${link.webhookPath}`);
    return 0;
  },
});

function linkRows(links: RepositoryLink[]): string[][] {
  return links.map((l) => [
    l.name,
    providerName(l.provider),
    l.cloneUrl,
    l.branch,
    l.directory || "/",
    l.autoPromoteFlow || "-",
    l.lastCommit ? l.lastCommit.slice(0, 12) : "-",
    l.pollCron || "-",
    l.webhookPath || "-",
  ]);
}

export const gitopsShow = defineCommand({
  path: ["gitops", "show"],
  summary: "linked repositories (secrets are never shown)",
  args: ["[NAME]"],
  options: {},
  async run({ out, input, clients }) {
    const res = await clients().gitops.listRepositories({});
    const wanted = input.positionals[0];
    const links = wanted ? res.links.filter((l) => l.name === wanted) : res.links;
    if (wanted && links.length === 0) throw new MigratrixError("not_found", `repository link ${wanted} not found`);
    if (out.json) {
      out.document(protoJson(ListRepositoriesResponseSchema, { ...res, links }));
      return 0;
    }
    out.table(["NAME", "PROVIDER", "URL", "BRANCH", "DIR", "FLOW", "SYNCED", "POLL", "WEBHOOK"], linkRows(links), {
      empty: "no linked repositories",
    });
    return 0;
  },
});

export const gitopsSync = defineCommand({
  path: ["gitops", "sync"],
  summary: "sync a linked repository now: new files become migrations, all or nothing",
  args: ["NAME"],
  options: { commit: { type: "string", value: "SHA", description: "a commit instead of the branch head" } },
  async run({ out, input, clients }) {
    const name = input.positionals[0] ?? "";
    if (name === "") throw new UsageError("the link NAME is required", "gitops sync");
    const res = await clients().gitops.syncRepository({ name, commit: input.string("commit") ?? "" });
    const r = res.report;
    if (out.json) {
      out.document(protoJson(SyncRepositoryResponseSchema, res));
      return r?.applied ? 0 : 1;
    }
    out.table(
      ["FILE", "MIGRATION", "OUTCOME", "DETAIL"],
      (r?.files ?? []).map((f) => [
        f.path,
        f.migrationId || "-",
        FileOutcome[f.outcome].toLowerCase(),
        f.message || f.author,
      ]),
      { empty: "no migration files" },
    );
    for (const p of r?.promotions ?? []) out.line(p);
    if (r?.applied) out.note(`synced ${r.commit.slice(0, 12)}`);
    else out.note(`nothing of ${r?.commit.slice(0, 12)} was applied: fix the files above and push again`);
    return r?.applied ? 0 : 1;
  },
});

export const gitopsPr = defineCommand({
  path: ["gitops", "pr"],
  summary: "open a pull request adding a migration file to a linked repository",
  args: ["NAME", "[FILE]"],
  options: {
    migration: { type: "string", value: "ID", description: "a migration already in the platform instead of FILE" },
    title: { type: "string", value: "TEXT", description: "the pull request's title" },
    body: { type: "string", value: "TEXT", description: "the pull request's description" },
  },
  async run({ out, input, clients, io }) {
    const [name = "", file] = input.positionals;
    const migrationId = input.string("migration") ?? "";
    if (name === "" || (file === undefined && migrationId === "")) {
      throw new UsageError("give the link NAME and a FILE or --migration ID", "gitops pr");
    }
    const res = await clients().gitops.openPullRequest({
      name,
      migrationId,
      fileName: file === undefined ? "" : basename(file),
      content: file === undefined ? "" : readMigration(io.cwd, file),
      title: input.string("title") ?? "",
      body: input.string("body") ?? "",
    });
    if (out.json) {
      out.document(protoJson(OpenPullRequestResponseSchema, res));
      return 0;
    }
    out.line(res.url);
    out.note(`#${res.number} from branch ${res.branch} adds ${res.path}`);
    return 0;
  },
});

export const gitopsLog = defineCommand({
  path: ["gitops", "log"],
  summary: "the changes log: syncs, refusals, pull requests, rejected webhooks, imports",
  args: ["[NAME]"],
  options: { limit: { type: "string", value: "N", description: "how many (default 50)" } },
  async run({ out, input, clients }) {
    const limit = Number(input.string("limit") ?? "50");
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit wants a positive number", "gitops log");
    const res = await clients().gitops.listGitOpsEvents({ name: input.positionals[0] ?? "", limit });
    if (out.json) {
      out.document(protoJson(ListGitOpsEventsResponseSchema, res));
      return 0;
    }
    out.table(
      ["AT", "LINK", "KIND", "COMMIT", "SUMMARY"],
      res.events.map((e) => [formatTime(e.at), e.link || "-", e.kind, e.commit.slice(0, 12) || "-", e.summary]),
      { empty: "nothing yet" },
    );
    return 0;
  },
});

export const gitopsUnlink = defineCommand({
  path: ["gitops", "unlink"],
  summary: "remove a repository link (its migrations stay)",
  args: ["NAME"],
  options: {},
  async run({ out, input, clients }) {
    const name = input.positionals[0] ?? "";
    if (name === "") throw new UsageError("the link NAME is required", "gitops unlink");
    await clients().gitops.unlinkRepository({ name });
    if (out.json) out.document({ unlinked: name });
    else out.line(`unlinked ${name}`);
    return 0;
  },
});
