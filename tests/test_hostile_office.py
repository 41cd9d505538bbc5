"""The hostile corpus of the office's own files (tests/hostile.py `build_office_cases`):
blueprints, iki.toml and unit.csv that cost more than themselves before, each now one located
Indonesian finding through the real CLI (in-process) and the web app, and a hostile blueprint
dropped into a workspace costs no return. CPU and memory per case: benchmarks/bench_hostile.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.cli.main import main
from iki_xlsx.service.workspace import WorkspaceError, load_workspace
from tests.hostile import BUNDLED, OfficeCase, build_office_cases, good_workbooks, laughs


@pytest.fixture(scope="module")
def office_cases(tmp_path_factory: pytest.TempPathFactory) -> list[OfficeCase]:
    return build_office_cases(tmp_path_factory.mktemp("kantor"))


def cli(*args: str) -> tuple[int, list[str]]:
    done = CliRunner().invoke(main, list(args), prog_name="iki-xlsx")
    assert isinstance(done.exception, SystemExit | None), done.exception  # no traceback
    return done.exit_code, done.output.splitlines()


def test_every_hostile_office_file_is_one_located_finding(
        office_cases: list[OfficeCase]) -> None:
    seen = {}
    for case in office_cases:
        if case.kind == "blueprint":
            findings = load_blueprint(case.path).findings
            code, lines = cli("blueprint", "periksa", str(case.path))
            assert code == 1, (case.name, lines)
            assert lines and all(line.startswith(f"Kesalahan: {case.path}") for line in lines), \
                (case.name, lines)
        else:
            with pytest.raises(WorkspaceError) as refused:
                load_workspace(case.path)
            findings = refused.value.findings
            code, lines = cli("--ruang", str(case.path), "status")
            assert code == 2, (case.name, lines)
            shown = "iki.toml" if case.kind == "config" else str(case.path / "unit.csv")
            assert lines[0].startswith(f"Kesalahan: {shown}:"), (case.name, lines)
            assert lines[-1] == ("Kesalahan: ruang kerja tidak dapat dipakai; perbaiki "
                                 "kesalahan di atas")
        assert all(len(line) < 400 for line in lines), (case.name, max(map(len, lines)))
        seen[case.name] = findings[0].code
    assert seen == {case.name: case.code for case in office_cases}


def test_the_limits_leave_every_bundled_blueprint_valid() -> None:
    for path in BUNDLED.glob("*.yaml"):
        assert load_blueprint(path).ok, path
    # an alias used a few times, as a careful author might, is still read
    text = (BUNDLED / "iki-kecamatan-jabung.yaml").read_text(encoding="utf-8")
    assert load_blueprint_text_ok(text.replace("kantor:", "x-catatan: &c [satu, dua]\nkantor:", 1)
                                  ) == ["blueprint-unknown-key"]
    assert len(laughs(4)) < 300  # 6,561 values expanded: within the budget, so not refused
    assert load_blueprint_text_ok(laughs(4)) != ["blueprint-too-large"]


def load_blueprint_text_ok(text: str) -> list[str]:
    from iki_xlsx.blueprint.load import load_blueprint_text

    return sorted({f.code for f in load_blueprint_text(text, "x.yaml").findings})


def test_hostile_blueprints_in_the_workspace_cost_no_return(
        office_cases: list[OfficeCase], tmp_path: Path) -> None:
    root = tmp_path / "ruang"
    assert cli("init", str(root))[0] == 0
    shutil.rmtree(root / "blueprints")
    (root / "blueprints").mkdir()
    shutil.copy(BUNDLED / "iki-kecamatan-jabung.yaml", root / "blueprints")
    for case in office_cases:
        if case.kind == "blueprint":
            shutil.copy(case.path, root / "blueprints")
    good = good_workbooks(tmp_path / "baik", 2)
    code, lines = cli("--ruang", str(root), "terima", *map(str, good))
    assert code == 0, lines
    assert [line.endswith("DITERIMA") for line in lines if line.startswith("baru: ")] == \
        [True, True]
    code, lines = cli("--ruang", str(root), "blueprint", "periksa")
    assert code == 1
    hostile = {c.path.name for c in office_cases if c.kind == "blueprint"}
    named = {line.split(":")[1].strip().rsplit("/", 1)[-1] for line in lines}
    assert hostile <= named


def test_the_web_app_says_each_case_and_serves_on(office_cases: list[OfficeCase],
                                                 tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from iki_xlsx.web import create_app
    from iki_xlsx.web.site import Site
    from tests.webspace import csrf_in, make_workspace

    for case in office_cases:  # a hostile iki.toml or unit.csv: every page still answers
        if case.kind == "blueprint":
            continue
        with TestClient(create_app(Site(case.path)), base_url="http://127.0.0.1:8000") as client:
            home = client.get("/")
            assert home.status_code == 200 and "Traceback" not in home.text, case.name
            assert client.get("/status").status_code == 200, case.name
    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    with TestClient(create_app(Site(root)), base_url="http://127.0.0.1:8000") as client:
        csrf = csrf_in(client.get("/blueprint").text)
        for case in office_cases:  # each hostile blueprint uploaded: refused, nothing written
            if case.kind != "blueprint" or case.path.stat().st_size > 2 * 1024 * 1024:
                continue
            sent = client.post("/blueprint", data={"csrf": csrf}, files=[
                ("berkas", (case.path.name, case.path.read_bytes(), "text/yaml"))])
            assert sent.status_code == 422, (case.name, sent.status_code)
            assert f"{case.path.name}:" in sent.text, case.name
        assert not (root / "blueprints").exists() or not any((root / "blueprints").iterdir())
        assert client.get("/").status_code == 200


# --- which workspace: discovery, demo, a folder named that is not there -----------------------


def _office(root: Path) -> Path:
    assert cli("init", str(root))[0] == 0
    config = root / "iki.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("Kecamatan Contoh",
                                                                  "Kecamatan Jabung"))
    return root


def test_an_iki_toml_another_user_planted_above_is_passed_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from iki_xlsx.service.workspace import find_root

    planted = _office(tmp_path / "atas")
    inner = planted / "kantor" / "masuk"
    inner.mkdir(parents=True)
    assert find_root(inner) == planted  # the user's own: found, as git finds its repository
    if os.getuid() == 0:  # root can give the file away; another user is simulated otherwise
        os.chown(planted / "iki.toml", 65534, 65534)
        assert find_root(inner) is None
    else:
        assert find_root(inner, uid=os.getuid() + 1) is None
    if os.getuid() == 0:
        monkeypatch.chdir(inner)
        code, lines = cli("status")
        assert (code, lines) == (2, ["Kesalahan: sebutkan --store FOLDER, atau jalankan perintah "
                                     "di dalam ruang kerja (buat dengan: iki-xlsx init FOLDER)"])
        assert not (planted / "simpan" / "iki.sqlite").exists()
        own = _office(inner / "kantor-saya")  # the user's own workspace below it is found
        monkeypatch.chdir(own)
        assert cli("status")[1] == [f"Kesalahan: penyimpanan {own / 'simpan'} belum ada; "
                                    "jalankan collect lebih dulu"]


@pytest.mark.parametrize("part", ["iki.toml", "."])
def test_a_workspace_others_can_change_is_refused(tmp_path: Path, part: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = _office(tmp_path / "kantor")
    changed = root / part if part != "." else root
    changed.chmod(changed.stat().st_mode | 0o002)
    for args in (["--ruang", str(root), "status"], ["status"]):
        monkeypatch.chdir(root)
        code, lines = cli(*args)
        assert code == 2, lines
        assert lines[0] == (f"Kesalahan: {changed} dapat diubah pengguna lain; ruang kerja "
                            "tidak dipakai sampai hanya pemiliknya yang dapat mengubahnya "
                            f"(chmod go-w {changed})")
    changed.chmod(changed.stat().st_mode & ~0o002)
    monkeypatch.chdir(root)
    assert cli("status")[0] == 2 and "belum ada" in cli("status")[1][0]  # usable again


def test_demo_refuses_an_office_workspace(tmp_path: Path) -> None:
    office = _office(tmp_path / "kantor")
    before = sorted(p.relative_to(office) for p in office.rglob("*"))
    for target in (office, office / "contoh", office / "keluaran" / "demo"):
        code, lines = cli("demo", "-o", str(target))
        assert code == 2, lines
        assert lines[-1] == (f"Kesalahan: {target} ada di dalam ruang kerja {office}; demo tidak "
                             "menulis contoh ke ruang kerja kantor: pilih folder di luarnya "
                             "dengan iki-xlsx demo -o FOLDER")
    assert sorted(p.relative_to(office) for p in office.rglob("*")) == before  # nothing written


def test_a_blueprints_folder_that_is_not_there_is_a_usage_error(tmp_path: Path) -> None:
    good = good_workbooks(tmp_path / "baik", 1)[0]
    for folder in (tmp_path / "tidak-ada", good):
        code, lines = cli("periksa", str(good), "--blueprints", str(folder))
        why = "tidak ada" if folder != good else "bukan folder"
        assert (code, lines) == (2, [f"Kesalahan: folder blueprint {folder} {why}; sebutkan "
                                     "folder yang berisi blueprint dengan --blueprints"])


def test_the_offices_other_files_are_read_within_bounds(tmp_path: Path) -> None:
    from iki_xlsx.mail.replies import load_templates
    from iki_xlsx.web.security import Passwords

    templates = tmp_path / "templat"
    templates.mkdir()
    (templates / "diterima.txt").write_text("Subjek: x\n\n" + "y" * 200_000, encoding="utf-8")
    loaded, findings = load_templates(templates, ["diterima"])
    assert loaded == {} and [f.one_line() for f in findings] == [
        f"{templates / 'diterima.txt'}: templat tidak dapat dibaca (lebih dari 64 KB; templat "
        "surel tidak sebesar itu)"]
    passwords = Passwords(tmp_path)
    passwords.path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert passwords.hashes() == {}  # no password accepted, no RecursionError
    passwords.path.write_text('{"operator": "' + "x" * 100_000 + '"}', encoding="utf-8")
    assert passwords.hashes() == {} and not passwords.check("operator", "x")
