// generateDown for MariaDB/MySQL: read each up statement with the token reader, derive its inverse
// from the schema as it stands just before it, and list the backups the before-hook must take.
import { createTableSql, foreignKeySql } from "../../mysql/ddl.ts";
import { combine, exact, type Inverse, irreversible } from "../postgres/step.ts";
import { cannot, generateWithTokens, noInverse } from "../token-script.ts";
import type { DownScript, GenerateDownOptions } from "../types.ts";
import { alterTable } from "./alter.ts";
import { del, insert, truncate, update } from "./dml.ts";
import { MyModel, type Rel, writable } from "./model.ts";
import { addBackup, type MyCtx, restoreRowsSql } from "./step.ts";

const NOTHING = "changes nothing a down script must undo";

export function generateMysqlDown(upSql: string, o: GenerateDownOptions): Promise<DownScript> {
  const engine = o.engine === "mysql" ? "mysql" : "mariadb";
  const schema = o.defaultSchema ?? o.schemaBefore?.schemas[0]?.name ?? o.schemaBefore?.tables[0]?.schema ?? "";
  const m = new MyModel(o.schemaBefore, schema, engine);
  return Promise.resolve(generateWithTokens(upSql, o, engine, (c) => inverseOf({ ...c, m })));
}

function inverseOf(c: MyCtx): Inverse {
  const s = c.st.stmt;
  switch (s.kind) {
    case "create-table":
      return createTable(c);
    case "create-index": {
      const r = c.m.rel(s.table);
      if (c.m.isCreated(r)) return exact([], `table ${r.name} is created by this migration`);
      const t = c.m.table(r);
      if (!t) return cannot(c, `CREATE INDEX on ${r.name}: the table ${c.m.notIn}`);
      if (t.indexes.some((x) => x.name.toLowerCase() === s.name.toLowerCase())) {
        return s.ifNotExists
          ? exact([], `index ${s.name} exists already`)
          : irreversible(`index ${s.name} exists already`);
      }
      t.indexes.push({ name: s.name, columns: s.key.columns, unique: s.key.kind === "unique" });
      return exact([`DROP INDEX ${c.m.qi(s.name)} ON ${c.m.qn(r)}`], `drops the created index ${s.name}`);
    }
    case "drop":
      return drop(c);
    case "rename-table": {
      const back: string[] = [];
      for (const p of s.pairs) {
        const from = c.m.rel(p.from);
        const to = c.m.rel(p.to);
        c.m.rename(from, to);
        back.unshift(`${c.m.qn(to)} TO ${c.m.qn(from)}`);
      }
      return exact([`RENAME TABLE ${back.join(", ")}`], "renames the tables back");
    }
    case "alter-table":
      return alterTable(c);
    case "view":
      return createObject(c, "view", "VIEW", c.m.rel(s.name));
    case "routine": {
      if (!s.name) return irreversible(`CREATE ${s.what} without a name`);
      const what = s.what.toUpperCase();
      const kind =
        what === "PROCEDURE"
          ? "procedure"
          : what === "FUNCTION"
            ? "function"
            : what === "TRIGGER"
              ? "trigger"
              : undefined;
      if (!kind) return irreversible(`no inverse is known for CREATE ${s.what}`);
      return createObject(c, kind, what, c.m.rel(s.name));
    }
    case "delete":
      return del(c);
    case "update":
      return update(c);
    case "insert":
      return insert(c);
    case "truncate":
      return truncate(c);
    case "set":
      return exact([], `session setting: ${NOTHING}`);
    case "select":
      return exact([], `query: ${NOTHING} (assumes it calls no function that writes)`);
    default:
      return noInverse(c, `no inverse is known for ${c.st.toks[0]?.upper ?? s.kind} statements`);
  }
}

function createTable(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "create-table") return irreversible("not a CREATE TABLE");
  const r = c.m.rel(s.table);
  if (s.temporary) return exact([], `temporary table: ${NOTHING} once the session ends`);
  const existing = c.m.table(r);
  if (existing && s.ifNotExists) return exact([], `table ${r.name} exists already: IF NOT EXISTS creates nothing`);
  if (existing)
    return cannot(
      c,
      `CREATE ${s.orReplace ? "OR REPLACE " : ""}TABLE ${r.name} replaces an existing table whose rows are not backed up`,
    );
  c.m.put({
    schema: r.schema,
    name: r.name,
    columns: s.columns.map((col, i) => ({
      name: col.name,
      type: col.typeText,
      nullable: !col.notNull,
      default: null,
      ordinal: i + 1,
    })),
    primaryKey: null,
    indexes: [],
  });
  c.m.markCreated(r);
  return exact([`DROP TABLE ${c.m.qn(r)}`], `drops the created table ${r.name}`);
}

