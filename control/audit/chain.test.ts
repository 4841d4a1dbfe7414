import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { bootstrap } from "../identity/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { appendAudit, GENESIS_HASH, listAudit, recordHash, verifyChain } from "./index.ts";

let store: Store;
let ws: string;
let other: string;

beforeAll(async () => {
  store = await openStore({});
  ws = (await bootstrap(store.db)).workspaceId;
  const [row] = await store.db.insert(tables.workspaces).values({ name: "other" }).returning();
  other = row!.id;
});
afterAll(() => store.close());

const append = (workspaceId: string, action: string, extra: Record<string, unknown> = {}) =>
  store.db.transaction((tx) =>
    appendAudit(tx, { workspaceId, actor: "user:test", action, correlationId: "c-1", detail: extra }),
  );

describe("audit chain", () => {
  test("records link by hash and verify", async () => {
    const before = await listAudit(store.db, ws, { limit: 1000 });
    const first = await append(ws, "test.one", { b: 2, a: [1, { y: true, x: null }] });
    expect(first.seq).toBe(before.length + 1);
    expect(first.prevHash).toBe(before.at(-1)?.hash ?? GENESIS_HASH);
    const [stored] = await listAudit(store.db, ws, { afterSeq: first.seq - 1, limit: 1 });
    expect(stored).toEqual(first);
    expect(recordHash(stored!)).toBe(first.hash);
    expect(await verifyChain(store.db, ws)).toBeNull();
  });

  test("sql is kept as its SHA-256 only", async () => {
    const row = await store.db.transaction((tx) =>
      appendAudit(tx, { workspaceId: ws, actor: "a", action: "test.sql", correlationId: "c", sql: "select 1" }),
    );
    expect(row.sqlSha256).toBe(new Bun.CryptoHasher("sha256").update("select 1").digest("hex"));
  });

  test("concurrent appends in one workspace serialise into one gap-free chain", async () => {
    const start = (await listAudit(store.db, other, { limit: 1000 })).length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(other, `test.concurrent.${i}`)));
    const rows = await listAudit(store.db, other, { limit: 1000 });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: start + 20 }, (_, i) => i + 1));
    expect(await verifyChain(store.db, other)).toBeNull();
  });

  test("the newest page is the last records, listed oldest first", async () => {
    const all = await listAudit(store.db, other, { limit: 1000 });
    expect(all.length).toBeGreaterThan(3);
    expect(await listAudit(store.db, other, { limit: 3, newest: true })).toEqual(all.slice(-3));
  });

  test("a rolled-back change leaves no audit record", async () => {
    const before = await listAudit(store.db, ws, { limit: 1000 });
    await expect(
      store.db.transaction(async (tx) => {
        await appendAudit(tx, { workspaceId: ws, actor: "a", action: "test.rollback", correlationId: "c" });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await listAudit(store.db, ws, { limit: 1000 })).toEqual(before);
  });

  test("UPDATE, DELETE and TRUNCATE are refused by the database", async () => {
    const refusal = async (statement: ReturnType<typeof sql>) => {
      try {
        await store.db.execute(statement);
      } catch (err) {
        return String((err as Error & { cause?: Error }).cause?.message);
      }
      return "not refused";
    };
    expect([
      await refusal(sql`update audit_log set actor = 'x' where workspace_id = ${ws}`),
      await refusal(sql`delete from audit_log where workspace_id = ${ws}`),
      await refusal(sql`truncate audit_log cascade`),
    ]).toEqual([
      "audit_log is append-only: UPDATE refused",
      "audit_log is append-only: DELETE refused",
      "audit_log is append-only: TRUNCATE refused",
    ]);
  });

  test("tampering is found at the first altered record", async () => {
    const tampered = await append(ws, "test.victim");
    await append(ws, "test.after");
    await store.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    try {
      await store.db.execute(
        sql`update audit_log set detail = '{"amount": 1000000}' where workspace_id = ${ws} and seq = ${tampered.seq}`,
      );
      expect(await verifyChain(store.db, ws)).toBe(tampered.seq);
      await store.db.execute(
        sql`update audit_log set detail = '{}' where workspace_id = ${ws} and seq = ${tampered.seq}`,
      );
      expect(await verifyChain(store.db, ws)).toBeNull();
      await store.db.execute(sql`delete from audit_log where workspace_id = ${ws} and seq = ${tampered.seq}`);
      expect(await verifyChain(store.db, ws)).toBe(tampered.seq);
    } finally {
      await store.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    }
    // The other workspace's chain is untouched.
    expect(await verifyChain(store.db, other)).toBeNull();
  });

  test("a removed tail is found through the head", async () => {
    const third = await append(other, "test.tail");
    await store.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    try {
      await store.db.execute(sql`delete from audit_log where workspace_id = ${other} and seq = ${third.seq}`);
      expect(await verifyChain(store.db, other)).toBe(third.seq);
    } finally {
      await store.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    }
  });
});
