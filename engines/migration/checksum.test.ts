import { describe, expect, test } from "bun:test";
import { migrationChecksum, normaliseMigrationText } from "./checksum.ts";

// Expected values computed outside this code (printf '…' | sha256sum). They are stored in customer
// history tables: if one of these changes, the normalisation changed, and that must never happen.
const GOLDEN: Array<[string, string, string]> = [
  ["plain file", "CREATE TABLE a (id int);\n", "c2de7559380e5ebf65caa7d59e166558e80243cf7e70006cc98d1593d94203c1"],
  [
    "whole file with markers",
    "-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n",
    "dd9678fb241cc63e2c1ab9acd0e70e16b410c42729118a7d20e1e1f852e2b5d5",
  ],
  ["empty file", "", "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"],
  ["no final newline", "x", "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac"],
  ["lone CR is a line end", "a\rb", "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2"],
  ["no-break space is not stripped", "a\u00a0", "be493412e853f87564f253c76da79fbdfe5b2310f14d3562344e3ff6fbdba457"],
  ["leading blank lines are kept", "\n\nx", "a40b5589696323f6e193143afa749d8ab7d3023e9a2e2eaa511b8098a6f16190"],
  ["indentation is kept", "\tindented", "809362fd3dd67fdb86123de266cd6689b3e549212cc10f335879ee99972a7223"],
];

describe("migrationChecksum goldens", () => {
  test("fixed hex values", () => {
    expect(GOLDEN.map(([name, content]) => [name, migrationChecksum(content)])).toEqual(
      GOLDEN.map(([name, , hex]) => [name, hex]),
    );
  });
});

describe("normalisation", () => {
  const plain = "CREATE TABLE a (id int);\n";
  test("BOM, CRLF, trailing blanks and trailing blank lines do not change the checksum", () => {
    const variants = [
      "CREATE TABLE a (id int);",
      "CREATE TABLE a (id int);\r\n",
      "\uFEFFCREATE TABLE a (id int);  \t\r\n\r\n \t\r\n",
      "CREATE TABLE a (id int);\v\f\n\n\n",
      "CREATE TABLE a (id int);\r",
    ];
    expect(variants.map(migrationChecksum)).toEqual(variants.map(() => migrationChecksum(plain)));
  });
  test("a changed character, case or inner space changes it", () => {
    const changed = ["CREATE TABLE b (id int);\n", "create TABLE a (id int);\n", "CREATE TABLE a  (id int);\n"];
    expect(changed.map((c) => migrationChecksum(c) === migrationChecksum(plain))).toEqual([false, false, false]);
    expect(migrationChecksum(changed[0] ?? "")).toBe(
      "07bbd90b208c445921accaef655512d2f9ab45bc584c5f71c3b8bc043e290d02",
    );
  });
  test("normaliseMigrationText shows exactly what is hashed", () => {
    expect(["", " \n\t\n", "\uFEFFa \r\nb\t\rc", "x\n\n", "\n\ny  "].map(normaliseMigrationText)).toEqual([
      "\n",
      "\n",
      "a\nb\nc\n",
      "x\n",
      "\n\ny\n",
    ]);
  });
});
