// Every mx command, in the order help lists them.

import { grant, grantList, grantRevoke, invite, members } from "./access.ts";
import { agentList } from "./agent.ts";
import { ai, ask } from "./ask.ts";
import { auditExport, auditList, auditVerify } from "./audit.ts";
import { backupRetention } from "./backup.ts";
import { chatList, chatUnlink, link } from "./chat.ts";
import { connectionAdd, connectionList } from "./connection.ts";
import { datadiff } from "./datadiff.ts";
import { diff, snapshot } from "./diff.ts";
import { driftCommand } from "./drift.ts";
import { envCreate, envList } from "./env.ts";
import {
  flowCreate,
  flowList,
  flowShow,
  migrationApprove,
  migrationPromote,
  migrationReject,
  migrationResolve,
  migrationRollback,
} from "./flow.ts";
import { gitopsLink, gitopsLog, gitopsPr, gitopsShow, gitopsSync, gitopsUnlink } from "./gitops.ts";
import { importCommand } from "./import.ts";
import { apply, backupList, backupPurge, down, revert } from "./local.ts";
import { join, login, logout, workspaceCreate, workspaceList } from "./login.ts";
import { maskAdd, maskList, maskRemove } from "./mask.ts";
import { migrationCreate, migrationHistory, migrationList, migrationShow } from "./migration.ts";
import { notifyRouteList, notifyRouteRemove, notifyRouteSet } from "./notify.ts";
import { query, queryHistory } from "./query.ts";
import { riskAssess } from "./risk.ts";
import { schemaShow } from "./schema.ts";
import { tableBrowse, tableEdit, tableGrants, tableGrantWrite } from "./table.ts";
import { tokenCreate, tokenList, tokenRevoke } from "./token.ts";
import { transferCommand } from "./transfer.ts";
import { transferList } from "./transfer-platform.ts";
import type { CommandSpec } from "./types.ts";
import { migrationRun, migrationWatch } from "./watch.ts";
import { whoami } from "./whoami.ts";

export const COMMANDS: readonly CommandSpec[] = [
  envList,
  envCreate,
  agentList,
  connectionAdd,
  connectionList,
  flowCreate,
  flowList,
  flowShow,
  migrationCreate,
  migrationList,
  migrationShow,
  migrationRun,
  migrationWatch,
  migrationPromote,
  migrationApprove,
  migrationReject,
  migrationRollback,
  migrationResolve,
  migrationHistory,
  importCommand,
  gitopsLink,
  gitopsShow,
  gitopsSync,
  gitopsPr,
  gitopsLog,
  gitopsUnlink,
  schemaShow,
  driftCommand,
  query,
  queryHistory,
  maskAdd,
  maskList,
  maskRemove,
  tableBrowse,
  tableEdit,
  tableGrantWrite,
  tableGrants,
  ask,
  ai,
  riskAssess,
  auditList,
  auditVerify,
  auditExport,
  tokenCreate,
  tokenList,
  tokenRevoke,
  link,
  chatList,
  chatUnlink,
  notifyRouteSet,
  notifyRouteList,
  notifyRouteRemove,
  whoami,
  login,
  logout,
  join,
  invite,
  members,
  grant,
  grantList,
  grantRevoke,
  workspaceList,
  workspaceCreate,
  apply,
  revert,
  down,
  backupList,
  backupPurge,
  backupRetention,
  transferCommand,
  transferList,
  datadiff,
  snapshot,
  diff,
];

export type { CliIo, CommandContext, CommandSpec, WatchTuning } from "./types.ts";
