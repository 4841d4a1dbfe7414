// Every SQLite rule, in the order they run on a statement.
import type { TokenRule } from "../../tokens/context.ts";
import { queryRules } from "../../tokens/query.ts";
import { destructiveRules } from "./destructive.ts";
import { failureRules } from "./failure.ts";
import { hygieneRules } from "./hygiene.ts";
import { sessionRules } from "./session.ts";

export const SQLITE_RULES: readonly TokenRule[] = [
  ...destructiveRules,
  ...failureRules,
  ...sessionRules,
  ...hygieneRules,
  ...queryRules,
];
