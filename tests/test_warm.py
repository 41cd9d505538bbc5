"""A workspace keeps its blueprints warm beside its store, and checking one file imports
nothing it does not use: the one-file `periksa` starts in a fraction of a second."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.blueprint.warm import WARM_FILE, load_folder
from iki_xlsx.check import BlueprintIndex, CheckReport, WarmPool, check_files
from iki_xlsx.check.warm import LAYOUTS_DIR
from iki_xlsx.core.units import Unit
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.plan.model import Cell, SheetPlan
from iki_xlsx.workbook.generate import recipients, write_filled
from tests import mutate
from tests.conftest import BLUEPRINTS

KOTA = BLUEPRINTS / "iki-kecamatan-kota.yaml"
JABUNG = BLUEPRINTS / "iki-kecamatan-jabung.yaml"


def folder_of(tmp_path: Path, *sources: Path) -> tuple[Path, Path]:
    folder = tmp_path / "blueprints"
    folder.mkdir()
    for source in sources:
        shutil.copy(source, folder / source.name)
    (tmp_path / "simpan").mkdir()
    return folder, tmp_path / "simpan" / WARM_FILE


def hashes(loaded: list) -> list[str]:  # type: ignore[type-arg]
    return [bp.content_hash() for bp in loaded]


def test_warm_blueprints_are_the_ones_the_files_give(tmp_path: Path) -> None:
    folder, warm = folder_of(tmp_path, KOTA, JABUNG)
    cold = load_folder(folder)
    assert [bp.id for bp in cold] == ["iki-kecamatan-jabung", "iki-kecamatan-kota"]
    first = load_folder(folder, warm)
    assert warm.exists()
    kept = json.loads(warm.read_text(encoding="utf-8"))
    assert len(kept["berkas"]) == 2
    again = load_folder(folder, warm)
    assert hashes(cold) == hashes(first) == hashes(again)
    assert again == cold
    assert warm.read_text(encoding="utf-8") == json.dumps(kept, ensure_ascii=False)


def test_a_blueprint_changed_after_it_was_kept_is_loaded_again(tmp_path: Path) -> None:
    folder, warm = folder_of(tmp_path, KOTA)
    assert [bp.versi for bp in load_folder(folder, warm)] == ["1"]
    text = (folder / KOTA.name).read_text(encoding="utf-8")
    assert 'versi: "1"' in text
    (folder / KOTA.name).write_text(text.replace('versi: "1"', 'versi: "2"', 1),
                                    encoding="utf-8")
    changed = load_folder(folder, warm)
    assert [bp.versi for bp in changed] == ["2"]
    assert hashes(changed) == [load_blueprint(folder / KOTA.name).blueprint.content_hash()]
    assert len(json.loads(warm.read_text(encoding="utf-8"))["berkas"]) == 1  # the old one gone


def test_a_broken_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    folder, warm = folder_of(tmp_path, JABUNG)
    cold = load_folder(folder)
    for broken in ("{not json", "[]", json.dumps({"pemuat": "lain", "berkas": {}})):
        warm.write_text(broken, encoding="utf-8")
        assert load_folder(folder, warm) == cold
        assert json.loads(warm.read_text(encoding="utf-8"))["berkas"]
    kept = json.loads(warm.read_text(encoding="utf-8"))
    digest = next(iter(kept["berkas"]))
    kept["berkas"][digest] = '{"id": "rusak"}'  # a model that no longer validates
    warm.write_text(json.dumps(kept), encoding="utf-8")
    assert load_folder(folder, warm) == cold


def test_a_blueprint_that_does_not_load_stays_out_warm_or_cold(tmp_path: Path) -> None:
    folder, warm = folder_of(tmp_path, JABUNG)
    (folder / "rusak.yaml").write_text("id: [tidak ditutup\n", encoding="utf-8")
    cold = load_folder(folder)
    assert [bp.id for bp in cold] == ["iki-kecamatan-jabung"]
    assert load_folder(folder, warm) == cold == load_folder(folder, warm)


def test_a_store_that_cannot_be_written_still_checks(tmp_path: Path) -> None:
    folder, warm = folder_of(tmp_path, JABUNG)
    warm.mkdir()  # the cache's name taken by a folder: nothing can be written there
    assert load_folder(folder, warm) == load_folder(folder)


# the modules one file's check must not import: YAML (the blueprints are warm), scipy's
# statistics (imported by formulas for functions no plan uses), openpyxl (only for shared
# formulas), pandas, pyarrow and the web's; xlsxwriter (nothing is written); the other
# commands' modules (each command loads lazily) and what only other use cases of the office
# run: the mail (IMAP, SMTP, TLS), the intake, the accounts, the periods' states, the recap,
# the kabupaten's workspace
PROBE = """
import gc, json, sys
from iki_xlsx.cli.main import main
sys.argv = ["iki-xlsx", "periksa", sys.argv[1]]  # as the installed command runs
try:
    main()
