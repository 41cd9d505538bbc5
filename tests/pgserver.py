"""A real PostgreSQL server for the tests: Debian's `postgresql` (scripts/test.sh installs it),
`initdb` run as the `postgres` user into a data folder of its own, listening on a free
loopback port, with password (SCRAM) logins over TCP like a server an IT office runs.

Its databases sort text by an Indonesian ICU collation, not byte by byte: a store whose
results depended on the server's collation would show it here.

One server per test session (`conftest.postgres_server`); a fresh database per test
(`PostgresServer.database`), dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from iki_xlsx.store.location import PostgresLocation

SUPERUSER = "postgres"
PASSWORD = "sandi-uji-postgres"  # the test cluster's own, on loopback only
OWNER = "postgres"  # the system user that runs the server (Debian's package makes it)


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder; fails loudly when there is none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL tidak terpasang (Debian: apt-get install postgresql; "
                           "scripts/test.sh memasangnya)")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_owner(*command: str | Path) -> list[str]:
    """`command` run as the server's system user (the tests run as root)."""
    words = [str(word) for word in command]
    return words if os.geteuid() != 0 else ["runuser", "-u", OWNER, "--", *words]


class PostgresServer:
    """A running cluster in its own folder; `stop()` ends it and removes the folder."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="iki-pg-"))  # reachable by OWNER
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0
        self._names = itertools.count(1)
        if os.geteuid() == 0:
            shutil.chown(self.folder, OWNER, OWNER)
        secret = self.folder / "sandi"
        secret.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(secret, OWNER, OWNER)
        subprocess.run(as_owner(self.bin / "initdb", "-D", self.data, "-U", SUPERUSER,
                                "--pwfile", secret, "--auth-local=trust",
                                "--auth-host=scram-sha-256", "--encoding=UTF8",
                                "--locale-provider=icu", "--icu-locale=id-ID",
                                "--locale=C.UTF-8"),
                       check=True, capture_output=True, text=True)
        secret.unlink()
        self._start()
        self._watchdog = self._watch(os.getpid())

    def _watch(self, owner: int) -> subprocess.Popen[bytes]:
        """A small process that stops the server and removes its folder if the test session
        is killed before `stop()` (a shared machine must not keep stray servers)."""
        stop = " ".join(as_owner(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"))
        script = (f"while kill -0 {owner} 2>/dev/null; do sleep 2; done; "
                  f"{stop} >/dev/null 2>&1; rm -rf {self.folder}")
        return subprocess.Popen(["sh", "-c", script], start_new_session=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def _start(self) -> None:
        for _ in range(5):
            self.port = free_port()
            options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            done = subprocess.run(as_owner(self.bin / "pg_ctl", "-D", self.data, "-l", self.log,
                                           "-o", options, "-w", "-t", "60", "start"),
                                  capture_output=True, text=True)
            if done.returncode == 0:
                return
        raise RuntimeError(f"PostgreSQL tidak mau berjalan: {done.stderr}\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def location(self, database: str, schema: str = "public") -> PostgresLocation:
        return PostgresLocation(self.url(database), schema, PASSWORD)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), password=PASSWORD, autocommit=True)

    def create_database(self, prefix: str = "uji") -> str:
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with self.admin() as db:
            db.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))

    def tool(self, name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """One of the server's client programs (pg_dump, pg_restore, psql) against it."""
        env = {**os.environ, "PGPASSWORD": PASSWORD, "PGHOST": "127.0.0.1",
               "PGPORT": str(self.port), "PGUSER": SUPERUSER}
        return subprocess.run([str(self.bin / name), *map(str, args)], env=env,
                              capture_output=True, text=True, check=True)

    def stop(self) -> None:
        self._watchdog.kill()
        self._watchdog.wait()
        subprocess.run(as_owner(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate",
                                "-w", "stop"), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
