0CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE INDEX users_name ON users (name);

INSERT INTO users (name) VALUES ('alice'), ('bob'); SELECT count(*) FROM users;
