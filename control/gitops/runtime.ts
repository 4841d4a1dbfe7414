// What GitOps needs at run time: the secret box (only with MIGRATRIX_SECRET_KEY; without it every
// GitOps call is refused and the rest of the control plane runs), the git reader, the HTTP client.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import { createGitReader, type GitReader } from "./git.ts";
import { createSecretBox, parseSecretKey, SECRET_KEY_ENV, type SecretBox } from "./secrets.ts";

export interface GitOpsOptions {
  /** 32 bytes, hex or base64 (MIGRATRIX_SECRET_KEY); a malformed key stops the control plane. */
  secretKey?: string;
  /** Bare cache repositories (default: <tmp>/migratrix-gitops). */
  cacheDir?: string;
  /** HTTP client for the providers' APIs (default: global fetch). */
  fetch?: typeof fetch;
  /** file:// remotes (the control plane's own disk): off unless set. */
  allowFileRemotes?: boolean;
}

export interface GitOpsRuntime {
  /** The secret box, or failed_precondition when no key is configured. */
  box(): SecretBox;
  git: GitReader;
  fetch?: typeof fetch;
  allowFileRemotes: boolean;
}

export function createGitOpsRuntime(opts: GitOpsOptions): GitOpsRuntime {
  const box = opts.secretKey ? createSecretBox(parseSecretKey(opts.secretKey)) : null;
  return {
    box() {
      if (!box) {
        throw new MigratrixError(
          "failed_precondition",
          `GitOps is off: the control plane was started without ${SECRET_KEY_ENV} (32 random bytes, hex or base64), which encrypts webhook secrets and provider tokens`,
        );
      }
      return box;
    },
    git: createGitReader({
      cacheDir: opts.cacheDir ?? join(tmpdir(), "migratrix-gitops"),
      allowFile: opts.allowFileRemotes ?? false,
    }),
    fetch: opts.fetch,
    allowFileRemotes: opts.allowFileRemotes ?? false,
  };
}
