"""Shared fixtures: the bundled blueprints, generated workbooks, an independent recalculation,
and the real servers every test shares (one LibreOffice, one dovecot, one SMTP server, one
certificate), started once per run (per pytest-xdist worker) and stopped at its end."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.store.location import PostgresLocation
from iki_xlsx.workbook.generate import generate
from tests import cetak400, libreoffice
from tests.mailservers import Dovecot, Kotak, SmtpServer, certificate
from tests.pgserver import PostgresServer
from tests.shared import built_once, by_content, file_digest, run_folder

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = ROOT / "blueprints"
SAMPLES = ROOT / "samples"


def seeds_folder() -> Path | None:
    """The decree documents the bundled blueprints were transcribed from: `$IKI_SEEDS`, else
    `../shared/seeds` beside the repository; None when neither exists (a bare clone)."""
    given = os.environ.get("IKI_SEEDS")
    candidates = [Path(given)] if given else []
    candidates.append(ROOT.parent / "shared" / "seeds")
    return next((folder for folder in candidates if folder.is_dir()), None)


SEEDS = seeds_folder()
UNITS = [Unit("3507301001", "Desa Sukamaju"), Unit("3507301002", "Desa Mekar Sari")]


def bundled() -> dict[str, Blueprint]:
    """The bundled blueprints by id (a dict of its own for each caller). They are read once
    per process: parsing their YAML takes about a second, and a Blueprint is frozen."""
    return dict(_bundled())


@functools.cache
def _bundled() -> dict[str, Blueprint]:
    result = {}
    for path in find_blueprints(BLUEPRINTS):
        loaded = load_blueprint(path)
        assert loaded.blueprint is not None, [f.one_line() for f in loaded.findings]
        result[loaded.blueprint.id] = loaded.blueprint
    return result


@pytest.fixture(scope="session")
def blueprints() -> dict[str, Blueprint]:
    return bundled()


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory,
              blueprints: dict[str, Blueprint]) -> dict[tuple[str, bool], list[Path]]:
    """Blank and sample-filled workbooks of every bundled blueprint for two units + office,
    written once per run (tests read them, never change them)."""

    def build(folder: Path) -> None:
        made: dict[str, list[str]] = {}
        for bp_id, bp in blueprints.items():
            for filled in (False, True):
                name = f"{bp_id}-{'isi' if filled else 'kosong'}"
                result = generate(bp, UNITS, 2026, folder / name, sample=filled)
                assert result.ok, [f.one_line() for f in result.findings]
                made[name] = [str(p.relative_to(folder)) for p in result.files]
        (folder / "berkas.json").write_text(json.dumps(made), encoding="utf-8")

    folder = built_once(tmp_path_factory, "generated", build)
    made = json.loads((folder / "berkas.json").read_text(encoding="utf-8"))
    return {(bp_id, filled): [folder / f for f in made[f"{bp_id}-{'isi' if filled else 'kosong'}"]]
            for bp_id in blueprints for filled in (False, True)}


# --- the real servers, one of each per run ----------------------------------------------------


@pytest.fixture(scope="session")
def office_port() -> Iterator[int]:
    """The UNO port of the one headless LibreOffice every LibreOffice test talks to."""
    missing = libreoffice.available()
    if missing:
        pytest.fail(f"LibreOffice is required and is not usable: {missing}. "
                    "Run scripts/test.sh, which installs it.", pytrace=False)
    with libreoffice.office() as port:
        yield port


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One self-signed certificate (and key) for 127.0.0.1, for every TLS server of the run."""
    folder = built_once(tmp_path_factory, "sertifikat", certificate)
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="session")
def dovecot(tls_certificate: tuple[Path, Path]) -> Iterator[Dovecot]:
    """The one dovecot (IMAPS on loopback); a test takes a mailbox of its own with
    `dovecot.mailbox(name)`, so tests never see each other's messages."""
    server = Dovecot(tls_certificate).start()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer(Kotak()) as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The shared SMTP server (aiosmtpd on loopback) with an empty mailbag for this test:
    `smtp.handler` keeps what it received and can refuse or delay recipients."""
    smtp_server.use(Kotak())
    return smtp_server


@pytest.fixture(scope="session")
def smtp_tls_server(tls_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    with SmtpServer(Kotak(), tls=tls_certificate) as server:
        yield server


@pytest.fixture
def smtp_tls(smtp_tls_server: SmtpServer) -> SmtpServer:
    """The shared SMTP server that requires STARTTLS and login, with an empty mailbag."""
    smtp_tls_server.use(Kotak())
    return smtp_tls_server


def engine_values(path: Path, twin: Path | None = None) -> dict[tuple[str, str], Any]:
    """Every formula cell recomputed from the file alone by a fresh `formulas.ExcelModel`
    (once per file content in a run: the model of a 22-sheet workbook takes seconds).

    With `twin` (a file holding the very same formulas, defined names and sheets, e.g. the
    filled workbook of a blank one), the twin's model is computed with the values of `path`
    in every cell where the two differ: what a model of `path` gives, without building one
    more (asserted: only plain values differ, each a cell of the twin's model)."""
    if twin is None:
        return dict(by_content("formulas", path, _engine_values))
    return dict(by_content("formulas", path, lambda p: _twin_values(p, twin)))


def _engine_values(path: Path) -> dict[tuple[str, str], Any]:
    return _solution_values(path, _model(path, file_digest(path)).calculate())


def formula_engine_values(path: Path) -> dict[tuple[str, str], Any]:
    """What `engine_values(path)` gives (every formula cell recomputed from the file alone by
    a fresh `formulas.ExcelModel`), from a model of the file's formula cells and the cells
    they read (`ExcelModel.from_ranges`), not of every cell: a recap's data sheet holds
    thousands of values no formula reads. The same values as the whole file's model, for
    every recap, workbook and sample compared; no model kept for a twin (`_model`)."""
    return dict(by_content("formulas-alone", path, _formula_engine_values))


def _formula_engine_values(path: Path) -> dict[tuple[str, str], Any]:
    wanted = [f"'[{path.name}]{sheet.upper()}'!{ref}" for sheet, ref in formula_cells(path)]
    with contextlib.redirect_stderr(io.StringIO()):
        import formulas

        model = formulas.ExcelModel()
        model.basedir = str(path.resolve().parent)
        solution = model.from_ranges(*wanted).finish().calculate()
    return _solution_values(path, solution)


@functools.lru_cache(maxsize=2)  # a blank workbook's test comes just before its filled twin's
def _model(path: Path, digest: str) -> Any:
    """The finished `formulas` model of the file `path` whose content has `digest`."""
    with contextlib.redirect_stderr(io.StringIO()):
        import formulas

        return formulas.ExcelModel().loads(str(path)).finish()


def file_cells(path: Path) -> tuple[list[str], set[str], dict[tuple[str, str], Any]]:
    """Sheet titles, defined names and every non-empty cell (a formula as its text) of the
    file, read once per content in a run."""
    return by_content("cells", path, _all_cells)


def formula_cells(path: Path) -> list[tuple[str, str]]:
    """The file's formula cells (sheet title, reference), in the file's order
    (`file_cells`)."""
    return [key for key, value in file_cells(path)[2].items()
            if isinstance(value, str) and value.startswith("=")]


def _all_cells(path: Path) -> tuple[list[str], set[str], dict[tuple[str, str], Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = {(ws.title, c.coordinate): c.value for ws in book.worksheets
             for row in ws.iter_rows() for c in row if c.value is not None}
    titles, names = book.sheetnames, {f"{n}={d.value}" for n, d in book.defined_names.items()}
    book.close()
    return titles, names, cells


def _twin_values(path: Path, twin: Path) -> dict[tuple[str, str], Any]:
    import schedula

    titles, names, cells = file_cells(path)
    twin_titles, twin_names, twin_cells = file_cells(twin)
    assert (titles, names) == (twin_titles, twin_names)

    def formula(value: Any) -> bool:
        return isinstance(value, str) and value.startswith("=")

    assert {k: v for k, v in cells.items() if formula(v)} == {
        k: v for k, v in twin_cells.items() if formula(v)}, "not the same formulas"
    model = _model(twin, file_digest(twin))
    changed = {}
    for sheet, ref in cells.keys() | twin_cells.keys():
        value = cells.get((sheet, ref))
        if value != twin_cells.get((sheet, ref)):
            node = f"'[{twin.name}]{sheet.upper()}'!{ref}"
            assert node in model.dsp.data_nodes, node
            changed[node] = [[schedula.EMPTY if value is None else value]]
    assert changed, "the same values: use engine_values(path)"
    with contextlib.redirect_stderr(io.StringIO()):
        solution = model.calculate(changed)
    return _solution_values(path, solution)


def _solution_values(path: Path, solution: Any) -> dict[tuple[str, str], Any]:
    sheets, _, cells = file_cells(path)
    titles = {title.upper(): title for title in sheets}
    written = {key for key, value in cells.items()
               if isinstance(value, str) and value.startswith("=")}
    result: dict[tuple[str, str], Any] = {}
    for key, value in solution.items():
        if "!" not in key or "]" not in key:
            continue
        sheet_part, cell = key.rsplit("!", 1)
        sheet = sheet_part.split("]", 1)[1].strip("'").replace("''", "'")
        if ":" in cell or sheet not in titles:
            continue
        title = titles[sheet]
        if (title, cell) not in written:  # not a formula the file holds
            continue
        raw = value.value[0, 0] if hasattr(value, "value") else value
        raw = raw.item() if hasattr(raw, "item") else raw
        result[(title, cell)] = None if str(raw) in ("empty", "") else raw
    return result


def same(a: Any, b: Any) -> bool:
    """Equal as a spreadsheet shows them: numbers within 1e-9 relative, text exactly."""
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


KOTA_UNITS = [Unit("01", "Kelurahan Satu"), Unit("02", "Kelurahan Dua"),
              Unit("03", "Kelurahan Tiga")]
IKM_A = "camat/kelurahan-pelayanan-baik-a"


@pytest.fixture(scope="session")
def kota_recap(tmp_path_factory: pytest.TempPathFactory,
               blueprints: dict[str, Blueprint]) -> Path:
    """Recap of the default blueprint: IKM 80 in 01 (meets 75), 70 in 02, 03 never returns."""
    from iki_xlsx.check import BlueprintIndex
    from iki_xlsx.intake.collect import collect
    from iki_xlsx.rekap.build import write_rekap
    from iki_xlsx.workbook.generate import recipients, write_filled

    bp = blueprints["iki-kecamatan-kota"]
    folder = tmp_path_factory.mktemp("rekap-kota")
    everyone = recipients(bp, KOTA_UNITS)
    ikm = {"01": 80, "02": 70}
    files = [write_filled(bp, unit, everyone, 2026, folder / "kembali" / f"{unit.kode}.xlsx",
                          {f"{IKM_A}/nilai_ikm/p{p}": ikm[unit.kode] for p in range(1, 5)}
                          if unit.kode in ikm else None)
             for unit in everyone if unit.kode != "03"]
    store = registered_store(folder, bp, KOTA_UNITS)
    index = BlueprintIndex(blueprints.values())
    assert [s for _, _, s in collect(files, store, index).added] == ["ok"] * 3
    result = write_rekap(store, index, folder / "rekap.xlsx")
    assert result.path is not None, [f.one_line() for f in result.findings]
    return result.path


# a blueprint whose office keeps one variable per kelurahan (an ambang over units)
PER_UNIT_YAML = """
id: per-unit
versi: "1"
nama: Contoh
kantor: Kecamatan Contoh
jabatan:
  - id: camat
    nama: Camat
    sumber: 000.txt
    indikator:
      - id: ikm-75
        sasaran: Pelayanan
        nama: Persentase kelurahan dengan IKM >= 75
        formulasi: Jumlah kelurahan dengan IKM >= 75 dibagi jumlah kelurahan x 100%
        sumber_data: IKM kelurahan
        satuan: "%"
        target: 100
        jenis: ambang
        ambang: {variabel: ikm, operator: ">=", nilai: 75}
        variabel:
          - {id: ikm, label: Nilai IKM, tipe: desimal, min: 25, max: 100,
             agregasi_periode: terakhir, agregasi_unit: per_unit, pengisi: kecamatan}
"""


def registered_store(folder: Path, bp: Blueprint, units: list[Unit], periode: int = 2026,
                     database: PostgresLocation | None = None) -> Any:
    """A store whose register says the office generated `bp` for `units` and `periode`
    (blank workbooks written beside it, as `generate` in a workspace does); in SQLite, or
    in the PostgreSQL `database` with its raw files in `folder/berkas`."""
    store = new_store(folder, database)
    made = generate(bp, units, periode, folder / f"dibuat-{bp.id}-{periode}", register=store)
    assert made.ok, [f.one_line() for f in made.findings]
    return store


# --- the two databases of the store ---------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session (tests/pgserver.py)."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def postgres(postgres_server: PostgresServer) -> Iterator[PostgresLocation]:
    """A fresh database of the session's server, dropped after the test."""
    from iki_xlsx.store.postgres import close_idle

    name = postgres_server.create_database()
    location = postgres_server.location(name)
    yield location
    close_idle(location)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> PostgresLocation | None:
    """Each test that takes it runs twice: on SQLite (None) and on a fresh PostgreSQL
    database (its location)."""
    if request.param == "sqlite":
        return None
    location: PostgresLocation = request.getfixturevalue("postgres")
    return location


def new_store(folder: Path, database: PostgresLocation | None = None) -> Any:
    """The store of a test's `folder`: SQLite in `folder/simpan`, or the PostgreSQL
    `database` with its raw files in `folder/berkas`."""
    from iki_xlsx.store.db import Store

    if database is None:
        return Store(folder / "simpan")
    return Store(folder / "simpan", database=database, raw=folder / "berkas")


# --- the 400-unit recap printed beside the run; where tests run under pytest-xdist ------------


@pytest.fixture(scope="session")
def large_recap(tmp_path_factory: pytest.TempPathFactory) -> cetak400.LargeRecap:
    """The 400-unit recap and its PDF as LibreOffice prints it, made by a job the run started
    once it collected a test asking for them (`pytest_collection_finish`)."""
    return cetak400.LargeRecap(run_folder(tmp_path_factory) / "cetak-400")


def _run_folder(config: pytest.Config) -> Path:
    factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
    return run_folder(factory)


def pytest_configure(config: pytest.Config) -> None:
    """The cyclic collector's youngest generation collected every 10,000 allocations instead
    of 700 (each process of the run, every pytest-xdist worker): tests keep large graphs
    alive (`formulas` models, plans, stores), which the collector's frequent passes scanned
    again and again, about a sixth of the CPU of test_generate and test_batch (gc callbacks:
    5.9-6.7 s of GC, 1.8 s after). Every object is still collected, only later; a command the
    tests start as an interpreter of its own keeps Python's default."""
    gc.set_threshold(10_000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    if any("large_recap" in getattr(item, "fixturenames", ()) for item in session.items):
        cetak400.start(_run_folder(session.config) / "cetak-400")


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the whole run ends here
        cetak400.stop(_run_folder(session.config) / "cetak-400")


# the modules that take longest, longest first (measured with `--durations`): under
# pytest-xdist they start before the many short ones, which then fill both workers to the end
# (test_layout not first: its last tests wait for the 400-unit print the run starts at once)
LONGEST_FIRST = ["test_year.py", "test_performance_year.py", "test_layout.py",
                 "test_rollup.py", "test_recap_print.py", "test_libreoffice.py", "test_batch.py",
                 "test_web_browser.py", "test_generate.py", "test_hostile.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order kept


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist, tests go module by module, so a module's fixtures are built once
    and its tests run in their order; modules are handed out in the order of LONGEST_FIRST,
    then as collected. A worker that runs a LibreOffice module starts its own LibreOffice
    (`office_port`, one per worker), whose profile keeps no lock files, so files built once
    are read by both. (A scheduler of our own: pytest 9 names tests by a structured id that
    xdist's xdist_group suffix no longer changes.)"""
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # LONGEST_FIRST, not the number of tests

    class ByModule(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return nodeid.split("::", 1)[0]

    return ByModule(config, log)
