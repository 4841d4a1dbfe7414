/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table `t;1`
--

DROP TABLE IF EXISTS `t;1`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `t;1` (
  `id` int(11) NOT NULL,
  `msg` varchar(50) DEFAULT 'it''s; \'quoted\'',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `t;1` WRITE;
INSERT INTO `t;1` VALUES (1,'a\\b;'),(2,'line\nbreak; "dq"');
UNLOCK TABLES;

DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `t1_bi` BEFORE INSERT ON `t;1` FOR EACH ROW BEGIN
  SET NEW.msg = CONCAT(NEW.msg, ';');
END */;;
DELIMITER ;

DELIMITER $$
CREATE PROCEDURE p_count(OUT c INT)
BEGIN
  SELECT COUNT(*) INTO c FROM `t;1`;
END$$
DELIMITER ;
#
# hash comment; not a statement
SELECT 1--1;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
