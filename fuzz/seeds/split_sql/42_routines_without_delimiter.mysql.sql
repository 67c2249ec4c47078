2CREATE DEFINER=`admin`@`%` PROCEDURE process_orders(IN batch INT)
MODIFIES SQL DATA
BEGIN
    DECLARE done INT DEFAULT 0;
    DECLARE n INT DEFAULT 0;
    DECLARE cur CURSOR FOR SELECT id FROM orders WHERE status = 'new';
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;

    OPEN cur;
    read_loop: LOOP
        FETCH cur INTO n;
        IF done THEN
            LEAVE read_loop;
        ELSEIF n % 2 = 0 THEN
            UPDATE orders SET status = 'even' WHERE id = n;
        ELSE
            BEGIN
                DECLARE msg VARCHAR(20) DEFAULT IF(n > 100, 'big;', 'small;');
                INSERT INTO log (m) VALUES (msg);
            END;
        END IF;
        CASE n
            WHEN 1 THEN SET @first = TRUE;
            ELSE SET @first = FALSE;
        END CASE;
    END LOOP read_loop;
    CLOSE cur;

    counter: WHILE batch > 0 DO
        SET batch = batch - 1;
        REPEAT
            SET n = n - 1;
        UNTIL n <= 0 END REPEAT;
    END WHILE counter;

    inner_block: BEGIN
        SELECT CASE WHEN batch = 0 THEN 'done' ELSE REPEAT('x', 3) END AS state;
    END inner_block;
END;
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW
BEGIN
    INSERT INTO audit (order_id, changed) VALUES (NEW.id, NOW());
END;
CREATE DEFINER = CURRENT_USER EVENT purge_log ON SCHEDULE EVERY 1 DAY DO
BEGIN
    DELETE FROM log WHERE created < NOW() - INTERVAL 30 DAY;
END;
CREATE FUNCTION hello(s CHAR(20)) RETURNS CHAR(50) DETERMINISTIC RETURN CONCAT('Hello, ', s, '!');
CALL process_orders(10);
