// Reads a repository at a commit with the git CLI (Bun.spawn), in a bare cache repository per
// remote: fetch the branch, then list and read files of the commit without a working tree.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import { sha256Hex } from "../audit/index.ts";

export interface GitFile {
  /** Path inside the repository. */
  path: string;
  content: string;
}

export interface GitAuthor {
  name: string;
  email: string;
}

export interface FetchInput {
  url: string;
  branch: string;
  /** The commit to read; "" = the head of the branch. */
  commit?: string;
  /** Sent as HTTP basic auth (x-access-token / oauth2) for https remotes; never on the command line. */
  token?: string;
}

export interface GitReader {
  /** Fetches the branch (and the commit if it is not on it) and returns the full commit sha. */
  fetch(input: FetchInput): Promise<{ repo: string; commit: string }>;
  /** Files under `directory` at the commit whose names end in one of `extensions`. */
  files(repo: string, commit: string, directory: string, extensions: readonly string[]): Promise<GitFile[]>;
  /** Paths under `directory` deleted between two commits (renames count as delete + add). */
  deleted(repo: string, from: string, to: string, directory: string, extensions: readonly string[]): Promise<string[]>;
  /**
   * Commits one new file on top of the branch head and pushes it as a new branch (plain git
   * remotes, where there is no pull request API); returns the new commit.
   */
  pushFile(input: PushFileInput): Promise<string>;
  /** Whether the cache holds the commit. */
  has(repo: string, commit: string): boolean;
  /** Author of the commit that added the path (on the history of `commit`). */
  addedBy(repo: string, commit: string, path: string): Promise<GitAuthor | null>;
}

export interface PushFileInput {
  url: string;
  token?: string;
  base: string;
  branch: string;
  path: string;
  content: string;
  message: string;
  author: GitAuthor;
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}(?<![./])$/;
const SHA = /^[0-9a-f]{7,64}$/i;

export function checkBranch(branch: string): string {
  if (!BRANCH.test(branch)) {
    throw new MigratrixError("invalid_argument", `branch ${JSON.stringify(branch)} is not a valid branch name`);
  }
  return branch;
}

/**
 * A leading "-" would be read as an option and ext:: / fd:: run commands: only plain transports.
 * file:// reads the control plane's own disk, so it is refused unless the operator allows it
 * (MIGRATRIX_GITOPS_ALLOW_FILE=1: single-tenant set-ups, tests).
 */
export function checkCloneUrl(url: string, opts: { allowFile: boolean }): string {
  if (url.startsWith("file://") && !opts.allowFile) {
    throw new MigratrixError(
      "invalid_argument",
      `clone URL ${JSON.stringify(url)}: file:// remotes are off on this control plane (MIGRATRIX_GITOPS_ALLOW_FILE=1 allows them)`,
    );
  }
  if (!/^(https?|ssh|git|file):\/\//.test(url) && !/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(url)) {
    throw new MigratrixError(
      "invalid_argument",
      `clone URL ${JSON.stringify(redactSecrets(url))} must be https://, http://, ssh://, git://, file:// or user@host:path`,
    );
  }
  return url;
}

