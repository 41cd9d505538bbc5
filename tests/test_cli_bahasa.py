"""The terminal speaks Bahasa Indonesia: Click's usage errors and help, one error form, one
command vocabulary (Indonesian names, English aliases)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.cli.bahasa import Group
from iki_xlsx.cli.main import main
from iki_xlsx.cli.terminal import os_error_line, returned_finding_line
from iki_xlsx.core.errors import StoreBusy
from iki_xlsx.core.findings import os_reason
from iki_xlsx.core.units import Unit
from iki_xlsx.service.demo import MISTAKE, write_mistaken
from tests.cli import Ran, iki

from .conftest import ROOT

USAGE_BUAT = ["Penggunaan: iki-xlsx buat [OPSI] BLUEPRINT",
              "Coba 'iki-xlsx buat --help' untuk bantuan.", ""]

WRONG = [
    (["buat"], [*USAGE_BUAT, "Kesalahan: Belum ada argumen 'BLUEPRINT'."]),
    (["generate", "iku-kecamatan", "--bogus"],
     ["Penggunaan: iki-xlsx generate [OPSI] BLUEPRINT",
      "Coba 'iki-xlsx generate --help' untuk bantuan.", "",
      "Kesalahan: Tidak ada opsi '--bogus'."]),
    (["hapus"], ["Penggunaan: iki-xlsx [OPSI] PERINTAH [ARG]...",
                 "Coba 'iki-xlsx --help' untuk bantuan.", "",
                 "Kesalahan: Tidak ada perintah 'hapus'."]),
    (["terima", "--store"], ["Kesalahan: Opsi '--store' memerlukan nilai."]),
    (["kirim", "/tidak/ada"], ["Penggunaan: iki-xlsx kirim [OPSI] [FOLDER]",
                               "Coba 'iki-xlsx kirim --help' untuk bantuan.", "",
                               "Kesalahan: Nilai tidak sah untuk '[FOLDER]': Folder "
                               "'/tidak/ada' tidak ada."]),
    (["periksa"], ["Penggunaan: iki-xlsx periksa [OPSI] BERKAS...",
                   "Coba 'iki-xlsx periksa --help' untuk bantuan.", "",
                   "Kesalahan: Belum ada argumen 'BERKAS...'."]),
    (["terima", "/tidak/ada/berkas.xlsx", "--store", "{tmp}/simpan"],
     ["Kesalahan: sumber tidak ada: /tidak/ada/berkas.xlsx"]),
    (["blueprint", "tambah"], ["Penggunaan: iki-xlsx blueprint [OPSI] PERINTAH [ARG]...",
                               "Coba 'iki-xlsx blueprint --help' untuk bantuan.", "",
                               "Kesalahan: Tidak ada perintah 'tambah'. Maksud Anda 'ubah'?"]),
]


def run(args: list[str], cwd: Path) -> Ran:
    return iki(*args, cwd=cwd, env={"HOME": str(cwd)})


@pytest.mark.parametrize(("args", "lines"), WRONG, ids=[" ".join(a) for a, _ in WRONG])
def test_wrong_invocations_answer_in_indonesian(tmp_path: Path, args: list[str],
                                                 lines: list[str]) -> None:
    done = run([a.replace("{tmp}", str(tmp_path)) for a in args], tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == lines


# Wrong invocations past Click's parsing: (args, exit code, the exact stderr lines). {tmp} is
# a fresh folder holding `berkas`, a regular file (so `berkas/x` cannot be made, even as
# root), {wb} a folder with one unit's workbook and {csv} its units list.
REFUSED = [
    (["buat", "iku-kecamatan", "--unit", "A", "-o", "{tmp}/berkas/x"], 1,
     ["Kesalahan: {tmp}/berkas/x: folder keluaran tidak dapat ditulis (bagian jalurnya bukan "
      "folder)"]),
    (["buat", "{tmp}/tidak-ada.yaml", "-o", "{tmp}/keluar"], 1,
     ["Kesalahan: {tmp}/tidak-ada.yaml: berkas blueprint tidak ditemukan"]),
    (["buat", "iku-kecamatan", "--units", "{tmp}/tidak-ada.csv", "-o", "{tmp}/keluar"], 1,
     ["Kesalahan: {tmp}/tidak-ada.csv: daftar unit tidak ditemukan; periksa nama berkasnya, "
      "atau buat berkas CSV dengan kolom kode, nama dan email"]),
    (["blueprint", "templat"], 2,
     ["Penggunaan: iki-xlsx blueprint templat [OPSI]",
      "Coba 'iki-xlsx blueprint templat --help' untuk bantuan.", "",
      "Kesalahan: Belum ada opsi '-o' / '--output'."]),
    (["blueprint", "templat", "-o", "{tmp}/berkas/templat.xlsx"], 2,
     ["Kesalahan: {tmp}/berkas/templat.xlsx tidak dapat ditulis (nama itu sudah dipakai berkas "
      "atau folder lain)"]),
    (["blueprint", "templat", "-o", "{tmp}/" + "n" * 300 + ".xlsx"], 2,
     ["Kesalahan: {tmp}/" + "n" * 300 + ".xlsx tidak dapat ditulis (nama terlalu panjang)"]),
    (["blueprint", "daftar", "{tmp}"], 1,
     ["Kesalahan: {tmp}: berkas blueprint tidak dapat dibaca (nama itu adalah folder)"]),
    (["periksa", "{tmp}/tidak-ada.xlsx"], 2,
     ["Kesalahan: sumber tidak ada: {tmp}/tidak-ada.xlsx"]),
    (["periksa", "{tmp}/berkas", "--annotate", "{tmp}/berkas/catatan"], 2,
     ["Kesalahan: folder --annotate {tmp}/berkas/catatan tidak dapat ditulis (bagian jalurnya "
      "bukan folder); pilih folder lain"]),
    (["terima", "{wb}", "--store", "{tmp}/berkas"], 1,
     ["Kesalahan: {tmp}/berkas bukan folder penyimpanan (itu sebuah berkas); sebutkan folder "
      "lain dengan --store"]),
    (["rekap", "--store", "{tmp}/simpan", "-o", "{tmp}/rekap.xlsx"], 2,
     ["Kesalahan: penyimpanan {tmp}/simpan belum ada; jalankan collect lebih dulu"]),
    (["init", "{tmp}/berkas/ruang"], 2,
     ["Kesalahan: {tmp}/berkas/ruang: ruang kerja tidak dapat dibuat (bagian jalurnya bukan "
      "folder)"]),
    (["--ruang", "{tmp}/tidak-ada", "status"], 2,
     ["Kesalahan: {tmp}/tidak-ada bukan ruang kerja iki-xlsx (iki.toml tidak ada); buat dengan: "
      "iki-xlsx init {tmp}/tidak-ada",
      "Kesalahan: ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas"]),
    # an OSError no command explains: still one line in Bahasa Indonesia, never a traceback
    (["kirim", "{wb}", "--units", "{csv}", "--from", "iki@kecamatan.example.id", "--dry-run",
      "{tmp}/berkas/eml"], 1,
     ["Kesalahan: {tmp}/berkas/eml: bagian jalurnya bukan folder"]),
]


@pytest.fixture(scope="module")
def one_workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder with the workbooks of one unit (and the office), and the unit's list."""
    folder = tmp_path_factory.mktemp("wb")
    units = folder.parent / f"{folder.name}-unit.csv"
    units.write_text("kode,nama,email\n01,Kelurahan Satu,satu@desa.example.id\n",
                     encoding="utf-8")
    made = run(["buat", "iku-kecamatan", "--units", str(units), "-o", str(folder)], folder)
    assert made.returncode == 0, made.stderr
    return folder, units


