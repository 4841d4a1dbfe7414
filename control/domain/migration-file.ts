// The control plane's one contact with migration files: engines parses the -- UP / -- DOWN format,
// computes the checksum kept forever, and splits the script in the engine's dialect; a problem in
// either becomes invalid_argument with file:line:column.
import { MigratrixError } from "../../common/errors.ts";
import { getEngine, isEngineId, parseMigrationFile } from "../../engines/index.ts";

export interface ParsedMigration {
  id: string;
  name: string;
  up: string;
  down: string;
  checksum: string;
  statements: number;
  upFirstLine: number;
  downFirstLine: number | null;
  noTransaction: boolean;
}

export function parseForEngine(fileName: string, content: string, engine: string): ParsedMigration {
  if (!isEngineId(engine)) throw new MigratrixError("invalid_argument", `${fileName}: unknown engine ${engine}`);
  const { dialect } = getEngine(engine);
  const file = parseMigrationFile(content, { fileName });
  const up = dialect.split(file.up, { firstLine: file.upStartLine });
  const down =
    file.down === null ? null : dialect.split(file.down, { firstLine: file.downStartLine ?? file.upStartLine });
  const problem = up.problems[0] ?? down?.problems[0];
  if (problem) {
    throw new MigratrixError("invalid_argument", `${fileName}:${problem.line}:${problem.column}: ${problem.message}`, {
      file: fileName,
      line: problem.line,
      column: problem.column,
      problem: problem.code,
    });
  }
  if (up.statements.length === 0) {
    throw new MigratrixError("invalid_argument", `${fileName}: the up section has no SQL statement`);
  }
  return {
    id: file.id,
    name: file.name,
    up: file.up,
    down: file.down ?? "",
    checksum: file.checksum,
    statements: up.statements.length,
    upFirstLine: file.upStartLine,
    downFirstLine: file.down === null ? null : (file.downStartLine ?? file.upStartLine),
    noTransaction: file.noTransaction,
  };
}
