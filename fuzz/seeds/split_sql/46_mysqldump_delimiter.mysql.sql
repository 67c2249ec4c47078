2/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `t`;
/*!50003 SET @saved_sql_mode = @@sql_mode */ ;
delimiter ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW BEGIN
  SET NEW.a = 1;
END */;;
CREATE PROCEDURE p()
BEGIN
  SELECT ';;' AS `semi;;colons`; -- ;; in a comment
END ;;
DELIMITER ;
/*!50003 SET sql_mode = @saved_sql_mode */ ;
