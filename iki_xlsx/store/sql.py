"""One open connection to the store's database, spoken in one SQL for both databases.

The store's statements are written once, in the SQL that SQLite and PostgreSQL share: `?`
placeholders, `INSERT ... ON CONFLICT`, `RETURNING`, explicit column lists. A `Dialect` says
what differs: how placeholders are written, how a migration's table definitions read on that
database, how a write transaction begins, where the schema version is kept, how a lock
between writers is taken, and how the driver's errors read to a user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Row = tuple[Any, ...]


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses (sqlite3's and psycopg's)."""

    @property
    def description(self) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Driver(Protocol):
    """The part of a DB-API connection the store uses (sqlite3's and psycopg's)."""

    def execute(self, sql: Any, params: Any = ...) -> Any: ...
    def close(self) -> None: ...


class Dialect(Protocol):
    """What differs between the two databases; everything else is shared SQL."""

    name: str  # "sqlite" or "postgresql"
    begin: str  # the statement that starts a write transaction

    def query(self, sql: str) -> str:
        """A shared-SQL statement (with `?` placeholders) as this driver takes it."""
        ...

    def ddl(self, statement: str) -> str:
        """A migration's statement, written in SQLite's words, as this database reads it."""
        ...

    def version(self, db: Database) -> int: ...
    def set_version(self, db: Database, version: int) -> None: ...

    def migrating(self, db: Database) -> AbstractContextManager[None]:
        """Held around a migration's transaction, so that one opener migrates at a time."""
        ...

    def lock(self, db: Database, name: str) -> None:
        """Hold the lock `name` until the current transaction ends (writers that need to
        read and then write one thing, such as the next batch number, take it first)."""
        ...

    def executemany(self, db: Database, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Database:
    """One open connection and its dialect: the only way the store runs a statement."""

    def __init__(self, driver: Driver, dialect: Dialect) -> None:
        self.driver = driver
        self.dialect = dialect
        self.read_only = False  # opened read-only (SQLite on a read-only disk)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cursor: Cursor = self.driver.execute(self.dialect.query(sql), tuple(params))
        return cursor

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.execute(sql, params)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(row) for row in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = self.execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [tuple(row) for row in rows]
        if batch:
            self.dialect.executemany(self, self.dialect.query(sql), batch)

    def table(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[Row]]:
        """Column names and rows, for a data frame."""
        cursor = self.execute(sql, params)
        names = [str(column[0]) for column in cursor.description]
        return names, [tuple(row) for row in cursor.fetchall()]

    def statement(self, statement: str) -> None:
        """A statement without parameters, as written (DDL, transaction control)."""
        self.driver.execute(statement)

    def ddl(self, statement: str) -> None:
        """A migration's statement, in this database's words."""
        self.driver.execute(self.dialect.ddl(statement))

    def close(self) -> None:
        self.driver.close()


class Migrating:
    """What a migration is handed: the database's name (for the rare statement that must
    differ) and `execute` for a statement written in SQLite's words, which the PostgreSQL
    dialect reads as its own (see `postgres.PostgresDialect.ddl`)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.dialect = db.dialect.name

    def execute(self, statement: str) -> None:
        self._db.ddl(statement)

    def script(self, script: str) -> None:
        """Run `;`-separated statements inside the current transaction (no triggers here)."""
        for statement in script.split(";"):
            if statement.strip():
                self.execute(statement)
