// Risk of a migration, assessed once when it is created so promotion can refuse a Critical one
// without re-parsing, and the CLI shows the same report the policy acted on.
import { MigratrixError } from "../../common/errors.ts";
import { assess, RISK_ENGINES } from "../../engines/risk/index.ts";
import type { EngineId } from "../../engines/types.ts";
import type { MigrationRiskJson } from "../store/schema.ts";
import type { ParsedMigration } from "./migration-file.ts";

export async function assessMigration(parsed: ParsedMigration, engine: string): Promise<MigrationRiskJson> {
  const id = RISK_ENGINES.find((e) => e === engine);
  if (id === undefined) {
    return { level: "unknown", reason: `risk assessment has no rules for ${engine} in this version` };
  }
  const up = await section(parsed.up, id, parsed.upFirstLine, parsed.noTransaction);
  if (parsed.down.trim() === "") return { level: up.level, up };
  const down = await section(parsed.down, id, parsed.downFirstLine ?? 1, parsed.noTransaction);
  // The level is the up section's: promotion runs it, while a down section nearly always drops
  // what the up created, so counting it would make every reversible migration Critical.
  return { level: up.level, up, down };
}

async function section(sql: string, engine: EngineId, firstLine: number, noTransaction: boolean) {
  try {
    return await assess(sql, { engine, firstLine, noTransaction });
  } catch (err) {
    const e = MigratrixError.from(err);
    throw new MigratrixError(e.code, `assessing the risk of the migration at line ${firstLine}: ${e.message}`);
  }
}

/** Findings of the given sections of a stored report, as "line:column check (level)" strings. */
export function riskFindings(
  risk: MigrationRiskJson | null,
  sections: readonly ("up" | "down")[] = ["up", "down"],
): string[] {
  if (!risk) return [];
  const out: string[] = [];
  for (const report of sections.map((s) => risk[s])) {
    for (const st of report?.statements ?? []) {
      for (const f of st.findings) out.push(`${f.line}:${f.column} ${f.check} (${f.level})`);
    }
  }
  return out;
}
