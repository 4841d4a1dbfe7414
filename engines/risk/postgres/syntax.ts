// A statement PostgreSQL's parser rejects: which catalog check it is (syntax, parentheses, a MySQL
// type) and where.

import type { Statement } from "../../types.ts";
import type { CheckId } from "../catalog.ts";
import { scan } from "./parser.ts";

export interface SyntaxFinding {
  check: CheckId;
  offset: number;
  message: string;
  hint: string;
}

const FOREIGN_MODIFIERS = new Set(["unsigned", "zerofill"]);

export function syntaxFindings(st: Statement, error: { message: string; offset: number } | undefined): SyntaxFinding[] {
  if (error === undefined) return [];
  const balance = parenBalance(st.text);
  if (balance !== 0) {
    return [
      {
        check: "unbalanced-parens",
        offset: error.offset,
        message:
          balance > 0
            ? `${balance} unclosed parenthes${balance === 1 ? "is" : "es"} in this statement: ${error.message}`
            : `${-balance} extra closing parenthes${balance === -1 ? "is" : "es"} in this statement: ${error.message}`,
        hint: "balance the parentheses; every ( needs its )",
      },
    ];
  }
  const near = /at or near "([^"]*)"/.exec(error.message)?.[1]?.toLowerCase();
  if (near !== undefined && FOREIGN_MODIFIERS.has(near)) {
    return [
      {
        check: "unsupported-type",
        offset: error.offset,
        message: `PostgreSQL has no ${near.toUpperCase()} types (MySQL syntax)`,
        hint: "use a wider signed type (bigint for INT UNSIGNED) and a CHECK (col >= 0) constraint",
      },
    ];
  }
  const before = st.text.slice(0, Math.max(0, error.offset - st.start.offset));
  if (near === "(" && /\b(?:tiny|small|medium|big)?int(?:eger)?\s*$/i.test(before)) {
    return [
      {
        check: "unsupported-type",
        offset: error.offset,
        message: "PostgreSQL integers take no display width (MySQL's INT(11))",
        hint: "drop the (n): integer, bigint or smallint",
      },
    ];
  }
  return [
    {
      check: "syntax-error",
      offset: error.offset,
      message: `PostgreSQL cannot parse this statement: ${error.message}`,
      hint: "fix the statement; PostgreSQL would reject it and stop the migration here",
    },
  ];
}

/** Opening minus closing parentheses outside strings and comments; 0 when the scanner fails too. */
function parenBalance(text: string): number {
  try {
    let n = 0;
    for (const t of scan(text).tokens) {
      if (t.tokenName === "ASCII_40") n++;
      else if (t.tokenName === "ASCII_41") n--;
    }
    return n;
  } catch {
    // An unscannable statement has no token count to trust; the syntax error stands alone.
    return 0;
  }
}
