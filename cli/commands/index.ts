// Every mx command, in the order help lists them.
import { agentList } from "./agent.ts";
import { auditList } from "./audit.ts";
import { connectionAdd, connectionList } from "./connection.ts";
import { envCreate, envList } from "./env.ts";
import { migrationCreate, migrationHistory, migrationList, migrationShow } from "./migration.ts";
import { schemaShow } from "./schema.ts";
import { tokenCreate, tokenList, tokenRevoke } from "./token.ts";
import type { CommandSpec } from "./types.ts";
import { migrationRun, migrationWatch } from "./watch.ts";
import { whoami } from "./whoami.ts";

export const COMMANDS: readonly CommandSpec[] = [
  envList,
  envCreate,
  agentList,
  connectionAdd,
  connectionList,
  migrationCreate,
  migrationList,
  migrationShow,
  migrationRun,
  migrationWatch,
  migrationHistory,
  schemaShow,
  auditList,
  tokenCreate,
  tokenList,
  tokenRevoke,
  whoami,
];

export type { CliIo, CommandContext, CommandSpec, WatchTuning } from "./types.ts";
