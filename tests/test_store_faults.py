"""Store faults as a user meets them, through the CLI: a store path that is a file, a
corrupted database, a read-only disk, a disk that fills part-way, an output folder that
cannot be written, a raw file gone missing. Each is one Indonesian line with its exit code,
never a traceback, and nothing is half-recorded. The faults a server store shares (its raw-file
folder full, read-only or missing a file) are met there too.

Read-only and full disks are real: small tmpfs mounts (this needs root, as the test machine
runs; elsewhere those tests are skipped and say why)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from iki_xlsx.intake import sources as intake
from iki_xlsx.intake.status import status
from iki_xlsx.store.db import PostgresLocation, Store
from tests.cli import Ran, iki
from tests.hostile import good_workbooks


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return good_workbooks(tmp_path_factory.mktemp("baik"), 12)


def cli(*args: str) -> Ran:
    done = iki(*args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def one_line_error(done: Ran, code: int, *words: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert len(lines) == 1 and lines[0].startswith("Kesalahan: "), done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


class Mount:
    """A tmpfs of a given size at `path`; `remount` changes its size or makes it read-only."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"a tmpfs cannot be mounted here ({done.stderr.strip()}); needs root")

    def remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.path)], check=True)

    def unmount(self) -> None:
        subprocess.run(["umount", str(self.path)], check=True)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[type[Mount]]:
    made: list[Mount] = []

    def make(path: Path, size: str) -> Mount:
        made.append(Mount(path, size))
        return made[-1]

    yield make  # type: ignore[misc]
    for item in made:
        item.unmount()


def test_a_store_path_that_is_a_file(tmp_path: Path, good: list[Path]) -> None:
    store = tmp_path / "simpan"
    store.write_text("bukan folder")
    one_line_error(cli("collect", str(good[0]), "--store", str(store)), 1, "bukan folder")
    assert store.read_text() == "bukan folder"


def test_a_corrupted_store_is_never_written(tmp_path: Path, good: list[Path]) -> None:
    store = tmp_path / "simpan"
    assert cli("collect", *map(str, good[:6]), "--store", str(store)).returncode == 0
    database = store / "iki.sqlite"
    data = bytearray(database.read_bytes())
    page = 4096
    data[2 * page:3 * page] = b"\xff" * page  # a b-tree page overwritten
    database.write_bytes(bytes(data))
    done = cli("collect", *map(str, good[6:]), "--store", str(store))
    one_line_error(done, 1, "rusak", "tidak ada yang ditulis")
    assert database.read_bytes() == bytes(data)


def test_a_read_only_store_is_read_by_status_and_rekap_and_refused_by_collect(
        tmp_path: Path, good: list[Path], mount: type[Mount]) -> None:
    disk = mount(tmp_path / "disk", "20m")  # type: ignore[call-arg]
    store = disk.path / "simpan"
    assert cli("collect", *map(str, good), "--store", str(store)).returncode == 0
    disk.remount("ro")
    shown = cli("status", "--store", str(store))
    assert shown.returncode == 0 and "jumlah: diterima 12, " in shown.stdout
    recap = cli("rekap", "--store", str(store), "-o", str(tmp_path / "rekap.xlsx"))
    assert recap.returncode == 0 and (tmp_path / "rekap.xlsx").exists(), recap.stderr
    one_line_error(cli("collect", str(good[0]), "--store", str(store)), 1, "tidak dapat ditulis")
    disk.remount("rw")


def test_a_disk_full_part_way_records_nothing_half_and_the_next_collect_completes(
        tmp_path: Path, good: list[Path], mount: type[Mount]) -> None:
    disk = mount(tmp_path / "disk", "600k")  # type: ignore[call-arg]
    store = disk.path / "simpan"
    full = cli("collect", *map(str, good), "--store", str(store))
    one_line_error(full, 1, "disk penuh")
    recorded = status(Store(store)).periods
    partly = [u for p in recorded for u in p.units if u.accepted_sha256]
    for unit in partly:  # what was recorded is whole: its raw file is there
        assert Store(store).raw_path(unit.accepted_sha256 or "").is_file()
    assert len(partly) < 12
    disk.remount("size=30m")
    again = cli("collect", *map(str, good), "--store", str(store))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("DITERIMA") == 12 - len(partly)
    units = status(Store(store)).periods[0].units
    assert len(units) == 12 and all(u.accepted_sha256 for u in units)


