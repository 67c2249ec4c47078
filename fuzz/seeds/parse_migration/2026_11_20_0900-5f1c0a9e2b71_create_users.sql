-- Create users
--
-- People who sign in with GitHub.
--
-- revision: 5f1c0a9e2b71
-- created: 2026-11-20T09:00:00Z

-- migrate:up
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255),
    github_id BIGINT UNIQUE,
    github_token VARCHAR(255),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:down
DROP TABLE users;
