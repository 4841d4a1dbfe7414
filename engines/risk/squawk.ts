// squawk's rules mapped to our catalog checks (RISK-CATALOG.md's squawk column), for the
// side-by-side test and the benchmark. A squawk rule may map to several checks: firing any counts.
import type { CheckId } from "./catalog.ts";

export const SQUAWK_RULES: Record<string, readonly CheckId[]> = {
  "ban-drop-table": ["drop-table"],
  "ban-drop-database": ["drop-database-or-schema"],
  "ban-truncate-cascade": ["cascade"],
  "ban-drop-column": ["drop-column"],
  "ban-drop-not-null": ["drop-not-null"],
  "syntax-error": ["syntax-error", "unclosed-quote", "unbalanced-parens", "unsupported-type"],
  "ban-duplicate-column-assignments": ["duplicate-column"],
  "adding-required-field": ["not-null-without-default"],
  "ban-concurrent-index-creation-in-transaction": ["concurrent-index-in-transaction"],
  "transaction-nesting": ["transaction-control"],
  "ban-uncommitted-transaction": ["transaction-control"],
  "require-concurrent-index-creation": ["create-index-non-concurrent"],
  "require-concurrent-index-deletion": ["drop-index-non-concurrent"],
  "changing-column-type": ["alter-column-type"],
  "adding-field-with-default": ["add-column-volatile-default", "add-column-rewrite-type"],
  "adding-foreign-key-constraint": ["add-fk-validating"],
  // squawk also fires it for UNIQUE, PRIMARY KEY and EXCLUDE, which cannot be NOT VALID.
  "constraint-missing-not-valid": [
    "add-fk-validating",
    "add-check-validating",
    "add-unique-constraint",
    "add-primary-key-existing",
    "add-exclusion-constraint",
  ],
  "adding-not-nullable-field": ["set-not-null"],
  "disallowed-unique-constraint": ["add-unique-constraint"],
  "adding-serial-primary-key-field": ["add-primary-key-existing"],
  "require-concurrent-reindex": ["reindex-non-concurrent"],
  "prefer-repack": ["vacuum-full-cluster"],
  "require-concurrent-partition-detach": ["detach-partition"],
  "require-lock-timeout": ["missing-lock-timeout"],
  "require-statement-timeout": ["missing-statement-timeout"],
  "ban-create-domain-with-constraint": ["domain-constraint"],
  "ban-alter-domain-with-add-constraint": ["domain-constraint"],
  "require-enum-value-ordering": ["enum-change"],
  "renaming-column": ["rename-column"],
  "renaming-table": ["rename-table"],
  "prefer-bigint-over-int": ["type-hygiene"],
  "prefer-bigint-over-smallint": ["type-hygiene"],
  "prefer-big-int": ["type-hygiene"],
  "prefer-identity": ["type-hygiene"],
  "prefer-text-field": ["type-hygiene"],
  "prefer-timestamptz": ["type-hygiene"],
  "prefer-timestamp-tz": ["type-hygiene"],
  "ban-char-field": ["type-hygiene"],
  "identifier-too-long": ["naming"],
  "require-table-schema": ["require-schema-qualified"],
  "prefer-robust-stmts": ["non-idempotent"],
};

export interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
}

/**
 * The native squawk binary of this platform (squawk-cli's optional dependency), called directly:
 * the npm wrapper would add a Node start-up to every run and to the benchmark's baseline.
 */
export const SQUAWK_BIN = nativeSquawk();

function nativeSquawk(): string {
  try {
    return require.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
  } catch (err) {
    // Platforms without the native package still have the wrapper, which finds or reports it.
    void err;
    return new URL("../../node_modules/.bin/squawk", import.meta.url).pathname;
  }
}
