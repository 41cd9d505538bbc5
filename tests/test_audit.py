"""The audit trail as the library keeps it (issue 26), on SQLite and on a real PostgreSQL
server: entries chained in the order written, an entry altered, deleted in the middle or at
the end, or altered and sealed again directly in the database is named by the check (the
database's own triggers refuse an UPDATE or DELETE, so the test drops them first, as a person
working on the database would), and the CSV says who did what, in the office's time."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from iki_xlsx.audit.chain import seal
from iki_xlsx.audit.kinds import AuditKind
from iki_xlsx.audit.trail import Actor, AuditTrail
from iki_xlsx.store.audit import AuditFilter
from iki_xlsx.store.db import PostgresLocation, Store
from iki_xlsx.store.sql import Database
from tests.conftest import new_store

SARI = Actor("sari", "Sari Wulandari", "baris perintah sari@kantor", 1)
CAMAT = Actor("camat", "Drs. Bambang", "web 10.0.0.7", 2)


def trail_of(tmp_path: Path, database: PostgresLocation | None) -> AuditTrail:
    trail = AuditTrail(new_store(tmp_path, database))
    steps = [(Actor.system("baris perintah cron@kantor"), AuditKind.RECEIVE,
              "berkas 01.xlsx dari Kelurahan Satu: diterima", "01"),
             (SARI, AuditKind.VERIFY, "isian Kelurahan Satu diverifikasi", "01"),
             (SARI, AuditKind.RETURN, "isian Kelurahan Dua dikembalikan: cek daftar hadir",
              "02"),
             (CAMAT, AuditKind.APPROVE, "periode 2026 s.d. TW I disetujui", None),
             (CAMAT, AuditKind.SIGN_IN, "masuk", None)]
    for actor, kind, summary, unit in steps:
        trail.record(actor, kind, summary, blueprint="iki-kecamatan-kota", periode=2026,
                     unit=unit, details={"catatan": "=HYPERLINK(\"x\")"} if unit == "02"
                     else None, at=None)
    return trail


def tamper(store: Store, *statements: str) -> None:
    """Change the audit table directly, as a person at the database would (the triggers that
    refuse it dropped first)."""
    with store.sql() as db:
        for name in _triggers(db):
            db.statement(f"DROP TRIGGER {name}" + (" ON audit" if store.kind == "postgresql"
                                                    else ""))
        for statement in statements:
            db.statement(statement)


def _triggers(db: Database) -> list[str]:
    if db.dialect.name == "postgresql":
        return [str(name) for (name,) in db.rows(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit'::regclass "
            "AND NOT tgisinternal")]
    return [str(name) for (name,) in db.rows(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'")]


def test_the_trail_is_chained_and_a_clean_one_checks(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    trail = trail_of(tmp_path, database)
    entries = trail.entries()
    assert [e.row.id for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].row.prev_hash == "0" * 64
    assert all(b.row.prev_hash == a.row.hash for a, b in itertools.pairwise(entries))
    assert all(seal(e.row) == e.row.hash for e in entries)
    report = trail.check()
    assert report.ok and report.entries == 5 and report.last_hash == entries[-1].row.hash
    assert [e.who for e in entries] == ["sistem", "Sari Wulandari (sari)",
                                        "Sari Wulandari (sari)", "Drs. Bambang (camat)",
                                        "Drs. Bambang (camat)"]
    assert [e.row.unit_kode for e in trail.entries(AuditFilter(login="sari"))] == ["01", "02"]
    assert [e.kind for e in trail.entries(AuditFilter(unit_kode="02"))] == [AuditKind.RETURN]
    assert [e.row.id for e in trail.entries(AuditFilter(jenis=str(AuditKind.APPROVE),
                                                        periode=2026))] == [4]


@pytest.mark.parametrize(("change", "first", "said"), [
    (lambda s: ["UPDATE audit SET rincian = replace(rincian, 'Dua', 'Tiga') WHERE id = 3"],
     3, "isi entri diubah setelah dicatat"),
    (lambda s: ["UPDATE audit SET login = 'budi' WHERE id = 2"], 2, "isi entri diubah"),
    (lambda s: ["DELETE FROM audit WHERE id = 2"], 2, "entri 2 dihapus"),
    (lambda s: ["DELETE FROM audit WHERE id IN (2, 3)"], 2, "entri 2 sampai 3 dihapus"),
    (lambda s: ["DELETE FROM audit WHERE id = 5"], 5,
     "entri 5 dihapus (catatan terakhir yang ditulis adalah entri 5)"),
    (lambda s: ["DELETE FROM audit WHERE id = 1"], 1, "entri 1 dihapus"),
    (lambda s: ["DELETE FROM audit_head"], 5, "kepala catatan audit hilang"),
])
def test_an_entry_changed_in_the_database_is_named(
        tmp_path: Path, database: PostgresLocation | None,
        change: Callable[[Store], list[str]], first: int, said: str) -> None:
    trail = trail_of(tmp_path, database)
    tamper(trail.store, *change(trail.store))
    report = trail.check()
    assert not report.ok
    assert report.broken_at == first, report
    assert said in (report.reason or ""), report


def test_an_entry_altered_and_sealed_again_is_named_by_the_next(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    """The person recomputes the altered entry's own hash: the next entry still holds the
    old one, so the altered entry is named all the same."""
    trail = trail_of(tmp_path, database)
    altered = trail.entries()[1].row
    forged = replace(altered, login="budi", nama="Budi")
    tamper(trail.store, f"UPDATE audit SET login = 'budi', nama = 'Budi', "
                        f"hash = '{seal(forged)}' WHERE id = 2")
    report = trail.check()
    assert (report.broken_at, report.reason) == (
        2, "entri diubah lalu disegel ulang (entri 3 menyimpan hash lain untuknya)")
    last = trail.entries()[-1].row
    forged_last = replace(last, nama="Camat Baru")
    tamper(trail.store, f"UPDATE audit SET login = 'sari', nama = 'Sari Wulandari', hash = "
                        f"'{altered.hash}' WHERE id = 2",
           f"UPDATE audit SET nama = 'Camat Baru', hash = '{seal(forged_last)}' WHERE id = 5")
    report = trail.check()
    assert (report.broken_at, report.reason) == (5, "entri terakhir diubah lalu disegel ulang")


def test_the_database_refuses_to_change_an_entry(
        tmp_path: Path, database: PostgresLocation | None) -> None:
    trail = trail_of(tmp_path, database)
    for statement in ("UPDATE audit SET login = 'budi' WHERE id = 2",
                      "DELETE FROM audit WHERE id = 5"):
        with pytest.raises(Exception, match="catatan audit hanya dapat ditambah"), \
                trail.store.sql() as db:
            db.statement(statement)
    assert trail.check().ok


def test_the_csv_says_who_did_what_in_the_office_time(tmp_path: Path) -> None:
    trail = trail_of(tmp_path, None)
    text = trail.csv_text(zona="WITA")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(r["nomor"], r["jenis"], r["login"], r["nama"], r["unit"]) for r in rows] == [
        ("1", "isian diterima", "", "sistem", "01"),
        ("2", "diverifikasi", "sari", "Sari Wulandari", "01"),
        ("3", "dikembalikan", "sari", "Sari Wulandari", "02"),
        ("4", "periode disetujui", "camat", "Drs. Bambang", ""),
        ("5", "masuk", "camat", "Drs. Bambang", "")]
    assert all(r["waktu"].endswith(" WITA") for r in rows)
    assert rows[2]["ringkasan"] == "isian Kelurahan Dua dikembalikan: cek daftar hadir"
    assert rows[2]["rincian"] == '{"catatan": "=HYPERLINK(\\"x\\")"}'
    trail.record(Actor("iseng", "=1+2", "web 10.0.0.9"), AuditKind.SIGN_IN, "masuk")
    last = list(csv.DictReader(io.StringIO(trail.csv_text()[1:])))[-1]
    assert last["nama"] == "'=1+2"  # a name a spreadsheet would run stays text
    assert rows[4]["hash"] == trail.entries()[4].row.hash
