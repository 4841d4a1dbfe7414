import { expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import {
  ENGINE_IDS,
  engineFromUrl,
  engineIdFromProto,
  engineIdFromUrl,
  engineToProto,
  getEngine,
  SUPPORTED_ENGINE_IDS,
} from "./index.ts";
import type { EngineId } from "./types.ts";

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    const m = e as MigratrixError;
    return { isError: m instanceof MigratrixError, code: m.code, message: m.message };
  }
  return null;
};

test("every engine with an adapter builds one with its own id", () => {
  expect(SUPPORTED_ENGINE_IDS.map((id) => [id, getEngine(id).id])).toEqual([
    ["postgresql", "postgresql"],
    ["mysql", "mysql"],
    ["mariadb", "mariadb"],
    ["sqlite", "sqlite"],
  ]);
});

test.each(["sqlserver", "oracle", "clickhouse"] as const)("%s says it has no adapter", (id) => {
  expect(errorOf(() => getEngine(id))).toEqual({
    isError: true,
    code: "unimplemented",
    message: `engine ${id} has no adapter in this version`,
  });
});

test.each<[string, EngineId]>([
  ["postgres://u:p@h/db", "postgresql"],
  ["postgresql://h/db", "postgresql"],
  ["mysql://h/db", "mysql"],
  ["MariaDB://h/db", "mariadb"],
  ["sqlite:///tmp/a.db", "sqlite"],
  ["sqlite::memory:", "sqlite"],
  ["sqlserver://h", "sqlserver"],
  ["oracle://h/svc", "oracle"],
  ["clickhouse://h", "clickhouse"],
])("engineIdFromUrl(%s) = %s", (url, id) => {
  expect(engineIdFromUrl(url)).toEqual(id);
});

test("engineFromUrl gives the adapter, or the honest unimplemented error", () => {
  expect([engineFromUrl("mariadb://h/db").id, errorOf(() => engineFromUrl("oracle://u:pw@h/svc"))]).toEqual([
    "mariadb",
    { isError: true, code: "unimplemented", message: "engine oracle has no adapter in this version" },
  ]);
});

test.each([
  ["http://u:secret@h/", 'URL scheme "http:" names no known database engine'],
  ["h:5432/db", 'URL scheme "h:" names no known database engine'],
  ["/tmp/a.db", "not a database URL: it has no scheme such as postgres:// or sqlite:"],
])("engineIdFromUrl refuses %s without echoing it", (url, start) => {
  const e = errorOf(() => engineIdFromUrl(url));
  expect({ code: e?.code, starts: e?.message.startsWith(start), leaks: e?.message.includes("secret") }).toEqual({
    code: "invalid_argument",
    starts: true,
    leaks: false,
  });
});

test("proto enum and engine ids map both ways for every engine", () => {
  expect(ENGINE_IDS.map((id) => [id, engineToProto(id), engineIdFromProto(engineToProto(id))])).toEqual([
    ["postgresql", Engine.POSTGRESQL, "postgresql"],
    ["mysql", Engine.MYSQL, "mysql"],
    ["mariadb", Engine.MARIADB, "mariadb"],
    ["sqlserver", Engine.SQLSERVER, "sqlserver"],
    ["oracle", Engine.ORACLE, "oracle"],
    ["clickhouse", Engine.CLICKHOUSE, "clickhouse"],
    ["sqlite", Engine.SQLITE, "sqlite"],
  ]);
  expect(errorOf(() => engineIdFromProto(Engine.UNSPECIFIED))).toEqual({
    isError: true,
    code: "invalid_argument",
    message: "engine enum value 0 names no engine",
  });
});
