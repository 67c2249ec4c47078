2DELIMITER $$

CREATE TRIGGER orders_before_insert BEFORE INSERT ON orders
FOR EACH ROW
BEGIN
    IF NEW.total < 0 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative total; rejected';
    END IF;
    SET NEW.created_at = NOW();
END$$

CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC
RETURN x * 2 $$
DELIMITER ;
INSERT INTO orders (total) VALUES (1);
