SET lock_timeout = '5s';
SET statement_timeout = '60s';

-- expand/contract: readers stopped using the column two releases ago
ALTER TABLE projects ALTER COLUMN description DROP DEFAULT;
COMMENT ON COLUMN projects.description IS 'deprecated: use project_docs';
