-- Reference data: countries and currencies; the rows are in ../shared/reference_data.sql.
CREATE TABLE countries (code CHAR(2 CHAR) NOT NULL PRIMARY KEY, name VARCHAR2(100 CHAR) NOT NULL);
CREATE TABLE currencies (code CHAR(3 CHAR) NOT NULL PRIMARY KEY, name VARCHAR2(100 CHAR) NOT NULL, minor_units NUMBER(1) NOT NULL);
