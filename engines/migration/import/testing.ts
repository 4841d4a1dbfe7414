// Test fixtures: Flyway's history table in its real layout (PostgreSQL and MariaDB accept it as is),
// for the history tests here and the import tests through the agent.
export const FLYWAY_TABLE =
  "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)";
export const flywayRow = (rank: number, version: string, script: string, success: boolean) =>
  `INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (${rank}, '${version}', 'x', 'SQL', '${script}', 1, 'ci', 5, ${success ? "TRUE" : "FALSE"})`;
