SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE tasks VALIDATE CONSTRAINT tasks_label_fk;
