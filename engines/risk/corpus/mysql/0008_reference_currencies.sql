-- Reference data: currencies (ISO 4217) with their minor units.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE TABLE IF NOT EXISTS currencies (
  code CHAR(3) NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  minor_units TINYINT UNSIGNED NOT NULL DEFAULT 2
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO currencies (code, name, minor_units) VALUES ('EUR', 'Euro', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('USD', 'US Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('GBP', 'Pound Sterling', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('CHF', 'Swiss Franc', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('JPY', 'Yen', 0);
INSERT INTO currencies (code, name, minor_units) VALUES ('CNY', 'Yuan Renminbi', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('SEK', 'Swedish Krona', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('NOK', 'Norwegian Krone', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('DKK', 'Danish Krone', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('PLN', 'Zloty', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('CZK', 'Czech Koruna', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('HUF', 'Forint', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('RON', 'Romanian Leu', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('BGN', 'Bulgarian Lev', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('TRY', 'Turkish Lira', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('AUD', 'Australian Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('NZD', 'New Zealand Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('CAD', 'Canadian Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('MXN', 'Mexican Peso', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('BRL', 'Brazilian Real', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('ARS', 'Argentine Peso', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('CLP', 'Chilean Peso', 0);
INSERT INTO currencies (code, name, minor_units) VALUES ('COP', 'Colombian Peso', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('INR', 'Indian Rupee', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('KRW', 'Won', 0);
INSERT INTO currencies (code, name, minor_units) VALUES ('SGD', 'Singapore Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('HKD', 'Hong Kong Dollar', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('ZAR', 'Rand', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('ILS', 'New Israeli Sheqel', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('AED', 'UAE Dirham', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('SAR', 'Saudi Riyal', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('THB', 'Baht', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('IDR', 'Rupiah', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('MYR', 'Malaysian Ringgit', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('PHP', 'Philippine Peso', 2);
INSERT INTO currencies (code, name, minor_units) VALUES ('VND', 'Dong', 0);
INSERT INTO currencies (code, name, minor_units) VALUES ('KWD', 'Kuwaiti Dinar', 3);
INSERT INTO currencies (code, name, minor_units) VALUES ('BHD', 'Bahraini Dinar', 3);