/** CREATE [OR REPLACE] VIEW / PROCEDURE / FUNCTION / TRIGGER: drop it, or put the replaced one back. */
function createObject(c: MyCtx, kind: "view" | "procedure" | "function" | "trigger", word: string, r: Rel): Inverse {
  const old = c.m.object(kind, r);
  const dropSql = `DROP ${word} ${c.m.qn(r)}`;
  if (!old) {
    c.m.objects.push({ kind, schema: r.schema, name: r.name, definition: "" });
    return exact([dropSql], `drops the created ${kind} ${r.name}`);
  }
  if (old.definition === "") return exact([], `${kind} ${r.name} is created by this migration`);
  if (c.st.toks[0]?.upper === "ALTER" || /^\s*CREATE\s+OR\s+REPLACE\b/i.test(c.st.text)) {
    return exact([dropSql, old.definition], `re-creates the previous ${kind} ${r.name} from the snapshot`);
  }
  return irreversible(`${kind} ${r.name} exists already`);
}

function drop(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "drop") return irreversible("not a DROP");
  const what = s.what.toUpperCase();
  if (what === "INDEX") {
    const on = s.on ? c.m.rel(s.on) : undefined;
    const n = s.names[0];
    if (!on || !n) return cannot(c, "DROP INDEX without ON table");
    return alterTable({
      ...c,
      st: {
        ...c.st,
        stmt: {
          kind: "alter-table",
          table: s.on ?? n,
          actions: [{ op: "drop-key", kind: "index", name: n.name, pos: 0 }],
          online: false,
          ignore: false,
        },
      },
    });
  }
  const parts: Inverse[] = [];
  for (const n of s.names) {
    const r = c.m.rel(n);
    if (what === "TABLE") parts.push(dropTable(c, r, s.ifExists, s.temporary));
    else if (["VIEW", "PROCEDURE", "FUNCTION", "TRIGGER"].includes(what)) {
      const kind = what.toLowerCase() as "view";
      const old = c.m.object(kind, r);
      if (!old) {
        parts.push(
          s.ifExists
            ? exact([], `${kind} ${r.name} does not exist: IF EXISTS drops nothing`)
            : cannot(c, `DROP ${what} ${r.name}: it ${c.m.notIn}`),
        );
        continue;
      }
      c.m.removeObject(old);
      parts.push(
        old.definition === ""
          ? exact([], `${kind} ${r.name} is created by this migration`)
          : exact([old.definition], `re-creates ${kind} ${r.name} from the snapshot`),
      );
    } else parts.push(cannot(c, `no inverse is known for DROP ${what}`));
  }
  return combine(parts.reverse());
}

function dropTable(c: MyCtx, r: Rel, ifExists: boolean, temporary: boolean): Inverse {
  if (temporary) return exact([], `temporary table: ${NOTHING}`);
  if (c.m.isCreated(r)) {
    c.m.remove(r);
    return cannot(c, `table ${r.name} is created and dropped by this migration: its rows in between are not kept`);
  }
  const t = c.m.table(r);
  if (!t)
    return ifExists
      ? exact([], `table ${r.name} does not exist: IF EXISTS drops nothing`)
      : cannot(c, `DROP TABLE ${r.name}: the table ${c.m.notIn}`);
  const create = createTableSql(t, c.m.d, c.m.mysql).replace(
    /^CREATE TABLE `[^`]*(?:``[^`]*)*`/,
    `CREATE TABLE ${c.m.qn(r)}`,
  );
  const backup = addBackup(c, { source: r, columns: [], from: c.m.qn(r), keyColumns: [], reason: "DROP TABLE" });
  const fks = (t.constraints ?? [])
    .filter((k) => k.kind === "foreign")
    .map((k) => foreignKeySql({ ...t, name: r.name }, k, c.m.d));
  const triggers = c.m.objects.filter(
    (o) => o.kind === "trigger" && o.table === r.name && o.schema === r.schema && o.definition !== "",
  );
  for (const tr of triggers) c.m.removeObject(tr);
  c.m.remove(r);
  return exact(
    [create, ...restoreRowsSql(c, r, backup, writable(t)), ...fks, ...triggers.map((x) => x.definition)],
    `re-creates table ${r.name} from the snapshot (as SHOW CREATE TABLE prints it), its rows from the backup, then its foreign keys${triggers.length ? " and triggers" : ""}`,
  );
}
