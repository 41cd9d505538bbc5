"""One office, two faces: the command line (in-process, Click's runner) and the web app
(Starlette's test client) call the same use cases of `service.Office` and see the same
results. Each of issue 21's three defects is shown through both."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.cli.main import main
from iki_xlsx.core.errors import UsageError
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.service.demo import write_mistaken
from iki_xlsx.service.settings import host_port
from iki_xlsx.web import create_app, open_site
from iki_xlsx.web.app import Web
from iki_xlsx.workbook.generate import recipients
from tests.mailservers import Kotak, SmtpServer
from tests.webspace import BLUEPRINT, PERIODE, UNITS, blueprint_file, csrf_in, make_workspace

BASE = "http://127.0.0.1:8000"
NOTES_SHEET = "Catatan Pemeriksaan"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--ruang", str(root), *args], prog_name="iki-xlsx")


def web_of(client: TestClient) -> Web:
    web: Web = client.app.state.web  # type: ignore[attr-defined]
    return web


def finished(client: TestClient, prefix: str) -> None:
    jobs = web_of(client).jobs
    job = jobs.latest(prefix)
    assert job is not None, prefix
    done = jobs.wait(job.id, timeout=300)
    assert done is not None and done.state == "selesai", done and done.error


def notes(data: bytes) -> list[tuple[object, ...]]:
    """The rows of an annotated copy's notes sheet (what the unit is told to fix)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book[NOTES_SHEET].iter_rows(values_only=True)]
    finally:
        book.close()


