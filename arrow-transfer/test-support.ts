// Test databases for arrow-transfer's integration tests: uniquely named PostgreSQL and MariaDB
// databases on the local servers, dropped by the caller in afterAll.
import mysql from "mysql2/promise";
import postgres from "postgres";

export const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
export const MARIADB_ADMIN = { host: "127.0.0.1", port: 3306, user: "root" };

const suffix = () => crypto.randomUUID().replaceAll("-", "").slice(0, 10);

export interface PgDb {
  name: string;
  url: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

export async function createPgDb(area: string): Promise<PgDb> {
  const name = `mx_${area}_${suffix()}`;
  const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface MariaDb {
  name: string;
  url: string;
  conn: mysql.Connection;
  drop(): Promise<void>;
}

export async function createMariaDb(area: string): Promise<MariaDb> {
  const name = `mx_${area}_${suffix()}`;
  const admin = await mysql.createConnection(MARIADB_ADMIN);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  const conn = await mysql.createConnection({ ...MARIADB_ADMIN, database: name, charset: "utf8mb4", timezone: "Z" });
  await conn.query("SET time_zone = '+00:00'");
  return {
    name,
    url: `mariadb://root@127.0.0.1:3306/${name}`,
    conn,
    async drop() {
      await conn.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}
