// Every PostgreSQL rule, in the order they run on a statement.
import type { PgRule } from "../context.ts";
import { compatRules } from "./compat.ts";
import { destructiveRules } from "./destructive.ts";
import { failureRules } from "./failure.ts";
import { hygieneRules } from "./hygiene.ts";
import { lockingRules } from "./locking.ts";
import { queryRules } from "./query.ts";
import { schemaRules } from "./schema.ts";
import { sessionRules } from "./session.ts";

export const PG_RULES: readonly PgRule[] = [
  ...destructiveRules,
  ...failureRules,
  ...schemaRules,
  ...lockingRules,
  ...sessionRules,
  ...compatRules,
  ...hygieneRules,
  ...queryRules,
];
