-- The schema the quick start's migrations build, declared: `retort check` compares the
-- migrated database with it, and `retort revision --autogenerate` writes what a change to it needs.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255),
    github_id BIGINT UNIQUE,
    github_token VARCHAR(255),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

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

CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL,
    status VARCHAR(32) NOT NULL DEFAULT 'pending',
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    total_files INTEGER,
    issues_found INTEGER,
    FOREIGN KEY (repository_id) REFERENCES repositories (id)
);

CREATE TABLE vulnerabilities (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL,
    type VARCHAR(64) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    file_path VARCHAR(1024) NOT NULL,
    line_number INTEGER,
    message TEXT,
    fixable BOOLEAN NOT NULL DEFAULT FALSE,
    confidence_score REAL,
    severity_rank INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (scan_id) REFERENCES scans (id)
);

CREATE TABLE pull_requests (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL,
    pr_url VARCHAR(1024),
    branch_name VARCHAR(255) NOT NULL,
    status VARCHAR(32) NOT NULL DEFAULT 'created',
    fixes_applied INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (scan_id) REFERENCES scans (id)
);

CREATE INDEX ix_repositories_repo_name ON repositories (repo_name);
CREATE INDEX ix_vulnerabilities_severity ON vulnerabilities (severity, created_at);
