// Shared machinery for the dialect files: lexing helpers, the splitter driver, quoting helpers.

export * from "./lexer.ts";
export { createLocator, type LineColumn } from "./locator.ts";
export { quoteIdentWith, rejectNulInLiteral, standardLiteral } from "./quote.ts";
export {
  comments,
  composeDialect,
  composeLexer,
  type LexPart,
  nulFreeLiteral,
  parenDepth,
  type QuoteRule,
  quotedAt,
  quotes,
  scanToBracket,
  words,
} from "./spec-parts.ts";
export {
  type Opener,
  type SigToken,
  type SplitSpec,
  type StatementAnalyzer,
  separatorLine,
  splitSql,
} from "./splitter.ts";
