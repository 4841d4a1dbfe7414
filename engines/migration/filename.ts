// Migration ids and display names from file names. The id is the key in migratrix_history, so it
// is restricted to characters that are safe in SQL literals, URLs, shells and file systems.
//
// Accepted (".sql" or ".migration", case-insensitive; a directory part is ignored):
//   20260101120000_add_users.sql  → id "20260101120000_add_users", name "add users"   (timestamp, dbmate)
//   V1__init.sql, V1_2__x.sql     → id "V1__init", name "init"                       (Flyway versioned)
//   001_init.up.sql               → id "001_init", name "init"                        (golang-migrate)
// A ".down.sql" file is the other half of a golang-migrate pair and is refused here.

import { MigratrixError } from "../../common/errors.ts";

export interface MigrationName {
  id: string;
  name: string;
}

const MAX_ID_LENGTH = 200;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const FLYWAY = /^V\d+(?:[._]\d+)*__(.+)$/;
const NUMBERED = /^\d+_(.+)$/;

export function parseMigrationFileName(fileName: string): MigrationName {
  const base = fileName.slice(Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1);
  const fail = (why: string): never => {
    throw new MigratrixError("invalid_argument", `migration file ${JSON.stringify(fileName)}: ${why}`, {
      file: fileName,
    });
  };
  const ext = /\.(sql|migration)$/i.exec(base);
  if (!ext) fail('the name must end in ".sql" or ".migration"');
  let stem = base.slice(0, base.length - (ext?.[0].length ?? 0));
  if (/\.down$/i.test(stem)) fail("a .down.sql file is the down half of a pair; name the .up.sql file");
  if (/\.up$/i.test(stem)) stem = stem.slice(0, -3);
  if (!SAFE_ID.test(stem)) {
    fail("the name may hold only ASCII letters, digits, '_', '-' and '.' and must start with a letter or digit");
  }
  if (stem.length > MAX_ID_LENGTH) fail(`the name is longer than ${MAX_ID_LENGTH} characters`);
  const description = FLYWAY.exec(stem)?.[1] ?? NUMBERED.exec(stem)?.[1];
  if (description === undefined) {
    fail("the name must look like 20260101120000_add_users.sql, V1__init.sql or 001_init.up.sql");
  }
  const name = (description ?? "").split("_").filter(Boolean).join(" ");
  if (!/[A-Za-z0-9]/.test(name)) fail("the name has no description after its version");
  return { id: stem, name };
}
