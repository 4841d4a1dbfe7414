// Rollback policy (issue 5) through the platform on SQLite: see rollback-policy-suite.ts.
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { rollbackPolicySuite } from "./rollback-policy-suite.ts";

rollbackPolicySuite("sqlite", {
  tag: "RBPS",
  engine: Engine.SQLITE,
  noteType: "select type as data_type from pragma_table_info('rp_items') where name = 'note'",
  // The stored CREATE TABLE text comes back whole.
  textInverse: "note text",
  // SQLite changes a column's type by rebuilding the table.
  widenNote: [
    "create table rp_items_new (id int primary key, qty int not null, note varchar(40))",
    "insert into rp_items_new select id, qty, note from rp_items",
    "drop table rp_items",
    "alter table rp_items_new rename to rp_items",
  ],
  varcharInverse: "varchar(40)",
  varcharType: "varchar(40)",
  seedKeep:
    "with recursive g(n) as (select 1 union all select n + 1 from g where n < 50) insert into rp_keep select n, hex(zeroblob(50)) from g",
  qualified: (t) => t,
  backupSource: (t) => `main.${t}`,
});
