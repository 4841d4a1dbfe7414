// Script-wide checks on SQLite: repeated ALTERs on one table, schema and data changes mixed.
import { key, type TokenRule } from "../../tokens/context.ts";
import { isDdl, isDml } from "../../tokens/state.ts";

export const sessionRules: TokenRule[] = [
  {
    statement(ctx) {
      const s = ctx.script;
      const st = ctx.stmt;
      if (st.kind === "alter-table") {
        const t = key(st.table.name);
        if ((s.alters.get(t) ?? 0) >= 1 && ctx.existing(st.table.name)) {
          ctx.report("merge-alter-table", {
            message: `another ALTER TABLE on ${st.table.name}: SQLite takes one action per ALTER, and each may rewrite the table (DROP COLUMN does)`,
            hint: "several changes to one table at once are a table rebuild: CREATE new, copy, DROP old, RENAME",
          });
        }
      }
      if ((isDml(st) && s.sawDdl) || (isDdl(st) && s.sawDml)) {
        if (!s.reported.has("mix-ddl-dml")) {
          s.reported.add("mix-ddl-dml");
          ctx.report("mix-ddl-dml", {
            message:
              "schema changes and data changes in one migration: the data change holds the write lock with the schema change, and cannot be retried alone",
            hint: "put data changes (backfills) in their own migration",
          });
        }
      }
    },
  },
];
