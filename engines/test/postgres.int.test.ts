import { defineConformanceSuite } from "./conformance.ts";
import { postgresTarget } from "./targets/postgres.ts";

defineConformanceSuite(postgresTarget());
