"""Prints the models' DDL for the dialect retort names in RETORT_DIALECT.

retort runs this as `python -m app.schema_ddl` (retort.toml: `schema = "command: …"`),
loads what it prints into a scratch database of the same kind and compares that with the
live database. SQLAlchemy's own compiler writes the DDL, so it is what `create_all` would
run: the models stay the one place where the schema is declared.
"""

import os
import sys

from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from app import models  # noqa: F401  (importing it fills SQLModel.metadata)

DIALECTS = {
    "sqlite": sqlite.dialect,
    "postgresql": postgresql.dialect,
    "mysql": mysql.dialect,
}


def ddl(dialect) -> str:
    """Every table, then its indexes, parents before the tables that reference them."""
    statements = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return "".join(f"{s};\n\n" for s in statements)


def main() -> int:
    name = os.environ.get("RETORT_DIALECT", "")
    make = DIALECTS.get(name)
    if make is None:
        known = ", ".join(DIALECTS)
        said = f"is {name!r}" if name else "is not set"
        print(f"schema_ddl: RETORT_DIALECT {said}; expected one of: {known}", file=sys.stderr)
        return 2
    sys.stdout.write(ddl(make()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
