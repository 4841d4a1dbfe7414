import { expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import type { EngineId } from "../../engines/index.ts";
import { classify, classifyAll } from "./classify.ts";

const cases: [EngineId, string, string][] = [
  ["postgresql", "select * from users", "read"],
  ["postgresql", "with x as (select 1) select * from x", "read"],
  ["postgresql", "select 'insert into t' as label, \"update\" from t -- delete", "read"],
  ["postgresql", "explain select 1", "read"],
  ["postgresql", "values (1), (2)", "read"],
  ["postgresql", "insert into t values (1)", "write:INSERT"],
  ["postgresql", "with d as (delete from t returning *) select * from d", "write:DELETE"],
  ["postgresql", "select * into t2 from t", "write:INTO"],
  ["postgresql", "select nextval('s')", "write:nextval()"],
  ["postgresql", "select setval('s', 1)", "write:setval()"],
  ["postgresql", "copy t to program 'x'", "write:COPY"],
  ["postgresql", "select lo_export(1, '/tmp/x')", "write:lo_export()"],
  ["postgresql", "select pg_read_file('/etc/passwd')", "write:pg_read_file()"],
  ["postgresql", "select * from dblink('x', 'y') as t(a int)", "write:dblink()"],
  ["postgresql", "set default_transaction_read_only = off", "write:SET"],
  ["postgresql", "commit", "write:COMMIT"],
  ["postgresql", "select * from t for update", "write:UPDATE"],
  ["postgresql", "explain analyze delete from t", "write:ANALYZE"],
  ["mariadb", "SET SESSION TRANSACTION READ WRITE", "write:SET"],
  ["mariadb", "select * from t into outfile '/tmp/x'", "write:INTO"],
  ["mariadb", "replace into t values (1)", "write:REPLACE"],
  ["mariadb", "show tables", "read"],
  ["sqlite", "PRAGMA query_only = 0", "write:PRAGMA assignment"],
  ["sqlite", "PRAGMA table_list", "read"],
  ["sqlite", "select load_extension('x')", "write:load_extension()"],
  // Only built-ins known to be read-only are calls a read may make: a user's function may write.
  [
    "postgresql",
    "select sneaky()",
    "write:sneaky(): not a known read-only function (a function may write; only built-ins without side effects run here)",
  ],
  [
    "postgresql",
    'select "Sneaky"(1)',
    "write:sneaky(): not a known read-only function (a function may write; only built-ins without side effects run here)",
  ],
  [
    "postgresql",
    "select app.bump_counter(id) from t",
    "write:bump_counter(): not a known read-only function (a function may write; only built-ins without side effects run here)",
  ],
  [
    "mariadb",
    "select audit_touch(id) from t",
    "write:audit_touch(): not a known read-only function (a function may write; only built-ins without side effects run here)",
  ],
  ["postgresql", "select upper(email), count(*), coalesce(a, b), now() from t where id in (1, 2) group by 1", "read"],
  ["postgresql", "select cast(x as varchar(10)), x::numeric(10, 2), extract(year from ts) from t", "read"],
  ["postgresql", "with recent(id, at) as (select id, created_at from t) select * from recent", "read"],
  ["postgresql", "select g.n from generate_series(1, 3) as g(n)", "read"],
  [
    "postgresql",
    "select row_number() over (partition by a order by b), lag(b) over w from t window w as (order by b)",
    "read",
  ],
  ["postgresql", "select * from t where exists (select 1 from u where u.id = t.id) and x = any(array[1, 2])", "read"],
  ["mariadb", "select date_format(now(), '%Y'), ifnull(a, 0), json_extract(doc, '$.a') from t", "read"],
  ["sqlite", "select strftime('%Y', created_at), json_extract(doc, '$.a') from t", "read"],
  ["sqlite", "select * from pragma_table_info('t')", "read"],
];

test.each(cases)("%s: %s → %s", (engine, sql, want) => {
  const c = classify(sql, engine);
  expect(c.kind === "read" ? "read" : `write:${c.reason}`).toBe(want);
});

test.each([
  ["postgresql", "select 1; select 2"],
  ["postgresql", "commit; delete from t"],
  ["mariadb", "select 1; select 2"],
  ["sqlite", ""],
] as [EngineId, string][])("%s: %p is not exactly one statement", (engine, sql) => {
  let err: unknown;
  try {
    classify(sql, engine);
  } catch (e) {
    err = e;
  }
  expect(err instanceof MigratrixError ? err.code : err).toBe("invalid_argument");
});

test.each([
  ["postgresql", "select 1; select 2", ["read", "read"]],
  ["postgresql", "select 1; delete from t; select 2", ["read", "write:DELETE", "read"]],
  ["postgresql", "commit; delete from t", ["write:COMMIT", "write:DELETE"]],
  ["postgresql", "set default_transaction_read_only = off; select 1", ["write:SET", "read"]],
  [
    "postgresql",
    "create function f() returns int as $$ select 1; $$ language sql; select f()",
    // f() is the user's own function: not known to be read-only.
    [
      "write:CREATE",
      "write:f(): not a known read-only function (a function may write; only built-ins without side effects run here)",
    ],
  ],
  ["mariadb", "select 1; SET SESSION TRANSACTION READ WRITE", ["read", "write:SET"]],
  ["sqlite", "PRAGMA query_only = 0; delete from t", ["write:PRAGMA assignment", "write:DELETE"]],
] as [EngineId, string, string[]][])("%s: every statement of %p classified on its own", (engine, sql, want) => {
  expect(classifyAll(sql, engine).map((c) => (c.kind === "read" ? "read" : `write:${c.reason}`))).toEqual(want);
});

test("classifyAll refuses SQL without a statement or that does not split", () => {
  const code = (sql: string) => {
    try {
      classifyAll(sql, "postgresql");
      return "ok";
    } catch (e) {
      return e instanceof MigratrixError ? e.code : "other";
    }
  };
  expect([code(""), code("-- nothing"), code("select 'unclosed")]).toEqual([
    "invalid_argument",
    "invalid_argument",
    "invalid_argument",
  ]);
});
