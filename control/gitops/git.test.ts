import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { checkBranch, checkCloneUrl, createGitReader } from "./git.ts";

function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    return err instanceof MigratrixError ? err.code : "thrown";
  }
}

describe("clone URLs", () => {
  test.each([
    ["https://github.com/acme/db.git", false, "ok"],
    ["ssh://git@host/acme/db.git", false, "ok"],
    ["git@github.com:acme/db.git", false, "ok"],
    ["file:///srv/repos/db.git", false, "invalid_argument"],
    ["file:///srv/repos/db.git", true, "ok"],
    ["--upload-pack=touch /tmp/x", true, "invalid_argument"],
    ["ext::sh -c id", true, "invalid_argument"],
    ["fd::3", true, "invalid_argument"],
    ["/srv/repos/db.git", true, "invalid_argument"],
  ])("%s (file allowed: %s) → %s", (url, allowFile, expected) => {
    expect(outcome(() => checkCloneUrl(url, { allowFile }))).toBe(expected);
  });
});

describe("branch names", () => {
  test.each([
    ["main", "ok"],
    ["release/2026.11", "ok"],
    ["-main", "invalid_argument"],
    ["a..b", "invalid_argument"],
    ["a//b", "invalid_argument"],
    ["ends.", "invalid_argument"],
    ["has space", "invalid_argument"],
    ["semi;colon", "invalid_argument"],
  ])("%s → %s", (branch, expected) => {
    expect(outcome(() => checkBranch(branch))).toBe(expected);
  });
});

test("a reader without file remotes refuses a file:// fetch before running git", async () => {
  const reader = createGitReader({ cacheDir: "/nonexistent-cache", allowFile: false });
  const err = await reader.fetch({ url: "file:///etc", branch: "main" }).catch((e: unknown) => e);
  expect(err instanceof MigratrixError ? [err.code, err.message] : err).toEqual([
    "invalid_argument",
    'clone URL "file:///etc": file:// remotes are off on this control plane (MIGRATRIX_GITOPS_ALLOW_FILE=1 allows them)',
  ]);
});
