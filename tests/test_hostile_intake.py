"""The hostile corpus of what reaches intake beside workbooks (tests/hostile.py): links out
of the drop folder, a pipe, and e-mails too big to parse whole, through the real CLI
(in-process); each is refused or read within bounds, and the good returns beside them are
accepted. CPU and memory per case: benchmarks/bench_hostile.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from iki_xlsx.cli.main import main
from iki_xlsx.web.security import Passwords
from tests.hostile import LINK_TARGETS, build_drop_folder, build_mail_cases, good_workbooks

LINK = "tautan (symlink), tidak diikuti; salin berkasnya sendiri ke folder itu"


def cli(*args: str) -> tuple[int, list[str]]:
    done = CliRunner().invoke(main, list(args), prog_name="iki-xlsx")
    assert isinstance(done.exception, SystemExit | None), done.exception  # no traceback
    return done.exit_code, done.output.splitlines()


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return good_workbooks(tmp_path_factory.mktemp("baik"), 3)


def stored(store: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (store / "berkas").rglob("*") if p.is_file()}


def test_intake_never_follows_a_link_out_of_the_drop_folder(good: list[Path],
                                                            tmp_path: Path) -> None:
    root = tmp_path / "kantor"
    assert cli("init", str(root))[0] == 0
    Passwords(root).set("operator", "sandi-rahasia-1")
    drop = build_drop_folder(root, good[0], tmp_path / "masuk")
    code, lines = cli("terima", str(drop), "--store", str(tmp_path / "simpan"))
    assert code == 0, lines
    assert lines[0].startswith(f"baru: {good[0].name} ") and lines[0].endswith("DITERIMA")
    for i, _ in enumerate(LINK_TARGETS):
        assert f"dilewati: {drop}/IKI_2026_0{i}_Desa.xlsx: {LINK}" in lines
    assert f"dilewati: {drop}/pipa.xlsx: bukan berkas biasa" in lines
    assert lines[-1] == "1 baru, 0 sudah ada, 4 dilewati"  # the linked folder is not entered
    kept = stored(tmp_path / "simpan")
    assert list(kept) == [hashlib.sha256(good[0].read_bytes()).hexdigest()]
    # a link named on the command line is not followed either
    code, lines = cli("terima", str(drop / "IKI_2026_00_Desa.xlsx"), "--store",
                      str(tmp_path / "simpan"))
    assert lines == [f"dilewati: {drop}/IKI_2026_00_Desa.xlsx: {LINK}",
                     "0 baru, 0 sudah ada, 1 dilewati"]
    assert stored(tmp_path / "simpan") == kept


def test_big_mail_is_read_as_a_stream_and_an_mbox_message_by_message(
        good: list[Path], tmp_path: Path) -> None:
    mail = build_mail_cases(good, tmp_path / "surel")
    store = str(tmp_path / "simpan")
    code, lines = cli("terima", str(mail["eml-95mb"]), "--store", store)
    assert (code, lines[0][:len(f"baru: {good[0].name} ")]) == (0, f"baru: {good[0].name} ")
    assert lines[0].endswith("DITERIMA") and lines[-1] == "1 baru, 0 sudah ada, 0 dilewati"
    code, lines = cli("terima", str(mail["mbox-300mb"]), "--store", store)
    assert code == 0, lines
    assert lines == [
        lines[0], f"dilewati: {mail['mbox-300mb']}#1: terlalu besar (300 MB; batas 100 MB); "
                  "tidak dibaca", "1 baru, 0 sudah ada, 1 dilewati"]
    assert lines[0].startswith(f"baru: {good[1].name} ") and lines[0].endswith("DITERIMA")


# --- the web app's Host check ------------------------------------------------------------------


@pytest.mark.parametrize(("host", "extra", "answered"), [
    ("127.0.0.1:8000", (), True),
    ("localhost:8000", (), True),
    ("[::1]:8000", (), True),
    ("127.0.0.1:8000@evil.example", (), False),
    ("127.0.0.1@evil.example:8000", (), False),
    ("127.0.0.1:8000:8000", (), False),
    ("127.0.0.1:9999", (), False),
    ("127.0.0.1", (), False),  # port 80, the server listens on 8000
    ("127.0.0.1:08000x", (), False),
    ("evil.example:8000", (), False),
    ("127.0.0.1.evil.example:8000", (), False),
    ("user@127.0.0.1:8000", (), False),
    ("127.0.0.1:8000/x", (), False),
    ("[::1%25lo]:8000", (), False),
    ("iki.kecamatan.go.id", ("iki.kecamatan.go.id",), True),  # behind a proxy on port 80
    ("iki.kecamatan.go.id:8000", ("iki.kecamatan.go.id",), True),
    ("iki.kecamatan.go.id:8443", ("iki.kecamatan.go.id",), False),
    ("iki.kecamatan.go.id:8443", ("iki.kecamatan.go.id:8443",), True),
    ("iki.kecamatan.go.id.evil.example", ("iki.kecamatan.go.id",), False),
])
def test_the_host_header_is_parsed_then_host_and_port_compared(
        tmp_path: Path, host: str, extra: tuple[str, ...], answered: bool) -> None:
    from starlette.testclient import TestClient

    from iki_xlsx.web import create_app
    from iki_xlsx.web.site import Site
    from tests.webspace import make_workspace

    site = Site(make_workspace(tmp_path / "ruang", with_blueprint=False))
    with TestClient(create_app(site, extra_hosts=extra),
                    base_url="http://127.0.0.1:8000") as client:
        response = client.get("/status", headers={"host": host})
    assert response.status_code == (200 if answered else 400), (host, response.text[:200])
    if not answered:
        assert response.text == ("Alamat host tidak dikenal; buka aplikasi melalui alamat yang "
                                 "diizinkan.")


def test_a_host_to_allow_that_is_no_host_is_refused(tmp_path: Path) -> None:
    from iki_xlsx.web.serve import plan_serving
    from iki_xlsx.web.site import Site
    from tests.webspace import make_workspace

    site = Site(make_workspace(tmp_path / "ruang", with_blueprint=False))
    plan = plan_serving(site, "127.0.0.1", ("127.0.0.1:8000@evil.example",))
    assert plan.refusal == ("--izinkan-host 127.0.0.1:8000@evil.example bukan nama host atau "
                            "alamat (contoh: iki.kecamatan.go.id, 192.168.1.10 atau "
                            "192.168.1.10:8000)")


def test_every_upload_is_recorded_a_refused_name_included(good: list[Path],
                                                          tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from iki_xlsx.intake.status import history
    from iki_xlsx.store.db import Store
    from iki_xlsx.web import create_app
    from iki_xlsx.web.site import Site
    from tests.webspace import csrf_in, make_workspace

    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    names = ["../../../iki.toml", "..\\..\\web-sandi.json", "catatan.txt", good[0].name]
    payloads = [b'kantor = "Palsu"\n', b'{"operator": "x"}', b"bukan workbook",
                good[0].read_bytes()]
    with TestClient(create_app(Site(root)), base_url="http://127.0.0.1:8000") as client:
        sent = client.post("/terima", data={"csrf": csrf_in(client.get("/terima").text)},
                           files=[("berkas", (name, data, "application/octet-stream"))
                                  for name, data in zip(names, payloads, strict=True)],
                           follow_redirects=False)
        assert sent.status_code == 303, sent.text
        jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
        job = jobs.wait(sent.headers["location"].rsplit("/", 1)[1], timeout=300)
        assert job is not None and job.state == "selesai", job and job.error
    assert (root / "iki.toml").read_bytes() != payloads[0]  # nothing written where it said
    assert not (root / "web-sandi.json").exists()
    recorded = {item.filename: item.status.label for item in history(Store(root / "simpan"))}
    assert recorded == {names[0]: "ditolak", names[1]: "ditolak", names[2]: "ditolak",
                        names[3]: "ditolak"}  # no blueprint in this workspace: unknown, refused
    kept = stored(root / "simpan")
    assert sorted(kept.values()) == sorted(payloads)  # each upload kept byte for byte


# --- identity: the manifest against the office's register -------------------------------------


def test_a_manifest_disagreeing_with_the_register_is_refused_with_its_own_finding(
        tmp_path: Path, blueprints: dict[str, object]) -> None:
    import json

    from iki_xlsx.core.units import Unit
    from iki_xlsx.store.db import Store
    from iki_xlsx.workbook.generate import generate
    from tests.hostile import _manifest_with

    bp = blueprints["iki-kecamatan-jabung"]
    units = [Unit("01", "Desa Satu", "satu@desa.example.id"),
             Unit("02", "Desa Dua", "dua@desa.example.id")]
    store = Store(tmp_path / "simpan")
    assert generate(bp, units, 2026, tmp_path / "kirim-1", register=store).ok  # type: ignore[arg-type]
    earlier = generate(bp, units, 2026, tmp_path / "isi-1", sample=True).files  # type: ignore[arg-type]
    renamed = [units[0], Unit("02", "Desa Dua Baru", "dua@desa.example.id")]
    assert generate(bp, renamed, 2026, tmp_path / "kirim-2", register=store).ok  # type: ignore[arg-type]
    desa = next(p for p in earlier if "_01_" in p.name)

    def other_name(manifest: dict[str, object]) -> str:
        units_ = [dict(u, nama="Desa Palsu") if u["kode"] == "02" else u
                  for u in manifest["units"]]  # type: ignore[attr-defined]
        return json.dumps({**manifest, "units": units_})

    forged = {
        "nama": _manifest_with(desa, tmp_path / "nama.xlsx", other_name),
        "versi": _manifest_with(desa, tmp_path / "versi.xlsx", lambda m: json.dumps(
            {**m, "blueprint": {**m["blueprint"], "versi": "99"}})),  # type: ignore[dict-item]
    }
    code, lines = cli("terima", str(desa), *map(str, forged.values()), "--store",
                      str(tmp_path / "simpan"))
    assert code == 1, lines
    # a return of the first run, made before the office renamed Desa Dua: its own units list
    assert lines[0].startswith(f"baru: {desa.name} ") and lines[0].endswith("DITERIMA")
    said = {line.split(" ")[1]: line for line in lines if line.startswith("baru: ")}
    assert said["nama.xlsx"].endswith("DITOLAK") and said["versi.xlsx"].endswith("DITOLAK")
    text = "\n".join(lines)
    assert ("manifes buku kerja tidak cocok dengan catatan kecamatan: nama unit 02 di manifes "
            "'Desa Palsu', di catatan kecamatan 'Desa Dua Baru'") in text
    assert ("manifes buku kerja tidak cocok dengan catatan kecamatan: versi blueprint di "
            "manifes '99', di catatan kecamatan '1'") in text
    assert text.count("[manifest-mismatch]") == 2


# --- the store: checked before anything is reported from it ----------------------------------


def test_status_and_rekap_refuse_a_damaged_store(good: list[Path], tmp_path: Path) -> None:
    store = tmp_path / "simpan"
    assert cli("terima", *map(str, good), "--store", str(store))[0] == 0
    database = store / "iki.sqlite"
    pages = database.stat().st_size // 4096
    assert pages > 8
    with database.open("r+b") as handle:  # three pages in the middle overwritten
        handle.seek(4096 * (pages // 2 - 1))
        handle.write(b"\xff" * 4096 * 3)
    refusal = (f"Kesalahan: {database} rusak (pemeriksaan keutuhan gagal); tidak ada yang "
               "dilaporkan; pulihkan dari cadangan atau pakai folder penyimpanan lain")
    for args in (["status"], ["status", "--riwayat"], ["rekap", "-o", str(tmp_path / "r.xlsx")]):
        assert cli(*args, "--store", str(store)) == (1, [refusal]), args
    assert not (tmp_path / "r.xlsx").exists()
    folder = tmp_path / "lain"
    (folder / "iki.sqlite").mkdir(parents=True)  # the database's name taken by a folder
    assert cli("status", "--store", str(folder)) == (1, [
        f"Kesalahan: {folder / 'iki.sqlite'} bukan berkas basis data (sebuah folder, tautan "
        "atau perangkat); jangan ubah isi folder penyimpanan, pakai folder penyimpanan lain"])


def test_a_junk_drop_is_summed_up_in_indonesian(good: list[Path], tmp_path: Path) -> None:
    from tests.hostile import build_junk_drop

    store = str(tmp_path / "simpan")
    junk = build_junk_drop(tmp_path / "sampah", 300)
    assert cli("terima", str(junk), str(good[0]), "--store", store)[0] == 1
    code, lines = cli("status", "--store", store)
    assert code == 0
    unidentified = [line for line in lines if line.startswith("tidak teridentifikasi: ")]
    assert unidentified == [
        *(f"tidak teridentifikasi: IKI_sampah_{i:04d}.xlsx (ditolak)" for i in range(3)),
        "tidak teridentifikasi: dan 297 berkas lain (297 ditolak); daftar lengkapnya: "
        "status --riwayat --json"]
    code, lines = cli("status", "--riwayat", "--store", store)
    assert code == 0 and len(lines) < 20, lines
    summary = [line for line in lines if " sampai " in line]
    assert len(summary) == 1 and summary[0].endswith(
        ": dan 297 berkas lain yang juga tidak teridentifikasi, DITOLAK [unsupported-format]; "
        "rinciannya: status --riwayat --json")
    assert any(good[0].name in line and line.endswith("DITERIMA") for line in lines)
    english = {"rejected", "needs-correction", " ok)", "unknown"}
    assert not [line for line in lines if any(word in line for word in english)]
    code, lines = cli("status", "--riwayat", "--json", "--store", store)
    import json

    assert len(json.loads("\n".join(lines))["kiriman"]) == 301  # nothing lost from the record