def test_an_annotate_folder_that_cannot_be_written(tmp_path: Path, good: list[Path]) -> None:
    blocked = tmp_path / "berkas"
    blocked.write_text("bukan folder")
    done = cli("check", str(good[0]), "--annotate", str(blocked / "catatan"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Kesalahan: folder --annotate ") and "tidak dapat ditulis" in \
        done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_raw_file_missing_from_the_store_is_a_warning_and_is_restored(
        tmp_path: Path, good: list[Path]) -> None:
    store = tmp_path / "simpan"
    assert cli("collect", str(good[0]), "--store", str(store)).returncode == 0
    raw = next(p for p in (store / "berkas").rglob("*") if p.is_file())
    raw.unlink()
    shown = cli("status", "--store", str(store))
    assert f"Peringatan: berkas asli {good[0].name} ({raw.name[:12]}) hilang" in shown.stdout
    again = cli("collect", str(good[0]), "--store", str(store))
    assert again.stdout.startswith(f"dipulihkan: {good[0].name} ") and raw.is_file()
    assert "hilang" not in cli("status", "--store", str(store)).stdout


def test_sources_that_are_not_files(tmp_path: Path, good: list[Path]) -> None:
    import os

    pipe = tmp_path / "pipa.xlsx"
    os.mkfifo(pipe)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    shutil.copy(good[0], folder / good[0].name)
    missing = tmp_path / "tidak-ada.xlsx"
    # a source named on the command line that does not exist is a usage error: nothing taken
    refused = cli("collect", str(pipe), str(missing), str(folder),
                  "--store", str(tmp_path / "simpan"))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == f"Kesalahan: sumber tidak ada: {missing}\n"
    done = cli("collect", str(pipe), str(folder), "--store", str(tmp_path / "simpan"))
    assert f"dilewati: {pipe}: bukan berkas biasa" in done.stdout
    assert f"baru: {good[0].name} " in done.stdout
    # a file that vanishes between the listing and the reading is skipped by the library
    skipped: list[tuple[str, str]] = []
    assert list(intake.received_from([missing], skipped)) == []
    assert skipped == [(str(missing), "tidak ditemukan")]


# --- the same faults on the server store (PostgreSQL): its raw-file folder is a disk too ---


def test_a_full_raw_folder_on_the_server_records_nothing_half_and_the_next_collect_completes(
        tmp_path: Path, good: list[Path], mount: type[Mount],
        postgres: PostgresLocation) -> None:
    from iki_xlsx.check import BlueprintIndex
    from iki_xlsx.core.errors import StoreUnwritable
    from iki_xlsx.intake.collect import collect

    disk = mount(tmp_path / "disk", "160k")  # type: ignore[call-arg]
    store = Store(tmp_path / "simpan", database=postgres, raw=disk.path / "berkas")
    index = BlueprintIndex.from_folder(Path(__file__).parent.parent / "blueprints")
    with pytest.raises(StoreUnwritable, match=r"^berkas asli tidak dapat disimpan di .*"
                                              r"\(disk penuh\); tidak ada yang tercatat"):
        collect(good, store, index)
    for row in store.submissions():  # what was recorded is whole: its raw file is there
        assert store.raw_path(row.sha256).is_file()
    assert len(store.submissions()) < 12
    disk.remount("size=30m")
    again = collect(good, store, index)
    assert len(again.added) + len(again.duplicates) == 12
    units = status(store).periods[0].units
    assert len(units) == 12 and all(u.accepted_sha256 for u in units)


def test_a_read_only_raw_folder_on_the_server_is_refused_before_anything_is_written(
        tmp_path: Path, good: list[Path], mount: type[Mount],
        postgres: PostgresLocation) -> None:
    from iki_xlsx.check import BlueprintIndex
    from iki_xlsx.core.errors import StoreUnwritable
    from iki_xlsx.intake.collect import collect

    disk = mount(tmp_path / "disk", "20m")  # type: ignore[call-arg]
    (disk.path / "berkas").mkdir()
    disk.remount("ro")
    store = Store(tmp_path / "simpan", database=postgres, raw=disk.path / "berkas")
    index = BlueprintIndex.from_folder(Path(__file__).parent.parent / "blueprints")
    with pytest.raises(StoreUnwritable, match=r"^folder berkas asli .* tidak dapat ditulis "
                                              r"\(.*\); tidak ada yang tercatat$"):
        collect(good[:2], store, index)
    assert store.submissions() == []
    disk.remount("rw")


def test_a_raw_file_missing_from_the_server_store_is_a_warning_and_is_restored(
        tmp_path: Path, good: list[Path], postgres: PostgresLocation) -> None:
    from iki_xlsx.check import BlueprintIndex
    from iki_xlsx.intake.collect import collect

    store = Store(tmp_path / "simpan", database=postgres, raw=tmp_path / "berkas")
    index = BlueprintIndex.from_folder(Path(__file__).parent.parent / "blueprints")
    (_, sha, _), = collect(good[:1], store, index).added
    store.raw_path(sha).unlink()
    assert [m["sha256"] for m in status(store).missing_raw] == [sha]
    again = collect(good[:1], store, index)
    assert again.restored == [(good[0].name, sha)] and store.raw_path(sha).is_file()
    assert status(store).missing_raw == []
