SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE users ADD CONSTRAINT users_locale_nn CHECK (locale IS NOT NULL) NOT VALID;
