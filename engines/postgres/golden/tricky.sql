/* header /* nested; */ still comment; */
CREATE RULE log_ins AS ON INSERT TO t DO ALSO (
  INSERT INTO log VALUES (NEW.id, 'ins;');
  NOTIFY t_changed
);
SELECT E'\\'';' AS a, U&'\0041;' AS b, "Ünï;code" FROM "t;"; -- trailing; comment
CREATE FUNCTION add(a int, b int) RETURNS int
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN a + b END;
END;
SELECT 'never closed;
SELECT 1;
