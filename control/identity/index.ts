export type { AuthenticateOptions, Caller, DenyReason } from "./auth.ts";
export { AuthDenied, authenticate, bearerFrom, hasRole, requireRole } from "./auth.ts";
export type { BootstrapOptions, BootstrapResult } from "./bootstrap.ts";
export { bootstrap } from "./bootstrap.ts";
export { ADMIN_TOKEN_FILE, AGENT_TOKEN_FILE, writeBootstrapTokens, writeSecretFile } from "./token-files.ts";
export type { ApiTokenRow, CreateTokenInput } from "./tokens.ts";
export {
  createApiToken,
  hashTokenSecret,
  listApiTokens,
  newTokenSecret,
  revokeApiToken,
  TOKEN_PREFIX,
} from "./tokens.ts";
