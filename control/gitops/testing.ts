// Test support for GitOps: real git repositories on disk (a bare "origin" and a working clone that
// commits and pushes as a given author), GitHub push payloads, and a local stand-in for the GitHub
// REST API that records the calls and answers as the documented endpoints do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

function run(args: string[], cwd: string, env: Record<string, string> = {}): string {
  const p = Bun.spawnSync(["git", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", ...env } });
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString().trim();
}

export interface TestRepo {
  /** file:// URL of the bare origin. */
  url: string;
  root: string;
  write(path: string, content: string): void;
  remove(path: string): void;
  /** Commits everything as `author` and pushes to origin's main; returns the commit sha. */
  commitAndPush(message: string, author: { name: string; email: string }): string;
  cleanup(): void;
}

export function createTestRepo(): TestRepo {
  const root = mkdtempSync(join(tmpdir(), "mx-gitops-repo-"));
  const origin = join(root, "origin.git");
  const work = join(root, "work");
  run(["init", "--quiet", "--bare", "--initial-branch=main", origin], root);
  run(["init", "--quiet", "--initial-branch=main", work], root);
  run(["remote", "add", "origin", origin], work);
  return {
    url: `file://${origin}`,
    root,
    write(path, content) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    },
    remove(path) {
      run(["rm", "--quiet", path], work);
    },
    commitAndPush(message, author) {
      const env = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      run(["add", "--all"], work);
      run(["commit", "--quiet", "--allow-empty", "-m", message], work, env);
      run(["push", "--quiet", "origin", "main"], work);
      return run(["rev-parse", "HEAD"], work);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The fields of a GitHub push event that the webhook reads, shaped like GitHub's payload. */
export function githubPushPayload(opts: { ref?: string; before?: string; after: string; repo?: string }): string {
  return JSON.stringify({
    ref: opts.ref ?? "refs/heads/main",
    before: opts.before ?? "0".repeat(40),
    after: opts.after,
    repository: { full_name: opts.repo ?? "acme/db", clone_url: "https://github.com/acme/db.git" },
    pusher: { name: "dev", email: "dev@example.com" },
    head_commit: { id: opts.after, message: "migrations" },
  });
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface GitHubStandIn {
  url: string;
  calls: RecordedCall[];
  /** Branch → commit sha. */
  refs: Map<string, string>;
  /** "branch:path" → file content. */
  files: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * A stand-in for the four GitHub REST calls a pull request needs, answering as documented
 * (docs.github.com/rest: git/refs, repos/contents, pulls): 401 without the token, 404 for an
 * unknown repository or ref, 422 for an existing ref or file, 201 with the documented fields.
 */
export function startGitHubStandIn(opts: { token: string; repo: string; baseSha: string }): GitHubStandIn {
  const calls: RecordedCall[] = [];
  const refs = new Map<string, string>([["main", opts.baseSha]]);
  const files = new Map<string, string>();
  let prs = 0;
  let commits = 0;
  const reply = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const u = new URL(req.url);
      const text = await req.text();
      const body = text === "" ? null : (JSON.parse(text) as Record<string, unknown>);
      calls.push({ method: req.method, path: u.pathname, headers: Object.fromEntries(req.headers), body });
      if (req.headers.get("authorization") !== `Bearer ${opts.token}`) {
        return reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      }
      const prefix = `/repos/${opts.repo}`;
      if (!u.pathname.startsWith(`${prefix}/`)) return reply(404, { message: "Not Found" });
      const rest = decodeURIComponent(u.pathname.slice(prefix.length));
      const b = (body ?? {}) as Record<string, string>;
      if (req.method === "GET" && rest.startsWith("/git/ref/heads/")) {
        const branch = rest.slice("/git/ref/heads/".length);
        const sha = refs.get(branch);
        if (!sha) return reply(404, { message: "Not Found" });
        return reply(200, { ref: `refs/heads/${branch}`, object: { sha, type: "commit" } });
      }
      if (req.method === "POST" && rest === "/git/refs") {
        const branch = String(b.ref ?? "").replace(/^refs\/heads\//, "");
        if (!b.ref?.startsWith("refs/heads/") || !b.sha) return reply(422, { message: "Invalid request." });
        if (refs.has(branch)) return reply(422, { message: "Reference already exists" });
        refs.set(branch, b.sha);
        return reply(201, { ref: b.ref, object: { sha: b.sha, type: "commit" } });
      }
      if (req.method === "PUT" && rest.startsWith("/contents/")) {
        const path = rest.slice("/contents/".length);
        const branch = b.branch ?? "main";
        if (!refs.has(branch)) return reply(404, { message: "Branch not found" });
        if (files.has(`${branch}:${path}`) && !b.sha) return reply(422, { message: '"sha" wasn\'t supplied.' });
        files.set(`${branch}:${path}`, Buffer.from(b.content ?? "", "base64").toString("utf8"));
        const sha = `c0ffee${String(++commits).padStart(34, "0")}`;
        refs.set(branch, sha);
        return reply(201, { content: { path, name: path.split("/").pop() }, commit: { sha, message: b.message } });
      }
      if (req.method === "POST" && rest === "/pulls") {
        if (!refs.has(b.head ?? "") || !refs.has(b.base ?? "")) return reply(422, { message: "Validation Failed" });
        prs++;
        return reply(201, {
          number: prs,
          state: "open",
          title: b.title,
          body: b.body,
          head: { ref: b.head },
          base: { ref: b.base },
          html_url: `https://github.com/${opts.repo}/pull/${prs}`,
        });
      }
      return reply(404, { message: "Not Found" });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    refs,
    files,
    stop: () => server.stop(true),
  };
}

export interface GitLabStandIn {
  url: string;
  calls: RecordedCall[];
  branches: Set<string>;
  files: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * A stand-in for the GitLab REST calls a merge request needs (docs.gitlab.com/api: commits with
 * actions and start_branch, merge_requests), under /api/v4, with the project as its URL-encoded
 * path: 401 without PRIVATE-TOKEN, 404 for another project, 400 for an existing branch.
 */
export function startGitLabStandIn(opts: { token: string; project: string }): GitLabStandIn {
  const calls: RecordedCall[] = [];
  const branches = new Set(["main"]);
  const files = new Map<string, string>();
  let mrs = 0;
  let commits = 0;
  const reply = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const u = new URL(req.url);
      const text = await req.text();
      const body = (text === "" ? null : JSON.parse(text)) as Record<string, unknown> | null;
      calls.push({ method: req.method, path: u.pathname, headers: Object.fromEntries(req.headers), body });
      if (req.headers.get("private-token") !== opts.token) return reply(401, { message: "401 Unauthorized" });
      const prefix = `/api/v4/projects/${encodeURIComponent(opts.project)}`;
      if (!u.pathname.startsWith(`${prefix}/`)) return reply(404, { message: "404 Project Not Found" });
      const rest = u.pathname.slice(prefix.length);
      const b = body ?? {};
      if (req.method === "POST" && rest === "/repository/commits") {
        const branch = String(b.branch ?? "");
        const start = b.start_branch === undefined ? undefined : String(b.start_branch);
        if (!branch || !b.commit_message || !Array.isArray(b.actions)) return reply(400, { error: "missing params" });
        if (start !== undefined && branches.has(branch)) {
          return reply(400, { message: `A branch called '${branch}' already exists.` });
        }
        if (start !== undefined && !branches.has(start))
          return reply(400, { message: "You can only create or edit files when you are on a branch" });
        branches.add(branch);
        for (const a of b.actions as { action: string; file_path: string; content: string }[]) {
          if (a.action === "create" && files.has(`${branch}:${a.file_path}`)) {
            return reply(400, { message: "A file with this name already exists" });
          }
          files.set(`${branch}:${a.file_path}`, a.content);
        }
        const id = `beef${String(++commits).padStart(36, "0")}`;
        return reply(201, { id, short_id: id.slice(0, 8), title: b.commit_message, message: b.commit_message });
      }
      if (req.method === "POST" && rest === "/merge_requests") {
        if (!branches.has(String(b.source_branch)) || !branches.has(String(b.target_branch)) || !b.title) {
          return reply(400, { message: "Validation failed" });
        }
        mrs++;
        return reply(201, {
          id: 1000 + mrs,
          iid: mrs,
          state: "opened",
          title: b.title,
          description: b.description,
          source_branch: b.source_branch,
          target_branch: b.target_branch,
          web_url: `https://gitlab.example.com/${opts.project}/-/merge_requests/${mrs}`,
        });
      }
      return reply(404, { message: "404 Not Found" });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/api/v4`, calls, branches, files, stop: () => server.stop(true) };
}
