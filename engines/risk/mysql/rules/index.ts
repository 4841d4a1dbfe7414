// Every MySQL/MariaDB rule, in the order they run on a statement.
import type { TokenRule } from "../../tokens/context.ts";
import { queryRules } from "../../tokens/query.ts";
import { destructiveRules } from "./destructive.ts";
import { failureRules, openTransactionRule } from "./failure.ts";
import { hygieneRules } from "./hygiene.ts";
import { onlineRules } from "./online.ts";
import { sessionRules } from "./session.ts";

export const MYSQL_RULES: readonly TokenRule[] = [
  ...destructiveRules,
  ...failureRules,
  openTransactionRule,
  ...onlineRules,
  ...sessionRules,
  ...hygieneRules,
  ...queryRules,
];
