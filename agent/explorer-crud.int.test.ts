// Safe CRUD through the explorer, end to end (real PostgreSQL and SQLite, control plane, NATS,
// agent): keyset pages by a composite primary key, masked on PROD; one-row edits by primary key
// with old values checked (a stale edit changes nothing), who may write where (roles on DEV,
// explicit write grants on PROD), audit records holding digests only; the SQLite statement timeout.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { listAudit } from "../control/audit/index.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { BrowseTableResponse } from "../proto/gen/migratrix/control/v1/explorer_pb.ts";
import type { Agent } from "./agent.ts";
import {
  addPostgresReader,
  codeOf,
  type ExplorerClient,
  explorerClient,
  personWith,
  runQuery,
  startExplorerE2E,
} from "./explorer-support.ts";
import type { E2E } from "./int-support.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
let dir: string;
let e2e: E2E;
let agent: Agent;
let admin: ExplorerClient;
let editorDev: ExplorerClient;
let viewerDev: ExplorerClient;
let editorProd: ExplorerClient;
let role: string;
let litePath: string;

const text = (v: string) => ({ value: { case: "text" as const, value: v } });
const cells = (page: BrowseTableResponse) =>
  page.rows.map((r) => r.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));

beforeAll(async () => {
  ({ dir, e2e, agent } = await startExplorerE2E({ tag: "EXPCRUD", kind: "postgresql", targets: ["dev", "prod"] }));
  role = `mx_crud_ro_${e2e.suffix}`;
  await e2e.withTarget(async (s) => {
    await s.exec("create table items (id int, sub int, name text not null, email text, primary key (id, sub))");
    await s.exec(
      "insert into items values (1, 1, 'a', 'a@x.io'), (1, 2, 'b', 'b@x.io'), (2, 1, 'c', null), (3, 1, 'd', 'd@x.io'), (3, 2, 'e', 'e@x.io')",
    );
    await s.exec('create table "Odd Name" ("Key" int primary key, "v""q" text)');
    await s.exec(`insert into "Odd Name" values (1, 'one'), (2, 'two')`);
    await s.exec("create table nokey (x int)");
  });
  await addPostgresReader(e2e, agent.agentId, role);
  litePath = join(dir, "lite.db");
  const lite = new Database(litePath, { create: true });
  lite.run("create table notes (id integer primary key, body text)");
  lite.run("insert into notes values (1, 'x'), (2, 'y'), (3, 'z')");
  lite.close();
  await e2e.addConnection(agent.agentId, {
    name: "lite",
    environment: "dev",
    engine: Engine.SQLITE,
    url: `sqlite://${litePath}`,
  });
  admin = explorerClient(e2e.url, e2e.adminToken);
  [editorDev, viewerDev, editorProd] = (
    await Promise.all([
      personWith(e2e, "editor-dev@example.com", { environment: "dev", role: "editor" }),
      personWith(e2e, "viewer-dev@example.com", { environment: "dev", role: "viewer" }),
      personWith(e2e, "editor-prod@example.com", { environment: "prod", role: "editor" }),
    ])
  ).map((t) => explorerClient(e2e.url, t)) as [ExplorerClient, ExplorerClient, ExplorerClient];
  await admin.addMaskPolicy({ environment: "prod", pattern: "*.email", kind: "full" });
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop role if exists ${role}`).catch(() => undefined);
  await sql.end();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const items = () => e2e.withTarget((s) => s.query("select id, sub, name, email from items order by id, sub"));

describe("browse", () => {
  test("keyset pages by a composite primary key, to the last page", async () => {
    const pages: unknown[] = [];
    let after: string[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await editorDev.browseTable({ connection: "dev/app", table: "items", limit: 2, after });
      pages.push({ rows: cells(page), next: page.nextAfter });
      after = page.nextAfter;
      if (after.length === 0) break;
    }
    expect(pages).toEqual([
      {
        rows: [
          ["1", "1", "a", "a@x.io"],
          ["1", "2", "b", "b@x.io"],
        ],
        next: ["1", "2"],
      },
      {
        rows: [
          ["2", "1", "c", null],
          ["3", "1", "d", "d@x.io"],
        ],
        next: ["3", "1"],
      },
      { rows: [["3", "2", "e", "e@x.io"]], next: [] },
    ]);
  });

  test("identifiers are quoted by the dialect; the key comes from the catalog", async () => {
    const page = await editorDev.browseTable({ connection: "dev/app", table: "Odd Name", after: ["1"] });
    expect({ columns: page.columns.map((c) => c.name), rows: cells(page), key: page.keyColumns }).toEqual({
      columns: ["Key", 'v"q'],
      rows: [["2", "two"]],
      key: ["Key"],
    });
  });

  test("on PROD: read through the read credential, masked; no primary key or no table refused", async () => {
    const page = await editorProd.browseTable({ connection: "prod/app", table: "public.items", limit: 1 });
    expect({ rows: cells(page), masked: page.columns.map((c) => c.masked) }).toEqual({
      rows: [["1", "1", "a", "***"]],
      masked: ["", "", "", "full"],
    });
    expect(await codeOf(editorDev.browseTable({ connection: "dev/app", table: "nokey" }))).toBe("failed_precondition");
    expect(await codeOf(editorDev.browseTable({ connection: "dev/app", table: "nope" }))).toBe("not_found");
  });
});

describe("edit one row", () => {
  const update = (who: ExplorerClient, conn: string, oldName: string, newName: string) =>
    who.editRow({
      connection: conn,
      table: "items",
      op: "update",
      key: [
        { column: "id", value: text("2") },
        { column: "sub", value: text("1") },
      ],
      expected: [{ column: "name", value: text(oldName) }],
      values: [{ column: "name", value: text(newName) }],
    });

  test("stale old values: aborted and nothing changed; matching ones: the row changes", async () => {
    const before = await items();
    expect(await codeOf(update(editorDev, "dev/app", "not-c", "z"))).toBe("aborted");
    expect(await items()).toEqual(before);
    const r = await update(editorDev, "dev/app", "c", "c2");
    expect(Number(r.rowsAffected)).toBe(1);
    expect((await items()).find((x) => x.id === 2)).toEqual({ id: 2, sub: 1, name: "c2", email: null });
    await update(editorDev, "dev/app", "c2", "c");
  });

  test("insert and delete by primary key (delete checks old values too)", async () => {
    const ins = await editorDev.editRow({
      connection: "dev/app",
      table: "items",
      op: "insert",
      values: [
        { column: "id", value: text("9") },
        { column: "sub", value: text("9") },
        { column: "name", value: text("new") },
        { column: "email", value: { value: { case: "null", value: true } } },
      ],
    });
    expect({ n: Number(ins.rowsAffected), before: ins.beforeSha256, after: ins.afterSha256.length }).toEqual({
      n: 1,
      before: "",
      after: 64,
    });
    const del = (name: string) =>
      editorDev.editRow({
        connection: "dev/app",
        table: "items",
        op: "delete",
        key: [
          { column: "id", value: text("9") },
          { column: "sub", value: text("9") },
        ],
        expected: [{ column: "name", value: text(name) }],
      });
    expect(await codeOf(del("other"))).toBe("aborted");
    expect((await del("new")).rowsAffected).toBe(1n);
    expect((await items()).length).toBe(5);
  });

  test("invalid edits refused: not the whole key, a key change, an unchecked column, an unknown column", async () => {
    const before = await items();
    const base = { connection: "dev/app", table: "items", op: "update" };
    const key = [
      { column: "id", value: text("1") },
      { column: "sub", value: text("1") },
    ];
    expect(
      await Promise.all([
        codeOf(editorDev.editRow({ ...base, key: [key[0]!], expected: [{ column: "name", value: text("a") }] })),
        codeOf(
          editorDev.editRow({
            ...base,
            key,
            expected: [{ column: "id", value: text("1") }],
            values: [{ column: "id", value: text("5") }],
          }),
        ),
        codeOf(
          editorDev.editRow({
            ...base,
            key,
            expected: [{ column: "name", value: text("a") }],
            values: [{ column: "email", value: text("x") }],
          }),
        ),
        codeOf(
          editorDev.editRow({
            ...base,
            key,
            expected: [{ column: "nope", value: text("a") }],
            values: [{ column: "nope", value: text("b") }],
          }),
        ),
      ]),
    ).toEqual(["invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument"]);
    expect(await items()).toEqual(before);
  });

  test("who may write: editors on DEV, not viewers; on PROD only with an explicit write grant", async () => {
    const before = await items();
    expect(await codeOf(update(viewerDev, "dev/app", "c", "v"))).toBe("permission_denied");
    expect(await codeOf(update(editorProd, "prod/app", "c", "p"))).toBe("permission_denied");
    expect(await codeOf(update(admin, "prod/app", "c", "p"))).toBe("permission_denied");
    expect(await items()).toEqual(before);
    expect(
      await codeOf(editorProd.setWriteGrant({ environment: "prod", email: "editor-prod@example.com", granted: true })),
    ).toBe("permission_denied");
    await admin.setWriteGrant({ environment: "prod", email: "editor-prod@example.com", granted: true });
    expect((await admin.listWriteGrants({ environment: "prod" })).grants.map((g) => g.email)).toEqual([
      "editor-prod@example.com",
    ]);
    expect((await update(editorProd, "prod/app", "c", "p")).rowsAffected).toBe(1n);
    // The grant covers writes through the explorer as a whole, queries included.
    expect((await runQuery(editorProd, "prod/app", "update items set name = 'c' where id = 2")).rowsAffected).toBe(1);
    await admin.setWriteGrant({ environment: "prod", email: "editor-prod@example.com", granted: false });
    expect(await codeOf(update(editorProd, "prod/app", "c", "p"))).toBe("permission_denied");
    expect(await items()).toEqual(before);
  });

  test("an edit naming a masked column is refused (it would probe the value)", async () => {
    await admin.setWriteGrant({ environment: "prod", email: "editor-prod@example.com", granted: true });
    try {
      const r = editorProd.editRow({
        connection: "prod/app",
        table: "items",
        op: "update",
        key: [
          { column: "id", value: text("1") },
          { column: "sub", value: text("1") },
        ],
        expected: [{ column: "email", value: text("a@x.io") }],
        values: [{ column: "email", value: text("x") }],
      });
      expect(await codeOf(r)).toBe("permission_denied");
    } finally {
      await admin.setWriteGrant({ environment: "prod", email: "editor-prod@example.com", granted: false });
    }
  });

  test("every edit audited with digests of key, before and after; never the values", async () => {
    const records = await listAudit(e2e.store.db, e2e.workspaceId, { limit: 1000, newest: true });
    const edits = records.filter((r) => r.action === "explorer.edit");
    const done = edits.filter((r) => r.detail.refused === false);
    expect({
      refusedToo: edits.some((r) => r.detail.refused === true && r.detail.code === "aborted"),
      digests: done.every(
        (r) =>
          typeof r.detail.keySha256 === "string" &&
          /^[0-9a-f]{64}$/.test(String(r.detail.keySha256)) &&
          (r.detail.op === "insert" || /^[0-9a-f]{64}$/.test(String(r.detail.beforeSha256))),
      ),
      several: done.length >= 5,
    }).toEqual({ refusedToo: true, digests: true, several: true });
    const all = JSON.stringify(edits);
    for (const value of [`"c2"`, `"a@x.io"`, `"new"`]) expect(all).not.toContain(value);
  });
});

describe("SQLite", () => {
  test("a long recursive CTE is stopped at its statement timeout; the database stays usable", async () => {
    const started = performance.now();
    const sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";
    expect(await codeOf(runQuery(editorDev, "dev/lite", sql, { timeoutMs: 300 }))).toBe("canceled");
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await runQuery(editorDev, "dev/lite", "select count(*) as n from notes")).rows).toEqual([["3"]]);
  });

  test("a write stopped at its timeout leaves nothing behind", async () => {
    const sql =
      "insert into notes (body) with recursive c(x) as (select 1 union all select x + 1 from c) select 'n' || x from c";
    expect(await codeOf(runQuery(editorDev, "dev/lite", sql, { timeoutMs: 300 }))).toBe("canceled");
    expect((await runQuery(editorDev, "dev/lite", "select count(*) as n from notes")).rows).toEqual([["3"]]);
  });

  test("browse and a checked edit", async () => {
    const page = await editorDev.browseTable({ connection: "dev/lite", table: "notes", limit: 2, after: ["1"] });
    expect({ rows: cells(page), next: page.nextAfter }).toEqual({
      rows: [
        ["2", "y"],
        ["3", "z"],
      ],
      next: [],
    });
    const edit = (old: string) =>
      editorDev.editRow({
        connection: "dev/lite",
        table: "notes",
        op: "update",
        key: [{ column: "id", value: text("2") }],
        expected: [{ column: "body", value: text(old) }],
        values: [{ column: "body", value: text("y2") }],
      });
    expect(await codeOf(edit("stale"))).toBe("aborted");
    expect((await edit("y")).rowsAffected).toBe(1n);
    const db = new Database(litePath, { readonly: true });
    expect(db.query("select body from notes where id = 2").get()).toEqual({ body: "y2" });
    db.close();
  });
});
