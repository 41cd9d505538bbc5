"""Which store a workspace uses: `simpan/` (SQLite) unless `[basis_data]` in iki.toml names a
PostgreSQL server; its password never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from iki_xlsx.service.workspace import WorkspaceError, init_workspace, load_workspace
from iki_xlsx.store.db import PostgresLocation
from iki_xlsx.store.location import PASSWORD_VARIABLE


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "kantor"
    assert init_workspace(root).ok
    return root


def with_section(root: Path, *lines: str) -> int:
    """Append `[basis_data]` with `lines`; the line number of the first of them."""
    config = root / "iki.toml"
    text = config.read_text()
    config.write_text(text + "\n[basis_data]\n" + "\n".join(lines) + "\n")
    return len(text.splitlines()) + 3


def test_without_basis_data_the_store_is_the_sqlite_file_in_simpan(workspace: Path) -> None:
    store = load_workspace(workspace).store()
    assert (store.kind, store.database, store.raw) == (
        "sqlite", workspace / "simpan" / "iki.sqlite", workspace / "simpan" / "berkas")


def test_basis_data_names_the_server_schema_and_raw_folder(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, "dari-lingkungan")
    with_section(workspace, 'url = "postgresql://iki@db.kab.go.id:5433/iki"',
                 'skema = "kec_jabung"', 'berkas = "/srv/iki/berkas"')
    store = load_workspace(workspace).store()
    assert store.kind == "postgresql" and store.raw == Path("/srv/iki/berkas")
    assert store.location == PostgresLocation("postgresql://iki@db.kab.go.id:5433/iki",
                                              "kec_jabung")
    assert store.location is not None and store.location.password == "dari-lingkungan"
    assert store.describe() == "iki@db.kab.go.id:5433/iki (skema kec_jabung)"
    assert store.folder == workspace / "simpan"  # the send log and annotated copies stay


def test_a_relative_raw_folder_is_the_workspaces(workspace: Path) -> None:
    with_section(workspace, 'url = "postgresql://iki@localhost/iki"', 'berkas = "arsip"')
    assert load_workspace(workspace).store().raw == workspace / "arsip"


@pytest.mark.parametrize("url", ["postgresql://iki:rahasia@localhost/iki",
                                 "postgresql://iki@localhost/iki?password=rahasia"])
def test_a_url_with_a_password_is_refused_at_its_line_without_showing_it(
        workspace: Path, url: str) -> None:
    line = with_section(workspace, f'url = "{url}"')
    with pytest.raises(WorkspaceError) as refused:
        load_workspace(workspace)
    assert [f.one_line() for f in refused.value.findings] == [
        f"iki.toml:{line}: basis_data.url: alamat basis data memuat kata sandi; hapus sandinya "
        f"dari alamat dan berikan lewat {PASSWORD_VARIABLE} atau berkas .pgpass"]
    assert "rahasia" not in str(refused.value)


def test_a_url_of_another_database_and_a_bad_schema_are_refused_at_their_lines(
        workspace: Path) -> None:
    line = with_section(workspace, 'url = "mysql://iki@localhost/iki"', 'skema = "Kec Jabung"')
    with pytest.raises(WorkspaceError) as refused:
        load_workspace(workspace)
    assert [f.one_line() for f in refused.value.findings] == [
        f"iki.toml:{line}: basis_data.url: alamat basis data harus diawali postgresql:// "
        "(tertulis: mysql://iki@localhost/iki)",
        f"iki.toml:{line + 1}: basis_data.skema: nama skema basis data 'Kec Jabung' tidak "
        "sah; pakai huruf kecil, angka dan garis bawah, diawali huruf"]
