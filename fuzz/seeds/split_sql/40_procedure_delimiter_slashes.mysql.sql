2DROP PROCEDURE IF EXISTS add_user;
DELIMITER //
CREATE PROCEDURE add_user(IN p_name VARCHAR(100))
BEGIN
    INSERT INTO users (name) VALUES (p_name);
    SELECT LAST_INSERT_ID(); -- the id; for the caller
END //
CALL add_user('a//b')//
DELIMITER ;
SELECT 'back to semicolons';
