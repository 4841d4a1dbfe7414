SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE tasks ADD COLUMN label_id bigint;
ALTER TABLE tasks ADD CONSTRAINT tasks_label_fk FOREIGN KEY (label_id) REFERENCES labels (id) NOT VALID;
