"""The store's schema: one ordered list of migrations, for SQLite and PostgreSQL alike.

The schema's version is the number of migrations applied: SQLite keeps it as
`PRAGMA user_version` (0 for a store written before versions existed), PostgreSQL in the
one-row table `iki_skema`. `MIGRATIONS` is the ordered list of every migration ever made;
migration *n* (1-based) takes a store from version n-1 to n. Opening a store applies the
missing ones in ONE transaction together with the new version (both databases' DDL is
transactional), so a crash or a failing migration leaves the store exactly as it was, and two
processes opening an old store at once migrate it once (the second waits for the write lock,
then sees the new version). A store from a newer release (a version above
`len(MIGRATIONS)`) is refused, never downgraded.

To change the schema, append ONE function to `MIGRATIONS` and never edit an earlier one:

    def _v5_targets(db: Migrating) -> None:
        \"\"\"The office's targets per unit and year.\"\"\"
        db.script('''
            CREATE TABLE target (
                id INTEGER PRIMARY KEY,
                unit_kode TEXT NOT NULL,
                tahun INTEGER NOT NULL,
                nilai TEXT,
                ditetapkan_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                UNIQUE (unit_kode, tahun)
            );
            CREATE INDEX target_unit ON target (unit_kode)
        ''')

    MIGRATIONS = [..., _v5_targets]

Write it once, in SQLite's words; the PostgreSQL dialect reads those words as its own
(`postgres.PostgresDialect.ddl`): `INTEGER PRIMARY KEY` is an identity column, every other
`INTEGER` a `BIGINT` (SQLite's integers are 64-bit), `TEXT` sorts byte for byte as in SQLite
(`COLLATE "C"`), the `strftime(... 'now')` default above is the same UTC text, and every table
also gets SQLite's `rowid` (the order rows were written, for `ORDER BY rowid`). Anything else
that differs is written per database: `if db.dialect == "postgresql": ...`.

A migration runs inside the transaction: use `db.execute` or `db.script` (which splits on
`;`), never `BEGIN`/`COMMIT`. Then add the `Store` methods that read and write the new tables
(with explicit column lists: a PostgreSQL table has its `rowid` column too), and a test that
opens tests/fixtures/store-v1 (a store made before versions) and finds the new tables
working, on both databases (tests/test_store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iki_xlsx.core.errors import StoreBroken
from iki_xlsx.store.sql import Database, Migrating

Migration = Callable[[Migrating], None]


def _v1_initial(db: Migrating) -> None:
    """The schema of the first release; `IF NOT EXISTS` lets it adopt a store of that
    release (user_version 0) as version 1 without touching its data."""
    db.script("""
