// Online DDL: what an ALTER TABLE or CREATE INDEX does to an existing table on InnoDB: INSTANT
// (metadata only), INPLACE (writes continue; may rebuild), or COPY / a shared lock (writes wait for
// the whole table). Claims about the engine are checked against MariaDB in rules.int.test.ts.

import { type ColumnFact, key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import type { AlterAction, ColumnDef, Stmt } from "../../tokens/model.ts";

type AlterStmt = Extract<Stmt, { kind: "alter-table" }>;

const INPLACE_HINT =
  "append ALGORITHM=INPLACE, LOCK=NONE: the server then refuses the change instead of silently falling back to a copy that blocks writes";
const NON_INNODB = new Set([
  "MYISAM",
  "MEMORY",
  "HEAP",
  "ARIA",
  "CSV",
  "ARCHIVE",
  "MRG_MYISAM",
  "MERGE",
  "BLACKHOLE",
  "FEDERATED",
]);

/** Base type and its arguments: "varchar(100)" → ["varchar", ["100"]]. */
function parseType(t: string): { base: string; args: string[] } {
  const m = /^([a-z ]+?)\s*(?:\((.*)\))?(\s+unsigned)?$/i.exec(t.trim());
  if (m === null) return { base: t.trim().toLowerCase(), args: [] };
  const args = (m[2] ?? "")
    .split(",")
    .map((a) => a.trim().replace(/^'(.*)'$/, "$1"))
    .filter((a) => a !== "");
  return { base: `${(m[1] ?? "").toLowerCase()}${m[3] !== undefined ? " unsigned" : ""}`, args };
}

const VARLEN = new Set(["varchar", "varbinary"]);
const INT_ORDER = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"];

/** A change InnoDB makes in place or instantly (same type, VARCHAR growth within its length-byte class, ENUM append). */
function sameOrOnline(old: string, next: ColumnDef): "same" | "online" | "enum-append" | "enum-other" | "change" {
  const o = parseType(old);
  const n = { base: next.type + (next.unsigned ? " unsigned" : ""), args: next.typeArgs };
  const alias = (b: string) => (b === "integer" ? "int" : b === "bool" || b === "boolean" ? "tinyint" : b);
  if (alias(o.base) === alias(n.base) && o.args.join(",") === n.args.join(",")) return "same";
  // Integer display widths (int(11)) are not part of the type.
  if (INT_ORDER.includes(o.base.replace(" unsigned", "")) && alias(o.base) === alias(n.base)) return "same";
  if (VARLEN.has(o.base) && o.base === n.base) {
    const from = Number(o.args[0]);
    const to = Number(n.args[0]);
    // utf8mb4 takes up to 4 bytes a character: 1 length byte up to 255 bytes, 2 beyond.
    const cls = (chars: number) => (chars * (o.base === "varchar" ? 4 : 1) <= 255 ? 1 : 2);
    if (to >= from && cls(from) === cls(to)) return "online";
  }
  if ((o.base === "enum" || o.base === "set") && o.base === n.base) {
    const appended = n.args.length >= o.args.length && o.args.every((v, i) => n.args[i] === v);
    return appended ? "enum-append" : "enum-other";
  }
  return "change";
}

/** What a MODIFY/CHANGE makes the server do: "copy" (reported here), "build" (in place) or "none" (metadata). */
function redefine(
  ctx: TokenCtx,
  st: AlterStmt,
  a: Extract<AlterAction, { op: "modify" | "change" }>,
  copyOk: boolean,
): "copy" | "build" | "none" {
  const table = st.table.name;
  const col = a.col;
  const oldName = a.op === "change" ? a.from : col.name;
  const old: ColumnFact | undefined = ctx.script.columns.get(key(table))?.get(key(oldName));
  if (a.op === "change") {
    if (key(a.from) !== key(col.name)) {
      ctx.report("rename-column", {
        subject: [a.from],
        message: `CHANGE renames ${table}.${a.from} to ${col.name}: the running application still uses the old name`,
        hint: "add the new column, write to both, backfill, switch readers, then drop the old one (expand and contract)",
        at: a.pos,
      });
    }
    ctx.report("change-column", {
      message: `CHANGE COLUMN restates the whole definition of ${table}.${a.from}: anything not repeated (NOT NULL, DEFAULT, COMMENT, charset) is dropped`,
      hint:
        key(a.from) !== key(col.name)
          ? "use RENAME COLUMN for the rename and MODIFY for the definition, separately"
          : "use MODIFY COLUMN, or ALTER COLUMN ... SET DEFAULT for a default",
      at: a.pos,
    });
  }
  if (col.charset !== undefined || col.collate !== undefined) {
    const what =
      col.charset !== undefined ? `character set ${col.charset.value}` : `collation ${col.collate?.value ?? ""}`;
    ctx.report("charset-change", {
      level: "High",
      subject: [oldName],
      message: `changing ${table}.${col.name} to ${what} is a type change: the table is copied (writes blocked) and comparisons and sort order change`,
      hint: "add a new column with the new charset, backfill in batches, switch over; or use an online schema change tool (gh-ost, pt-online-schema-change)",
      at: (col.charset ?? col.collate)?.pos,
    });
    return "copy";
  }
  if (col.type === "") return "build";
  if (old === undefined) {
    const isEnum = col.type === "enum" || col.type === "set";
    ctx.report(isEnum ? "enum-change" : "alter-column-type", {
      // With ALGORITHM=INPLACE/INSTANT the server refuses a copy: what remains is the change itself.
      level: copyOk ? "Medium" : "Low",
      subject: [oldName],
      message: isEnum
        ? `${a.op.toUpperCase()} ${table}.${col.name} ${col.type.toUpperCase()}: only appending values at the end is instant; reordering or removing values copies the table (and rows with a removed value fail or become '')`
        : `${a.op.toUpperCase()} ${table}.${col.name} ${col.typeText}: the current type is unknown here (no --schema); if it changes, the table is copied with writes blocked`,
      hint: isEnum ? "only append new values at the end of the list" : `pass --schema to check it; ${INPLACE_HINT}`,
      at: col.typePos,
    });
    return "copy";
  }
  const change = sameOrOnline(old.type, col);
  if (change === "enum-other") {
    ctx.report("enum-change", {
      level: "High",
      subject: [oldName],
      message: `${table}.${col.name} ${old.type} -> ${col.typeText}: reordering or removing values copies the table with writes blocked, and rows holding a removed value fail the ALTER (strict mode) or become ''`,
      hint: "only append values at the end (instant); to remove a value, migrate the rows off it first",
      at: col.typePos,
    });
  } else if (change === "change") {
    ctx.report("alter-column-type", {
      level: copyOk ? "High" : "Medium",
      subject: [oldName],
      message: `changing ${table}.${col.name} from ${old.type} to ${col.typeText} copies the whole table (ALGORITHM=COPY): writes wait until it ends, and clients may break`,
      hint: "add a new column of the new type, backfill in batches, switch readers, drop the old one; or use gh-ost / pt-online-schema-change",
      at: col.typePos,
    });
  }
  const nullability = old.notNull !== (col.notNull || col.primary);
  if (!old.notNull && col.notNull) {
    ctx.report("set-not-null", {
      subject: [oldName],
      message: `${table}.${col.name} becomes NOT NULL: the table is rebuilt, and the ALTER fails on a NULL (strict mode) or turns NULLs into 0/'' (non-strict)`,
      hint: "backfill NULLs in batches first (UPDATE ... WHERE col IS NULL LIMIT ...), then MODIFY with NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
      at: a.pos,
    });
  }
  if (change === "change" || change === "enum-other") return "copy";
  return nullability || change === "online" ? "build" : "none";
}

/** What an action does to an existing table: nothing worth a word, a rebuild or an in-place build, or a copy. */
function alterTable(ctx: TokenCtx, st: AlterStmt): void {
  const table = st.table.name;
  const algorithm = st.actions.find((a) => a.op === "algorithm");
  const lock = st.actions.find((a) => a.op === "lock");
  const alg = algorithm?.op === "algorithm" ? algorithm.value : undefined;
  const lk = lock?.op === "lock" ? lock.value : undefined;
  // With ALGORITHM=INPLACE/INSTANT the server refuses a change it would have to copy for: no copy happens.
  const copyOk = alg !== "INPLACE" && alg !== "INSTANT" && alg !== "NOCOPY";
  let copies = false;
  let builds = false;
  const copy = (message: string, hint: string, at: number) => {
    copies = true;
    if (copyOk) ctx.report("mysql-table-copy", { message, hint, at });
  };
  if (alg === "COPY") {
    copies = true;
    ctx.report("mysql-table-copy", {
      message: `ALGORITHM=COPY copies ${table} row by row: writes wait for the whole copy`,
      hint: "use ALGORITHM=INPLACE (or INSTANT) where the change allows it; otherwise gh-ost / pt-online-schema-change",
      at: algorithm?.pos ?? ctx.start,
    });
  }
  if (lk === "SHARED" || lk === "EXCLUSIVE") {
    copies = true;
    ctx.report("mysql-table-copy", {
      message: `LOCK=${lk} blocks ${lk === "SHARED" ? "writes to" : "reads and writes of"} ${table} for the whole ALTER`,
      hint: "LOCK=NONE where the change allows it",
      at: lock?.pos ?? ctx.start,
    });
  }
  const addsPk = st.actions.some(
    (a) => (a.op === "add-key" && a.key.kind === "primary") || (a.op === "add-column" && a.col.primary),
  );
  for (const a of st.actions) {
    switch (a.op) {
      case "add-column": {
        const c = a.col;
        if (c.generated === "stored") {
          copies = true;
          ctx.report("add-column-rewrite-type", {
            level: copyOk ? "High" : "Medium",
            message: `adding stored generated column ${c.name} copies ${table} (ALGORITHM=COPY): writes wait for the whole copy`,
            hint: "add it as VIRTUAL (instant), or add a plain column and backfill it in batches",
            at: c.pos,
          });
        } else if (c.autoIncrement) {
          copies = true;
          ctx.report("add-column-rewrite-type", {
            message: `adding AUTO_INCREMENT column ${c.name} rebuilds ${table} and numbers every row, with writes blocked`,
            hint: "create a new table with the column and copy rows in batches, or use gh-ost / pt-online-schema-change",
            at: c.pos,
          });
        }
        if (c.default?.kind === "expression") {
          copies = true;
          ctx.report("expression-default", {
            level: copyOk ? "High" : "Medium",
            message: `DEFAULT (${c.default.text}) is an expression: adding ${c.name} copies ${table} (no INSTANT or INPLACE for it), writes blocked`,
            hint: "add the column with a constant DEFAULT (or none), then fill it in batches",
            at: c.default.pos,
          });
        }
        if (c.position !== undefined) {
          ctx.report("column-order", {
            message: `${c.position.kind} places ${c.name} among existing columns: MySQL before 8.0.29 rebuilds the table for it (appending is instant)`,
            hint: "append the column at the end; column order does not matter to queries that name columns",
            at: c.position.pos,
          });
        }
        if (c.primary) {
          ctx.report("add-primary-key-existing", {
            message: `PRIMARY KEY on new column ${c.name} rebuilds ${table} (the clustered index) with every row`,
            hint: "add the key in a maintenance window, or with gh-ost / pt-online-schema-change",
            at: c.pos,
          });
        }
        if (c.references !== undefined)
          copy(
            `REFERENCES on new column ${c.name}: adding a foreign key copies ${table} while foreign_key_checks is on`,
            "add the column first; add the FOREIGN KEY separately, knowing it copies (or with foreign_key_checks=0 and a checked backfill)",
            c.references.pos,
          );
        if (c.check) {
          ctx.report("add-check-validating", {
            level: "High",
            message: `CHECK on new column ${c.name} copies ${table} to validate it (no INPLACE for CHECK), writes blocked`,
            hint: "add the column first, then the CHECK in its own ALTER (MySQL: NOT ENFORCED first)",
            at: c.pos,
          });
        }
        break;
      }
      case "add-key": {
        const k = a.key;
        if (k.kind === "primary") {
          ctx.report("add-primary-key-existing", {
            message: `ADD PRIMARY KEY rebuilds ${table} (the clustered index), checking every row for NULLs and duplicates`,
            hint: "add the key in a maintenance window, or with gh-ost / pt-online-schema-change",
            at: a.pos,
          });
        } else if (k.kind === "foreign") {
          copy(
            `ADD FOREIGN KEY copies ${table} (ALGORITHM=COPY) while foreign_key_checks is on: writes wait for the whole copy`,
            "plan it as a table copy (gh-ost cannot add foreign keys; pt-online-schema-change can), or add it with foreign_key_checks=0 after checking for orphans",
            a.pos,
          );
        } else if (k.kind === "check") {
          if (k.notEnforced === true) break;
          copies = true;
          ctx.report("add-check-validating", {
            level: copyOk ? "High" : "Medium",
            message: `ADD CHECK copies ${table} to validate every row (no INPLACE for CHECK constraints), writes blocked`,
            hint: "MySQL: add it NOT ENFORCED (instant) and enforce it later in a window; or validate in the application first",
            at: a.pos,
          });
        } else if (k.kind === "fulltext" || k.kind === "spatial") {
          copy(
            `ADD ${k.kind.toUpperCase()} INDEX cannot run with LOCK=NONE: writes to ${table} wait for the whole build (the first FULLTEXT index also rebuilds the table)`,
            "build it in a maintenance window, or on a copy of the table",
            a.pos,
          );
        } else {
          builds = true;
        }
        break;
      }
      case "drop-key":
        if (a.kind === "primary" && !addsPk) {
          copy(
            `DROP PRIMARY KEY rebuilds ${table} (MySQL copies it): writes wait, and rows lose their key`,
            "replace the key in the same ALTER (DROP PRIMARY KEY, ADD PRIMARY KEY (...)), in a maintenance window",
            a.pos,
          );
        }
        break;
      case "modify":
      case "change": {
        const does = redefine(ctx, st, a, copyOk);
        if (does === "copy") copies = true;
        else if (does === "build") builds = true;
        if (a.col.position !== undefined) {
          ctx.report("column-order", {
            message: `${a.col.position.kind} moves ${a.col.name}: reordering columns rebuilds ${table}`,
            hint: "leave column order alone; it does not matter to queries that name columns",
            at: a.col.position.pos,
          });
          builds = true;
        }
        break;
      }
      case "engine": {
        if (NON_INNODB.has(a.value)) {
          ctx.report("mysql-non-innodb", {
            message: `ENGINE=${a.value}: no transactions, no crash recovery, table-level locks${a.value === "MEMORY" || a.value === "HEAP" ? ", and the rows vanish on restart" : ""}`,
            hint: "keep InnoDB",
            at: a.pos,
          });
        }
        copy(
          `ENGINE=${a.value} rebuilds ${table}${a.value === "INNODB" ? "" : " by copying it to the new engine"}: ${a.value === "INNODB" ? "it reads and rewrites every row" : "writes wait for the whole copy"}`,
          "rebuild in a maintenance window (OPTIMIZE TABLE / ALTER ... FORCE, ALGORITHM=INPLACE, LOCK=NONE for InnoDB)",
          a.pos,
        );
        break;
      }
      case "convert-charset":
        copies = true;
        ctx.report("charset-change", {
          level: "High",
          message: `CONVERT TO CHARACTER SET ${a.value.toLowerCase()} rewrites every text column of ${table} (a full copy, writes blocked), and changes comparisons and index lengths`,
          hint: "convert column by column with an online schema change tool, after checking index key lengths (utf8mb4: 4 bytes a character)",
          at: a.pos,
        });
        break;
      case "table-charset":
        ctx.report("charset-change", {
          level: "Low",
          message: `the default character set or collation of ${table} changes to ${a.value.toLowerCase()}: existing columns keep theirs, new ones differ, and joins between them may fail on mixed collations`,
          hint: "convert the columns explicitly if they should change too; keep one collation per schema",
          at: a.pos,
        });
        break;
      case "partition":
        if (["PARTITION BY", "REMOVE PARTITIONING", "COALESCE PARTITION", "REORGANIZE PARTITION"].includes(a.what)) {
          copy(
            `${a.what} copies ${table} into the new layout: writes wait for the whole copy`,
            "repartition in a maintenance window or with gh-ost / pt-online-schema-change",
            a.pos,
          );
        } else if (a.what === "REBUILD PARTITION" || a.what === "OPTIMIZE PARTITION") {
          builds = true;
        }
        break;
      case "force":
        builds = true;
        break;
      case "rename-column":
        ctx.report("rename-column", {
          subject: [a.from],
          message: `renaming ${table}.${a.from} to ${a.to} breaks the running application, which still uses the old name`,
          hint: "add the new column, write to both, backfill, switch readers, then drop the old one (expand and contract)",
          at: a.pos,
        });
        break;
      case "rename-table":
        ctx.report("rename-table", {
          subject: [table],
          message: `renaming ${table} to ${a.to.name} breaks the running application, which still uses the old name`,
          hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
          at: a.pos,
        });
        break;
      default:
        break;
    }
  }
  if (builds && !copies && alg === undefined && lk === undefined) {
    ctx.report("mysql-table-copy", {
      level: "Medium",
      message: `ALTER TABLE ${table} without ALGORITHM and LOCK: this change builds in place, but MySQL silently takes a slower, write-blocking path where it must`,
      hint: INPLACE_HINT,
    });
  }
}

export const onlineRules: TokenRule[] = [
  {
    statement(ctx) {
      const st = ctx.stmt;
      if (st.kind === "alter-table") {
        if (ctx.existing(st.table.name)) alterTable(ctx, st);
        for (const a of st.actions) if (a.op === "add-column" && a.col.references !== undefined) inlineRef(ctx, a.col);
        return;
      }
      if (st.kind === "create-index" && ctx.existing(st.table.name)) {
        const k = st.key.kind;
        const alg = st.algorithm?.value;
        const lk = st.lock?.value;
        if (k === "fulltext" || k === "spatial" || alg === "COPY" || lk === "SHARED" || lk === "EXCLUSIVE") {
          ctx.report("mysql-table-copy", {
            message: `${k === "fulltext" || k === "spatial" ? `a ${k.toUpperCase()} index` : `ALGORITHM=${alg ?? "INPLACE"}, LOCK=${lk ?? "DEFAULT"}`} blocks writes to ${st.table.name} for the whole build`,
            hint: "build it in a maintenance window, or on a copy of the table",
            at: st.table.start,
          });
        } else if (alg === undefined && lk === undefined) {
          ctx.report("mysql-table-copy", {
            level: "Medium",
            message: `CREATE INDEX on ${st.table.name} without ALGORITHM and LOCK: the build runs in place, but MySQL silently takes a write-blocking path where it must`,
            hint: INPLACE_HINT,
            at: st.table.start,
          });
        }
        return;
      }
      if (st.kind === "rebuild") {
        const tables = st.tables.filter((t) => ctx.existing(t.name)).map((t) => t.name);
        if (tables.length === 0) return;
        ctx.report("mysql-table-copy", {
          level: "Medium",
          message: `${st.verb} TABLE ${tables.join(", ")} rebuilds the whole table (InnoDB: ALTER TABLE ... FORCE), reading and rewriting every row`,
          hint: "rebuild in a quiet hour, one table at a time; it is maintenance, not a migration step",
        });
        return;
      }
      if (st.kind === "create-table") {
        for (const o of st.options) {
          if (o.name === "ENGINE" && NON_INNODB.has(o.value)) {
            ctx.report("mysql-non-innodb", {
              message: `ENGINE=${o.value}: no transactions, no foreign keys, no crash recovery, table-level locks${o.value === "MEMORY" || o.value === "HEAP" ? ", and the rows vanish on restart" : ""}`,
              hint: "use InnoDB (the default)",
              at: o.pos,
            });
          }
        }
        for (const c of st.columns) if (c.references !== undefined) inlineRef(ctx, c);
      }
    },
  },
];

function inlineRef(ctx: TokenCtx, c: ColumnDef): void {
  const at = c.references?.pos;
  if (ctx.engine === "mysql") {
    ctx.report("mysql-inline-references", {
      message: `column-level REFERENCES on ${c.name} is parsed and ignored by MySQL before 9.0: no foreign key is created`,
      hint: `write a table-level FOREIGN KEY (${c.name}) REFERENCES ...`,
      at,
    });
  } else {
    ctx.report("mysql-inline-references", {
      level: "Low",
      message: `column-level REFERENCES on ${c.name}: MariaDB creates the foreign key, MySQL before 9.0 ignores it, so the same file gives different schemas`,
      hint: `write a table-level FOREIGN KEY (${c.name}) REFERENCES ...`,
      at,
    });
  }
}
