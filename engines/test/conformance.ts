// The one conformance suite every engine adapter runs against a real server (like drizzle's
// pg-common.ts): connect and its errors, exec/query, introspection, and the runner end to end.
import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { harness } from "./harness.ts";
import { closedPort, silentServer } from "./net.ts";
import { defineRunnerCases } from "./runner-cases.ts";
import type { ConformanceTarget } from "./target.ts";

export function defineConformanceSuite(t: ConformanceTarget): void {
  const h = harness(t);
  const { snapshot } = h;

  describe(`${h.engine.id}: connect`, () => {
    test("serverVersion names the server", async () => {
      expect(await h.session.serverVersion()).toMatch(t.serverVersion);
    });

    test("each bad URL gives one clear error without the secret", async () => {
      const port = await closedPort();
      await using silent = silentServer();
      const got = [];
      for (const c of t.connectErrors) {
        const url = c.url
          .replace("{port}", String(port))
          .replace("{silentPort}", String(silent.port))
          .replace("{db}", h.db.database);
        const err = await h.engine.driver.connect(url, { connectTimeoutMs: c.connectTimeoutMs ?? 5000 }).then(
          (s) => s.close().then(() => new Error(`${c.name}: connected`)),
          (e: unknown) => e,
        );
        const m = err instanceof MigratrixError ? err : MigratrixError.from(err);
        got.push({ name: c.name, code: m.code, message: m.message, leaksSecret: m.message.includes(t.secret) });
      }
      const fill = (text: string) =>
        text
          .replace("{port}", String(port))
          .replace("{silentPort}", String(silent.port))
          .replace("{db}", h.db.database);
      const want = t.connectErrors.map((c) => ({
        name: c.name,
        code: c.code,
        message: typeof c.message === "string" ? fill(c.message) : expect.stringMatching(c.message),
        leaksSecret: false,
      }));
      expect(got).toEqual(want);
    });
  });

  describe(`${h.engine.id}: exec and query`, () => {
    test("exec reports rows affected; query binds parameters and keeps big integers exact", async () => {
      const p = t.placeholder;
      await h.session.exec(`CREATE TABLE eq_t (id INTEGER PRIMARY KEY, n ${t.bigintType}, s VARCHAR(20))`);
      const inserted = await h.session.exec(
        "INSERT INTO eq_t (id, n, s) VALUES (1, 9007199254740993, 'big'), (2, 42, 'small')",
      );
      const rows = await h.session.query(`SELECT id, n, s FROM eq_t WHERE id >= ${p(1)} AND s <> ${p(2)} ORDER BY id`, [
        1,
        "none",
      ]);
      const dropped = await h.session.exec("DROP TABLE eq_t");
      expect({ inserted, rows, dropped }).toEqual({
        inserted: { rowsAffected: 2 },
        rows: [
          { id: 1, n: "9007199254740993", s: "big" },
          { id: 2, n: 42, s: "small" },
        ],
        dropped: { rowsAffected: 0 },
      });
    });

    test("a failing statement throws a MigratrixError with the native code", async () => {
      const err = await h.session.exec(t.failingStatement.sql).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigratrixError);
      const m = err as MigratrixError;
      expect({ code: m.code, nativeCode: m.detail.nativeCode }).toEqual({
        code: t.failingStatement.error.code,
        nativeCode: t.failingStatement.error.nativeCode,
      });
    });
  });

  describe(`${h.engine.id}: introspection`, () => {
    test("the fixture schema reads back as the expected snapshot", async () => {
      for (const s of h.engine.dialect.split(t.fixture.sql).statements) await h.session.exec(s.text);
      const got = await snapshot();
      expect(got).toEqual(t.fixture.expected(await h.session.serverVersion(), h.db.database));
    });
  });

  defineRunnerCases(h);
}