except SystemExit as done:
    code = done.code
collector = {"enabled": gc.isenabled(), "start_up_frozen": gc.get_freeze_count() > 0}
heavy = ["yaml", "scipy.stats", "scipy.interpolate", "openpyxl", "pandas", "pyarrow",
         "starlette", "jinja2", "xlsxwriter", "imaplib", "smtplib", "ssl",
         "iki_xlsx.cli.web", "iki_xlsx.cli.akun", "iki_xlsx.cli.collect", "iki_xlsx.cli.send",
         "iki_xlsx.cli.tahun", "iki_xlsx.mail.imap", "iki_xlsx.mail.kirim",
         "iki_xlsx.mail.replies", "iki_xlsx.mail.outbox", "iki_xlsx.intake.collect",
         "iki_xlsx.intake.status", "iki_xlsx.accounts.book", "iki_xlsx.rekap.source",
         "iki_xlsx.service.kabupaten", "iki_xlsx.documents", "iki_xlsx.years"]
print(json.dumps({"code": code, "imported": [m for m in heavy if m in sys.modules],
                  "collector": collector}), file=sys.stderr)
"""


@dataclass(frozen=True)
class Workspace:
    """A workspace of one unit whose workbooks of iki-kecamatan-kota 2026 were generated, and
    that unit's workbook filled in as returned (`filled`)."""

    root: Path
    unit: Unit
    bp: Blueprint
    filled: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The workspace made once by the commands (`init`, `buat`) for the module's tests; each
    test works in its own copy (`office_workspace`)."""
    folder = tmp_path_factory.mktemp("kantor")
    root = folder / "kantor"
    cli = [sys.executable, "-m", "iki_xlsx"]
    assert subprocess.run([*cli, "init", str(root)], capture_output=True).returncode == 0
    unit = Unit("3573011001", "Kelurahan Satu", "satu@kelurahan.example.id")
    (root / "unit.csv").write_text(f"kode,nama,email\n{unit.kode},{unit.nama},{unit.email}\n",
                                   encoding="utf-8")
    done = subprocess.run([*cli, "buat", "iki-kecamatan-kota", "--periode", "2026"],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stderr
    bp = load_blueprint(root / "blueprints" / KOTA.name).blueprint
    assert bp is not None
    filled = write_filled(bp, unit, recipients(bp, [unit]), 2026, folder / "isi.xlsx")
    return Workspace(root, unit, bp, filled)


def office_workspace(tmp_path: Path, made: Workspace) -> tuple[Path, Unit, Blueprint]:
    """This test's own copy of the made workspace (nothing kept in it yet)."""
    root = tmp_path / "kantor"
    shutil.copytree(made.root, root, symlinks=True)
    return root, made.unit, made.bp


