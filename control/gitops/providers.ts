// Pull (merge) requests through the providers' REST APIs, with a configurable base URL:
// GitHub  GET  /repos/{repo}/git/ref/heads/{base}   → the base branch's commit
//         POST /repos/{repo}/git/refs               → the new branch at that commit
//         PUT  /repos/{repo}/contents/{path}        → the file committed on the new branch
//         POST /repos/{repo}/pulls                  → the pull request
// GitLab  POST /projects/{id}/repository/commits    → branch + commit in one call (start_branch)
//         POST /projects/{id}/merge_requests        → the merge request
import { MigratrixError } from "../../common/errors.ts";

export interface PullRequestInput {
  apiBaseUrl: string;
  repository: string;
  token: string;
  base: string;
  branch: string;
  path: string;
  content: string;
  title: string;
  body: string;
  commitMessage: string;
  /** Injected for tests of failure paths; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface PullRequestResult {
  branch: string;
  path: string;
  commitSha: string;
  number: number;
  url: string;
}

type Json = Record<string, unknown>;

async function call(
  input: PullRequestInput,
  provider: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Json,
): Promise<Json> {
  const f = input.fetch ?? fetch;
  const url = `${input.apiBaseUrl.replace(/\/+$/, "")}${path}`;
  let res: Response;
  try {
    res = await f(url, {
      method,
      headers: {
        ...headers,
        "user-agent": "migratrix-gitops",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new MigratrixError("unavailable", `${provider} API ${method} ${path}: ${MigratrixError.from(err).message}`);
  }
  const text = await res.text();
  let json: Json = {};
  try {
    json = text === "" ? {} : (JSON.parse(text) as Json);
  } catch {
    json = { message: text.slice(0, 200) };
  }
  if (!res.ok) {
    const why = typeof json.message === "string" ? json.message : JSON.stringify(json).slice(0, 200);
    const code =
      res.status === 401 || res.status === 403
        ? "permission_denied"
        : res.status === 404
          ? "not_found"
          : res.status === 400 || res.status === 409 || res.status === 422
            ? "failed_precondition"
            : "unavailable";
    throw new MigratrixError(code, `${provider} API ${method} ${path} answered ${res.status}: ${why}`);
  }
  return json;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== "string" || v === "") throw new MigratrixError("unavailable", `provider answer without ${what}`);
  return v;
};
const num = (v: unknown, what: string): number => {
  if (typeof v !== "number") throw new MigratrixError("unavailable", `provider answer without ${what}`);
  return v;
};

const encodePath = (p: string) => p.split("/").map(encodeURIComponent).join("/");

export async function openGitHubPullRequest(input: PullRequestInput): Promise<PullRequestResult> {
  const h = {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${input.token}`,
    "x-github-api-version": "2022-11-28",
  };
  const repo = input.repository.split("/").map(encodeURIComponent).join("/");
  const base = await call(input, "GitHub", "GET", `/repos/${repo}/git/ref/heads/${encodePath(input.base)}`, h);
  const baseSha = str((base.object as Json | undefined)?.sha, "the base branch's sha");
  await call(input, "GitHub", "POST", `/repos/${repo}/git/refs`, h, {
    ref: `refs/heads/${input.branch}`,
    sha: baseSha,
  });
  const put = await call(input, "GitHub", "PUT", `/repos/${repo}/contents/${encodePath(input.path)}`, h, {
    message: input.commitMessage,
    content: Buffer.from(input.content, "utf8").toString("base64"),
    branch: input.branch,
  });
  const commitSha = str((put.commit as Json | undefined)?.sha, "the commit sha");
  const pr = await call(input, "GitHub", "POST", `/repos/${repo}/pulls`, h, {
    title: input.title,
    head: input.branch,
    base: input.base,
    body: input.body,
  });
  return {
    branch: input.branch,
    path: input.path,
    commitSha,
    number: num(pr.number, "the pull request number"),
    url: str(pr.html_url, "the pull request URL"),
  };
}

export async function openGitLabMergeRequest(input: PullRequestInput): Promise<PullRequestResult> {
  const h = { "private-token": input.token };
  const project = encodeURIComponent(input.repository);
  const commit = await call(input, "GitLab", "POST", `/projects/${project}/repository/commits`, h, {
    branch: input.branch,
    start_branch: input.base,
    commit_message: input.commitMessage,
    actions: [{ action: "create", file_path: input.path, content: input.content }],
  });
  const mr = await call(input, "GitLab", "POST", `/projects/${project}/merge_requests`, h, {
    source_branch: input.branch,
    target_branch: input.base,
    title: input.title,
    description: input.body,
    remove_source_branch: true,
  });
  return {
    branch: input.branch,
    path: input.path,
    commitSha: str(commit.id, "the commit id"),
    number: num(mr.iid, "the merge request iid"),
    url: str(mr.web_url, "the merge request URL"),
  };
}
