0CREATE TRIGGER IF NOT EXISTS orders_status AFTER UPDATE OF status ON orders
FOR EACH ROW
WHEN NEW.status <> OLD.status
BEGIN
    INSERT INTO order_log (order_id, note) VALUES (
        NEW.id,
        CASE NEW.status
            WHEN 'paid' THEN 'paid; thanks'
            WHEN 'void' THEN (SELECT CASE WHEN OLD.total > 0 THEN 'refund' ELSE 'none' END)
            ELSE 'other'
        END
    );
    UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
CREATE INDEX order_log_order ON order_log (order_id);
CREATE TEMP TRIGGER t2 BEFORE DELETE ON orders BEGIN SELECT RAISE(ABORT, 'no; deleting'); END
;
SELECT 'after';
