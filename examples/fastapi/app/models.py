"""The tables, declared once, here: retort reads them through `python -m app.schema_ddl`.

Change a model, then `retort revision --autogenerate -m "…"` writes the migration.
The columns, keys and indexes are those of examples/quickstart after its migrations.
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Index, Text, false, text
from sqlmodel import Field, SQLModel

# Filled in by the database when a row is inserted, as the migrations' DEFAULT says.
NOW = {"server_default": text("CURRENT_TIMESTAMP")}


class User(SQLModel, table=True):
    """People who sign in with GitHub."""

    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True)
    name: Optional[str] = Field(default=None, max_length=255)
    github_id: Optional[int] = Field(default=None, unique=True, sa_type=BigInteger)
    github_token: Optional[str] = Field(default=None, max_length=255)
    created_at: Optional[datetime] = Field(
        default=None, nullable=False, sa_column_kwargs=NOW
    )


class Repository(SQLModel, table=True):
    __tablename__ = "repositories"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    repo_name: str = Field(max_length=255, index=True)
    repo_url: str = Field(max_length=1024)
    default_branch: str = Field(
        default="main", max_length=255, sa_column_kwargs={"server_default": "main"}
    )
    is_private: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: Optional[datetime] = Field(
        default=None, nullable=False, sa_column_kwargs=NOW
    )


class Scan(SQLModel, table=True):
    """One run of the scanner over a repository."""

    __tablename__ = "scans"

    id: Optional[int] = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repositories.id")
    status: str = Field(
        default="pending", max_length=32, sa_column_kwargs={"server_default": "pending"}
    )
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    total_files: Optional[int] = None
    issues_found: Optional[int] = None


class Vulnerability(SQLModel, table=True):
    __tablename__ = "vulnerabilities"
    # The dashboard lists a scan's findings by severity, newest first.
    __table_args__ = (
        Index("ix_vulnerabilities_severity", "severity", "created_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scans.id")
    type: str = Field(max_length=64)
    severity: str = Field(max_length=16)
    # A number for sorting: critical 4, high 3, medium 2, low 1.
    severity_rank: Optional[int] = None
    file_path: str = Field(max_length=1024)
    line_number: Optional[int] = None
    message: Optional[str] = Field(default=None, sa_type=Text)
    fixable: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    confidence_score: Optional[float] = None
    created_at: Optional[datetime] = Field(
        default=None, nullable=False, sa_column_kwargs=NOW
    )


class PullRequest(SQLModel, table=True):
    """Fix-up pull requests opened from a scan."""

    __tablename__ = "pull_requests"

    id: Optional[int] = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scans.id")
    pr_url: Optional[str] = Field(default=None, max_length=1024)
    branch_name: str = Field(max_length=255)
    status: str = Field(
        default="created", max_length=32, sa_column_kwargs={"server_default": "created"}
    )
    fixes_applied: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    created_at: Optional[datetime] = Field(
        default=None, nullable=False, sa_column_kwargs=NOW
    )
