export type { AuthenticateOptions, Caller, DenyReason } from "./auth.ts";
export { AuthDenied, auditDenied, authenticate, bearerFrom, isWorkspaceAdmin, requesterOf } from "./auth.ts";
export type { BootstrapOptions, BootstrapResult } from "./bootstrap.ts";
export { bootstrap } from "./bootstrap.ts";
export type { ChatIdentityRow, ChatIdentityView, ChatUser } from "./chat.ts";
export {
  CHAT_USER_HEADER,
  chatUserLabel,
  createChatLinkCode,
  DEFAULT_LINK_CODE_TTL_MS,
  linkChatIdentity,
  listChatIdentities,
  parseChatUser,
  unlinkChatIdentity,
} from "./chat.ts";
export type { GrantChange, GrantView, MemberRow } from "./grants.ts";
export {
  findMember,
  grantsOf,
  listGrants,
  listMembers,
  normaliseEmail,
  parseRole,
  removeGrant,
  setGrant,
} from "./grants.ts";
export type { AcceptedInvite, AcceptInviteInput, InviteInput } from "./invites.ts";
export { acceptInvite, checkEmail, createInvite, DEFAULT_INVITE_TTL_MS, INVITE_PREFIX } from "./invites.ts";
export type { LoginInput, LoginResult } from "./login.ts";
export { DEFAULT_LOGIN_TTL_MS, login } from "./login.ts";
export type { PasswordCost } from "./passwords.ts";
export { checkPasswordRules, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.ts";
export type { EnvironmentKind } from "./roles.ts";
export { environmentKind, ROLES_LIST } from "./roles.ts";
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
export type { CreateWorkspaceInput, MembershipView, WorkspaceRow } from "./workspaces.ts";
export { addMember, createWorkspace, getWorkspaceByName, membershipRole, workspacesOf } from "./workspaces.ts";