def attachments(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in folder.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        for part in message.iter_attachments():
            found[str(part.get_filename())] = part.get_payload(decode=True)
    return found


def test_a_return_from_an_older_blueprint_version_gets_its_annotated_copy(
        tmp_path: Path) -> None:
    """Generated from versi 1, returned with a mistake after the office moved to versi 2:
    collect judges it by the register (perlu perbaikan), and the annotated copy is made by
    the same judgement, in one place, for the web download and the e-mail alike."""
    root = make_workspace(tmp_path / "ruang")
    made = cli(root, "buat", BLUEPRINT, "--periode", str(PERIODE))
    assert made.exit_code == 0, made.output
    installed = root / "blueprints" / blueprint_file().name
    older = load_blueprint(installed).blueprint
    assert older is not None
    mistaken, unit = write_mistaken(older, UNITS, PERIODE, tmp_path / "kembali")
    installed.write_text(installed.read_text(encoding="utf-8").replace(
        'versi: "1"', 'versi: "2"', 1), encoding="utf-8")
    taken = cli(root, "terima", str(mistaken))
    assert taken.exit_code == 1
    assert f"baru: {mistaken.name} (" in taken.output and "PERLU PERBAIKAN" in taken.output
    sha = hashlib.sha256(mistaken.read_bytes()).hexdigest()
    kept = root / "keluaran" / "catatan" / sha[:16] / f"{mistaken.stem}_catatan.xlsx"

    with TestClient(create_app(open_site(root)), base_url=BASE) as client:
        download = client.get(f"/berkas/{sha}/catatan")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == XLSX
    by_web = notes(download.content)
    assert any("12 orang" in str(cell) for row in by_web for cell in row), by_web
    assert kept.read_bytes() == download.content  # the one place annotated copies are kept

    shutil.rmtree(kept.parent)  # the e-mail makes it again, by the same judgement
    sent = cli(root, "kirim", "--perbaikan", "--dry-run", str(tmp_path / "eml"),
               "--from", "kecamatan@example.id")
    assert sent.exit_code == 0, sent.output
    assert f"perbaikan ditulis: {unit.nama} <{unit.email}> {mistaken.name}" in sent.output
    attached = attachments(tmp_path / "eml")
    assert list(attached) == [kept.name]
    assert notes(attached[kept.name]) == by_web
    assert kept.read_bytes() == attached[kept.name]


def test_kirim_follows_buat_when_the_blueprint_file_is_not_named_by_its_id(
        tmp_path: Path) -> None:
    """The blueprint's file is `keputusan-camat-2026.yaml`, its id another: the web's Kirim
    after Buat sends (the job and the form name the blueprint by its id), and the command
    line sends the folder `buat` wrote, through the same server, which iki.toml names by its
    IPv6 address (`[::1]:PORT`, read by the one host:port parser both faces use)."""
    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    (root / "blueprints").mkdir()
    shutil.copy(blueprint_file(), root / "blueprints" / "keputusan-camat-2026.yaml")
    with SmtpServer(Kotak(), host="::1") as server:
        with (root / "iki.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[smtp]\nhost = "[::1]:{server.port}"\nkeamanan = "tanpa"\n'
                         'pengirim = "kecamatan@example.id"\n')
        with TestClient(create_app(open_site(root)), base_url=BASE) as client:
            csrf = csrf_in(client.get("/buat").text)
            client.post("/buat", data={"csrf": csrf, "blueprint": BLUEPRINT,
                                       "periode": str(PERIODE)})
            finished(client, "buat/")
            page = client.get("/buat").text
            form = page[page.index('action="/kirim"'):]
            chosen = dict(re.findall(r'name="(blueprint|periode)" value="([^"]+)"', form))
            assert chosen == {"blueprint": BLUEPRINT, "periode": str(PERIODE)}
            response = client.post("/kirim", data={"csrf": csrf, **chosen},
                                   follow_redirects=False)
            assert response.status_code == 303, response.text
            finished(client, "kirim/")
            rows = re.findall(r"<td>[^<]+</td><td>([^<]+)</td><td>[^<]+</td><td>(\w+)</td>",
                              client.get("/buat").text)
        assert sorted(rows) == sorted((u.email, "terkirim") for u in UNITS)

        made = cli(root, "buat", BLUEPRINT, "--periode", str(PERIODE + 1))
        assert made.exit_code == 0, made.output
        folder = root / "keluaran" / "kirim" / f"{BLUEPRINT}-{PERIODE + 1}"
        assert made.output.splitlines()[-1] == f"4 workbook ditulis ke {folder}"
        sent = cli(root, "kirim", str(folder))
        assert sent.exit_code == 0, sent.output
        assert sent.output.splitlines()[-1] == "3 terkirim"
        assert len(server.handler.messages) == 6


def test_an_indicator_named_ringkasan_is_refused_where_it_stands(
        tmp_path: Path, blueprints: dict[str, Blueprint]) -> None:
    """Its realisasi, capaian and predikat would take the keys of its sheet's summary row;
    the blueprint is refused, the line named, by `blueprint periksa` and by the web upload."""
    bundled = blueprints[BLUEPRINT]
    first = bundled.jabatan[0]
    assert (first.id, first.indikator[0].id) == ("sekretaris-kecamatan", "kehadiran-pns")
    renamed = first.indikator[0].model_copy(update={"id": "ringkasan"})
    clashing = bundled.model_copy(update={"jabatan": [
        first.model_copy(update={"indikator": [renamed, *first.indikator[1:]]}),
        *bundled.jabatan[1:]]})
    everyone = recipients(clashing, UNITS)
    office = plan_workbook(clashing, everyone[-1], PERIODE, everyone)  # the office's own
    sheet = next(s for s in office.sheets if s.code == "J-sekretaris-kecamatan")
    keys = [cell.key for cell in sheet.cells]  # what it would do: two cells, one key
    assert keys.count("sekretaris-kecamatan/ringkasan/capaian") == 2

    text = blueprint_file().read_text(encoding="utf-8")
    line = text.splitlines().index("      - id: kehadiran-pns") + 1
    path = tmp_path / "bentrok.yaml"
    path.write_text(text.replace("      - id: kehadiran-pns", "      - id: ringkasan", 1),
                    encoding="utf-8")

    said = ("id indikator 'ringkasan' dipakai lembar kerja untuk baris rata-rata capaian di "
            "bawah indikator; pilih id lain")
    root = make_workspace(tmp_path / "ruang", with_blueprint=False)
    checked = cli(root, "blueprint", "periksa", str(path))
    assert checked.exit_code == 1
    refused = [ln for ln in checked.stderr.splitlines() if "blueprint-reserved-id" in ln
               or said in ln]
    assert len(refused) == 1 and refused[0].startswith(f"Kesalahan: {path}:{line}: ")
    assert refused[0].endswith(said)

    with TestClient(create_app(open_site(root)), base_url=BASE) as client:
        csrf = csrf_in(client.get("/blueprint").text)
        upload = client.post("/blueprint", data={"csrf": csrf}, files=[
            ("berkas", ("bentrok.yaml", path.read_bytes(), "text/yaml"))])
    assert upload.status_code == 422
    assert f"bentrok.yaml:{line}: " in upload.text and said.replace("'", "&#39;") in upload.text
    assert not (root / "blueprints").exists() or not any((root / "blueprints").iterdir())


def test_every_planned_cell_of_the_bundled_blueprints_has_its_own_key(
        blueprints: dict[str, Blueprint]) -> None:
    for bp in blueprints.values():
        everyone = recipients(bp, UNITS)
        for unit in everyone:
            for sheet in plan_workbook(bp, unit, PERIODE, everyone).sheets:
                keys = [cell.key for cell in sheet.cells]
                assert len(keys) == len(set(keys)), (bp.id, unit.kode, sheet.code)


def test_a_mail_host_is_read_with_its_port_ipv6_included(tmp_path: Path) -> None:
    assert host_port("smtp.contoh.go.id", 587) == ("smtp.contoh.go.id", 587)
    assert host_port("smtp.contoh.go.id:2525", 587) == ("smtp.contoh.go.id", 2525)
    assert host_port("[::1]:2525", 587) == ("::1", 2525)
    assert host_port("[fe80::1]", 993) == ("fe80::1", 993)
    assert host_port("fe80::1", 993) == ("fe80::1", 993)  # no port can follow it unbracketed
    for wrong in ("smtp.contoh.go.id:abc", "[::1]:70000", "[::1]x"):
        with pytest.raises(UsageError, match="port tidak sah"):
            host_port(wrong, 25)
    units = tmp_path / "unit.csv"
    units.write_text("kode,nama,email\n01,Desa Satu,satu@desa.example.id\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["kirim", str(tmp_path), "--units", str(units), "--smtp",
                                     "[::1]:x", "--from", "a@b.id"], prog_name="iki-xlsx")
    assert (done.exit_code, done.stderr) == (2, "Kesalahan: port tidak sah: '[::1]:x'\n")