/** Runs git; a failure becomes `unavailable` with git's own message (secrets redacted). */
async function git(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; what: string },
): Promise<Uint8Array> {
  const proc = Bun.spawn(["git", ...args], {
    cwd: opts.cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ALLOW_PROTOCOL: "http:https:ssh:git",
      GIT_CONFIG_NOSYSTEM: "1",
      ...opts.env,
    },
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).bytes(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) {
    throw new MigratrixError("unavailable", `git ${opts.what} failed: ${redactSecrets(err.trim()) || `exit ${code}`}`);
  }
  return out;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** The token as an HTTP header through git's environment config, so it never shows in `ps`. */
function authEnv(url: string, token: string | undefined, allowFile: boolean): Record<string, string> {
  const protocols = { GIT_ALLOW_PROTOCOL: allowFile ? "http:https:ssh:git:file" : "http:https:ssh:git" };
  if (!token || !/^https?:\/\//.test(url)) return protocols;
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

export function createGitReader(opts: { cacheDir: string; allowFile: boolean }): GitReader {
  // Fetches into one cache repository take turns: git's ref locks would fail a concurrent one.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const next = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    queues.set(key, next);
    const forget = () => {
      if (queues.get(key) === next) queues.delete(key);
    };
    next.then(forget, forget);
    return next;
  };
  return {
    async fetch(input) {
      const url = checkCloneUrl(input.url, opts);
      const branch = checkBranch(input.branch);
      const repo = join(opts.cacheDir, sha256Hex(url).slice(0, 24));
      return serial(repo, () => fetchInto(repo, url, branch, { ...input, allowFile: opts.allowFile }));
    },
    async files(repo, commit, directory, extensions) {
      const dir = directory.replace(/^\/+|\/+$/g, "");
      const listed = text(
        await git(["ls-tree", "-r", "-z", "--name-only", commit, "--", dir === "" ? "." : `${dir}/`], {
          cwd: repo,
          what: "ls-tree",
        }),
      );
      const paths = listed
        .split("\0")
        .filter((p) => p !== "" && extensions.some((e) => p.toLowerCase().endsWith(e)))
        .sort();
      const files: GitFile[] = [];
      for (const path of paths) {
        const content = text(
          await git(["cat-file", "blob", `${commit}:${path}`], { cwd: repo, what: `read of ${path}` }),
        );
        files.push({ path, content });
      }
      return files;
    },
    async deleted(repo, from, to, directory, extensions) {
      const dir = directory.replace(/^\/+|\/+$/g, "");
      const out = text(
        await git(
          [
            "diff",
            "--name-only",
            "--no-renames",
            "--diff-filter=D",
            "-z",
            from,
            to,
            "--",
            dir === "" ? "." : `${dir}/`,
          ],
          { cwd: repo, what: "diff" },
        ),
      );
      return out
        .split("\0")
        .filter((p) => p !== "" && extensions.some((e) => p.toLowerCase().endsWith(e)))
        .sort();
    },
    async pushFile(input) {
      const { repo, commit: base } = await this.fetch({ url: input.url, branch: input.base, token: input.token });
      const env = authEnv(input.url, input.token, opts.allowFile);
      const branch = checkBranch(input.branch);
      // A private index: the bare cache has no working tree and concurrent syncs share it.
      const index = join(repo, `index-${crypto.randomUUID()}`);
      const person = {
        GIT_AUTHOR_NAME: input.author.name,
        GIT_AUTHOR_EMAIL: input.author.email,
        GIT_COMMITTER_NAME: input.author.name,
        GIT_COMMITTER_EMAIL: input.author.email,
      };
      try {
        const exists = Bun.spawnSync(["git", "cat-file", "-e", `${base}:${input.path}`], { cwd: repo }).exitCode === 0;
        if (exists) {
          throw new MigratrixError(
            "already_exists",
            `${input.path} already exists on ${input.base}: a migration file is never replaced`,
          );
        }
        const blobProc = Bun.spawn(["git", "hash-object", "-w", "--stdin"], {
          cwd: repo,
          stdin: "pipe",
          stdout: "pipe",
        });
        blobProc.stdin.write(input.content);
        await blobProc.stdin.end();
        const blob = (await new Response(blobProc.stdout).text()).trim();
        if ((await blobProc.exited) !== 0 || !SHA.test(blob))
          throw new MigratrixError("internal", "git hash-object failed");
        const withIndex = { GIT_INDEX_FILE: index };
        await git(["read-tree", base], { cwd: repo, env: withIndex, what: "read-tree" });
        await git(["update-index", "--add", "--cacheinfo", `100644,${blob},${input.path}`], {
          cwd: repo,
          env: withIndex,
          what: "update-index",
        });
        const tree = text(await git(["write-tree"], { cwd: repo, env: withIndex, what: "write-tree" })).trim();
        const commit = text(
          await git(["commit-tree", tree, "-p", base, "-m", input.message], {
            cwd: repo,
            env: person,
            what: "commit-tree",
          }),
        ).trim();
        await git(["push", "--quiet", input.url, `${commit}:refs/heads/${branch}`], {
          cwd: repo,
          env,
          what: `push of ${branch} to ${redactSecrets(input.url)}`,
        });
        return commit;
      } finally {
        rmSync(index, { force: true });
      }
    },
    has(repo, commit) {
      return (
        SHA.test(commit) && Bun.spawnSync(["git", "cat-file", "-e", `${commit}^{commit}`], { cwd: repo }).exitCode === 0
      );
    },
    async addedBy(repo, commit, path) {
      const out = text(
        await git(["log", "-1", "--diff-filter=A", "--format=%an%x00%ae", commit, "--", path], {
          cwd: repo,
          what: `log of ${path}`,
        }),
      ).trim();
      if (out === "") return null;
      const [name = "", email = ""] = out.split("\0");
      return { name, email: email.toLowerCase() };
    },
  };
}

async function fetchInto(repo: string, url: string, branch: string, input: FetchInput & { allowFile: boolean }) {
  mkdirSync(repo, { recursive: true });
  await git(["init", "--quiet", "--bare", repo], { what: "init" });
  const env = authEnv(url, input.token, input.allowFile);
  const ref = `refs/mx/heads/${branch}`;
  await git(["fetch", "--quiet", "--no-tags", "--force", url, `+refs/heads/${branch}:${ref}`], {
    cwd: repo,
    env,
    what: `fetch of ${branch} from ${redactSecrets(url)}`,
  });
  const wanted = input.commit ?? "";
  if (wanted === "")
    return { repo, commit: text(await git(["rev-parse", ref], { cwd: repo, what: "rev-parse" })).trim() };
  if (!SHA.test(wanted)) throw new MigratrixError("invalid_argument", `commit ${JSON.stringify(wanted)} is not a sha`);
  const has = Bun.spawnSync(["git", "cat-file", "-e", `${wanted}^{commit}`], { cwd: repo }).exitCode === 0;
  if (!has) {
    await git(["fetch", "--quiet", "--no-tags", url, wanted], {
      cwd: repo,
      env,
      what: `fetch of commit ${wanted}`,
    });
  }
  const full = text(await git(["rev-parse", "--verify", `${wanted}^{commit}`], { cwd: repo, what: "rev-parse" }));
  return { repo, commit: full.trim() };
}
