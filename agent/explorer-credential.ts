// Checks a read-only credential before the vault keeps it (layer 3 of the explorer's read-only
// guard): the role must not be a superuser and must hold no privilege that writes, or it would be
// no guard at all. SQLite has no roles: its read credential is the file opened read-only.
import mysql from "mysql2/promise";
import postgres from "postgres";
import { MigratrixError } from "../common/errors.ts";
import { type EngineId, getEngine } from "../engines/index.ts";
import { mysqlConnectOptions } from "./explorer-engines.ts";

const READ_PRIVILEGES = new Set(["SELECT", "USAGE", "SHOW VIEW"]);

/** Throws failed_precondition naming what the credential may do that a read credential must not. */
export async function checkReadOnlyCredential(
  engine: EngineId,
  url: string,
  where: string,
  connectTimeoutMs: number,
): Promise<void> {
  const refuse = (what: string) =>
    new MigratrixError(
      "failed_precondition",
      `the read-only credential of ${where} ${what}: register a role that may only SELECT`,
    );
  if (engine === "postgresql") {
    const sql = postgres(url, { max: 1, connect_timeout: connectTimeoutMs / 1000, onnotice: () => {} });
    try {
      const [role] =
        await sql`select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user`;
      if (role?.rolsuper) throw refuse("is a superuser");
      if (role?.rolcreaterole || role?.rolcreatedb) throw refuse("may create roles or databases");
      const writes = await sql`
        select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and n.nspname not in ('pg_catalog', 'information_schema')
           and (pg_has_role(c.relowner, 'USAGE')
             or has_table_privilege(c.oid, 'INSERT') or has_table_privilege(c.oid, 'UPDATE')
             or has_table_privilege(c.oid, 'DELETE') or has_table_privilege(c.oid, 'TRUNCATE'))
         limit 1`;
      if (writes[0]) throw refuse(`may write or owns relation "${writes[0].name}"`);
    } catch (e) {
      throw getEngine("postgresql").errors.toMigratrixError(e);
    } finally {
      await sql.end({ timeout: 1 });
    }
    return;
  }
  if (engine === "mysql" || engine === "mariadb") {
    const options = mysqlConnectOptions(engine, url, connectTimeoutMs);
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection(options);
      // information_schema shows an unprivileged user only its own grants.
      const [rows] = await conn.query(
        `SELECT privilege_type FROM information_schema.user_privileges WHERE grantee = @me
         UNION SELECT privilege_type FROM information_schema.schema_privileges WHERE grantee = @me
         UNION SELECT privilege_type FROM information_schema.table_privileges WHERE grantee = @me`.replaceAll(
          "@me",
          "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
        ),
      );
      const bad = (rows as { privilege_type: string }[])
        .map((r) => r.privilege_type)
        .filter((p) => !READ_PRIVILEGES.has(p));
      if (bad.length > 0) throw refuse(`holds ${[...new Set(bad)].sort().join(", ")}`);
    } catch (e) {
      throw getEngine(engine).errors.toMigratrixError(e);
    } finally {
      await conn?.end();
    }
    return;
  }
  if (engine === "sqlite") return;
  throw new MigratrixError("unimplemented", `read-only credentials are not supported for ${engine} connections`);
}