@pytest.mark.parametrize(("args", "code", "lines"), REFUSED,
                         ids=[" ".join(a)[:60] for a, _, _ in REFUSED])
def test_refusals_are_one_form_in_indonesian(tmp_path: Path, one_workbook: tuple[Path, Path],
                                             args: list[str], code: int,
                                             lines: list[str]) -> None:
    (tmp_path / "berkas").write_text("bukan folder", encoding="utf-8")
    wb, csv = one_workbook

    def filled(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path)).replace("{wb}", str(wb)).replace(
            "{csv}", str(csv))

    done = run([filled(a) for a in args], tmp_path)
    assert (done.returncode, done.stderr.splitlines()) == (code, [filled(x) for x in lines])
    assert "Errno" not in done.stdout + done.stderr


OS_REASONS = [(FileNotFoundError, errno.ENOENT, "folder atau berkas tidak ada"),
              (PermissionError, errno.EACCES, "tidak ada izin"),
              (IsADirectoryError, errno.EISDIR, "nama itu adalah folder"),
              (NotADirectoryError, errno.ENOTDIR, "bagian jalurnya bukan folder"),
              (OSError, errno.ENOSPC, "disk penuh"),
              (OSError, errno.EROFS, "disk hanya dapat dibaca"),
              (FileExistsError, errno.EEXIST, "nama itu sudah dipakai berkas atau folder lain"),
              (OSError, errno.ENAMETOOLONG, "nama terlalu panjang"),
              (ConnectionRefusedError, errno.ECONNREFUSED, "sambungan ditolak")]


