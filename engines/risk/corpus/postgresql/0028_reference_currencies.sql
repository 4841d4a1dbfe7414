SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TABLE currencies (
  code text PRIMARY KEY,
  minor_units smallint NOT NULL DEFAULT 2
);
INSERT INTO currencies (code, minor_units) VALUES ('EUR', 2);
INSERT INTO currencies (code, minor_units) VALUES ('USD', 2);
INSERT INTO currencies (code, minor_units) VALUES ('GBP', 2);
INSERT INTO currencies (code, minor_units) VALUES ('CHF', 2);
INSERT INTO currencies (code, minor_units) VALUES ('JPY', 0);
INSERT INTO currencies (code, minor_units) VALUES ('SEK', 2);
INSERT INTO currencies (code, minor_units) VALUES ('NOK', 2);
INSERT INTO currencies (code, minor_units) VALUES ('DKK', 2);
INSERT INTO currencies (code, minor_units) VALUES ('PLN', 2);
INSERT INTO currencies (code, minor_units) VALUES ('CZK', 2);
INSERT INTO currencies (code, minor_units) VALUES ('HUF', 2);
INSERT INTO currencies (code, minor_units) VALUES ('RON', 2);
INSERT INTO currencies (code, minor_units) VALUES ('BGN', 2);
INSERT INTO currencies (code, minor_units) VALUES ('CAD', 2);
INSERT INTO currencies (code, minor_units) VALUES ('AUD', 2);
INSERT INTO currencies (code, minor_units) VALUES ('NZD', 2);
INSERT INTO currencies (code, minor_units) VALUES ('BRL', 2);
INSERT INTO currencies (code, minor_units) VALUES ('MXN', 2);
INSERT INTO currencies (code, minor_units) VALUES ('INR', 2);
INSERT INTO currencies (code, minor_units) VALUES ('KRW', 0);
INSERT INTO currencies (code, minor_units) VALUES ('ARS', 2);
