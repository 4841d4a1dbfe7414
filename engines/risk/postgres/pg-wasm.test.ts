// The parser driven directly (pg-wasm.ts) answers as libpg-query's own wrapper does, and its JSON is
// read in place (jsonAt) exactly as JSON.parse reads the text.
import { describe, expect, test } from "bun:test";
import { parse as wrapperParse } from "libpg-query";
import { parse, parserReady } from "./parser.ts";
import { jsonAt } from "./pg-wasm.ts";

await parserReady();

const bytes = (text: string) => new TextEncoder().encode(text);

describe("jsonAt", () => {
  test("a window of the bytes, ASCII and not, as JSON.parse reads it", () => {
    for (const json of ['{"a":[1,{"b":"x"}],"n":null}', '{"s":"é€😀\\n\\"q\\"","k":-0.5e3}', "[]", '"only"', "42"]) {
      const b = bytes(`xx${json}\u0000yy`);
      expect(jsonAt(b, 2, 2 + bytes(json).length)).toEqual(JSON.parse(json));
    }
  });

  test("JSON over several lines is still one value", () => {
    const json = '{\n  "a": [\n    1,\n    2\n  ]\n}';
    expect(jsonAt(bytes(json), 0, bytes(json).length)).toEqual({ a: [1, 2] });
  });

  test("two values, or a broken one, are a SyntaxError, not a guess", () => {
    for (const text of ['{"a":1}{"b":2}', '{"a":1}\n{"b":2}', '{"a":', "{bad}", ""]) {
      expect(() => jsonAt(bytes(text), 0, bytes(text).length)).toThrow(SyntaxError);
    }
  });
});

describe("parse", () => {
  test("the same tree as libpg-query's wrapper, on text that is not plain ASCII", async () => {
    const scripts = [
      "SELECT 'é€😀', E'\\n\\t\\\\', 'a\"b', $$x\ny$$, U&'\\0041', 1.5e10, 123456789012345678901234567890;",
      'CREATE TABLE "ta""b" ("cé" int NOT NULL DEFAULT 0, CONSTRAINT k CHECK ("cé" > -1));',
      "ALTER TABLE t ADD COLUMN c text DEFAULT 'naïve';\nCOMMENT ON TABLE t IS '表';",
    ];
    for (const sql of scripts) {
      const got = parse(sql);
      expect(got.ok).toBe(true);
      if (got.ok) expect(got.value).toEqual(await wrapperParse(sql));
    }
  });

  test("a refusal is a value with PostgreSQL's message and cursor", () => {
    const got = parse("SELECT FROM WHERE;");
    expect(got).toEqual({ ok: false, message: 'syntax error at or near "WHERE"', at: 12 });
  });
});
