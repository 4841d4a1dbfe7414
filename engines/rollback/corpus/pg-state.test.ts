import { expect, test } from "bun:test";
import { normaliseDump } from "./pg-state.ts";

test("dump normalisation drops noise and sorts the lines of a CREATE TABLE body only", () => {
  const dump = [
    "--",
    "-- PostgreSQL database dump",
    "\\restrict abc123",
    "SET statement_timeout = 0;",
    "SELECT pg_catalog.set_config('search_path', '', false);",
    "",
    "CREATE TABLE s.t (",
    "    id integer NOT NULL,",
    "    b text,",
    "    a text",
    ");",
    "ALTER TABLE ONLY s.t",
    "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    "\\unrestrict abc123",
  ].join("\n");
  expect(normaliseDump(dump)).toEqual([
    "CREATE TABLE s.t (",
    "    a text",
    "    b text",
    "    id integer NOT NULL",
    ");",
    "ALTER TABLE ONLY s.t",
    "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
  ]);
});
