-- Create repositories
--
-- revision: 8c3d47e1f0a2
-- revises: 5f1c0a9e2b71
-- created: 2026-11-20T09:15:00Z

-- migrate:up
CREATE TABLE repositories (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    repo_name VARCHAR(255) NOT NULL,
    repo_url VARCHAR(1024) NOT NULL,
    default_branch VARCHAR(255) NOT NULL DEFAULT 'main',
    is_private BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (user_id) REFERENCES users (id)
);

-- migrate:down
DROP TABLE repositories;
