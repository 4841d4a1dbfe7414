// Reads a statement's tokens into the facts of model.ts. Tolerant: it never throws, and what it
// cannot place it records as a problem (where the statement stops making sense) or as "other".
import { Cursor, type Name, splitCommas } from "./cursor.ts";
import { type Expr, type ExprFlavour, parseExpr } from "./expr.ts";
import type { Tok } from "./lex.ts";
import type { AlterAction, ColumnDef, FromClause, KeyDef, SelectFacts, Stmt, TableRef } from "./model.ts";

export interface ReadResult {
  stmt: Stmt;
  /** Where the reader found text that does not fit the statement's grammar. */
  problems: Array<{ pos: number; message: string }>;
}

const CLAUSE = new Set([
  "WHERE",
  "SET",
  "ORDER",
  "LIMIT",
  "JOIN",
  "INNER",
  "LEFT",
  "RIGHT",
  "CROSS",
  "NATURAL",
  "STRAIGHT_JOIN",
  "FULL",
  "OUTER",
  "ON",
  "USING",
  "GROUP",
  "HAVING",
  "UNION",
  "EXCEPT",
  "INTERSECT",
  "PARTITION",
  "FOR",
  "LOCK",
  "WINDOW",
  "INTO",
  "VALUES",
  "VALUE",
  "SELECT",
  "RETURNING",
  "AS",
  "USE",
  "IGNORE",
  "FORCE",
  "INDEXED",
  "NOT",
  "FROM",
  "WITH",
  "DEFAULT",
  "ON",
  "OFFSET",
  "FETCH",
]);

const AGGREGATES = new Set(["COUNT", "SUM", "MIN", "MAX", "AVG", "GROUP_CONCAT", "BIT_AND", "BIT_OR", "STD", "STDDEV"]);

export function readStatement(toks: readonly Tok[], f: ExprFlavour): ReadResult {
  const r = new Reader(toks, f);
  const stmt = r.statement();
  return { stmt, problems: r.problems };
}

class Reader {
  readonly c: Cursor;
  readonly problems: Array<{ pos: number; message: string }> = [];
  constructor(
    toks: readonly Tok[],
    readonly f: ExprFlavour,
  ) {
    this.c = new Cursor(toks);
  }

  problem(message: string, pos = this.c.pos()): void {
    if (this.problems.length === 0) this.problems.push({ pos, message });
  }

  expr(toks: readonly Tok[]): Expr {
    return parseExpr(toks, this.f);
  }

  needName(what: string): Name {
    const n = this.c.name(CLAUSE);
    if (n === undefined) {
      this.problem(
        `expected ${what}${this.c.done ? " at the end of the statement" : `, found ${this.c.peek()?.text ?? ""}`}`,
      );
      return { name: "", parts: [], start: this.c.pos() };
    }
    return n;
  }

