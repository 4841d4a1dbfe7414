SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TABLE countries (
  code text PRIMARY KEY CHECK (length(code) = 2),
  name text NOT NULL,
  vat_rate numeric(5,2)
);
INSERT INTO countries (code, name, vat_rate) VALUES ('AT', 'Country AT', 15.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('BE', 'Country BE', 16.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('BG', 'Country BG', 17.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('HR', 'Country HR', 18.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('CY', 'Country CY', 19.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('CZ', 'Country CZ', 20.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('DK', 'Country DK', 21.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('EE', 'Country EE', 22.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('FI', 'Country FI', 23.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('FR', 'Country FR', 24.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('DE', 'Country DE', 15.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('GR', 'Country GR', 16.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('HU', 'Country HU', 17.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('IE', 'Country IE', 18.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('IT', 'Country IT', 19.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('LV', 'Country LV', 20.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('LT', 'Country LT', 21.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('LU', 'Country LU', 22.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('MT', 'Country MT', 23.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('NL', 'Country NL', 24.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('PL', 'Country PL', 15.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('PT', 'Country PT', 16.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('RO', 'Country RO', 17.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('SK', 'Country SK', 18.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('SI', 'Country SI', 19.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('ES', 'Country ES', 20.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('SE', 'Country SE', 21.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('GB', 'Country GB', 22.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('NO', 'Country NO', 23.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('CH', 'Country CH', 24.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('US', 'Country US', 15.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('CA', 'Country CA', 16.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('MX', 'Country MX', 17.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('BR', 'Country BR', 18.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('AR', 'Country AR', 19.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('JP', 'Country JP', 20.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('KR', 'Country KR', 21.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('IN', 'Country IN', 22.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('AU', 'Country AU', 23.00);
INSERT INTO countries (code, name, vat_rate) VALUES ('NZ', 'Country NZ', 24.00);