@pytest.mark.parametrize(("kind", "number", "reason"), OS_REASONS,
                         ids=[errno.errorcode[n] for _, n, _ in OS_REASONS])
def test_a_system_error_is_said_in_indonesian_in_one_form(kind: type[OSError], number: int,
                                                          reason: str) -> None:
    """The one translation every message uses, and the line the CLI prints for an OSError
    that no command explained (the system's English never shows)."""
    exc = kind(number, os.strerror(number), "/x/y")
    assert os_reason(exc) == reason
    assert os_error_line(exc) == f"Kesalahan: /x/y: {reason}"


def test_a_returned_files_findings_say_error_or_warning(tmp_path: Path,
                                                        blueprints: dict[str, Blueprint]) -> None:
    """periksa lists each finding of a returned file under its line in the one form:
    `Kesalahan: ` (or `Peringatan: `), sheet!cell, what to fix, the catalogued code last."""
    path, unit = write_mistaken(blueprints["iku-kecamatan"], [Unit("01", "Kelurahan Satu")],
                                2026, tmp_path)
    done = run(["periksa", str(path)], tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{path}: PERLU PERBAIKAN — {unit.nama}, 2026 (1 temuan)",
        "  Kesalahan: IKU!F10: Jumlah keluhan/pengaduan masyarakat yang ditindaklanjuti: "
        f"'{MISTAKE}' bukan angka; ketik angka tanpa satuan (contoh 1234 atau 1234,5) "
        "[invalid-input]"]
    assert returned_finding_line("sender-mismatch", "warning", None, None, "dikirim dari x") \
        == "  Peringatan: dikirim dari x [sender-mismatch]"


def test_web_on_a_port_in_use_is_one_indonesian_line(tmp_path: Path) -> None:
    """Not uvicorn's "ERROR: [Errno 98] error while attempting to bind" and exit 3."""
    import socket

    assert run(["init", str(tmp_path / "ruang")], tmp_path).returncode == 0
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run(["--ruang", str(tmp_path / "ruang"), "web", "--port", str(port)], tmp_path)
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (2, "", [
        f"Kesalahan: aplikasi web tidak dapat mendengarkan di 127.0.0.1 port {port} (sudah "
        "dipakai program lain); pilih port lain dengan --port"])


def test_a_refusal_no_command_explained_is_still_one_line() -> None:
    """The last net under every command: a library error or a system error that a command did
    not catch is one `Kesalahan: ` line and exit 1, never a traceback."""
    group = Group(name="iki-xlsx")

    @group.command()
    def simpan() -> None:
        raise StoreBusy("penyimpanan sedang dipakai proses lain; coba lagi nanti")

    @group.command()
    def tulis() -> None:
        Path("/proc/tidak-boleh/x").mkdir()

    busy = CliRunner().invoke(group, ["simpan"])
    assert (busy.exit_code, busy.output) == (
        1, "Kesalahan: penyimpanan sedang dipakai proses lain; coba lagi nanti\n")
    denied = CliRunner().invoke(group, ["tulis"])
    assert (denied.exit_code, denied.output) == (
        1, "Kesalahan: /proc/tidak-boleh/x: folder atau berkas tidak ada\n")


