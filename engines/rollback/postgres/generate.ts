// generateDown for PostgreSQL: parse each up statement, derive its inverse from the schema as it
// stands just before it, and list the backups the before-hook must take.
import { postgresDialect } from "../../postgres/dialect.ts";
import { assembleDown, emptyDown } from "../down-script.ts";
import type { BackupGap, BackupSpec, DownScript, DownStep, GenerateDownOptions } from "../types.ts";
import { alterTable } from "./alter.ts";
import {
  createFunction,
  createIndex,
  createSimple,
  createTable,
  createTableAs,
  createTrigger,
  createView,
  drop,
  rename,
  setSchema,
} from "./ddl.ts";
import { del, insert, truncate, update } from "./dml.ts";
import { Model } from "./model.ts";
import { arr, kindOf, loadParser, type Node, names, parseOne, str } from "./sql.ts";
import { combine, exact, type Inverse, irreversible, type StepCtx } from "./step.ts";

export async function generatePostgresDown(upSql: string, o: GenerateDownOptions): Promise<DownScript> {
  const split = postgresDialect.split(upSql, { firstLine: o.firstLine ?? 1 });
  if (split.problems.length > 0) return emptyDown(o, split.problems);
  const lib = await loadParser();
  const model = new Model(o.schemaBefore);
  const backups: BackupSpec[] = [];
  const gaps: BackupGap[] = [];
  const steps: DownStep[] = [];
  for (const st of split.statements) {
    const where = { upIndex: st.index, line: st.start.line, column: st.start.column };
    const p = parseOne(lib, st.text);
    if ("error" in p) {
      const pos = positionIn(st.text, p.offset, st.start);
      const problem = {
        code: "syntax_error" as const,
        message: `${p.error} at line ${pos.line}:${pos.column}`,
        ...pos,
      };
      return emptyDown(o, [problem]);
    }
    const c: StepCtx = {
      p,
      upIndex: st.index,
      model,
      defaultSchema: o.defaultSchema ?? "public",
      migrationId: o.migrationId ?? "migration",
      backups,
      gaps,
    };
    const inv = safeInverse(c, p.stmt);
    steps.push({ ...where, ...inv });
  }
  return assembleDown(emptyDown(o, []), {
    steps,
    backups,
    gaps,
    render: (down) => down.flatMap((s) => s.sql.map((x) => `${x};\n`)).join(""),
  });
}

/** A statement shape the generator trips over is reported as irreversible, never guessed at. */
function safeInverse(c: StepCtx, stmt: Node): Inverse {
  try {
    return inverseOf(c, stmt);
  } catch (e) {
    const reason = `the down-script generator could not handle this statement: ${(e as Error).message}`;
    // Whatever it destroys would go unbacked: stop the run unless the policy allows that.
    c.gaps.push({ upIndex: c.upIndex, reason });
    return irreversible(reason);
  }
}

const NOTHING = "changes nothing a down script must undo";

function inverseOf(c: StepCtx, stmt: Node): Inverse {
  const [kind, s] = kindOf(stmt);
  switch (kind) {
    case "CreateStmt":
      return createTable(c, s);
    case "CreateTableAsStmt":
      return createTableAs(c, s);
    case "IndexStmt":
      return createIndex(c, s);
    case "ViewStmt":
      return createView(c, s);
    case "CreateFunctionStmt":
      return createFunction(c, s);
    case "CreateTrigStmt":
      return createTrigger(c, s);
    case "CreateSeqStmt":
      return createSimple(c, "SEQUENCE", relParts(s.sequence));
    case "CreateEnumStmt":
    case "CompositeTypeStmt":
      return createSimple(c, "TYPE", kind === "CreateEnumStmt" ? names(arr(s, "typeName")) : relParts(s.typevar));
    case "CreateDomainStmt":
      return createSimple(c, "DOMAIN", names(arr(s, "domainname")));
    case "CreateSchemaStmt": {
      const name = str(s, "schemaname") ?? "";
      return exact([`DROP SCHEMA ${postgresDialect.quoteIdent(name)}`], `drops schema ${name}`);
    }
    case "CreateExtensionStmt": {
      const name = str(s, "extname") ?? "";
      return exact([`DROP EXTENSION ${postgresDialect.quoteIdent(name)}`], `drops extension ${name}`);
    }
    case "DropStmt":
      return combine(drop(c, s).reverse());
    case "RenameStmt":
      return rename(c, s);
    case "AlterObjectSchemaStmt":
      return setSchema(c, s);
    case "AlterTableStmt":
      return alterTable(c, s);
    case "DeleteStmt":
      return del(c, s);
    case "UpdateStmt":
      return update(c, s);
    case "InsertStmt":
      return insert(c, s);
    case "TruncateStmt":
      return combine(truncate(c, s));
    case "VariableSetStmt":
      return exact([], `session setting: ${NOTHING}`);
    case "SelectStmt":
      return exact([], `query: ${NOTHING} (assumes it calls no function that writes)`);
    case "AlterEnumStmt":
      return irreversible("PostgreSQL cannot remove or rename back an enum value safely once rows may use it");
    default:
      return irreversible(`no inverse is known for ${kind.replace(/Stmt$/, "")} statements`);
  }
}

/** File line:column of a byte offset inside a statement that starts at `start`. */
function positionIn(text: string, byteOffset: number, start: { line: number; column: number }) {
  const before = Buffer.from(text, "utf8").subarray(0, Math.max(0, byteOffset)).toString("utf8");
  const lines = before.split("\n");
  const line = start.line + lines.length - 1;
  const column = lines.length === 1 ? start.column + before.length : (lines.at(-1)?.length ?? 0) + 1;
  return { line, column };
}

function relParts(rv: unknown): string[] {
  const r = rv as Node | undefined;
  return [str(r, "schemaname"), str(r, "relname")].filter((x): x is string => x !== undefined);
}
