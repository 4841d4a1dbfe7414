// Rollback policy (issue 5) through the platform on PostgreSQL: see rollback-policy-suite.ts.
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { rollbackPolicySuite } from "./rollback-policy-suite.ts";

rollbackPolicySuite("postgresql", {
  tag: "RBP",
  engine: Engine.POSTGRESQL,
  noteType:
    "select data_type from information_schema.columns where table_schema = current_schema() and table_name = 'rp_items' and column_name = 'note'",
  textInverse: 'ADD COLUMN "note" text',
  widenNote: ["alter table rp_items alter column note type varchar(40)"],
  varcharInverse: "character varying(40)",
  varcharType: "character varying",
  seedKeep: "insert into rp_keep select g, repeat('x', 100) from generate_series(1, 50) g",
  qualified: (t) => `public.${t}`,
  backupSource: (t) => `public.${t}`,
});
