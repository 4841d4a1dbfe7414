// Migration files: the -- UP / -- DOWN format, ids from file names, and the checksum kept forever.

export { migrationChecksum, normaliseMigrationText } from "./checksum.ts";
export { type MigrationName, parseMigrationFileName } from "./filename.ts";
export * from "./import/index.ts";
export { type MigrationFile, parseMigrationFile } from "./parse.ts";
