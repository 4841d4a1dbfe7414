import { defineConformanceSuite } from "./conformance.ts";
import { mariadbTarget } from "./targets/mariadb.ts";

defineConformanceSuite(mariadbTarget());
