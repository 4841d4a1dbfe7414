// Every MySQL/MariaDB case table.
import type { CheckCases } from "../../cases/types.ts";
import { mysqlDestructiveCases } from "./destructive.ts";
import { mysqlFailureCases } from "./failure.ts";
import { mysqlHygieneCases } from "./hygiene.ts";
import { mysqlOnlineCases } from "./online.ts";
import { mysqlSessionCases } from "./session.ts";

export const MYSQL_CASES: readonly CheckCases[] = [
  ...mysqlDestructiveCases,
  ...mysqlFailureCases,
  ...mysqlOnlineCases,
  ...mysqlSessionCases,
  ...mysqlHygieneCases,
];
