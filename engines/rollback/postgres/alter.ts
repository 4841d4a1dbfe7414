// Inverses of ALTER TABLE sub-commands, each from the column or constraint as it was just before.
import type { TableSnapshot } from "../../schema/snapshot.ts";
import { addBackup, requireKey, restoreColumnsSql } from "./backup-spec.ts";
import { columnDef, qi, qn, type Rel } from "./model.ts";
import { arr, type Node, names, obj, str } from "./sql.ts";
import { combine, exact, type Inverse, irreversible, partly, relOf, type StepCtx } from "./step.ts";
import { formatTypeName, isWidening } from "./types.ts";

export function alterTable(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  if (str(s, "objtype") !== "OBJECT_TABLE") return irreversible("no inverse is known for this ALTER");
  if (c.model.isCreated(r)) {
    for (const cmd of arr(s, "cmds")) applyOnly(c, r, obj(cmd, "AlterTableCmd") ?? {});
    return exact([], `table ${r.name} is created by this migration: dropping it undoes this`);
  }
  // Sub-commands are undone last first, like statements.
  const parts = arr(s, "cmds").map((cmd) => alterCmd(c, r, obj(cmd, "AlterTableCmd") ?? {}));
  return combine(parts.reverse());
}

/** Keeps the model in step for a table the migration created (no inverse needed). */
function applyOnly(c: StepCtx, r: Rel, cmd: Node): void {
  const t = c.model.table(r);
  if (!t) return;
  if (str(cmd, "subtype") === "AT_DropColumn") t.columns = t.columns.filter((col) => col.name !== str(cmd, "name"));
}

function alterCmd(c: StepCtx, r: Rel, cmd: Node): Inverse {
  const table = qn(r.schema, r.name);
  const t = c.model.table(r);
  const name = str(cmd, "name") ?? "";
  const col = t?.columns.find((x) => x.name === name);
  const subtype = str(cmd, "subtype") ?? "";
  switch (subtype) {
    case "AT_AddColumn": {
      const colName = str(cmd, "def", "ColumnDef", "colname") ?? "";
      if (t) {
        t.columns.push({
          name: colName,
          type: formatTypeName(obj(cmd, "def", "ColumnDef", "typeName")),
          nullable: true,
          default: null,
          ordinal: Math.max(0, ...t.columns.map((x) => x.ordinal)) + 1,
        });
      }
      return exact([`ALTER TABLE ${table} DROP COLUMN ${qi(colName)}`], `drops column ${colName}, added here`);
    }
    case "AT_DropColumn":
      return dropColumn(c, r, t, name);
    case "AT_AlterColumnType":
      return alterType(c, r, t, name, cmd);
    case "AT_ColumnDefault": {
      if (!col) return unknownColumn(c, r, name);
      const previous = col.default;
      col.default = cmd.def ? "(changed)" : null;
      return exact(
        [
          previous === null
            ? `ALTER TABLE ${table} ALTER COLUMN ${qi(name)} DROP DEFAULT`
            : `ALTER TABLE ${table} ALTER COLUMN ${qi(name)} SET DEFAULT ${previous}`,
        ],
        previous === null ? `drops the default of ${name} (it had none)` : `restores the default of ${name}`,
      );
    }
    case "AT_SetNotNull":
    case "AT_DropNotNull": {
      if (!col) return unknownColumn(c, r, name);
      const wasNullable = col.nullable;
      col.nullable = subtype === "AT_DropNotNull";
      if (wasNullable === col.nullable)
        return exact([], `${name} was already ${wasNullable ? "nullable" : "NOT NULL"}`);
      return exact(
        [`ALTER TABLE ${table} ALTER COLUMN ${qi(name)} ${wasNullable ? "DROP" : "SET"} NOT NULL`],
        `makes ${name} ${wasNullable ? "nullable" : "NOT NULL"} again`,
      );
    }
    case "AT_AddConstraint":
    case "AT_AddIndexConstraint":
      return addConstraint(r, t, obj(cmd, "def", "Constraint") ?? {});
    case "AT_DropConstraint": {
      const k = t?.constraints?.find((x) => x.name === name);
      if (!t || !k) {
        return cmd.missing_ok && t
          ? exact([], `constraint ${name} did not exist before (IF EXISTS)`)
          : irreversible(`constraint ${name} on ${r.name} ${c.model.notIn}`);
      }
      t.constraints = t.constraints?.filter((x) => x !== k);
      return exact(
        [`ALTER TABLE ${table} ADD CONSTRAINT ${qi(name)} ${k.definition}`],
        `re-adds constraint ${name} from the snapshot`,
      );
    }
    default:
      return irreversible(`no inverse is known for ALTER TABLE ${subtype.replace("AT_", "")}`);
  }
}

function unknownColumn(c: StepCtx, r: Rel, name: string): Inverse {
  return irreversible(`column ${r.name}.${name} ${c.model.notIn}`);
}

