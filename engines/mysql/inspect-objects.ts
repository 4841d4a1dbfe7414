// MySQL/MariaDB parts read only with `objects: true`: table options, column extras (charset,
// collation, comment, auto-increment, generation, ON UPDATE), index details, constraints, views,
// triggers, routines and (MariaDB) sequences. Catalog queries cover every table at once; views,
// triggers, routines and sequences, whose text only SHOW CREATE gives exactly, take one SHOW each.
import type { ConstraintSnapshot, SchemaObjectSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import type { MysqlFlavor } from "./driver.ts";

type Located = { schema: string; table: string };
type TableOf = (r: Located) => TableSnapshot | undefined;

/** SHOW CREATE … names the user who made the object; that is not part of the schema. */
export function stripDefiner(sql: string): string {
  return sql.replace(/\s+DEFINER=(`(?:[^`]|``)*`|'[^']*'|\S+?)@(`(?:[^`]|``)*`|'[^']*'|\S+)/, "");
}

type TableRow = Located & {
  engine: string | null;
  collation: string | null;
  charset: string | null;
  options: string | null;
  comment: string | null;
};
type ColumnRow = Located & {
  name: string;
  charset: string | null;
  collation: string | null;
  comment: string | null;
  extra: string | null;
  generation: string | null;
};
type ConstraintRow = Located & { name: string; type: string };
type KeyColumnRow = Located & {
  name: string;
  column: string;
  refSchema: string | null;
  refTable: string | null;
  refColumn: string | null;
};
type RuleRow = Located & { name: string; onDelete: string; onUpdate: string };
type CheckRow = Located & { name: string; clause: string; level: string | null };
type NamedRow = { schema: string; name: string };
type TriggerRow = Located & { name: string };

export function createObjectReader(flavor: MysqlFlavor, quoteIdent: (name: string) => string) {
  const inList = (n: number) => Array.from({ length: n }, () => "?").join(", ");
  // MariaDB keeps the table and level of each check; MySQL 8 names checks uniquely per schema.
  const checks =
    flavor === "mariadb"
      ? (n: number) => `SELECT CONSTRAINT_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, CONSTRAINT_NAME AS name,
           CHECK_CLAUSE AS clause, LEVEL AS level
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (${inList(n)})`
      : (n: number) => `SELECT tc.TABLE_SCHEMA AS \`schema\`, tc.TABLE_NAME AS \`table\`, cc.CONSTRAINT_NAME AS name,
           cc.CHECK_CLAUSE AS clause, NULL AS level
         FROM information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc
           ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
          AND tc.CONSTRAINT_TYPE = 'CHECK'
         WHERE cc.CONSTRAINT_SCHEMA IN (${inList(n)})`;
  const q = quoteIdent;

  async function showCreate(session: Session, what: string, schema: string, name: string, column: string) {
    const [row] = await session.query<Record<string, string>>(`SHOW CREATE ${what} ${q(schema)}.${q(name)}`);
    return stripDefiner(String(row?.[column] ?? ""));
  }

  /** Fills in the tables' optional parts and returns views, triggers and routines. */
  async function read(session: Session, dbs: string[], tableOf: TableOf): Promise<SchemaObjectSnapshot[]> {
    const n = dbs.length;
    const [tables, columns, constraints, keyColumns, rules, checkRows, views, triggers, routines, sequences] =
      await Promise.all([
        session.query<TableRow>(
          `SELECT t.TABLE_SCHEMA AS \`schema\`, t.TABLE_NAME AS \`table\`, t.ENGINE AS engine,
                t.TABLE_COLLATION AS collation, c.CHARACTER_SET_NAME AS charset,
                t.CREATE_OPTIONS AS options, t.TABLE_COMMENT AS comment
         FROM information_schema.TABLES t
         LEFT JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c ON c.COLLATION_NAME = t.TABLE_COLLATION
         WHERE t.TABLE_SCHEMA IN (${inList(n)}) AND t.TABLE_TYPE = 'BASE TABLE'`,
          dbs,
        ),
        session.query<ColumnRow>(
          `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, COLUMN_NAME AS name,
                CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, COLUMN_COMMENT AS comment,
                EXTRA AS extra, GENERATION_EXPRESSION AS generation
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${inList(n)})`,
          dbs,
        ),
        session.query<ConstraintRow>(
          `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, CONSTRAINT_NAME AS name, CONSTRAINT_TYPE AS type
         FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA IN (${inList(n)})`,
          dbs,
        ),
        session.query<KeyColumnRow>(
          `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, CONSTRAINT_NAME AS name, COLUMN_NAME AS \`column\`,
                REFERENCED_TABLE_SCHEMA AS refSchema, REFERENCED_TABLE_NAME AS refTable,
                REFERENCED_COLUMN_NAME AS refColumn
         FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA IN (${inList(n)})
         ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
          dbs,
        ),
        session.query<RuleRow>(
          `SELECT CONSTRAINT_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, CONSTRAINT_NAME AS name,
                DELETE_RULE AS onDelete, UPDATE_RULE AS onUpdate
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (${inList(n)})`,
          dbs,
        ),
        session.query<CheckRow>(checks(n), dbs),
        session.query<NamedRow>(
          `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name FROM information_schema.VIEWS
         WHERE TABLE_SCHEMA IN (${inList(n)})`,
          dbs,
        ),
        session.query<TriggerRow>(
          `SELECT TRIGGER_SCHEMA AS \`schema\`, EVENT_OBJECT_TABLE AS \`table\`, TRIGGER_NAME AS name
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (${inList(n)})
         ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, ACTION_ORDER`,
          dbs,
        ),
        session.query<NamedRow & { type: string }>(
          `SELECT ROUTINE_SCHEMA AS \`schema\`, ROUTINE_NAME AS name, ROUTINE_TYPE AS type
         FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (${inList(n)})`,
          dbs,
        ),
        // MariaDB sequences (10.3+) are tables of type SEQUENCE; MySQL has none.
        flavor === "mariadb"
          ? session.query<NamedRow>(
              `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name FROM information_schema.TABLES
             WHERE TABLE_SCHEMA IN (${inList(n)}) AND TABLE_TYPE = 'SEQUENCE'`,
              dbs,
            )
          : [],
      ]);

    const tableCharset = new Map<TableSnapshot, string>();
    const tableCollation = new Map<TableSnapshot, string>();
    for (const r of tables) {
      const t = tableOf(r);
      if (!t) continue;
      const options: Record<string, string> = {};
      if (r.engine) options.engine = r.engine;
      if (r.charset) options.charset = r.charset;
      if (r.collation) options.collation = r.collation;
      const rowFormat = /(?:^|\s)row_format=(\w+)/i.exec(r.options ?? "");
      if (rowFormat?.[1]) options.row_format = rowFormat[1].toUpperCase();
      t.options = options;
      if (r.comment) t.comment = r.comment;
      if (r.charset) tableCharset.set(t, r.charset);
      if (r.collation) tableCollation.set(t, r.collation);
    }

    for (const r of columns) {
      const t = tableOf(r);
      const c = t?.columns.find((k) => k.name === r.name);
      if (!t || !c) continue;
      const extra = r.extra ?? "";
      if (/auto_increment/i.test(extra)) c.autoIncrement = true;
      const onUpdate = /on update (.+)$/i.exec(extra);
      if (onUpdate?.[1]) c.onUpdate = onUpdate[1];
      if (/GENERATED/i.test(extra) && !/DEFAULT_GENERATED/i.test(extra) && r.generation) {
        c.generated = r.generation;
        if (/VIRTUAL/i.test(extra)) c.virtual = true;
      }
      if (r.collation && r.collation !== tableCollation.get(t)) c.collation = r.collation;
      if (r.charset && r.charset !== tableCharset.get(t)) c.charset = r.charset;
      if (r.comment) c.comment = r.comment;
    }

    const key = (r: Located & { name: string }) => `${r.schema}\u0000${r.table}\u0000${r.name}`;
    const parts = new Map<string, KeyColumnRow[]>();
    for (const r of keyColumns) parts.set(key(r), [...(parts.get(key(r)) ?? []), r]);
    const ruleOf = new Map(rules.map((r) => [key(r), r]));
    const checkOf = new Map(checkRows.map((r) => [key(r), r]));
    const cols = (names: string[]) => names.map(q).join(", ");
    for (const r of constraints) {
      const t = tableOf(r);
      if (!t) continue;
      const own = (parts.get(key(r)) ?? []).map((p) => p.column);
      let c: ConstraintSnapshot | null = null;
      if (r.type === "PRIMARY KEY") c = { name: r.name, kind: "primary", definition: `PRIMARY KEY (${cols(own)})` };
      else if (r.type === "UNIQUE") c = { name: r.name, kind: "unique", definition: `UNIQUE (${cols(own)})` };
      else if (r.type === "CHECK") {
        const ck = checkOf.get(key(r));
        if (ck) {
          c = {
            name: r.name,
            kind: "check",
            definition: `CHECK (${ck.clause})`,
            ...(ck.level === "Column" ? { column: r.name } : {}),
          };
        }
      } else if (r.type === "FOREIGN KEY") {
        const p = parts.get(key(r)) ?? [];
        const first = p[0];
        const rule = ruleOf.get(key(r));
        if (first?.refTable) {
          const refSchema = first.refSchema ?? r.schema;
          const target = refSchema === r.schema ? q(first.refTable) : `${q(refSchema)}.${q(first.refTable)}`;
          const refCols = p.map((k) => k.refColumn ?? "");
          // RESTRICT is the default the server leaves out of SHOW CREATE TABLE.
          const onDelete = rule && rule.onDelete !== "RESTRICT" ? rule.onDelete : undefined;
          const onUpdate = rule && rule.onUpdate !== "RESTRICT" ? rule.onUpdate : undefined;
          c = {
            name: r.name,
            kind: "foreign",
            definition:
              `FOREIGN KEY (${cols(own)}) REFERENCES ${target} (${cols(refCols)})` +
              `${onDelete ? ` ON DELETE ${onDelete}` : ""}${onUpdate ? ` ON UPDATE ${onUpdate}` : ""}`,
            references: `${refSchema}.${first.refTable}`,
            columns: own,
            referencedColumns: refCols,
            ...(onDelete ? { onDelete } : {}),
            ...(onUpdate ? { onUpdate } : {}),
          };
        }
      }
      if (!c) continue;
      t.constraints ??= [];
      t.constraints.push(c);
    }

    const objects: SchemaObjectSnapshot[] = [];
    const known = new Map<string, Set<string>>();
    for (const r of [...tables.map((t) => ({ schema: t.schema, name: t.table })), ...views]) {
      known.set(r.schema, (known.get(r.schema) ?? new Set()).add(r.name));
    }
    for (const v of views) {
      const definition = await showCreate(session, "VIEW", v.schema, v.name, "Create View");
      objects.push({
        kind: "view",
        schema: v.schema,
        name: v.name,
        dependsOn: viewDependencies(definition, v, known.get(v.schema) ?? new Set()),
        definition,
      });
    }
    for (const r of triggers) {
      objects.push({
        kind: "trigger",
        schema: r.schema,
        name: r.name,
        table: r.table,
        // The statement as written (SHOW CREATE TRIGGER keeps it), so the body's text survives.
        definition: await showCreate(session, "TRIGGER", r.schema, r.name, "SQL Original Statement"),
      });
    }
    for (const r of sequences) {
      objects.push({
        kind: "sequence",
        schema: r.schema,
        name: r.name,
        definition: await showCreate(session, "SEQUENCE", r.schema, r.name, "Create Table"),
      });
    }
    for (const r of routines) {
      const procedure = r.type === "PROCEDURE";
      const what = procedure ? "PROCEDURE" : "FUNCTION";
      objects.push({
        kind: procedure ? "procedure" : "function",
        schema: r.schema,
        name: r.name,
        definition: await showCreate(session, what, r.schema, r.name, `Create ${procedure ? "Procedure" : "Function"}`),
      });
    }
    return objects;
  }

  return { read };
}

/** Tables and views of the view's own schema that its text names (`name` or `schema`.`name`), sorted. */
function viewDependencies(definition: string, view: NamedRow, known: Set<string>): string[] {
  const body = definition.slice(definition.search(/\sAS\s/i));
  const found = new Set<string>();
  for (const m of body.matchAll(/`((?:[^`]|``)+)`/g)) {
    const name = (m[1] ?? "").replaceAll("``", "`");
    if (name !== view.name && known.has(name)) found.add(`${view.schema}.${name}`);
  }
  return [...found].sort();
}
