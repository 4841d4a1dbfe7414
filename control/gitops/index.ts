// GitOps (issue 8): repository links, webhook sync of migration files, pull requests from the platform.
export { checkBranch, checkCloneUrl, createGitReader, type GitReader } from "./git.ts";
export { type ImportInput, type ImportResult, importMigrations } from "./import.ts";
export {
  DEFAULT_API,
  type EventRow,
  GITOPS_SCHEDULE_KIND,
  getLink,
  type LinkInput,
  type LinkRow,
  linkRepository,
  listEvents,
  listLinks,
  pollCronOf,
  unlinkRepository,
  webhookPath,
} from "./links.ts";
export { branchName, fileOfMigration, openPullRequest, slugOf } from "./pr.ts";
export { openGitHubPullRequest, openGitLabMergeRequest, type PullRequestResult } from "./providers.ts";
export { createGitOpsRuntime, type GitOpsOptions, type GitOpsRuntime } from "./runtime.ts";
export { gitopsScheduleHandler } from "./schedule.ts";
export { createSecretBox, parseSecretKey, SECRET_KEY_ENV, type SecretBox } from "./secrets.ts";
export { githubSignature, verifyGitHubSignature, verifyGitLabToken } from "./signature.ts";
export { type FileOutcome, type SyncedFile, type SyncReport, syncCommit } from "./sync.ts";
export { handleWebhook, type WebhookDeps } from "./webhook.ts";
