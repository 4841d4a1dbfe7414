// Every SQLite case table.
import type { CheckCases } from "../../cases/types.ts";
import { sqliteDestructiveCases } from "./destructive.ts";
import { sqliteHygieneCases } from "./hygiene.ts";

export const SQLITE_CASES: readonly CheckCases[] = [...sqliteDestructiveCases, ...sqliteHygieneCases];