CREATE TABLE IF NOT EXISTS submission (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    source TEXT NOT NULL,
    sender TEXT,
    subject TEXT,
    received_at TEXT,
    collected_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status TEXT NOT NULL,
    blueprint TEXT,
    unit_kode TEXT,
    unit_nama TEXT,
    periode INTEGER
);
CREATE TABLE IF NOT EXISTS finding (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    expected TEXT,
    found TEXT,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nilai (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    sheet_code TEXT NOT NULL,
    cell TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT
);
CREATE TABLE IF NOT EXISTS expected_unit (
    blueprint TEXT NOT NULL,
    periode INTEGER NOT NULL,
    kode TEXT NOT NULL,
    nama TEXT NOT NULL,
    email TEXT,
    kantor INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (blueprint, periode, kode)
);
CREATE TABLE IF NOT EXISTS imap_taken (
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    taken_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (account, folder, uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS submission_unit ON submission (blueprint, periode, unit_kode);
CREATE INDEX IF NOT EXISTS finding_submission ON finding (submission_id);
CREATE INDEX IF NOT EXISTS nilai_submission ON nilai (submission_id)
""")


def _v2_register(db: Migrating) -> None:
    """The register (the office's own record of what it generated and sent), the blueprint
    versions archived by content hash, and each submission's blueprint version."""
    db.script("""
CREATE TABLE blueprint_archive (
    hash TEXT PRIMARY KEY,
    blueprint TEXT NOT NULL,
    versi TEXT NOT NULL,
    model TEXT NOT NULL,
    source TEXT,
    archived_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE generated (
    id INTEGER PRIMARY KEY,
    blueprint TEXT NOT NULL,
    blueprint_hash TEXT NOT NULL REFERENCES blueprint_archive(hash),
    periode INTEGER NOT NULL,
    unit_kode TEXT NOT NULL,
    unit_nama TEXT NOT NULL,
    email TEXT,
    kantor INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    generated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX generated_period ON generated (blueprint, periode, unit_kode);
CREATE TABLE sent (
    id INTEGER PRIMARY KEY,
    unit_kode TEXT NOT NULL,
    email TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    message_id TEXT,
    result TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX sent_unit ON sent (unit_kode);
ALTER TABLE submission ADD COLUMN blueprint_hash TEXT;
ALTER TABLE submission ADD COLUMN blueprint_versi TEXT
""")


def _v3_message_id(db: Migrating) -> None:
    """The returned e-mail's Message-ID, so an answer threads under it (In-Reply-To)."""
    db.execute("ALTER TABLE submission ADD COLUMN message_id TEXT")


def _v4_recipients_without_workbook(db: Migrating) -> None:
    """A generate run's units list includes recipients with nothing to fill: they get no
    workbook (`workbook` 0, no file) and are not expected back, yet the others' workbooks were
    planned with them (the office's rows per kelurahan)."""
    db.execute("ALTER TABLE generated ADD COLUMN workbook INTEGER NOT NULL DEFAULT 1")


def _v5_office_files(db: Migrating) -> None:
    """Files the office types for itself (a version of the year's targets, last year's
    realisasi), kept byte for byte under berkas/ like any return, with what was read from
    them; `kind` says which (`target`, `realisasi`)."""
    db.script("""
CREATE TABLE office_file (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    blueprint TEXT NOT NULL,
    tahun INTEGER NOT NULL,
    model TEXT NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (kind, sha256)
);
CREATE INDEX office_file_year ON office_file (kind, blueprint, tahun)
""")


def _v6_answers(db: Migrating) -> None:
    """The e-mail answers the office owes: recorded when a return (or an e-mail without a
    workbook, `pesan` its JSON) is taken in with --balas, in the same transaction, then marked
    when it was sent (`state` terkirim), left out (digabung: a newer return of the same unit
    was answered in the same run; dilewati: the unit had that answer today, or no address),
    so a killed run is caught up by the next one and nothing is answered twice."""
    db.script("""
CREATE TABLE answer (
    id INTEGER PRIMARY KEY,
    kunci TEXT NOT NULL UNIQUE,
    jenis TEXT NOT NULL,
    submission_id INTEGER REFERENCES submission(id),
    pesan TEXT,
    owed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    state TEXT NOT NULL DEFAULT 'terutang',
    penerima TEXT,
    done_at TEXT,
    keterangan TEXT
);
CREATE INDEX answer_state ON answer (state);
CREATE INDEX answer_unit ON answer (penerima, jenis, done_at)
""")


def _v7_accounts(db: Migrating) -> None:
    """A person per account: a login, a name and a slow password hash (never the password);
    roles per office (`kantor` an office's kode, or `*` for every office); the web sessions
    kept on the server (ended by signing out, a password change or deactivation), the API's
    tokens by their hash, and failed logins per login and per address (the limits hold
    across every web worker)."""
    db.script("""
CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE account_role (
    account_id INTEGER NOT NULL REFERENCES account(id),
    role TEXT NOT NULL,
    kantor TEXT NOT NULL,
    PRIMARY KEY (account_id, role, kantor)
);
CREATE TABLE web_session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    address TEXT,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT
);
CREATE INDEX web_session_account ON web_session (account_id);
CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_token_account ON api_token (account_id);
CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    failed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX login_failure_login ON login_failure (login, failed_at);
CREATE INDEX login_failure_address ON login_failure (address, failed_at)
""")


def _v8_signoff_and_audit(db: Migrating) -> None:
    """Sign-off and the audit trail (issue 26). `review`: a person verified a return against
    its evidence (`state` verified, `catatan` the evidence note) or sent it back (`returned`,
    `catatan` the comment the unit reads). `period_close`: a period of a blueprint's year
    closed by approval through period `sampai` (`aksi` tutup) or reopened from it (`buka`,
    with `alasan`); `period_close_unit` the return of each unit a closing approved. `audit`:
    every action, append-only and chained (each entry's `hash` covers its fields and the
    `prev_hash` of the one before), `audit_head` its one row naming the last entry written, so
    an entry deleted at the end is missed too; triggers refuse an UPDATE or DELETE of an
    entry."""
    db.script("""
CREATE TABLE review (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    blueprint TEXT NOT NULL,
    periode INTEGER NOT NULL,
    unit_kode TEXT NOT NULL,
    state TEXT NOT NULL,
    catatan TEXT,
    account_id INTEGER REFERENCES account(id),
    login TEXT NOT NULL,
    nama TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX review_period ON review (blueprint, periode, unit_kode);
CREATE INDEX review_submission ON review (submission_id);
CREATE TABLE period_close (
    id INTEGER PRIMARY KEY,
    blueprint TEXT NOT NULL,
    periode INTEGER NOT NULL,
    aksi TEXT NOT NULL,
    sampai INTEGER NOT NULL,
    alasan TEXT,
    account_id INTEGER REFERENCES account(id),
    login TEXT NOT NULL,
    nama TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX period_close_period ON period_close (blueprint, periode);
CREATE TABLE period_close_unit (
    close_id INTEGER NOT NULL REFERENCES period_close(id),
    unit_kode TEXT NOT NULL,
    submission_id INTEGER REFERENCES submission(id),
    PRIMARY KEY (close_id, unit_kode)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    jenis TEXT NOT NULL,
    login TEXT,
    nama TEXT,
    asal TEXT NOT NULL,
    blueprint TEXT,
    periode INTEGER,
    unit_kode TEXT,
    rincian TEXT NOT NULL,
    rujukan TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_jenis ON audit (jenis, rujukan);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
)
""")
    _append_only(db, "audit")


APPEND_ONLY = "catatan audit hanya dapat ditambah, tidak diubah atau dihapus"


def _append_only(db: Migrating, table: str) -> None:
    """Refuse an UPDATE, DELETE (or on PostgreSQL a TRUNCATE) of `table`."""
    if db.dialect == "postgresql":
        db.execute(f"""
CREATE OR REPLACE FUNCTION iki_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        db.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION iki_append_only()")
        db.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION iki_append_only()")
        return
    for event in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


MIGRATIONS: list[Migration] = [_v1_initial, _v2_register, _v3_message_id,
                               _v4_recipients_without_workbook, _v5_office_files, _v6_answers,
                               _v7_accounts, _v8_signoff_and_audit]


def migrate(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the latest version in one transaction; the version it had."""
    dialect = db.dialect
    if dialect.version(db) == len(migrations):
        return len(migrations)
    with dialect.migrating(db):  # a concurrent opener waits here, then migrates nothing
        db.statement(dialect.begin)
        try:
            found = dialect.version(db)
            if found > len(migrations):
                raise StoreBroken(f"penyimpanan ini dibuat oleh iki-xlsx yang lebih baru "
                                  f"(skema versi {found}, versi ini mengenal sampai "
                                  f"{len(migrations)}); perbarui iki-xlsx")
            migrating = Migrating(db)
            for migration in migrations[found:]:
                migration(migrating)
            dialect.set_version(db, len(migrations))
            db.statement("COMMIT")
        except BaseException:
            db.statement("ROLLBACK")
            raise
    return found
