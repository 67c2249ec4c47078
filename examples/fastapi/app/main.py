"""The application: one engine on DATABASE_URL, the same variable retort.toml reads.

The schema is not created here (no `SQLModel.metadata.create_all`): retort's migrations
make it, so every database gets there the same way and `retort check` can prove it.
"""

import os

from sqlmodel import Session, create_engine, select

from app.models import Repository

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./app.db")
engine = create_engine(DATABASE_URL)


def list_repositories() -> list[Repository]:
    """What a `GET /repositories` handler would return."""
    with Session(engine) as session:
        return list(session.exec(select(Repository)).all())


if __name__ == "__main__":
    for repository in list_repositories():
        print(repository.repo_name, repository.repo_url)
