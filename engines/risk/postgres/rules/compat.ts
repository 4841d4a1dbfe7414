// Backward compatibility: renames break the application version still running during a deploy.
import type { PgRule } from "../context.ts";
import { relName } from "../facts.ts";

export const compatRules: PgRule[] = [
  {
    nodes: {
      RenameStmt: (r, ctx) => {
        const table = relName(r.relation);
        if (r.renameType === "OBJECT_SCHEMA") {
          ctx.report("rename-schema", {
            message: `renaming schema ${r.subname ?? ""} to ${r.newname ?? ""} breaks every query that names it`,
            hint: "create the new schema, move objects, and keep the old name working until every client has moved",
          });
          return;
        }
        if (!ctx.existing(table)) return;
        if (r.renameType === "OBJECT_COLUMN") {
          ctx.report("rename-column", {
            subject: [r.subname ?? ""],
            message: `renaming ${table}.${r.subname ?? ""} to ${r.newname ?? ""} breaks the running application, which still uses the old name`,
            hint: "add the new column, write to both, backfill, switch readers, then drop the old one (expand and contract)",
            location: r.relation?.location,
          });
        } else if (r.renameType === "OBJECT_TABLE") {
          ctx.report("rename-table", {
            subject: [table],
            message: `renaming ${table} to ${r.newname ?? ""} breaks the running application, which still uses the old name`,
            hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
            location: r.relation?.location,
          });
        }
      },
    },
  },
];
