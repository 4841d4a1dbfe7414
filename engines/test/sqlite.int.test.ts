import { defineConformanceSuite } from "./conformance.ts";
import { sqliteTarget } from "./targets/sqlite.ts";

defineConformanceSuite(sqliteTarget());
