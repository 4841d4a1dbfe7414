// Rollback policy (issue 5) through the platform on MariaDB: see rollback-policy-suite.ts.
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { rollbackPolicySuite } from "./rollback-policy-suite.ts";

rollbackPolicySuite("mariadb", {
  tag: "RBPM",
  engine: Engine.MARIADB,
  noteType:
    "select data_type as data_type from information_schema.columns where table_schema = database() and table_name = 'rp_items' and column_name = 'note'",
  textInverse: "ADD COLUMN `note` text",
  widenNote: ["alter table rp_items modify note varchar(40)"],
  varcharInverse: "varchar(40)",
  varcharType: "varchar",
  seedKeep: "insert into rp_keep select seq, repeat('x', 100) from seq_1_to_50",
  qualified: (t) => t,
  backupSource: (t, database) => `${database}.${t}`,
});