def test_periksa_in_a_warm_workspace_imports_only_what_it_uses(tmp_path: Path,
                                                              made: Workspace) -> None:
    root, unit, _ = office_workspace(tmp_path, made)
    returned = Path(shutil.copy(made.filled, tmp_path / "kembali.xlsx"))
    runs = [subprocess.run([sys.executable, "-c", PROBE, str(returned)], capture_output=True,
                           text=True, cwd=root) for _ in range(2)]
    first, warm = (json.loads(run.stderr.strip().splitlines()[-1]) for run in runs)
    assert (root / "simpan" / WARM_FILE).exists()
    assert runs[1].stdout.startswith(f"{returned}: DITERIMA — {unit.nama}, 2026 (0 temuan)")
    assert first["code"] == warm["code"] == 0
    assert "yaml" in first["imported"]  # the first run read the blueprint's YAML
    assert warm["imported"] == []
    # its start-up ran without the cyclic collector, which resumed for the check
    assert first["collector"] == warm["collector"] == {"enabled": True, "start_up_frozen": True}


def _tampering(tmp_path: Path, made: Workspace
               ) -> tuple[SheetPlan, Cell, Callable[[str, float], Path]]:
    """The unit's filled workbook's last formula cell of a jabatan sheet, and a maker of
    copies of the workbook whose stored value there is tampered (the formula kept)."""
    plan = plan_workbook(made.bp, made.unit, 2026, recipients(made.bp, [made.unit]))
    sheet, cell = [(s, c) for s, c in plan.formula_cells() if s.kind == "jabatan"][-1]

    def tampered(name: str, value: float) -> Path:
        return mutate.set_cell(made.filled, tmp_path / name, sheet.name, cell.ref, value=value,
                               keep_formula=True)
    return sheet, cell, tampered


def test_periksa_judges_alike_with_the_layout_an_earlier_run_kept(tmp_path: Path,
                                                                  made: Workspace) -> None:
    """The first `periksa` keeps the layout it made (the plan, and the formulas compiled by
    the engine) in the store folder; the next ones read it instead of planning and compiling
    again, and judge exactly alike, a recomputed value included. A kept layout that is
    damaged, or that another user could have changed, is not read: made again, same verdict."""
    root, unit, _ = office_workspace(tmp_path, made)
    sheet, cell, tampered = _tampering(tmp_path, made)
    returned = tampered("kembali.xlsx", 12345.0)
    periksa = [sys.executable, "-m", "iki_xlsx", "periksa", str(returned)]
    kept = root / "simpan" / LAYOUTS_DIR

    def run() -> list[str]:
        done = subprocess.run(periksa, capture_output=True, text=True, cwd=root)
        assert done.returncode == 1, done.stderr
        return done.stdout.splitlines()

    cold = run()
    assert cold[0] == f"{returned}: PERLU PERBAIKAN — {unit.nama}, 2026 ({len(cold) - 1} temuan)"
    assert any(f"{sheet.name}!{cell.ref}" in line for line in cold[1:])
    files = list(kept.iterdir())
    assert len(files) == 1
    written = files[0].stat().st_ino
    assert run() == cold  # warm: read, not made and kept again
    assert files[0].stat().st_ino == written
    files[0].write_bytes(b"rusak")
    assert run() == cold
    assert files[0].read_bytes()[:1] == b"\x80"  # made and kept again
    written = files[0].stat().st_ino
    files[0].chmod(0o664)  # the office's colleagues could have changed it: not read, and
    assert run() == cold  # replaced by one of this user's own
    assert files[0].stat().st_ino != written and not files[0].stat().st_mode & 0o022


def verdicts(report: CheckReport) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    return [(r.file, str(r.status), [(f.code, f.cell) for f in r.findings])
            for r in report.files]


def test_a_warm_pool_checks_batch_after_batch_with_the_same_workers(
        generated: dict[tuple[str, bool], list[Path]],
        blueprints: dict[str, Blueprint]) -> None:
    files = generated[("iki-kecamatan-jabung", True)] + generated[("iki-kecamatan-jabung", False)]
    index = BlueprintIndex(blueprints.values())
    cold = verdicts(check_files(files, index))
    assert {status for _, status, _ in cold} == {"ok", "needs-correction"}  # filled, blank
    with WarmPool(2) as pool:
        assert pool.pids == []  # nothing started before the first batch
        assert verdicts(check_files(files, index, pool=pool)) == cold
        workers = pool.pids
        assert len(workers) == 2
        assert verdicts(check_files(files[:1], index, pool=pool)) == cold[:1]
        assert verdicts(check_files(files, index, pool=pool)) == cold
        assert pool.pids == workers
    assert pool.pids == []
    for pid in workers:  # stopped with the pool
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(
            f"/proc/{pid}/stat").read_text().split()[2]


