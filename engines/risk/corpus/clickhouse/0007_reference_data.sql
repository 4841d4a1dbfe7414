-- Reference data: countries and currencies (small lookup tables); the rows are in ../shared/reference_data.sql.
CREATE TABLE IF NOT EXISTS countries (code FixedString(2), name String) ENGINE = ReplacingMergeTree ORDER BY code;
CREATE TABLE IF NOT EXISTS currencies (code FixedString(3), name String, minor_units UInt8) ENGINE = ReplacingMergeTree ORDER BY code;
