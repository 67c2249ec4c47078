1CREATE RULE log_insert AS ON INSERT TO orders DO ALSO (
    INSERT INTO audit VALUES (NEW.id, 'insert');
    NOTIFY orders_changed;
);
SELECT ((1 + 2)) ; SELECT ')' || '(';