def every_command(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


ENGLISH = ("Usage", "Options", "Commands", "Show this", "Show the", "[OPTIONS]", "INTEGER",
           "TEXT", "DIRECTORY", " PATH", "FILE ", "[default", "required]", "COMMAND", " the ",
           " and ", " or ", " of ", " to ", " is ", " with ", "Error", " file", "Missing",
           "%Y", "YYYY", "_DIR")


def test_every_help_text_is_indonesian() -> None:
    commands = every_command(main)
    assert ("buat",) in commands and ("blueprint", "daftar") in commands
    for path in commands:
        result = CliRunner().invoke(main, [*path, "--help"], prog_name="iki-xlsx")
        assert result.exit_code == 0, path
        assert result.output.startswith("Penggunaan: iki-xlsx"), path
        assert not [w for w in ENGLISH if w in result.output], (path, result.output)
        command = main
        for name in path:
            assert isinstance(command, click.Group)
            found = command.get_command(click.Context(command), name)
            assert found is not None
            command = found
        bare = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
        assert not bare, (path, bare)  # every option says what it does


@pytest.mark.parametrize(("english", "indonesian"),
                         [(["generate"], ["buat"]), (["check"], ["periksa"]),
                          (["collect"], ["terima"]), (["blueprint", "list"],
                                                      ["blueprint", "daftar"]),
                          (["blueprint", "check"], ["blueprint", "periksa"])])
def test_english_names_stay_as_aliases(english: list[str], indonesian: list[str]) -> None:
    a = CliRunner().invoke(main, [*english, "--help"], prog_name="iki-xlsx")
    b = CliRunner().invoke(main, [*indonesian, "--help"], prog_name="iki-xlsx")
    assert a.exit_code == b.exit_code == 0
    assert a.output.splitlines()[1:] == b.output.splitlines()[1:]


def test_a_blueprint_id_works_where_a_blueprint_is_named(tmp_path: Path) -> None:
    done = run(["blueprint", "daftar", "iki-kecamatan-kota"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("iki-kecamatan-kota (versi 1):")
    converted = run(["blueprint", "ubah", "iku-kecamatan", "-o", str(tmp_path / "iku.xlsx")],
                    tmp_path)
    assert converted.returncode == 0, converted.stderr
    assert converted.stdout.startswith(f"{ROOT / 'blueprints' / 'iku-kecamatan.yaml'} -> ")


def test_generate_without_units_says_how_to_give_them(tmp_path: Path) -> None:
    done = run(["buat", "iku-kecamatan", "-o", str(tmp_path / "out")], tmp_path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "Catatan: tidak ada kelurahan/desa; hanya workbook kantor kecamatan yang dibuat. "
        "Sebutkan unit dengan --unit NAMA (boleh berulang) atau --units DAFTAR.csv, atau isi "
        "unit.csv ruang kerja."]


def on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal: its exit code and what the terminal got."""
    import os
    import pty

    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "iki_xlsx", *args], stdout=subprocess.PIPE,
                          stderr=follower, cwd=cwd, env={"PATH": "/usr/bin:/bin",
                                                         "PYTHONPATH": str(ROOT)})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the follower is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return done.returncode, shown.decode()


def test_long_commands_show_progress_on_a_terminal_only(tmp_path: Path) -> None:
    """buat, periksa, terima, rekap, kirim (and its reminders): a bar on a terminal (its
    Indonesian label and count, redrawn in place), nothing on a pipe."""
    units = tmp_path / "unit.csv"
    units.write_text("kode,nama,email\n01,Kelurahan Satu,satu@desa.example.id\n"
                     "02,Kelurahan Dua,dua@desa.example.id\n", encoding="utf-8")
    made = str(tmp_path / "dibuat")
    workbooks = [f"{made}/IKI_2026_{name}.xlsx" for name in ("01_Kelurahan-Satu",
                                                             "02_Kelurahan-Dua",
                                                             "kecamatan_Kecamatan")]
    commands = [
        (["buat", "iku-kecamatan", "--units", str(units), "--isi-contoh", "-o", made,
          "--periode", "2026"], ["Membuat workbook  [", "]  3/3"]),
        (["periksa", *workbooks], ["Memeriksa workbook  [", "]  3/3"]),
        (["terima", made, "--store", "{tmp}/simpan"], ["Menerima workbook  [", "]  3/3"]),
        (["rekap", "--store", "{tmp}/simpan", "-o", "{tmp}/rekap.xlsx", "--csv", "{tmp}"],
         ["Menyusun rekap  [", "]  5/5"]),
        (["kirim", made, "--units", str(units), "--from", "iki@kecamatan.example.id",
          "--dry-run", "{tmp}/eml"], ["Mengirim surel  [", "]  2"]),
        (["kirim", made, "--pengingat", "--store", "{tmp}/belum", "--units", str(units), "--from",
          "iki@kecamatan.example.id", "--dry-run", "{tmp}/ingat"],
         ["Mengirim pengingat  [", "]  2"]),
    ]
    for args, shown in commands:
        expanded = [a.replace("{tmp}", str(tmp_path / "tty")) for a in args]
        code, terminal = on_terminal(expanded, tmp_path)
        assert code == 0, (args, terminal)
        assert all(text in terminal for text in shown), (args, terminal)
        assert "\r" in terminal and "\\u00" not in terminal, (args, terminal)
        if args[0] == "buat":
            continue  # written again below, into a folder of its own
        piped = run([a.replace("{tmp}", str(tmp_path / "pipe")) for a in expanded], tmp_path)
        assert piped.returncode == 0, (args, piped.stderr)
        assert shown[0].split()[0] not in piped.stderr and "\r" not in piped.stderr, \
            (args, piped.stderr)
    quiet = run([a.replace(made, str(tmp_path / "lagi")) for a in commands[0][0]], tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