  statement(): Stmt {
    const c = this.c;
    const first = c.up();
    if (first === "WITH") {
      // WITH … AS (…) [, …] then the statement proper.
      c.next();
      c.accept("RECURSIVE");
      while (!c.done) {
        c.ident();
        if (c.up() === "(") c.parens();
        c.accept("AS");
        c.accept("NOT");
        c.accept("MATERIALIZED");
        c.parens();
        if (!c.accept(",")) break;
      }
      return this.statement();
    }
    switch (first) {
      case "ALTER":
        return this.alter();
      case "CREATE":
        return this.create();
      case "DROP":
        return this.drop();
      case "RENAME":
        return this.renameTable();
      case "TRUNCATE": {
        c.next();
        c.accept("TABLE");
        const tables: Name[] = [this.needName("a table name")];
        while (c.accept(",")) tables.push(this.needName("a table name"));
        return { kind: "truncate", tables };
      }
      case "DELETE":
        return this.delete();
      case "UPDATE":
        return this.update();
      case "INSERT":
      case "REPLACE":
        return this.insert();
      case "SELECT":
      case "(":
      case "VALUES":
      case "TABLE":
        return { kind: "select", select: this.select(c.toks.slice(c.i), false) };
      case "SET":
        if (c.up(1) === "STATEMENT") {
          // MariaDB: SET STATEMENT var = value [, …] FOR statement — the statement is what runs.
          const k = c.toks.findIndex((t, i) => i > c.i + 1 && t.upper === "FOR");
          if (k > 0) {
            const inner = new Reader(c.toks.slice(k + 1), this.f);
            const stmt = inner.statement();
            if (inner.problems[0] !== undefined) this.problem(inner.problems[0].message, inner.problems[0].pos);
            return stmt;
          }
        }
        return this.set();
      case "START":
      case "BEGIN":
        if (first === "BEGIN" && !["", "WORK", "TRANSACTION", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"].includes(c.up(1))) {
          return { kind: "other", first };
        }
        return { kind: "txn", verb: "begin", pos: c.pos() };
      case "COMMIT":
      case "END":
        return { kind: "txn", verb: "commit", pos: c.pos() };
      case "ROLLBACK":
        return c.toks.some((t) => t.upper === "TO")
          ? { kind: "txn", verb: "savepoint", pos: c.pos() }
          : { kind: "txn", verb: "rollback", pos: c.pos() };
      case "SAVEPOINT":
      case "RELEASE":
        return { kind: "txn", verb: "savepoint", pos: c.pos() };
      case "LOCK": {
        c.next();
        if (!c.accept("TABLES")) c.accept("TABLE");
        const write: Name[] = [];
        for (const group of splitCommas(c.toks.slice(c.i))) {
          const g = new Cursor(group);
          const n = g.name(CLAUSE);
          if (n !== undefined && group.some((t) => t.upper === "WRITE")) write.push(n);
        }
        return { kind: "lock-tables", write };
      }
      case "UNLOCK":
        return { kind: "unlock-tables" };
      case "PREPARE":
      case "EXECUTE":
        return { kind: first === "PREPARE" ? "prepare" : "execute", pos: c.pos() };
      case "OPTIMIZE":
      case "REPAIR": {
        c.next();
        c.accept("NO_WRITE_TO_BINLOG") || c.accept("LOCAL");
        c.accept("TABLE");
        const tables: Name[] = [];
        for (let n = c.name(CLAUSE); n !== undefined; n = c.accept(",") ? c.name(CLAUSE) : undefined) tables.push(n);
        return { kind: "rebuild", verb: first, tables };
      }
      default:
        return { kind: "other", first };
    }
  }

  // ---- ALTER ----------------------------------------------------------------------------------

  alter(): Stmt {
    const c = this.c;
    c.next();
    const online = c.accept("ONLINE");
    const ignore = c.accept("IGNORE");
    if (!c.accept("TABLE")) return { kind: "other", first: "ALTER" };
    c.accept("IF", "EXISTS");
    const table = this.needName("a table name");
    const actions: AlterAction[] = [];
    const rest = c.toks.slice(c.i);
    if (rest.length === 0) this.problem("ALTER TABLE without an action");
    for (const group of splitCommas(rest)) actions.push(...this.alterAction(group));
    return { kind: "alter-table", table, actions, online, ignore };
  }

  alterAction(toks: Tok[]): AlterAction[] {
    const c = new Cursor(toks);
    const pos = c.pos();
    const u = c.up();
    const sub = new Reader(toks, this.f);
    const note = () => {
      if (sub.problems[0] !== undefined) this.problem(sub.problems[0].message, sub.problems[0].pos);
    };
    const value = (): { value: string; pos: number } => {
      c.accept("=");
      const t = c.next();
      return { value: (t?.text ?? "").toUpperCase(), pos: t?.start ?? pos };
    };
    switch (u) {
      case "ADD": {
        c.next();
        const keyWords = ["INDEX", "KEY", "PRIMARY", "UNIQUE", "FULLTEXT", "SPATIAL", "FOREIGN", "CONSTRAINT", "CHECK"];
        if (c.up() === "PARTITION") return [{ op: "partition", what: "ADD PARTITION", pos }];
        if (keyWords.includes(c.up()) && !(c.up() === "CHECK" && false)) {
          sub.c.i = c.i;
          const ifNotExists = sub.c.accept("IF", "NOT", "EXISTS");
          const key = sub.keyDef();
          note();
          return [
            { op: "add-key", key: key ?? { kind: "index", columns: [], prefixed: false, pos }, ifNotExists, pos },
          ];
        }
        c.accept("COLUMN");
        const ifNotExists = c.accept("IF", "NOT", "EXISTS");
        if (c.up() === "(") {
          const inner = c.parens();
          return splitCommas(inner).map((g) => {
            const r = new Reader(g, this.f);
            const col = r.columnDef();
            if (r.problems[0] !== undefined) this.problem(r.problems[0].message, r.problems[0].pos);
            return { op: "add-column" as const, col, ifNotExists, pos };
          });
        }
        sub.c.i = c.i;
        const col = sub.columnDef();
        note();
        return [{ op: "add-column", col, ifNotExists, pos }];
      }
      case "DROP": {
        c.next();
        if (c.accept("PRIMARY", "KEY")) return [{ op: "drop-key", kind: "primary", name: "PRIMARY", pos }];
        if (
          c.accept("FOREIGN", "KEY") ||
          c.accept("CONSTRAINT") ||
          c.accept("CHECK") ||
          c.accept("INDEX") ||
          c.accept("KEY")
        ) {
          const kindWord = toks[1]?.upper ?? "";
          c.accept("IF", "EXISTS");
          const name = c.ident()?.text ?? "";
          if (name === "") this.problem("expected a name after DROP", c.pos());
          const kind =
            kindWord === "FOREIGN"
              ? "foreign"
              : kindWord === "CONSTRAINT"
                ? "constraint"
                : kindWord === "CHECK"
                  ? "check"
                  : "index";
          return [{ op: "drop-key", kind, name, pos }];
        }
        if (c.up() === "PARTITION") return [{ op: "partition", what: "DROP PARTITION", pos }];
        c.accept("COLUMN");
        const ifExists = c.accept("IF", "EXISTS");
        const name = c.ident()?.text ?? "";
        if (name === "") this.problem("expected a column name after DROP", c.pos());
        return [{ op: "drop-column", name, ifExists, pos }];
      }
      case "MODIFY": {
        c.next();
        c.accept("COLUMN");
        c.accept("IF", "EXISTS");
        sub.c.i = c.i;
        const col = sub.columnDef();
        note();
        return [{ op: "modify", col, pos }];
      }
      case "CHANGE": {
        c.next();
        c.accept("COLUMN");
        c.accept("IF", "EXISTS");
        const from = c.ident()?.text ?? "";
        sub.c.i = c.i;
        const col = sub.columnDef();
        note();
        return [{ op: "change", from, col, pos }];
      }
      case "ALTER": {
        c.next();
        if (c.accept("INDEX") || c.accept("CHECK") || c.accept("CONSTRAINT"))
          return [{ op: "option", name: "ALTER INDEX", pos }];
        c.accept("COLUMN");
        const name = c.ident()?.text ?? "";
        if (c.is("SET", "DEFAULT") || c.is("DROP", "DEFAULT") || c.is("SET", "VISIBLE") || c.is("SET", "INVISIBLE")) {
          return [{ op: "column-default", name, pos }];
        }
        // SQLite/PostgreSQL-style ALTER COLUMN … TYPE / SET NOT NULL: not MySQL.
        this.problem(`unexpected ${c.peek()?.text ?? "end"} after ALTER COLUMN ${name}`, c.pos());
        return [{ op: "unknown", word: "ALTER COLUMN", pos }];
      }
      case "RENAME": {
        c.next();
        if (c.accept("COLUMN")) {
          const from = c.ident()?.text ?? "";
          c.accept("TO");
          const to = c.ident()?.text ?? "";
          if (from === "" || to === "") this.problem("RENAME COLUMN needs old TO new", c.pos());
          return [{ op: "rename-column", from, to, pos }];
        }
        if (c.accept("INDEX") || c.accept("KEY")) return [{ op: "rename-index", pos }];
        if (c.up(1) === "TO" && c.up() !== "TO") {
          // SQLite: RENAME old TO new (COLUMN is optional there).
          const from = c.next()?.text ?? "";
          c.accept("TO");
          const to = c.ident()?.text ?? "";
          return [{ op: "rename-column", from, to, pos }];
        }
        if (!c.accept("TO")) c.accept("AS");
        const to = c.name();
        if (to === undefined) {
          this.problem("RENAME needs a new name", c.pos());
          return [{ op: "unknown", word: "RENAME", pos }];
        }
        return [{ op: "rename-table", to, pos }];
      }
      case "ALGORITHM":
        c.next();
        return [{ op: "algorithm", ...value() }];
      case "LOCK":
        c.next();
        return [{ op: "lock", ...value() }];
      case "ENGINE":
      case "TYPE":
        c.next();
        return [{ op: "engine", ...value() }];
      case "CONVERT": {
        c.next();
        c.accept("TO");
        if (!c.accept("CHARACTER", "SET")) c.accept("CHARSET");
        return [{ op: "convert-charset", ...value() }];
      }
      case "DEFAULT":
      case "CHARACTER":
      case "CHARSET":
      case "COLLATE": {
        c.accept("DEFAULT");
        if (!c.accept("CHARACTER", "SET") && !c.accept("CHARSET")) c.accept("COLLATE");
        return [{ op: "table-charset", ...value() }];
      }
      case "PARTITION":
      case "REMOVE":
      case "COALESCE":
      case "REORGANIZE":
      case "EXCHANGE":
      case "REBUILD":
      case "TRUNCATE":
      case "OPTIMIZE":
      case "ANALYZE":
      case "CHECK":
      case "REPAIR":
      case "DISCARD":
      case "IMPORT":
        return [
          {
            op: "partition",
            what: toks
              .slice(0, 2)
              .map((t) => t.upper)
              .join(" "),
            pos,
          },
        ];
      case "FORCE":
        return [{ op: "force", pos }];
      case "ORDER":
      case "ENABLE":
      case "DISABLE":
      case "AUTO_INCREMENT":
      case "COMMENT":
      case "ROW_FORMAT":
      case "KEY_BLOCK_SIZE":
      case "STATS_PERSISTENT":
      case "STATS_AUTO_RECALC":
      case "STATS_SAMPLE_PAGES":
      case "PACK_KEYS":
      case "CHECKSUM":
      case "DELAY_KEY_WRITE":
      case "MAX_ROWS":
      case "MIN_ROWS":
      case "AVG_ROW_LENGTH":
      case "COMPRESSION":
      case "ENCRYPTION":
      case "PAGE_COMPRESSED":
      case "PAGE_COMPRESSION_LEVEL":
      case "TABLESPACE":
      case "INSERT_METHOD":
      case "UNION":
      case "WITH":
      case "WITHOUT":
      case "ADD_SYSTEM_VERSIONING":
        return [{ op: "option", name: u, pos }];
      default:
        this.problem(`unexpected ${toks[0]?.text ?? ""} in ALTER TABLE`, pos);
        return [{ op: "unknown", word: u, pos }];
    }
  }

  // ---- column and key definitions -------------------------------------------------------------

  columnDef(): ColumnDef {
    const c = this.c;
    const nameTok = c.ident();
    const pos = nameTok?.start ?? c.pos();
    const col: ColumnDef = {
      name: nameTok?.text ?? "",
      pos,
      type: "",
      typePos: c.pos(),
      typeArgs: [],
      typeText: "",
      unsigned: false,
      notNull: false,
      nullable: false,
      autoIncrement: false,
      primary: false,
      unique: false,
      check: false,
    };
    if (nameTok === undefined) {
      this.problem("expected a column name", pos);
      return col;
    }
    const typeTok = c.peek();
    if (typeTok !== undefined && typeTok.kind === "word" && !COLUMN_ATTR.has(typeTok.upper)) {
      c.next();
      let type = typeTok.text.toLowerCase();
      // Two-word types: DOUBLE PRECISION, CHARACTER VARYING, NATIONAL CHAR, LONG VARCHAR, TIMESTAMP WITH TIME ZONE.
      const second = c.up();
      if (
        (type === "double" && second === "PRECISION") ||
        (type === "character" && second === "VARYING") ||
        (type === "national" && (second === "CHAR" || second === "VARCHAR" || second === "CHARACTER")) ||
        (type === "long" && (second === "VARCHAR" || second === "VARBINARY"))
      ) {
        type = `${type} ${c.next()?.text.toLowerCase() ?? ""}`;
        if (type === "national character" && c.up() === "VARYING") type = `${type} ${c.next()?.text.toLowerCase()}`;
      }
      while (
        this.f.multiWordTypes === true &&
        c.peek()?.kind === "word" &&
        !COLUMN_ATTR.has(c.up()) &&
        c.up() !== "ON"
      ) {
        type = `${type} ${c.next()?.text.toLowerCase() ?? ""}`;
      }
      col.type = type;
      col.typePos = typeTok.start;
      if (c.up() === "(") col.typeArgs = splitCommas(c.parens()).map((g) => g.map((t) => t.text).join(""));
      while (c.up() === "[") {
        // PostgreSQL arrays: int[]
        c.next();
        c.accept("]");
        col.type = `${col.type}[]`;
      }
      if (c.is("WITH", "TIME", "ZONE") || c.is("WITHOUT", "TIME", "ZONE")) {
        col.type = `${col.type} ${c.up().toLowerCase()} time zone`;
        c.i += 3;
      }
      const args =
        col.typeArgs.length > 0
          ? `(${col.typeArgs.map((a) => (col.type === "enum" || col.type === "set" ? `'${a}'` : a)).join(",")})`
          : "";
      col.typeText = `${col.type}${args}`;
    } else if (typeTok?.upper !== "AS" && typeTok?.upper !== "GENERATED") {
      // SQLite allows a column without a type; MySQL does not (its reader marks that).
      col.typePos = c.pos();
    }
    for (let guard = 0; !c.done && guard < 200; guard++) {
      const u = c.up();
      const at = c.pos();
      if (c.accept("UNSIGNED")) {
        col.unsigned = true;
        col.typeText += " unsigned";
      } else if (
        c.accept("SIGNED") ||
        c.accept("ZEROFILL") ||
        c.accept("BINARY") ||
        c.accept("ASCII") ||
        c.accept("UNICODE")
      ) {
        // modifiers
      } else if (c.accept("NOT", "NULL")) {
        col.notNull = true;
      } else if (u === "NULL") {
        c.next();
        col.nullable = true;
      } else if (c.accept("CHARACTER", "SET") || c.accept("CHARSET")) {
        const v = c.next();
        col.charset = { value: (v?.text ?? "").toLowerCase(), pos: at };
      } else if (c.accept("COLLATE")) {
        const v = c.next();
        col.collate = { value: (v?.text ?? "").toLowerCase(), pos: at };
      } else if (c.accept("DEFAULT")) {
        col.default = this.defaultValue(at);
      } else if (c.accept("AUTO_INCREMENT") || c.accept("AUTOINCREMENT")) {
        col.autoIncrement = true;
      } else if (c.accept("PRIMARY", "KEY") || c.accept("PRIMARY")) {
        col.primary = true;
        c.accept("ASC") || c.accept("DESC");
        this.conflictClause();
        if (c.accept("AUTOINCREMENT")) col.autoIncrement = true;
      } else if (c.accept("UNIQUE")) {
        col.unique = true;
        c.accept("KEY") || c.accept("INDEX");
        this.conflictClause();
      } else if (c.accept("KEY")) {
        col.unique = true;
      } else if (c.accept("COMMENT")) {
        c.next();
      } else if (c.accept("ON", "UPDATE")) {
        this.defaultValue(at);
      } else if (c.is("ON", "CONFLICT")) {
        this.conflictClause();
      } else if (c.accept("GENERATED", "ALWAYS") || u === "AS") {
        c.accept("AS");
        if (c.up() === "IDENTITY" || c.up() === "(" || c.up() === "ROW") {
          if (c.accept("IDENTITY")) col.autoIncrement = true;
          c.parens();
          if (c.accept("ROW")) c.next();
        }
        col.generated = c.accept("STORED") || c.accept("PERSISTENT") ? "stored" : "virtual";
        c.accept("VIRTUAL");
      } else if (c.accept("VIRTUAL")) {
        col.generated = "virtual";
      } else if (c.accept("STORED") || c.accept("PERSISTENT")) {
        col.generated = "stored";
      } else if (c.accept("REFERENCES")) {
        col.references = this.referencesTail(at);
      } else if (c.accept("CONSTRAINT")) {
        c.ident();
      } else if (c.accept("CHECK")) {
        col.check = true;
        c.parens();
      } else if (c.accept("FIRST")) {
        col.position = { kind: "FIRST", pos: at };
      } else if (c.accept("AFTER")) {
        c.ident();
        col.position = { kind: "AFTER", pos: at };
      } else if (c.accept("INVISIBLE") || c.accept("VISIBLE") || c.accept("SERIAL", "DEFAULT", "VALUE")) {
        // attributes without risk
      } else if (
        c.accept("COLUMN_FORMAT") ||
        c.accept("STORAGE") ||
        c.accept("ENGINE_ATTRIBUTE") ||
        c.accept("SECONDARY_ENGINE_ATTRIBUTE")
      ) {
        c.accept("=");
        c.next();
      } else if (c.accept("WITH", "SYSTEM", "VERSIONING") || c.accept("WITHOUT", "SYSTEM", "VERSIONING")) {
        // MariaDB system versioning
      } else if (c.accept("ENFORCED") || c.accept("NOT", "ENFORCED") || c.accept("ASC") || c.accept("DESC")) {
        // check and key modifiers
      } else {
        this.problem(`unexpected ${c.peek()?.text ?? ""} in the definition of column ${col.name}`, at);
        break;
      }
    }
    if (col.unsigned && !col.typeText.endsWith("unsigned")) col.typeText += " unsigned";
    return col;
  }

  /** SQLite's ON CONFLICT clause on a column constraint. */
  conflictClause(): void {
    if (this.c.accept("ON", "CONFLICT")) this.c.next();
  }

  defaultValue(at: number): ColumnDef["default"] {
    const c = this.c;
    const t = c.peek();
    const pos = t?.start ?? at;
    if (t === undefined) {
      this.problem("DEFAULT without a value", at);
      return { kind: "literal", text: "", pos };
    }
    if (t.upper === "(") {
      const inner = c.parens();
      const text = inner.map((x) => x.text).join(" ");
      const single = inner.length === 1 && (inner[0]?.kind === "number" || inner[0]?.kind === "string");
      return { kind: single ? "literal" : "expression", text, pos };
    }
    if (t.upper === "-" || t.upper === "+") {
      c.next();
      c.next();
      return { kind: "literal", text: "", pos };
    }
    c.next();
    if (t.kind === "number" || t.kind === "string" || t.upper === "TRUE" || t.upper === "FALSE") {
      return { kind: "literal", text: t.text, pos };
    }
    if (t.upper === "NULL") return { kind: "null", text: "NULL", pos };
    // CURRENT_TIMESTAMP[(n)], NOW(), b'0', x'00'
    if (t.kind === "word" && c.peek()?.kind === "string" && /^[bxn]$|^_/i.test(t.text)) {
      c.next();
      return { kind: "literal", text: t.text, pos };
    }
    if (c.up() === "(") c.parens();
    return { kind: "function", text: t.upper, pos };
  }

  referencesTail(at: number): { table: Name; onDeleteCascade: boolean; pos: number } {
    const c = this.c;
    const table = this.needName("the referenced table");
    if (c.up() === "(") c.parens();
    let cascade = false;
    for (;;) {
      if (c.accept("ON", "DELETE")) {
        if (c.accept("CASCADE")) cascade = true;
        else if (
          !c.accept("SET", "NULL") &&
          !c.accept("SET", "DEFAULT") &&
          !c.accept("RESTRICT") &&
          !c.accept("NO", "ACTION")
        ) {
          this.problem("unexpected ON DELETE action");
          return { table, onDeleteCascade: cascade, pos: at };
        }
      } else if (c.accept("ON", "UPDATE")) {
        if (
          !c.accept("CASCADE") &&
          !c.accept("SET", "NULL") &&
          !c.accept("SET", "DEFAULT") &&
          !c.accept("RESTRICT") &&
          !c.accept("NO", "ACTION")
        ) {
          this.problem("unexpected ON UPDATE action");
          return { table, onDeleteCascade: cascade, pos: at };
        }
      } else if (c.accept("MATCH")) {
        c.next();
      } else if (c.accept("DEFERRABLE") || c.accept("NOT", "DEFERRABLE") || c.accept("INITIALLY")) {
        c.accept("DEFERRED") || c.accept("IMMEDIATE");
      } else break;
    }
    return { table, onDeleteCascade: cascade, pos: at };
  }

  /** PRIMARY KEY (…), UNIQUE [KEY] name (…), INDEX name (…), [CONSTRAINT x] FOREIGN KEY (…) REFERENCES …, CHECK (…). */
  keyDef(): KeyDef | undefined {
    const c = this.c;
    const pos = c.pos();
    let name: string | undefined;
    if (c.accept("CONSTRAINT")) {
      if (!["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"].includes(c.up())) name = c.ident()?.text;
    }
    const u = c.up();
    let kind: KeyDef["kind"];
    if (c.accept("PRIMARY", "KEY")) kind = "primary";
    else if (c.accept("UNIQUE")) kind = "unique";
    else if (c.accept("FULLTEXT")) kind = "fulltext";
    else if (c.accept("SPATIAL")) kind = "spatial";
    else if (c.accept("FOREIGN", "KEY")) kind = "foreign";
    else if (c.accept("CHECK")) {
      c.parens();
      const notEnforced = c.accept("NOT", "ENFORCED");
      c.accept("ENFORCED");
      return { kind: "check", name, columns: [], prefixed: false, pos, notEnforced };
    } else if (c.accept("INDEX") || c.accept("KEY")) kind = "index";
    else {
      this.problem(`unexpected ${u} in a key definition`);
      return undefined;
    }
    if (kind !== "primary" && kind !== "foreign") c.accept("INDEX") || c.accept("KEY");
    c.accept("IF", "NOT", "EXISTS");
    if (c.up() !== "(" && c.up() !== "USING") name = c.ident()?.text ?? name;
    if (c.accept("USING")) c.next();
    if (c.up() !== "(") {
      this.problem("expected the key's column list", c.pos());
      return { kind, name, columns: [], prefixed: false, pos };
    }
    const { columns, prefixed } = keyColumns(c.parens());
    const key: KeyDef = { kind, name, columns, prefixed, pos };
    if (kind === "foreign") {
      if (!c.accept("REFERENCES")) {
        this.problem("FOREIGN KEY without REFERENCES", c.pos());
        return key;
      }
      key.references = this.referencesTail(c.pos());
    }
    // Index options: USING BTREE, COMMENT '…', KEY_BLOCK_SIZE = n, VISIBLE, ON CONFLICT …
    while (!c.done) {
      if (c.accept("USING") || c.accept("COMMENT") || c.accept("WITH", "PARSER")) c.next();
      else if (c.accept("KEY_BLOCK_SIZE")) {
        c.accept("=");
        c.next();
      } else if (c.accept("VISIBLE") || c.accept("INVISIBLE") || c.accept("IGNORED") || c.accept("NOT", "IGNORED")) {
        // no-op
      } else if (c.is("ON", "CONFLICT")) this.conflictClause();
      else break;
    }
    return key;
  }

  // ---- CREATE ---------------------------------------------------------------------------------

  create(): Stmt {
    const c = this.c;
    c.next();
    const orReplace = c.accept("OR", "REPLACE");
    // DEFINER = user@host, ALGORITHM = …, SQL SECURITY …
    for (let g = 0; g < 8; g++) {
      if (c.accept("DEFINER")) {
        c.accept("=");
        c.next();
        while (c.up() === "@" || c.peek()?.text.startsWith("@")) c.next();
        if (c.peek()?.kind === "string" || c.peek()?.kind === "ident") c.next();
      } else if (c.accept("ALGORITHM")) {
        c.accept("=");
        c.next();
      } else if (c.accept("SQL", "SECURITY")) c.next();
      else if (c.accept("AGGREGATE")) {
        // CREATE AGGREGATE FUNCTION
      } else break;
    }
    const temporary = c.accept("TEMPORARY") || c.accept("TEMP");
    const u = c.up();
    if (u === "TABLE") return this.createTable(temporary, orReplace);
    if (u === "INDEX" || u === "UNIQUE" || u === "FULLTEXT" || u === "SPATIAL" || u === "ONLINE" || u === "OFFLINE") {
      return this.createIndex();
    }
    if (u === "VIEW" || u === "MATERIALIZED") {
      c.next();
      c.accept("VIEW");
      c.accept("IF", "NOT", "EXISTS");
      const name = this.needName("a view name");
      if (c.up() === "(") c.parens();
      c.accept("AS");
      const rest = c.toks.slice(c.i);
      return {
        kind: "view",
        name,
        select: rest[0]?.upper === "SELECT" || rest[0]?.upper === "WITH" ? this.select(rest, false) : undefined,
      };
    }
    if (["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"].includes(u)) {
      c.next();
      c.accept("IF", "NOT", "EXISTS");
      const name = c.name(CLAUSE);
      const dyn = c.toks.find((t, k) => k > c.i && (t.upper === "PREPARE" || t.upper === "EXECUTE"));
      return { kind: "routine", what: u, name, dynamic: dyn?.start };
    }
    return { kind: "other", first: `CREATE ${u}` };
  }

  createTable(temporary: boolean, orReplace: boolean): Stmt {
    const c = this.c;
    c.next();
    const ifNotExists = c.accept("IF", "NOT", "EXISTS");
    const table = this.needName("a table name");
    const stmt: Extract<Stmt, { kind: "create-table" }> = {
      kind: "create-table",
      table,
      temporary,
      ifNotExists,
      orReplace,
      columns: [],
      keys: [],
      options: [],
      copied: false,
    };
    if (c.accept("LIKE") || (c.up() === "(" && c.up(1) === "LIKE")) {
      stmt.copied = true;
      return stmt;
    }
    if (c.up() === "(" && c.up(1) !== "SELECT") {
      const inner = c.parens();
      if (inner.length === 0) this.problem("CREATE TABLE without columns", c.pos());
      for (const group of splitCommas(inner)) {
        const r = new Reader(group, this.f);
        const first = r.c.up();
        if (
          KEY_START.has(first) &&
          !(first === "KEY" && group.length > 1 && group[1]?.upper !== "(" && group.length > 2 && false)
        ) {
          const key = r.keyDef();
          if (key !== undefined) stmt.keys.push(key);
        } else if (first === "PERIOD") {
          // PERIOD FOR SYSTEM_TIME (…)
        } else {
          stmt.columns.push(r.columnDef());
        }
        if (r.problems[0] !== undefined) this.problem(r.problems[0].message, r.problems[0].pos);
      }
    }
    // Table options until AS SELECT / SELECT / end.
    for (let g = 0; !c.done && g < 200; g++) {
      const t = c.peek();
      if (t === undefined) break;
      if (
        t.upper === "AS" ||
        t.upper === "SELECT" ||
        t.upper === "(" ||
        t.upper === "WITH" ||
        t.upper === "IGNORE" ||
        t.upper === "REPLACE"
      ) {
        c.accept("IGNORE") || c.accept("REPLACE");
        c.accept("AS");
        stmt.copied = true;
        stmt.select = this.select(c.toks.slice(c.i), false);
        break;
      }
      if (t.upper === "PARTITION") {
        stmt.options.push({ name: "PARTITION", value: "", pos: t.start });
        break;
      }
      if (t.upper === ",") {
        c.next();
        continue;
      }
      c.accept("DEFAULT");
      const nameTok = c.next();
      let name = nameTok?.upper ?? "";
      if (name === "CHARACTER" && c.accept("SET")) name = "CHARSET";
      if (name === "WITHOUT" && c.accept("ROWID")) {
        stmt.options.push({ name: "WITHOUT ROWID", value: "", pos: nameTok?.start ?? 0 });
        continue;
      }
      if (name === "STRICT") {
        stmt.options.push({ name: "STRICT", value: "", pos: nameTok?.start ?? 0 });
        continue;
      }
      c.accept("=");
      const v = c.next();
      stmt.options.push({ name, value: (v?.text ?? "").toUpperCase(), pos: nameTok?.start ?? 0 });
    }
    return stmt;
  }

  createIndex(): Stmt {
    const c = this.c;
    c.accept("ONLINE") || c.accept("OFFLINE");
    const kindWord = c.up();
    if (kindWord === "UNIQUE" || kindWord === "FULLTEXT" || kindWord === "SPATIAL") c.next();
    c.accept("INDEX");
    const ifNotExists = c.accept("IF", "NOT", "EXISTS");
    const pos = c.pos();
    const nameTok = c.name(new Set(["ON", "USING"]));
    if (nameTok === undefined) this.problem("CREATE INDEX needs an index name", c.pos());
    if (c.accept("USING")) c.next();
    if (!c.accept("ON")) this.problem("CREATE INDEX without ON table", c.pos());
    const table = this.needName("a table name");
    if (c.up() !== "(") this.problem("expected the index's column list", c.pos());
    const { columns, prefixed } = keyColumns(c.parens());
    const kind =
      kindWord === "UNIQUE"
        ? "unique"
        : kindWord === "FULLTEXT"
          ? "fulltext"
          : kindWord === "SPATIAL"
            ? "spatial"
            : "index";
    const stmt: Extract<Stmt, { kind: "create-index" }> = {
      kind: "create-index",
      name: nameTok?.name ?? "",
      table,
      key: { kind, name: nameTok?.name, columns, prefixed, pos },
      ifNotExists,
    };
    while (!c.done) {
      const at = c.pos();
      if (c.accept("ALGORITHM")) {
        c.accept("=");
        stmt.algorithm = { value: c.next()?.upper ?? "", pos: at };
      } else if (c.accept("LOCK")) {
        c.accept("=");
        stmt.lock = { value: c.next()?.upper ?? "", pos: at };
      } else if (c.accept("WHERE")) {
        stmt.key.partial = true;
        c.i = c.toks.length;
      } else if (c.accept("USING") || c.accept("COMMENT") || c.accept("KEY_BLOCK_SIZE") || c.accept("WITH", "PARSER")) {
        c.accept("=");
        c.next();
      } else if (c.accept("VISIBLE") || c.accept("INVISIBLE") || c.accept("WAIT") || c.accept("NOWAIT")) {
        if (c.peek()?.kind === "number") c.next();
      } else {
        this.problem(`unexpected ${c.peek()?.text ?? ""} after CREATE INDEX`, at);
        break;
      }
    }
    return stmt;
  }

  // ---- DROP / RENAME --------------------------------------------------------------------------

  drop(): Stmt {
    const c = this.c;
    c.next();
    const temporary = c.accept("TEMPORARY");
    const whatTok = c.next();
    let what = whatTok?.upper ?? "";
    if (what === "MATERIALIZED") what = `MATERIALIZED ${c.next()?.upper ?? ""}`;
    if (what === "ONLINE" || what === "OFFLINE") what = c.next()?.upper ?? "";
    const ifExists = c.accept("IF", "EXISTS");
    const names: Name[] = [];
    if (what === "") this.problem("DROP what?", c.pos());
    for (let n = c.name(CLAUSE); n !== undefined; n = c.accept(",") ? c.name(CLAUSE) : undefined) names.push(n);
    if (names.length === 0 && what !== "") this.problem(`expected a name after DROP ${what}`, c.pos());
    let on: Name | undefined;
    if (c.accept("ON")) on = this.needName("a table name");
    const cascade = c.accept("CASCADE");
    c.accept("RESTRICT");
    return { kind: "drop", what, names, ifExists, cascade, on, temporary };
  }

  renameTable(): Stmt {
    const c = this.c;
    c.next();
    if (!c.accept("TABLE") && !c.accept("TABLES")) return { kind: "other", first: "RENAME" };
    const pairs: Array<{ from: Name; to: Name }> = [];
    do {
      const from = this.needName("a table name");
      if (!c.accept("TO")) this.problem("RENAME TABLE needs old TO new", c.pos());
      const to = this.needName("the new table name");
      pairs.push({ from, to });
    } while (c.accept(","));
    return { kind: "rename-table", pairs };
  }

  // ---- DML ------------------------------------------------------------------------------------

  /** Table references: a, b AS x JOIN c ON … LEFT JOIN (SELECT …) d USING (…). */
  fromClause(toks: readonly Tok[]): FromClause {
    const items: FromClause["items"] = [];
    for (const group of splitCommas(toks)) {
      const c = new Cursor(group);
      const item: FromClause["items"][number] = { tables: [], subquery: false, joins: [] };
      const readRef = () => {
        if (c.up() === "(") {
          const inner = c.parens();
          if (inner[0]?.upper === "SELECT" || inner[0]?.upper === "WITH") item.subquery = true;
          else item.tables.push(...this.fromClause(inner).items.flatMap((i) => i.tables));
        } else {
          const name = c.name(CLAUSE);
          if (name === undefined) {
            c.next();
            return;
          }
          item.tables.push({ name, alias: undefined });
        }
        c.accept("AS");
        const alias = c.ident(CLAUSE);
        const last = item.tables.at(-1);
        if (alias !== undefined && last !== undefined) last.alias = alias.text;
        // PARTITION (p0), USE/IGNORE/FORCE INDEX (…), INDEXED BY x
        for (;;) {
          if (c.accept("PARTITION")) c.parens();
          else if (
            (c.up() === "USE" || c.up() === "IGNORE" || c.up() === "FORCE") &&
            (c.up(1) === "INDEX" || c.up(1) === "KEY")
          ) {
            c.i += 2;
            if (c.accept("FOR")) c.next() && c.accept("BY");
            c.parens();
          } else if (c.accept("INDEXED", "BY")) c.next();
          else if (c.accept("NOT", "INDEXED")) {
            // SQLite
          } else break;
        }
      };
      readRef();
      for (let g = 0; !c.done && g < 500; g++) {
        const pos = c.pos();
        const natural = c.accept("NATURAL");
        const cross = c.accept("CROSS");
        c.accept("INNER") ||
          ((c.accept("LEFT") || c.accept("RIGHT") || c.accept("FULL")) && (c.accept("OUTER") || true));
        if (!c.accept("JOIN") && !c.accept("STRAIGHT_JOIN")) {
          c.next();
          continue;
        }
        c.accept("LATERAL");
        readRef();
        const join: FromClause["items"][number]["joins"][number] = { using: false, natural, cross, pos };
        if (c.accept("ON")) {
          join.on = this.expr(c.until((t) => JOIN_START.has(t.upper)));
        } else if (c.accept("USING")) {
          join.using = true;
          c.parens();
        }
        item.joins.push(join);
      }
      items.push(item);
    }
    return { items };
  }

  /** A SELECT (possibly with UNION and subqueries); `toks` starts at SELECT, WITH or "(". */
  select(toks: readonly Tok[], inExists: boolean): SelectFacts {
    const c = new Cursor(toks);
    const facts: SelectFacts = {
      pos: c.pos(),
      aggregatesOnly: false,
      group: false,
      limit: false,
      into: false,
      nested: [],
      inExists,
    };
    if (c.up() === "(") {
      const inner = c.parens();
      const first = this.select(inner, inExists);
      facts.nested.push(first);
    }
    if (c.accept("WITH")) {
      c.accept("RECURSIVE");
      while (!c.done) {
        c.ident();
        if (c.up() === "(") c.parens();
        c.accept("AS");
        const body = c.parens();
        if (body.length > 0) facts.nested.push(this.select(body, false));
        if (!c.accept(",")) break;
      }
    }
    if (!c.accept("SELECT")) return facts;
    while (
      [
        "DISTINCT",
        "ALL",
        "DISTINCTROW",
        "HIGH_PRIORITY",
        "STRAIGHT_JOIN",
        "SQL_NO_CACHE",
        "SQL_CALC_FOUND_ROWS",
        "SQL_CACHE",
        "SQL_SMALL_RESULT",
        "SQL_BIG_RESULT",
        "SQL_BUFFER_RESULT",
      ].includes(c.up())
    )
      c.next();
    const list = c.until(
      (t) =>
        t.upper === "FROM" ||
        t.upper === "INTO" ||
        t.upper === "WHERE" ||
        t.upper === "UNION" ||
        t.upper === "LIMIT" ||
        t.upper === "ORDER" ||
        t.upper === "GROUP" ||
        t.upper === "HAVING" ||
        t.upper === "EXCEPT" ||
        t.upper === "INTERSECT" ||
        t.upper === "WINDOW" ||
        t.upper === "FOR" ||
        t.upper === "LOCK",
    );
    const items = splitCommas(list);
    for (const item of items) {
      const star = item.findIndex((t, k) => t.upper === "*" && (k === 0 || item[k - 1]?.upper === "."));
      if (star >= 0 && (star === 0 || star === 2) && item.length <= 3) facts.star ??= item[star === 0 ? 0 : 0]?.start;
      this.nestedSelects(item, facts);
    }
    facts.aggregatesOnly =
      items.length > 0 && items.every((i) => AGGREGATES.has(i[0]?.upper ?? "") && i[1]?.upper === "(");
    if (c.accept("INTO")) {
      facts.into = true;
      c.until((t) => t.upper === "FROM");
    }
    if (c.accept("FROM")) {
      const fromToks = c.until((t) =>
        [
          "WHERE",
          "GROUP",
          "HAVING",
          "ORDER",
          "LIMIT",
          "UNION",
          "EXCEPT",
          "INTERSECT",
          "WINDOW",
          "FOR",
          "LOCK",
          "INTO",
        ].includes(t.upper),
      );
      facts.from = this.fromClause(fromToks);
      this.nestedSelects(fromToks, facts);
    }
    if (c.accept("WHERE")) {
      const w = c.until((t) =>
        ["GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "WINDOW", "FOR", "LOCK", "INTO"].includes(
          t.upper,
        ),
      );
      facts.where = this.expr(w);
      this.nestedSelects(w, facts);
    }
    for (;;) {
      if (c.accept("GROUP", "BY")) {
        facts.group = true;
        c.until((t) => ["HAVING", "ORDER", "LIMIT", "UNION", "WINDOW"].includes(t.upper));
      } else if (c.accept("HAVING") || c.accept("WINDOW")) {
        c.until((t) => ["ORDER", "LIMIT", "UNION", "WINDOW"].includes(t.upper));
      } else if (c.accept("ORDER", "BY")) {
        const order = c.until((t) => ["LIMIT", "UNION", "FOR", "LOCK", "INTO", "OFFSET", "FETCH"].includes(t.upper));
        const rand = order.find((t, k) => (t.upper === "RAND" || t.upper === "RANDOM") && order[k + 1]?.upper === "(");
        if (rand !== undefined) facts.orderByRand = rand.start;
      } else if (c.accept("LIMIT") || c.accept("FETCH") || c.accept("OFFSET")) {
        facts.limit = true;
        c.until((t) => ["UNION", "FOR", "LOCK", "INTO"].includes(t.upper));
      } else if (c.accept("INTO")) {
        facts.into = true;
        c.until((t) => ["FOR", "LOCK"].includes(t.upper));
      } else if (c.accept("UNION") || c.accept("EXCEPT") || c.accept("INTERSECT")) {
        c.accept("ALL") || c.accept("DISTINCT");
        facts.nested.push(this.select(c.toks.slice(c.i), false));
        break;
      } else if (c.accept("FOR") || c.accept("LOCK")) {
        c.until(() => false);
      } else break;
    }
    return facts;
  }

  /** SELECTs in parentheses inside `toks` (subqueries, EXISTS). */
  nestedSelects(toks: readonly Tok[], into: SelectFacts): void {
    for (let k = 0; k < toks.length; k++) {
      if (toks[k]?.upper !== "(" || (toks[k + 1]?.upper !== "SELECT" && toks[k + 1]?.upper !== "WITH")) continue;
      const c = new Cursor(toks.slice(k));
      const inner = c.parens();
      into.nested.push(this.select(inner, toks[k - 1]?.upper === "EXISTS"));
      k += c.i - 1;
    }
  }

  orderLimit(c: Cursor): { orderBy: boolean; limit?: number } {
    let orderBy = false;
    let limit: number | undefined;
    if (c.accept("ORDER", "BY")) {
      orderBy = true;
      c.until((t) => t.upper === "LIMIT" || t.upper === "RETURNING");
    }
    if (c.accept("LIMIT")) {
      const t = c.next();
      limit = t?.kind === "number" ? Number(t.text) : -1;
      c.until((x) => x.upper === "RETURNING");
    }
    return { orderBy, limit };
  }

  delete(): Stmt {
    const c = this.c;
    c.next();
    while (c.accept("LOW_PRIORITY") || c.accept("QUICK") || c.accept("IGNORE")) {
      // modifiers
    }
    let targets: TableRef[] = [];
    let from: FromClause | undefined;
    if (!c.accept("FROM")) {
      // DELETE t1, t2 FROM t1 JOIN t2 …
      const list = c.until((t) => t.upper === "FROM");
      targets = splitCommas(list).flatMap((g) => {
        const n = new Cursor(g).name();
        return n === undefined ? [] : [{ name: { ...n, name: n.name === "*" ? (n.parts.at(-2) ?? "") : n.name } }];
      });
      if (!c.accept("FROM")) this.problem("DELETE without FROM", c.pos());
      from = this.fromClause(c.until((t) => t.upper === "WHERE" || t.upper === "ORDER" || t.upper === "LIMIT"));
    } else {
      const refs = c.until(
        (t) =>
          t.upper === "WHERE" ||
          t.upper === "ORDER" ||
          t.upper === "LIMIT" ||
          t.upper === "USING" ||
          t.upper === "RETURNING",
      );
      if (c.accept("USING")) {
        // DELETE FROM t1, t2 USING t1 JOIN t2 …
        targets = this.fromClause(refs).items.flatMap((i) => i.tables);
        from = this.fromClause(c.until((t) => t.upper === "WHERE" || t.upper === "RETURNING"));
      } else {
        from = this.fromClause(refs);
        targets = from.items.flatMap((i) => i.tables).slice(0, 1);
      }
    }
    if (targets.length === 0 || targets.every((t) => t.name.name === ""))
      this.problem("DELETE without a table", c.pos());
    let where: Expr | undefined;
    if (c.accept("WHERE"))
      where = this.expr(c.until((t) => t.upper === "ORDER" || t.upper === "LIMIT" || t.upper === "RETURNING"));
    const ol = this.orderLimit(c);
    const returning = c.accept("RETURNING");
    if (!returning && !c.done) this.problem(`unexpected ${c.peek()?.text ?? ""} in DELETE`);
    return { kind: "delete", targets, from, where, orderBy: ol.orderBy, limit: ol.limit, returning };
  }

  update(): Stmt {
    const c = this.c;
    c.next();
    while (c.accept("LOW_PRIORITY") || c.accept("IGNORE")) {
      // modifiers
    }
    if (c.accept("OR")) c.next();
    const refs = c.until((t) => t.upper === "SET");
    const from = this.fromClause(refs);
    if (!c.accept("SET")) this.problem("UPDATE without SET", c.pos());
    const setToks = c.until(
      (t) =>
        t.upper === "WHERE" ||
        t.upper === "ORDER" ||
        t.upper === "LIMIT" ||
        t.upper === "FROM" ||
        t.upper === "RETURNING",
    );
    const sets = splitCommas(setToks).map((g) => {
      const gc = new Cursor(g);
      const name = gc.name();
      if (name === undefined || !gc.accept("=")) this.problem("expected column = value in SET", g[0]?.start ?? c.pos());
      return { column: name?.parts ?? [], pos: name?.start ?? g[0]?.start ?? c.pos(), value: this.expr(g.slice(gc.i)) };
    });
    if (sets.length === 0) this.problem("SET without assignments", c.pos());
    if (c.accept("FROM")) {
      // SQLite / PostgreSQL UPDATE … FROM
      const more = this.fromClause(c.until((t) => t.upper === "WHERE" || t.upper === "RETURNING"));
      from.items.push(...more.items);
    }
    let where: Expr | undefined;
    if (c.accept("WHERE"))
      where = this.expr(c.until((t) => t.upper === "ORDER" || t.upper === "LIMIT" || t.upper === "RETURNING"));
    const ol = this.orderLimit(c);
    if (!c.accept("RETURNING") && !c.done) this.problem(`unexpected ${c.peek()?.text ?? ""} in UPDATE`);
    const targets = from.items.flatMap((i) => i.tables);
    if (targets.length === 0) this.problem("UPDATE without a table", c.pos());
    return { kind: "update", from, targets, sets, where, orderBy: ol.orderBy, limit: ol.limit };
  }

  insert(): Stmt {
    const c = this.c;
    const replace = c.next()?.upper === "REPLACE";
    while (c.accept("LOW_PRIORITY") || c.accept("DELAYED") || c.accept("HIGH_PRIORITY") || c.accept("IGNORE")) {
      // modifiers
    }
    if (c.accept("OR")) c.next();
    c.accept("INTO");
    const table = this.needName("a table name");
    if (c.accept("AS")) c.ident();
    if (c.accept("PARTITION")) c.parens();
    let columns: Array<{ name: string; pos: number }> = [];
    let hasColumnList = false;
    if (c.up() === "(" && c.up(1) !== "SELECT" && c.up(1) !== "WITH") {
      hasColumnList = true;
      columns = splitCommas(c.parens()).map((g) => ({ name: g.at(-1)?.text ?? "", pos: g[0]?.start ?? 0 }));
    }
    if (c.accept("SET")) {
      hasColumnList = true;
      columns = splitCommas(c.until((t) => t.upper === "ON")).map((g) => ({
        name: g[0]?.text ?? "",
        pos: g[0]?.start ?? 0,
      }));
      return { kind: "insert", table, columns, hasColumnList, replace };
    }
    const u = c.up();
    if (u === "SELECT" || u === "WITH" || u === "(" || u === "TABLE") {
      return { kind: "insert", table, columns, hasColumnList, select: this.select(c.toks.slice(c.i), false), replace };
    }
    if (!c.accept("VALUES") && !c.accept("VALUE") && !c.accept("DEFAULT", "VALUES")) {
      this.problem(`expected VALUES, SELECT or SET after INSERT INTO ${table.name}`, c.pos());
    }
    return { kind: "insert", table, columns, hasColumnList, replace };
  }

  set(): Stmt {
    const c = this.c;
    c.next();
    const vars: Array<{ name: string; value: string; pos: number }> = [];
    for (const group of splitCommas(c.toks.slice(c.i))) {
      const g = new Cursor(group);
      g.accept("SESSION") || g.accept("LOCAL") || g.accept("GLOBAL") || g.accept("PERSIST");
      const pos = g.pos();
      const nameTok = g.next();
      let name = (nameTok?.text ?? "").toLowerCase().replace(/^@@(session\.|local\.|global\.)?/, "");
      if (name === "statement") name = "statement";
      g.accept("=") || g.accept(":=") || g.accept("TO");
      const value = group
        .slice(g.i)
        .map((t) => t.text)
        .join(" ");
      vars.push({ name, value, pos });
    }
    return { kind: "set", vars };
  }
}

const COLUMN_ATTR = new Set([
  "NOT",
  "NULL",
  "DEFAULT",
  "PRIMARY",
  "UNIQUE",
  "REFERENCES",
  "CHECK",
  "CONSTRAINT",
  "COLLATE",
  "AUTO_INCREMENT",
  "AUTOINCREMENT",
  "GENERATED",
  "AS",
  "COMMENT",
]);
const KEY_START = new Set([
  "PRIMARY",
  "UNIQUE",
  "INDEX",
  "KEY",
  "FULLTEXT",
  "SPATIAL",
  "FOREIGN",
  "CONSTRAINT",
  "CHECK",
]);
const JOIN_START = new Set(["JOIN", "INNER", "LEFT", "RIGHT", "CROSS", "NATURAL", "STRAIGHT_JOIN", "FULL"]);

/** Key column list: (a, b(10), (lower(c)) DESC). */
function keyColumns(inner: readonly Tok[]): { columns: string[]; prefixed: boolean } {
  let prefixed = false;
  const columns = splitCommas(inner).map((g) => {
    if (g[0]?.upper === "(" || g[1]?.upper === "(") prefixed = true;
    return g[0]?.upper === "(" ? "(expr)" : (g[0]?.text ?? "");
  });
  return { columns, prefixed };
}
