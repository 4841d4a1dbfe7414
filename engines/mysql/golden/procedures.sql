-- Stored programs written without DELIMITER: the splitter keeps their bodies whole.
CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0, note VARCHAR(100));

CREATE DEFINER=`root`@`localhost` PROCEDURE bump(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE done INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SET done = 1; END;
  lbl: WHILE i < n DO
    IF i % 2 = 0 THEN
      SET i = i + IF(n > 10, 2, 1);
    ELSEIF i > 100 THEN
      LEAVE lbl;
    ELSE
      SET i = i + 1;
    END IF;
  END WHILE lbl;
  CASE n
    WHEN 1 THEN SELECT CASE WHEN i > 0 THEN 'pos;' ELSE 'neg' END AS sign;
    ELSE BEGIN SELECT 'other'; END;
  END CASE;
  REPEAT SET i = i - 1; UNTIL i <= 0 END REPEAT;
  outer_loop: LOOP
    SET i = i + 1;
    IF i > 3 THEN LEAVE outer_loop; END IF;
  END LOOP outer_loop;
  INSERT INTO counters (id, n, note) VALUES (1, i, REPEAT('x;', 2))
    ON DUPLICATE KEY UPDATE n = VALUES(n);
END;

CREATE FUNCTION sign_of(x INT) RETURNS VARCHAR(3) DETERMINISTIC
BEGIN
  RETURN CASE WHEN x < 0 THEN 'neg' WHEN x = 0 THEN 'zer' ELSE 'pos' END;
END;

CREATE TRIGGER counters_bi BEFORE INSERT ON counters FOR EACH ROW
BEGIN
  IF NEW.n < 0 THEN
    SET NEW.n = 0;
  END IF;
END;

CALL bump(5);
SELECT sign_of(-2), n FROM counters;