def test_a_warm_worker_that_died_is_replaced_and_costs_no_file(
        generated: dict[tuple[str, bool], list[Path]],
        blueprints: dict[str, Blueprint]) -> None:
    files = generated[("iki-kecamatan-jabung", True)] * 3
    index = BlueprintIndex(blueprints.values())
    cold = verdicts(check_files(files, index))
    with WarmPool(2) as pool:
        assert verdicts(check_files(files, index, pool=pool)) == cold
        killed = pool.pids
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        assert verdicts(check_files(files, index, pool=pool)) == cold
        assert verdicts(check_files(files, index, pool=pool)) == cold
        assert pool.pids and not set(pool.pids) & set(killed)


def test_a_warm_pool_started_by_a_passing_thread_outlives_it(
        generated: dict[tuple[str, bool], list[Path]],
        blueprints: dict[str, Blueprint]) -> None:
    """The web app's first upload runs in a job's thread that soon ends; the workers it
    started must not die with it (a worker dies with the thread that started it)."""
    files = generated[("iki-kecamatan-jabung", True)]
    index = BlueprintIndex(blueprints.values())
    cold = verdicts(check_files(files, index))
    with WarmPool(2) as pool:
        first: list[object] = []
        job = threading.Thread(target=lambda: first.append(
            verdicts(check_files(files, index, pool=pool))))
        job.start()
        job.join()
        assert first == [cold]
        workers = pool.pids
        assert verdicts(check_files(files, index, pool=pool)) == cold
        assert pool.pids == workers


def test_a_collect_judges_alike_with_the_layout_an_earlier_collect_kept(
        tmp_path: Path, made: Workspace) -> None:
    """`terima` in a workspace keeps the layout it made in the store folder, as `periksa`
    does; the next collect starts from it (read, not made again) and judges a return exactly
    as a collect in the same workspace without a kept layout judges it."""
    root, _, _ = office_workspace(tmp_path, made)
    cold_root = tmp_path / "kantor-dingin"
    shutil.copytree(root, cold_root, symlinks=True)  # the same workspace, nothing kept yet
    sheet, cell, tampered = _tampering(tmp_path, made)
    first, second = tampered("pertama.xlsx", 12345.0), tampered("kedua.xlsx", 54321.0)
    kept = root / "simpan" / LAYOUTS_DIR

    def terima(where: Path, path: Path) -> tuple[int, list[str]]:
        done = subprocess.run([sys.executable, "-m", "iki_xlsx", "terima", str(path)],
                              capture_output=True, text=True, cwd=where)
        assert done.returncode in (0, 1), done.stderr
        return done.returncode, done.stdout.splitlines()

    _, lines = terima(root, first)
    assert lines[0].startswith("baru: pertama.xlsx (") and lines[0].endswith("PERLU PERBAIKAN")
    files = list(kept.iterdir())
    assert len(files) == 1  # the first collect kept the layout it made
    written = files[0].stat().st_ino
    warm = terima(root, second)
    assert files[0].stat().st_ino == written  # read by the second collect, not made again
    assert not (cold_root / "simpan" / LAYOUTS_DIR).exists()
    cold = terima(cold_root, second)
    assert warm == cold
    assert cold[1][0].startswith("baru: kedua.xlsx (") and cold[1][0].endswith("PERLU PERBAIKAN")
    assert any(f"{sheet.name}!{cell.ref}" in line for line in cold[1][1:-1])
    assert cold[1][-1] == "1 baru, 0 sudah ada, 0 dilewati"