/** A column dropped together with the indexes and constraints PostgreSQL drops with it. */
function dropColumn(c: StepCtx, r: Rel, t: TableSnapshot | undefined, name: string): Inverse {
  const col = t?.columns.find((x) => x.name === name);
  if (!t || !col) return unknownColumn(c, r, name);
  const table = qn(r.schema, r.name);
  // A generated column computes its values again when re-added: nothing to back up.
  const key = col.generated !== undefined ? undefined : requireKey(c, r, `DROP COLUMN ${name}`);
  const sorted = [...t.columns].sort((a, b) => a.ordinal - b.ordinal);
  const wasLast = sorted.at(-1) === col;
  const mentions = (text: string) => new RegExp(`(^|[^\\w"])("${name}"|${name})([^\\w"]|$)`).test(text);
  const indexes = t.indexes.filter((i) => !i.constraint && i.definition && i.columns.some((x) => mentions(x)));
  const constraints = (t.constraints ?? []).filter((k) => mentions(k.definition));
  t.columns = t.columns.filter((x) => x !== col);
  t.indexes = t.indexes.filter((i) => !indexes.includes(i));
  t.constraints = t.constraints?.filter((k) => !constraints.includes(k));

  const sql = [`ALTER TABLE ${table} ADD COLUMN ${columnDef({ ...col, nullable: true })}`];
  if (key) {
    const backup = addBackup(c, {
      source: r,
      columns: [...key, name],
      from: table,
      keyColumns: key,
      reason: `DROP COLUMN ${name}`,
    });
    sql.push(restoreColumnsSql(r, backup, key, [name]));
  }
  if (!col.nullable) sql.push(`ALTER TABLE ${table} ALTER COLUMN ${qi(name)} SET NOT NULL`);
  for (const k of constraints) sql.push(`ALTER TABLE ${table} ADD CONSTRAINT ${qi(k.name)} ${k.definition}`);
  for (const i of indexes) if (i.definition) sql.push(i.definition);
  const note = `re-adds column ${name} from the snapshot${key ? " and restores its values from the backup" : ""}`;
  const reasons: string[] = [];
  if (!wasLast) reasons.push(`column ${name} comes back at the end of the table, not at position ${col.ordinal}`);
  if (!key && col.generated === undefined) {
    reasons.push(`its values are lost: ${r.name} has no primary key to restore them by`);
  }
  return reasons.length ? partly(sql, note, reasons.join("; ")) : exact(sql, note);
}

function alterType(c: StepCtx, r: Rel, t: TableSnapshot | undefined, name: string, cmd: Node): Inverse {
  const col = t?.columns.find((x) => x.name === name);
  if (!col) return unknownColumn(c, r, name);
  const table = qn(r.schema, r.name);
  const next = formatTypeName(obj(cmd, "def", "ColumnDef", "typeName"));
  const previous = col.type;
  col.type = next;
  // A type change rewrites the default through a cast: put the old expression back as it was.
  const back = [
    `ALTER TABLE ${table} ALTER COLUMN ${qi(name)} TYPE ${previous} USING ${qi(name)}::${previous}`,
    ...(col.default !== null ? [`ALTER TABLE ${table} ALTER COLUMN ${qi(name)} SET DEFAULT ${col.default}`] : []),
  ];
  if (isWidening(previous, next)) return exact(back, `changes ${name} back to ${previous} (the change widened it)`);
  const key = requireKey(c, r, `ALTER COLUMN ${name} TYPE`);
  if (!key) {
    return partly(
      back,
      `changes ${name} back to ${previous}`,
      `values the narrower type changed cannot be restored: ${r.name} has no primary key`,
    );
  }
  const backup = addBackup(c, {
    source: r,
    columns: [...key, name],
    from: table,
    keyColumns: key,
    reason: `ALTER COLUMN ${name} TYPE`,
  });
  return exact(
    [...back, restoreColumnsSql(r, backup, key, [name])],
    `changes ${name} back to ${previous} and restores its exact values from the backup`,
  );
}

/** PostgreSQL's own names for unnamed constraints (before its 63-byte truncation). */
function defaultName(table: string, contype: string, cols: string[]): string | undefined {
  const suffix = { CONSTR_PRIMARY: "pkey", CONSTR_UNIQUE: "key", CONSTR_FOREIGN: "fkey" }[contype];
  if (!suffix) return undefined;
  return contype === "CONSTR_PRIMARY" ? `${table}_pkey` : `${table}_${cols.join("_")}_${suffix}`;
}

function addConstraint(r: Rel, t: TableSnapshot | undefined, k: Node): Inverse {
  const contype = str(k, "contype") ?? "";
  const cols = names(arr(k, contype === "CONSTR_FOREIGN" ? "fk_attrs" : "keys"));
  const name = str(k, "conname") ?? defaultName(r.name, contype, cols);
  if (!name) return irreversible("the constraint has no name, so the down script cannot name it: give it one");
  if (t) {
    t.constraints ??= [];
    t.constraints.push({ name, kind: "check", definition: "(added by this migration)" });
    if (contype === "CONSTR_PRIMARY") t.primaryKey = { name, columns: cols };
  }
  const derived = str(k, "conname") ? "" : " (name derived by PostgreSQL's naming rule)";
  return exact(
    [`ALTER TABLE ${qn(r.schema, r.name)} DROP CONSTRAINT ${qi(name)}`],
    `drops constraint ${name}${derived}`,
  );
}
