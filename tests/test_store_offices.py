"""A kabupaten's server keeps one PostgreSQL location (schema) per office: a web worker that
has served 24 offices keeps at most IDLE_PER_PROCESS idle connections in all, not 8 per
office (30 offices x 8 x the workers would exceed the server's max_connections; the load
test at 30 kecamatan ran out of connections before this cap)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.postgres import IDLE_PER_PROCESS, close_idle
from tests.pgserver import PostgresServer


def test_many_offices_keep_few_idle_connections(postgres: PostgresLocation,
                                                postgres_server: PostgresServer,
                                                tmp_path: Path) -> None:
    offices = [dataclasses.replace(postgres, schema=f"kec_{n:02d}") for n in range(24)]
    try:
        for n, location in enumerate(offices):
            store = Store(tmp_path / f"simpan-{n}", database=location, raw=tmp_path / f"b{n}")
            assert store.submissions() == []  # opened, migrated, its connection given back
        database = postgres.url.rsplit("/", 1)[1]
        with postgres_server.admin() as admin:
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                (database,)).fetchone()
        assert row is not None and 1 <= int(str(row[0])) <= IDLE_PER_PROCESS
    finally:
        for location in offices:
            close_idle(location)
