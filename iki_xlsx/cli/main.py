"""The `iki-xlsx` command: parses arguments, calls one library function, prints, exits.

Exit codes: 0 ok, 1 findings, 2 usage.
"""

from __future__ import annotations

import datetime
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from iki_xlsx import __version__
from iki_xlsx.cli.bahasa import Group, apply_vocabulary, install
from iki_xlsx.cli.simpan import simpan
from iki_xlsx.cli.tahun import COMMANDS as TAHUN
from iki_xlsx.cli.terminal import WARNING, error_line, finding_line, returned_finding_line
from iki_xlsx.core.angka import ribuan, strict_json
from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import DEFAULT_ZONE, moment_text
from iki_xlsx.core.findings import Finding
from iki_xlsx.core.states import Status

install()  # Click's own messages in Bahasa Indonesia, before any option is declared

if TYPE_CHECKING:
    from iki_xlsx.blueprint.model import Blueprint
    from iki_xlsx.core.progress import Progress
    from iki_xlsx.core.units import Unit
    from iki_xlsx.intake.collect import CollectResult
    from iki_xlsx.intake.status import StatusReport, Submission
    from iki_xlsx.mail.outbox import Delivery, Outbox, Smtp
    from iki_xlsx.mail.replies import Replier, RepliesResult
    from iki_xlsx.plan.index import BlueprintIndex
    from iki_xlsx.rekap.build import RekapResult
    from iki_xlsx.service.workspace import Workspace


def _counts(bp: Blueprint) -> str:
    """`20 jabatan, 107 indikator` (and `, 6 IKU` when the blueprint has an IKU table)."""
    n_ind = sum(len(j.indikator) for j in bp.jabatan)
    n_iku = len(bp.iku.indikator) if bp.iku else 0
    return f"{len(bp.jabatan)} jabatan, {n_ind} indikator" + (f", {n_iku} IKU" if n_iku else "")


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(finding_line(finding), err=True)


# options several commands share, declared once
json_option = click.option("--json", "as_json", is_flag=True, help="Cetak satu dokumen JSON.")
blueprints_option = click.option(
    "--blueprints", "blueprint_dir", type=click.Path(path_type=Path), default=None,
    metavar="FOLDER", help="Folder blueprint (bawaan: blueprints/ bawaan).")
store_option = click.option(
    "--store", "store_dir", type=click.Path(path_type=Path), default=None, metavar="FOLDER",
    help="Folder penyimpanan (SQLite dan berkas asli; bawaan: simpan/ ruang kerja).")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iki-xlsx")
@click.option("--ruang", "ruang", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder ruang kerja (bawaan: dicari dari folder ini ke atas, "
                                 "seperti git).")
def main(ruang: Path | None) -> None:
    """iki-xlsx: lembar kerja Indikator Kinerja Individu (IKI) untuk kantor kecamatan."""
    from iki_xlsx.cli.terminal import EscapingStream

    # text from returned files and e-mails (names, subjects) reaches the terminal escaped
    if not isinstance(sys.stdout, EscapingStream):
        sys.stdout = EscapingStream(sys.stdout)
    if not isinstance(sys.stderr, EscapingStream):
        sys.stderr = EscapingStream(sys.stderr)


def _workspace() -> Workspace | None:
    """The workspace named by `--ruang`, else the one holding the current folder, else None.

    A workspace whose iki.toml or unit.csv is invalid stops the command (exit 2), one line per
    error."""
    from iki_xlsx.service.workspace import WorkspaceError, find_workspace, load_workspace

    explicit = click.get_current_context().find_root().params.get("ruang")
    try:
        return load_workspace(explicit) if explicit else find_workspace(Path.cwd())
    except WorkspaceError as exc:
        _print_findings(exc.findings)
        _fail_usage("ruang kerja tidak dapat dipakai; perbaiki kesalahan di atas")
    return None


def _store_dir(explicit: Path | None, ws: Workspace | None) -> Path:
    if explicit is not None:
        return explicit
    if ws is None:
        _fail_usage("sebutkan --store FOLDER, atau jalankan perintah di dalam ruang kerja "
                    "(buat dengan: iki-xlsx init FOLDER)")
    assert ws is not None
    return ws.store_dir


def _blueprint_dir(explicit: Path | None, ws: Workspace | None) -> Path:
    """`--blueprints` when given (a folder that is not there is a usage error, not a reason to
    call every return an unknown blueprint), else the workspace's, else the bundled ones."""
    from iki_xlsx.blueprint.files import DEFAULT_BLUEPRINTS

    if explicit is not None and not explicit.is_dir():
        why = "bukan folder" if explicit.exists() else "tidak ada"
        _fail_usage(f"folder blueprint {explicit} {why}; sebutkan folder yang berisi blueprint "
                    "dengan --blueprints")
    return explicit or (ws.blueprints_dir if ws else DEFAULT_BLUEPRINTS)


def _index(explicit: Path | None, ws: Workspace | None) -> BlueprintIndex:
    """The blueprints returns are judged by; in a workspace kept warm in its store folder
    (`blueprint.warm`: unchanged files are not parsed again)."""
    from iki_xlsx.blueprint.warm import WARM_FILE
    from iki_xlsx.plan.index import BlueprintIndex

    warm = ws.store_dir / WARM_FILE if ws is not None else None
    return BlueprintIndex.from_folder(_blueprint_dir(explicit, ws), warm)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Buat ruang kerja: iki.toml, unit.csv, blueprints/ (blueprint bawaan), simpan/, keluaran/."""
    from iki_xlsx.service.workspace import init_workspace

    result = init_workspace(folder)
    if not result.ok:
        for finding in result.findings:
            click.echo(finding_line(finding), err=True)
        sys.exit(2)
    for path in result.created:
        click.echo(f"dibuat: {path}")
    click.echo(f"Ruang kerja siap di {folder}. Ubah iki.toml dan unit.csv sesuai kantor Anda, "
               "lalu jalankan perintah dari dalam folder itu (atau dengan --ruang).")


@main.group(cls=Group)
def blueprint() -> None:
    """Periksa, tampilkan, buat dan ubah blueprint (keputusan IKI dalam YAML atau lembar kerja)."""


def _blueprint_paths(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """The paths given (a blueprint's id stands for its file, as `buat` accepts it), else the
    workspace's blueprints folder."""
    if paths:
        return tuple(_blueprint_file(p) for p in paths)
    ws = _workspace()
    if ws is None:
        _fail_usage("sebutkan berkas blueprint, atau jalankan di dalam ruang kerja")
    assert ws is not None
    from iki_xlsx.blueprint.load import find_blueprints

    return tuple(find_blueprints(ws.blueprints_dir))


def _blueprint_file(given: Path) -> Path:
    """A path as given, or, when it names no file, the file of the blueprint with that id."""
    from iki_xlsx.blueprint.load import find_blueprints, load_blueprint

    if given.exists() or given.parent != Path("."):
        return given
    ws = _workspace()
    for candidate in find_blueprints(_blueprint_dir(None, ws)):
        loaded = load_blueprint(candidate)
        if loaded.blueprint is not None and loaded.blueprint.id == str(given):
            return candidate
    return given


@blueprint.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def blueprint_check(paths: tuple[Path, ...]) -> None:
    """Validasi blueprint (bawaan: blueprints/ ruang kerja); keluar 1 bila ada kesalahan."""
    from iki_xlsx.blueprint.load import check_blueprints

    report = check_blueprints(_blueprint_paths(paths))
    _print_findings(report.findings)
    ws = _workspace()
    if ws is not None and (ws.store_dir / "iki.sqlite").exists():
        from iki_xlsx.plan.register import versi_conflicts
        from iki_xlsx.store.db import Store

        _print_findings(versi_conflicts(Store(ws.store_dir), [
            (r.path, r.blueprint) for r in report.results if r.blueprint is not None]))
    for result in report.results:
        if result.ok and result.blueprint is not None:
            bp = result.blueprint
            click.echo(f"{result.path}: sah ({_counts(bp)})")
    sys.exit(0 if report.ok else 1)


@blueprint.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
def blueprint_list(paths: tuple[Path, ...], as_json: bool) -> None:
    """Tampilkan jabatan, indikator, jenis dan variabel."""
    from iki_xlsx.blueprint.catalog import describe
    from iki_xlsx.blueprint.load import check_blueprints

    report = check_blueprints(_blueprint_paths(paths))
    _print_findings(report.findings)
    described = [describe(r.blueprint, r.path) for r in report.results if r.blueprint]
    if as_json:
        jabatan = [j for d in described for j in d["jabatan"]]
        click.echo(strict_json({"blueprints": described, "jabatan": jabatan},
                              ensure_ascii=False, indent=2))
    else:
        for d in described:
            click.echo(f"{d['id']} (versi {d['versi']}): {d['nama']}")
            for jab in d["jabatan"]:
                click.echo(f"  {jab['nama']} [{jab['id']}] x{jab['jumlah_pemangku']}")
                for ind in jab["indikator"]:
                    names = ", ".join(v["id"] for v in ind["variabel"])
                    click.echo(f"    - {ind['nama']} ({ind['jenis']}; {names})")
            for iku in d["iku"]:
                click.echo(f"  IKU: {iku['nama']} ({iku['jenis']}) "
                           f"- {', '.join(iku['penanggung_jawab'])}")
    sys.exit(0 if report.ok else 1)


OVERWRITE = click.option("--timpa", is_flag=True,
                         help="Timpa berkas hasil yang sudah ada (bawaan: menolak).")


def _writable(output: Path, overwrite: bool) -> None:
    """Refuse to replace a file unless asked: a hand-written YAML loses its comments."""
    from iki_xlsx.core.findings import os_reason

    try:
        exists = output.exists()
    except OSError as exc:  # a name too long, a folder that cannot be entered
        _fail_usage(f"{output} tidak dapat ditulis ({os_reason(exc)})")
    if exists and not overwrite:
        _fail_usage(f"{output} sudah ada; pakai --timpa untuk menimpanya")


def _write_or_refuse(write: Callable[[], object], output: Path) -> None:
    from iki_xlsx.core.findings import os_reason

    try:
        write()
    except OSError as exc:
        _fail_usage(f"{output} tidak dapat ditulis ({os_reason(exc)})")


@blueprint.command("templat")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              metavar="BERKAS", help="Berkas .xlsx yang ditulis.")
@OVERWRITE
def blueprint_template(output: Path, timpa: bool) -> None:
    """Tulis lembar kerja blueprint kosong untuk diisi (Petunjuk, Kantor, Jabatan, ...)."""
    from iki_xlsx.blueprint.xlsx import write_blueprint_xlsx

    if output.suffix.lower() != ".xlsx":
        _fail_usage("berkas templat harus berakhiran .xlsx")
    _writable(output, timpa)
    _write_or_refuse(lambda: write_blueprint_xlsx(None, output), output)
    click.echo(f"Templat blueprint ditulis: {output}")


@blueprint.command("ubah")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True,
              metavar="BERKAS", help="Berkas hasil: .xlsx dari YAML, atau .yaml dari .xlsx.")
@OVERWRITE
def blueprint_convert(source: Path, output: Path, timpa: bool) -> None:
    """Ubah blueprint YAML (berkas atau id) menjadi lembar kerja .xlsx, atau sebaliknya."""
    from iki_xlsx.blueprint.load import load_blueprint
    from iki_xlsx.blueprint.xlsx import convert_blueprint

    if output.suffix.lower() not in (".xlsx", ".yaml", ".yml"):
        _fail_usage("berkas hasil harus berakhiran .xlsx, .yaml atau .yml")
    _writable(output, timpa)
    source = _blueprint_file(source)  # a blueprint's id stands for its file here too
    loaded = load_blueprint(source)
    _print_findings(loaded.findings)
    if loaded.blueprint is None or not loaded.ok:
        sys.exit(1)
    bp = loaded.blueprint
    _write_or_refuse(lambda: convert_blueprint(bp, output), output)
    click.echo(f"{source} -> {output} ({_counts(bp)})")


def _writable_folder(folder: Path, option: str) -> None:
    """Refuse (exit 2) an output folder that cannot be made or written, before any work."""
    from iki_xlsx.core.atomic import probe_folder
    from iki_xlsx.core.findings import os_reason

    try:
        probe_folder(folder)
    except OSError as exc:
        _fail_usage(f"folder {option} {folder} tidak dapat ditulis ({os_reason(exc)}); "
                    "pilih folder lain")


def _sources_exist(sources: tuple[Path, ...]) -> None:
    """Refuse (exit 2, one line) when a file or folder named on the command line is not there."""
    missing = [str(source) for source in sources if not source.exists()]
    if missing:
        _fail_usage("sumber tidak ada: " + ", ".join(missing))


def _fail_usage(message: str) -> NoReturn:
    click.echo(error_line(message), err=True)
    sys.exit(2)


def _periode(text: str | None) -> int | None:
    """--periode by the one year rule (iki_xlsx.periode): else one line and exit 2."""
    from iki_xlsx.core.periode import parse_year, refusal

    if text is None:
        return None
    year = parse_year(text)
    if year is None:
        _fail_usage(refusal(text))
    return year


@main.command()
@click.argument("blueprint_name", metavar="BLUEPRINT")
@click.option("--unit", "unit_names", multiple=True, metavar="NAMA",
              help="Nama kelurahan/desa (boleh berulang).")
@click.option("--units", "units_csv", type=click.Path(path_type=Path), metavar="BERKAS",
              help="CSV daftar unit: kolom kode, nama (dan email).")
@click.option("--periode", default=None, callback=lambda _c, _p, v: _periode(v),
              metavar="TAHUN", help="Tahun periode, empat angka 2000-2100 (bawaan: tahun ini).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER",
              help="Folder keluaran (bawaan di ruang kerja: keluaran/BLUEPRINT_PERIODE).")
@click.option("--isi-contoh", "sample", is_flag=True,
              help="Isi sel isian dengan nilai contoh yang dapat diulang (untuk samples/).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER",
              help="Folder penyimpanan yang mencatat setiap workbook yang dibuat (register), "
                   "agar terima memeriksa kiriman terhadapnya (bawaan: simpan/ ruang kerja).")
def generate(blueprint_name: str, unit_names: tuple[str, ...], units_csv: Path | None,
             periode: int | None, out_dir: Path | None, sample: bool,
             store_dir: Path | None) -> None:
    """Buat satu workbook per kelurahan/desa dan satu untuk kantor kecamatan."""
    from iki_xlsx.core.units import Unit, file_safe, read_units
    from iki_xlsx.store.db import Store, StoreBroken
    from iki_xlsx.workbook.generate import blueprint_source, recipients, resolve_blueprint
    from iki_xlsx.workbook.generate import generate as run_generate

    ws = _workspace()
    if out_dir is None and ws is None:
        _fail_usage("sebutkan -o FOLDER, atau jalankan di dalam ruang kerja")
    bp, findings = resolve_blueprint(blueprint_name, _blueprint_dir(None, ws))
    if bp is None:
        _print_findings(findings)
        sys.exit(1)
    units: list[Unit] = []
    if units_csv is not None:
        units, problems = read_units(units_csv)
        if problems:
            _print_findings(problems)
            sys.exit(1)
    elif ws is not None and not unit_names:
        units = list(ws.units)
    units += [Unit(kode=file_safe(n).lower() or "unit", nama=n) for n in unit_names]
    if not units:
        click.echo("Catatan: tidak ada kelurahan/desa; hanya workbook kantor kecamatan yang "
                   "dibuat. Sebutkan unit dengan --unit NAMA (boleh berulang) atau --units "
                   "DAFTAR.csv, atau isi unit.csv ruang kerja.", err=True)
    year = periode if periode is not None else _this_year()
    if out_dir is None:
        assert ws is not None
        out_dir = ws.output_dir / f"{bp.id}_{year}"
    register_dir = store_dir or (ws.store_dir if ws is not None else None)
    register = None if register_dir is None else Store(register_dir)  # the register
    source = None if register is None else blueprint_source(bp, blueprint_name,
                                                            _blueprint_dir(None, ws))
    try:
        with _progress(len(recipients(bp, units)), "Membuat workbook") as step:
            result = run_generate(bp, units, year, out_dir, sample=sample, register=register,
                                  source=source, progress=step)
    except StoreBroken as exc:
        _fail_usage(str(exc))
    _print_findings(result.findings)
    for path in result.files:
        click.echo(str(path))
    for unit in result.skipped:
        click.echo(f"Tidak dibuat untuk {unit.nama} ({unit.kode}): tidak ada yang perlu diisi "
                   "unit ini pada blueprint ini, jadi tidak dikirim dan tidak ditunggu kembali")
    if result.ok:
        click.echo(f"{len(result.files)} workbook ditulis ke {out_dir}")
    sys.exit(0 if result.ok else 1)


def _files_in(sources: Sequence[Path]) -> int:
    """The files named or inside the folders named: the bar's total for `terima` (a file
    that holds several workbooks, a zip or an e-mail, makes the total grow as they come)."""
    count = 0
    for source in sources:
        try:
            count += (sum(1 for p in source.rglob("*") if p.is_file()) if source.is_dir()
                      else 1)
        except OSError:
            count += 1
    return count


@contextmanager
def _progress(total: int | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr when it is a terminal; silent otherwise (pipes, logs, tests).

    Yields the callable a library function takes as `progress`. With `total` None the bar
    counts what is done without an end."""
    from iki_xlsx.core.progress import no_progress

    terminal = getattr(sys.stderr, "stream", sys.stderr)  # the bar's \r and codes, unescaped
    if not terminal.isatty():
        yield no_progress
        return
    with click.progressbar(itertools.count() if total is None else None, length=total,
                           label=label, file=terminal, show_pos=True) as bar:
        def update(done: int) -> None:
            if bar.length is not None and bar.pos + done > bar.length:
                bar.length = bar.pos + done  # more than counted: a zip or an e-mail
            bar.update(done)

        yield update


def _this_year() -> int:
    return datetime.date.today().year


@main.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder ruang kerja demo (bawaan: output/demo).")
def demo(out_dir: Path | None) -> None:
    """Jalankan alur utama pada blueprint bawaan di ruang kerja (bawaan: output/demo): buat,
    isi, kumpulkan, status, rekap."""
    from iki_xlsx.service.demo import DEFAULT_BLUEPRINT, MISTAKE, default_out_dir, run_demo

    target = out_dir or default_out_dir()
    result = run_demo(target)
    _print_findings(result.blueprints.findings + result.findings)
    if result.workspace is None and any(f.code is Code.WORKSPACE_DEMO for f in result.findings):
        sys.exit(2)  # refused before anything was written
    if result.workspace is not None:
        click.echo(f"Ruang kerja: {result.workspace.root}")
    for loaded in result.blueprints.results:
        if loaded.blueprint is not None:
            bp = loaded.blueprint
            click.echo(f"Blueprint {bp.id}: {_counts(bp)} — sah")
    for label, generated in (("kosong untuk dikirim", result.blank),
                             ("terisi contoh", result.filled)):
        if generated is None:
            continue
        _print_findings(generated.findings)
        if generated.files:
            folder = generated.files[0].parent
            click.echo(f"{len(generated.files)} workbook {label} ({DEFAULT_BLUEPRINT}): {folder}")
    if result.mistaken is not None:
        click.echo(f"Kiriman keliru (isian '{MISTAKE}'): {result.mistaken.file}: "
                   f"{result.mistaken.status.label.upper()}")
        if result.mistaken.annotated:
            click.echo(f"  salinan bercatatan untuk dikirim kembali: {result.mistaken.annotated}")
    for collected in result.collected:
        _print_collect(collected)
    if result.status is not None:
        _print_status(result.status)
    if result.rekap is not None:
        _print_findings(result.rekap.findings)
        _print_rekap(result.rekap)
    sys.exit(0 if result.ok else 1)


def host_port(text: str, default: int) -> tuple[str, int]:
    """`host`, `host:port` or `[v6]:port`."""
    host, sep, port = text.rpartition(":")
    if not sep or (host.count(":") and not host.endswith("]")):
        return text.strip("[]"), default
    if not port.isdigit():
        _fail_usage(f"port tidak sah: '{text}'")
    return host.strip("[]"), int(port)


def _password(variable: str, user: str | None, label: str) -> str | None:
    """From the environment, else asked for (hidden); never from the command line."""
    import os

    if not user:
        return None
    if os.environ.get(variable):
        return os.environ[variable]
    if not sys.stdin.isatty():  # no one to ask (a pipe, cron): never an echoing prompt
        _fail_usage(f"kata sandi {label} untuk {user} belum ada: setel variabel {variable}, "
                    "atau jalankan perintah ini di terminal agar kata sandi ditanyakan")
    return str(click.prompt(f"Kata sandi {label} untuk {user}", hide_input=True, err=True))


def _smtp_settings(smtp_at: str, starttls: bool, use_ssl: bool, user: str | None,
                   cafile: Path | None, prefix: str = "--") -> Smtp:
    """SMTP settings from the options; the password from the environment or asked for."""
    from iki_xlsx.mail.outbox import PASSWORD_ENV, Smtp

    if starttls and use_ssl:
        _fail_usage(f"pilih salah satu: {prefix}starttls atau {prefix}ssl")
    if user and not (starttls or use_ssl):
        _fail_usage(f"{prefix}user memerlukan {prefix}starttls atau {prefix}ssl agar kata sandi "
                    "tidak terkirim tanpa enkripsi")
    host, port = host_port(smtp_at, 465 if use_ssl else 587 if starttls else 25)
    security = "ssl" if use_ssl else "starttls" if starttls else "none"
    return Smtp(host, port, security, user, _password(PASSWORD_ENV, user, "SMTP"), cafile)


def _sender(sender: str | None, user: str | None) -> str:
    from iki_xlsx.mail.outbox import valid_address

    chosen = sender or (user if user and "@" in user else None)
    if not chosen or not valid_address(chosen):
        _fail_usage("sebutkan alamat pengirim yang sah dengan --from")
    assert chosen is not None
    return chosen


def _units_of(units_csv: Path | None, ws: Workspace | None) -> list[Unit] | None:
    """The units list: --units, else the workspace's unit.csv, else None (exit 1 on errors)."""
    from iki_xlsx.core.units import read_units

    if units_csv is None:
        return list(ws.units) if ws is not None else None
    units, problems = read_units(units_csv)
    if problems:
        _print_findings(problems)
        sys.exit(1)
    return units


def _replier(outbox: Outbox, sender: str, templat_folder: Path | None,
             ws: Workspace | None, blueprint_dir: Path | None) -> Replier:
    from iki_xlsx.mail.replies import Replier, load_templates

    templates, problems = load_templates(templat_folder or (ws.root / "templat" if ws else None))
    if problems:
        _print_findings(problems)
        sys.exit(1)
    return Replier(outbox, sender, templates,
                   _index(blueprint_dir, ws),
                   ws.config.kantor if ws is not None else None)


@main.command()
@click.argument("workbook_dir", required=False,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--units", "units_csv", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS",
              help="CSV daftar unit: kolom kode, nama, email (bawaan: unit.csv ruang kerja).")
@click.option("--smtp", "smtp_at", metavar="HOST[:PORT]", help="Server SMTP.")
@click.option("--starttls", is_flag=True, help="Naikkan koneksi ke TLS (STARTTLS, port 587).")
@click.option("--ssl", "use_ssl", is_flag=True, help="TLS sejak awal (port 465).")
@click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk memverifikasi server (bawaan: CA sistem).")
@click.option("--user", metavar="NAMA",
              help="Nama pengguna SMTP (kata sandi dari IKI_SMTP_PASSWORD atau ditanyakan).")
@click.option("--from", "sender", metavar="ALAMAT",
              help="Alamat pengirim (bawaan: --user bila berupa alamat).")
@click.option("--template", "template_file", type=click.Path(path_type=Path),
              metavar="BERKAS",
              help="Templat subjek dan isi surel (bawaan: templat bawaan).")
@click.option("--batas", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Batas waktu pengembalian, tahun-bulan-hari, misalnya 2026-12-31 (bawaan: "
                   "batas di iki.toml).")
@click.option("--dry-run", "dry_run", type=click.Path(path_type=Path, file_okay=False),
              help="Tulis berkas .eml ke folder ini, jangan mengirim.")
@click.option("--log", "log_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Catatan pengiriman (bawaan: kirim-log.jsonl di folder penyimpanan bila "
                   "--store atau ruang kerja, selain itu di FOLDER workbook).")
@click.option("--ulang", is_flag=True, help="Kirim lagi yang sudah pernah terkirim.")
@click.option("--percobaan", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Percobaan per surel.")
@click.option("--jeda", type=click.FloatRange(0), default=5.0, show_default=True,
              help="Detik menunggu sebelum percobaan kedua (berlipat dua tiap kali).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Folder penyimpanan (bawaan: simpan/ ruang kerja); perlu untuk "
                                 "--perbaikan dan --pengingat.")
@click.option("--perbaikan", is_flag=True,
              help="Kirim salinan bercatatan ke tiap unit yang kiriman terakhirnya perlu "
                   "perbaikan (sekali per kiriman).")
@click.option("--pengingat", is_flag=True,
              help="Ingatkan tiap unit yang belum punya kiriman diterima, dengan workbooknya "
                   "(paling banyak sekali sehari).")
@click.option("--templat-folder", "templat_folder",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder templat pengganti: diterima.txt, perbaikan.txt, ditolak.txt, "
                   "pengingat.txt (bawaan: templat/ ruang kerja).")
@click.option("--blueprints", "blueprint_dir", type=click.Path(path_type=Path), default=None,
              help="Folder blueprint (bawaan: blueprints/ ruang kerja atau bawaan).")
def kirim(workbook_dir: Path | None, units_csv: Path | None, smtp_at: str | None,
          starttls: bool, use_ssl: bool, cafile: Path | None, user: str | None,
          sender: str | None, template_file: Path | None, batas: Any, dry_run: Path | None,
          log_path: Path | None, ulang: bool, percobaan: int, jeda: float,
          store_dir: Path | None, perbaikan: bool, pengingat: bool,
          templat_folder: Path | None, blueprint_dir: Path | None) -> None:
    """Kirim workbook tiap unit ke alamat emailnya (satu surel, satu lampiran per unit).

    Dengan --perbaikan: salinan bercatatan bagi unit yang perlu memperbaiki kirimannya.
    Dengan --pengingat: pengingat bagi unit yang belum punya kiriman diterima.
    """
    from iki_xlsx.mail.kirim import DEFAULT_TEMPLATE, LOG_NAME, Retry, load_template
    from iki_xlsx.mail.kirim import kirim as run_kirim
    from iki_xlsx.mail.outbox import Outbox

    ws = _workspace()
    if ws is not None and ws.config.smtp is not None and smtp_at is None and dry_run is None:
        smtp_at = ws.config.smtp.host
        starttls = starttls or ws.config.smtp.keamanan == "starttls"
        use_ssl = use_ssl or ws.config.smtp.keamanan == "ssl"
        user = user or ws.config.smtp.user
    if ws is not None and ws.config.smtp is not None:
        sender = sender or ws.config.smtp.pengirim
    if perbaikan and pengingat:
        _fail_usage("pilih salah satu: --perbaikan atau --pengingat")
    if units_csv is None and ws is None and not perbaikan:
        _fail_usage("sebutkan --units BERKAS.csv, atau jalankan di dalam ruang kerja")
    if workbook_dir is None and not perbaikan:
        _fail_usage("sebutkan FOLDER, folder workbook yang dikirim")
    if starttls and use_ssl:
        _fail_usage("pilih salah satu: --starttls atau --ssl")
    if smtp_at is None and dry_run is None:
        _fail_usage("sebutkan --smtp HOST[:PORT] atau --dry-run FOLDER")
    if user and not (starttls or use_ssl):
        _fail_usage("--user memerlukan --starttls atau --ssl agar kata sandi tidak terkirim "
                    "tanpa enkripsi")
    from_address = _sender(sender, user)
    store = store_dir or (ws.store_dir if ws is not None else None)
    if (perbaikan or pengingat) and store is None:
        _fail_usage("--perbaikan dan --pengingat memerlukan --store FOLDER (atau ruang kerja)")
    units = _units_of(units_csv, ws)
    log = log_path or (store / LOG_NAME if store is not None else None)
    smtp = None
    if smtp_at is not None and dry_run is None:
        smtp = _smtp_settings(smtp_at, starttls, use_ssl, user, cafile)
    retry = Retry(percobaan, jeda)
    deadline = batas.date() if batas else (ws.config.batas if ws is not None else None)
    if perbaikan or pengingat:
        assert store is not None and log is not None
        outbox = Outbox(log, smtp=smtp, dry_run=dry_run, retry=retry, ulang=ulang)
        _kirim_replies(perbaikan, store, workbook_dir, units,
                       _replier(outbox, from_address, templat_folder, ws, blueprint_dir),
                       deadline)
    assert workbook_dir is not None and units is not None
    template, template_problems = load_template(template_file or DEFAULT_TEMPLATE)
    if template is None:
        _print_findings(template_problems)
        sys.exit(1)
    excused: set[tuple[str, int, str]] = set()
    if ws is not None:  # the register: recipients that had nothing to fill
        from iki_xlsx.plan.register import nothing_to_fill
        from iki_xlsx.store.db import Store

        excused = nothing_to_fill(Store(ws.store_dir))
    with _progress(None, "Mengirim surel") as step:
        result = run_kirim(units, workbook_dir, sender=from_address, template=template,
                           batas=deadline, smtp=smtp, dry_run=dry_run, log=log, ulang=ulang,
                           retry=retry, excused=excused, progress=step)
    if ws is not None:  # the register: what went to which address
        from iki_xlsx.mail.kirim import record_deliveries
        from iki_xlsx.store.db import Store

        record_deliveries(Store(ws.store_dir), result.deliveries)
    _print_findings(result.findings)
    _print_deliveries(result.deliveries)
    sys.exit(0 if result.ok else 1)


def _kirim_replies(perbaikan: bool, store_dir: Path, workbook_dir: Path | None,
                   units: list[Unit] | None, replier: Replier,
                   batas: datetime.date | None) -> None:
    from iki_xlsx.mail.replies import send_corrections, send_reminders
    from iki_xlsx.store.db import Store, StoreError

    store = Store(store_dir)
    try:
        label = "Mengirim permintaan perbaikan" if perbaikan else "Mengirim pengingat"
        with replier.outbox, _progress(None, label) as replier.progress:
            if perbaikan:
                result = send_corrections(store, replier, units)
            else:
                assert workbook_dir is not None and units is not None
                result = send_reminders(store, units, workbook_dir, replier, batas=batas,
                                        today=datetime.date.today())
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    _print_findings(result.findings)
    _print_deliveries(result.deliveries)
    sys.exit(0 if result.ok else 1)


def _print_deliveries(deliveries: list[Delivery]) -> None:
    from iki_xlsx.mail.outbox import Kind, Outcome

    for d in deliveries:
        kind = "" if d.jenis is Kind.WORKBOOK else f"{d.jenis} "
        click.echo(f"{kind}{d.hasil}: {d.nama} <{d.email}> {d.berkas}")
    counts = {outcome: sum(d.hasil is outcome for d in deliveries)
              for outcome in (Outcome.SENT, Outcome.WRITTEN, Outcome.SENT_BEFORE, Outcome.FAILED)}
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
               or "tidak ada surel")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@blueprints_option
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Tulis salinan bercatatan untuk berkas yang perlu diperbaiki.")
def check(files: tuple[Path, ...], as_json: bool, blueprint_dir: Path | None,
          annotate_dir: Path | None) -> None:
    """Periksa ulang workbook yang dikembalikan; keluar 1 bila ada yang tidak diterima."""
    from iki_xlsx.check import CheckReport, iter_check
    from iki_xlsx.plan.register import judged_by
    from iki_xlsx.store.db import Store

    _sources_exist(files)
    if annotate_dir is not None:
        _writable_folder(annotate_dir, "--annotate")
    ws = _workspace()
    index = _index(blueprint_dir, ws)
    if ws is not None and (ws.store_dir / "iki.sqlite").exists():
        index = judged_by(Store(ws.store_dir), index)
    checked = []
    with _progress(len(files), "Memeriksa workbook") as step:
        for result in iter_check(list(files), index, annotate_dir):
            checked.append(result)
            step(1)
    report = CheckReport(checked)
    if as_json:
        click.echo(strict_json([f.to_dict() for f in report.files], ensure_ascii=False, indent=2,
                              default=str))
    else:
        for result in report.files:
            who = f" — {result.unit}, {result.periode}" if result.unit else ""
            click.echo(f"{result.file}: {result.status.label.upper()}{who} "
                       f"({len(result.findings)} temuan)")
            for finding in result.findings:
                click.echo(returned_finding_line(finding.code, finding.severity, finding.sheet,
                                                 finding.cell, finding.message))
            if result.annotated:
                click.echo(f"  salinan bercatatan: {result.annotated}")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@store_option
@blueprints_option
@click.option("--imap", "imap_at", metavar="HOST[:PORT]",
              help="Ambil dari kotak surat IMAP (TLS, port 993); surel tidak diubah.")
@click.option("--user", metavar="NAMA",
              help="Pengguna IMAP (kata sandi dari IKI_IMAP_PASSWORD atau ditanyakan).")
@click.option("--folder", default="INBOX", show_default=True, metavar="NAMA",
              help="Folder IMAP.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Hanya pesan sejak tanggal ini (tahun-bulan-hari, misalnya 2026-10-01).")
@click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk memverifikasi server (bawaan: CA sistem).")
@click.option("--balas", is_flag=True,
              help="Balas tiap kiriman baru sekali: diterima, perlu perbaikan (dengan salinan "
                   "bercatatan) atau ditolak (dengan alasannya).")
@click.option("--units", "units_csv", type=click.Path(path_type=Path), metavar="BERKAS",
              help="CSV daftar unit (kode, nama, email): alamat balasan (bawaan: unit.csv ruang "
                   "kerja, selain itu daftar unit yang tercatat di penyimpanan).")
@click.option("--smtp", "smtp_at", metavar="HOST[:PORT]",
              help="Server SMTP untuk --balas (bawaan: [smtp] ruang kerja).")
@click.option("--smtp-starttls", "starttls", is_flag=True, help="SMTP dengan STARTTLS.")
@click.option("--smtp-ssl", "use_ssl", is_flag=True, help="SMTP dengan TLS sejak awal.")
@click.option("--smtp-user", "smtp_user", metavar="NAMA",
              help="Pengguna SMTP (kata sandi dari IKI_SMTP_PASSWORD atau ditanyakan).")
@click.option("--smtp-cafile", "smtp_cafile",
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Sertifikat CA untuk server SMTP.")
@click.option("--from", "sender", metavar="ALAMAT", help="Alamat pengirim balasan.")
@click.option("--templat-folder", "templat_folder",
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder templat pengganti: diterima.txt, perbaikan.txt, ditolak.txt (bawaan: "
                   "templat/ ruang kerja).")
def collect(sources: tuple[Path, ...], store_dir: Path | None, blueprint_dir: Path | None,
            imap_at: str | None, user: str | None, folder: str, since: Any,
            cafile: Path | None, balas: bool, units_csv: Path | None, smtp_at: str | None,
            starttls: bool, use_ssl: bool, smtp_user: str | None, smtp_cafile: Path | None,
            sender: str | None, templat_folder: Path | None) -> None:
    """Simpan dan periksa workbook dari berkas, folder, .zip, .eml, .mbox atau IMAP."""
    from iki_xlsx.intake.collect import collect as run_collect
    from iki_xlsx.mail.imap import PASSWORD_ENV, ImapAccount, ImapError, collect_imap
    from iki_xlsx.mail.replies import answer_returns
    from iki_xlsx.store.db import Store, StoreError

    ws = _workspace()
    from_workspace = False
    if ws is not None and ws.config.imap is not None and not sources and imap_at is None:
        imap_at, user = ws.config.imap.host, user or ws.config.imap.user
        folder = ws.config.imap.folder if folder == "INBOX" else folder
        from_workspace = True
    store_dir = _store_dir(store_dir, ws)
    _sources_exist(sources)
    if not sources and not imap_at:
        _fail_usage("sebutkan berkas atau folder yang diterima (iki-xlsx terima BERKAS...), "
                    "atau --imap HOST[:PORT] untuk mengambil dari kotak surat (di ruang kerja: "
                    "bagian [imap] iki.toml)")
    if sources and imap_at:
        _fail_usage("sebutkan BERKAS... atau --imap HOST[:PORT], bukan keduanya")
    if imap_at and not user:
        _fail_usage("--imap memerlukan --user")
    replier = _collect_replier(balas, store_dir, ws, smtp_at, starttls, use_ssl, smtp_user,
                               smtp_cafile, sender, templat_folder, blueprint_dir)
    units = _units_of(units_csv, ws)
    index = _index(blueprint_dir, ws)
    answered_ok = True
    try:
        if imap_at:
            assert user is not None
            host, port = host_port(imap_at, 993)
            if from_workspace:  # say what is about to happen before asking a password
                click.echo(f"Mengambil lampiran dari kotak surat {host} (pengguna {user}, "
                           f"folder {folder}) sesuai [imap] di iki.toml; untuk berkas, "
                           "sebutkan berkasnya: iki-xlsx terima BERKAS...", err=True)
            account = ImapAccount(host, port, user, _password(PASSWORD_ENV, user, "IMAP") or "",
                                  folder, cafile)
            with _progress(None, "Menerima lampiran") as step:
                result = collect_imap(account, Store(store_dir), index,
                                      since.date() if since else None, progress=step,
                                      answer=replier is not None)
        else:
            with _progress(_files_in(sources), "Menerima workbook") as step:
                result = run_collect(list(sources), Store(store_dir), index, progress=step,
                                     answer=replier is not None)
        _print_collect(result)
        if replier is not None:
            with replier.outbox, _progress(None, "Mengirim balasan") as replier.progress:
                replies = answer_returns(Store(store_dir), result, replier, units)
            _print_replies(replies)
            answered_ok = replies.ok
    except (StoreError, ImapError) as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    not_ok = any(state is not Status.OK for _, _, state in result.added)
    sys.exit(1 if not_ok or not answered_ok else 0)


def _collect_replier(balas: bool, store_dir: Path, ws: Workspace | None, smtp_at: str | None,
                     starttls: bool, use_ssl: bool, user: str | None, cafile: Path | None,
                     sender: str | None, templat_folder: Path | None,
                     blueprint_dir: Path | None) -> Replier | None:
    """With --balas, who answers the returns: SMTP from the options, else the workspace."""
    from iki_xlsx.mail.outbox import LOG_NAME, Outbox

    if not balas:
        return None
    if ws is not None and ws.config.smtp is not None and smtp_at is None:
        smtp_at = ws.config.smtp.host
        starttls = starttls or ws.config.smtp.keamanan == "starttls"
        use_ssl = use_ssl or ws.config.smtp.keamanan == "ssl"
        user = user or ws.config.smtp.user
        sender = sender or ws.config.smtp.pengirim
    if smtp_at is None:
        _fail_usage("--balas memerlukan --smtp HOST[:PORT] (atau [smtp] di iki.toml)")
    assert smtp_at is not None
    smtp = _smtp_settings(smtp_at, starttls, use_ssl, user, cafile, "--smtp-")
    outbox = Outbox(store_dir / LOG_NAME, smtp=smtp)
    return _replier(outbox, _sender(sender, user), templat_folder, ws, blueprint_dir)


def _print_replies(result: RepliesResult) -> None:
    _print_findings(result.findings)
    for d in result.deliveries:
        click.echo(f"balasan {d.jenis} {d.hasil}: {d.nama or '-'} <{d.email}> {d.berkas}")
    for what, why in result.unanswered:
        click.echo(f"tidak dibalas: {what}: {why}")


@main.command()
@store_option
@json_option
@click.option("--riwayat", is_flag=True,
              help="Tampilkan setiap kiriman (berkas, pengirim, waktu, status, temuan).")
@click.option("--unit", "unit_kode", default=None, metavar="KODE",
              help="Riwayat satu unit saja (kode).")
def status(store_dir: Path | None, as_json: bool, riwayat: bool, unit_kode: str | None) -> None:
    """Tampilkan unit yang sudah dan belum mengembalikan workbook, atau riwayat kiriman."""
    from iki_xlsx.intake.status import history
    from iki_xlsx.intake.status import status as run_status
    from iki_xlsx.mail.outbox import sent_mail
    from iki_xlsx.store.db import Store, StoreError

    ws = _workspace()
    store_dir = _store_dir(store_dir, ws)
    if not (store_dir / "iki.sqlite").exists():
        _fail_usage(f"penyimpanan {store_dir} belum ada; jalankan collect lebih dulu")
    try:
        if riwayat or unit_kode:
            _print_history(history(Store(store_dir), unit_kode),
                           sent_mail(Store(store_dir), unit_kode), as_json, unit_kode,
                           ws.config.zona_waktu if ws is not None else DEFAULT_ZONE)
            sys.exit(0)
        report = run_status(Store(store_dir))
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    if as_json:
        click.echo(strict_json(report.to_dict(), ensure_ascii=False, indent=2))
        sys.exit(0)
    _print_status(report)
    sys.exit(0)


@main.command()
@store_option
@click.option("--periode", default=None, callback=lambda _c, _p, v: _periode(v),
              metavar="TAHUN", help="Tahun periode yang direkap, empat angka 2000-2100.")
@click.option("--blueprint", "blueprint_id", default=None, metavar="ID",
              help="Id blueprint yang direkap (perlu bila penyimpanan berisi beberapa).")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="BERKAS", help="Berkas rekap .xlsx yang ditulis (bawaan di ruang kerja: "
                   "keluaran/rekap_BLUEPRINT_PERIODE_CAKUPAN.xlsx, misalnya "
                   "rekap_iki-kecamatan-kota_2026_sd-TW-I.xlsx).")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder untuk tabel nilai dalam CSV.")
@click.option("--parquet", "parquet_dir", type=click.Path(path_type=Path), default=None,
              metavar="FOLDER", help="Folder untuk tabel nilai dalam Parquet.")
@blueprints_option
def rekap(store_dir: Path | None, periode: int | None, blueprint_id: str | None,
          output: Path | None,
          csv_dir: Path | None, parquet_dir: Path | None, blueprint_dir: Path | None) -> None:
    """Tulis rekap kecamatan dari workbook yang diterima (xlsx, dan CSV/Parquet bila diminta)."""
    from iki_xlsx.rekap.build import rekap_steps, write_rekap
    from iki_xlsx.service.workspace import pengesahan_of
    from iki_xlsx.store.db import Store, StoreError

    ws = _workspace()
    store_dir = _store_dir(store_dir, ws)
    if not (store_dir / "iki.sqlite").exists():
        _fail_usage(f"penyimpanan {store_dir} belum ada; jalankan collect lebih dulu")
    if output is None and ws is None:
        _fail_usage("sebutkan -o BERKAS.xlsx, atau jalankan di dalam ruang kerja")
    if output is not None and output.suffix.lower() != ".xlsx":
        _fail_usage("berkas rekap harus berakhiran .xlsx")
    index = _index(blueprint_dir, ws)
    try:
        target = output or (ws.output_dir if ws is not None else Path("."))
        with _progress(rekap_steps(csv_dir, parquet_dir), "Menyusun rekap") as step:
            result = write_rekap(Store(store_dir), index, target, periode=periode,
                                 blueprint=blueprint_id, csv_dir=csv_dir,
                                 parquet_dir=parquet_dir, progress=step,
                                 pengesahan=pengesahan_of(ws.config) if ws is not None else None)
    except StoreError as exc:
        click.echo(error_line(str(exc)), err=True)
        sys.exit(1)
    if result.choices:
        _print_findings(result.findings)
        for bp_id, year in result.choices:
            click.echo(f"  --blueprint {bp_id} --periode {year}", err=True)
        sys.exit(2)
    _print_rekap(result)
    _print_findings(result.findings)
    sys.exit(0 if result.ok else 1)


def _print_collect(result: CollectResult) -> None:
    for filename, sha, state in result.added:
        click.echo(f"baru: {filename} ({sha[:12]}) {state.label.upper()}")
        for finding in result.findings.get(sha, []):
            click.echo(returned_finding_line(finding.code, finding.severity, finding.sheet,
                                             finding.cell, finding.message))
    for filename, sha in result.duplicates:
        click.echo(f"sudah ada: {filename} ({sha[:12]})")
    for filename, sha in result.restored:
        click.echo(f"dipulihkan: {filename} ({sha[:12]}) berkas asli yang hilang dari "
                   "penyimpanan disimpan lagi")
    for source, reason in result.skipped:
        click.echo(f"dilewati: {source}: {reason}")
    click.echo(f"{len(result.added)} baru, {len(result.duplicates)} sudah ada, "
               f"{len(result.skipped)} dilewati")


def _print_status(report: StatusReport) -> None:
    for period in report.periods:
        click.echo(f"{period.blueprint} — periode {period.periode}")
        for unit in period.units:
            extra = (f", {unit.findings} temuan" if unit.state is Status.NEEDS_CORRECTION
                     else "")
            sent = f" ({unit.submissions} kiriman)" if unit.submissions > 1 else ""
            outside = " (di luar daftar)" if not unit.on_list else ""
            click.echo(f"  {unit.nama}{outside}: {unit.state.label}{extra}{sent}")
            for warning in unit.warnings:
                click.echo("  " + returned_finding_line(warning["code"], "warning", None, None,
                                                        warning["message"]))
        totals = ", ".join(f"{word} {count}" for word, count in period.totals.items())
        click.echo(f"  jumlah: {totals}")
    from iki_xlsx.intake.status import unidentified_summary

    shown, rest = unidentified_summary(report.unidentified)
    for item in shown:
        click.echo(f"tidak teridentifikasi: {item['filename']} ({item['status']})")
    if rest:
        counts = ", ".join(f"{ribuan(n)} {word}" for word, n in rest.items())
        click.echo(f"tidak teridentifikasi: dan {ribuan(sum(rest.values()))} berkas lain "
                   f"({counts}); daftar lengkapnya: status --riwayat --json")
    for item in report.missing_raw:
        click.echo(f"{WARNING}berkas asli {item['filename']} ({item['sha256'][:12]}) hilang "
                   "dari penyimpanan; kumpulkan (collect) berkas itu lagi untuk memulihkannya")


def _print_rekap(result: RekapResult) -> None:
    if result.path is None:
        return
    click.echo(f"Rekap {result.blueprint} {result.periode}: {result.units_accepted} dari "
               f"{result.units_listed} unit diterima, {result.values} nilai: {result.path}")
    for path in result.exports:
        click.echo(f"Tabel nilai: {path}")


def _print_history(submissions: list[Submission], mail: list[dict[str, Any]],
                   as_json: bool, unit_kode: str | None, zona: str) -> None:
    """Every file received (and e-mail sent), dated in the office's time zone; for one unit
    with nothing yet, one line that says so."""
    if as_json:
        click.echo(strict_json({"kiriman": [s.to_dict() for s in submissions], "surel": mail},
                               ensure_ascii=False, indent=2))
        return
    if unit_kode and not submissions:
        click.echo(f"Unit {unit_kode}: belum ada kiriman yang diterima.")
    elif not submissions:
        click.echo("Belum ada kiriman yang diterima.")
    from iki_xlsx.intake.status import Unidentified, readable_history

    for item in readable_history(submissions):
        if isinstance(item, Unidentified):
            code = f" [{item.code}]" if item.code else ""
            click.echo(f"{moment_text(item.first_at, zona)} sampai "
                       f"{moment_text(item.last_at, zona)}: dan {ribuan(item.count)} "
                       f"berkas lain yang juga tidak teridentifikasi, {item.status.label.upper()}"
                       f"{code}; rinciannya: status --riwayat --json")
            continue
        # the office's clock; the e-mail's Date is the sender's word
        when = moment_text(item.collected_at, zona)
        who = f"{item.unit_nama} ({item.unit_kode})" if item.unit_kode else "tidak teridentifikasi"
        sender = f", dari {item.sender}" if item.sender else ""
        subject = f", subjek \"{item.subject}\"" if item.subject else ""
        click.echo(f"{when} {who}: {item.filename} ({item.sha256[:12]}) {item.status.label.upper()}"
                   f"{sender}{subject}")
        for finding in item.findings:
            click.echo(returned_finding_line(finding["code"], finding["severity"],
                                             finding["sheet"], finding["cell"],
                                             finding["message"]))
    if mail:
        click.echo("Surel keluar:")
    for record in mail:
        from iki_xlsx.mail.outbox import Kind

        known = Kind.named(record.get("jenis", Kind.WORKBOOK))
        kind = known.label if known is not None else str(record.get("jenis"))
        sha = str(record.get("sha256") or "")[:12]
        reason = f" ({record['keterangan']})" if record.get("keterangan") else ""
        click.echo(f"{moment_text(str(record.get('waktu')), zona)} {kind} ke "
                   f"{record.get('nama') or '-'} "
                   f"<{record.get('email')}>: {record.get('berkas')}"
                   f"{f' ({sha})' if sha else ''} {str(record.get('hasil')).upper()}{reason}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ALAMAT",
              help="Alamat yang didengarkan; selain 127.0.0.1 wajib masuk dengan kata sandi.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port.")
@click.option("--izinkan-host", "extra_hosts", multiple=True, metavar="NAMA",
              help="Nama host atau alamat lain yang dipakai peramban (boleh berulang).")
@click.option("--wajib-masuk", "login", is_flag=True,
              help="Wajib masuk dengan kata sandi juga di komputer ini (komputer bersama).")
@click.option("--atur-sandi", "role", type=click.Choice(["operator", "pemeriksa"]), default=None,
              help="Atur kata sandi peran ini (disimpan sebagai hash scrypt), lalu keluar.")
def web(host: str, port: int, extra_hosts: tuple[str, ...], login: bool,
        role: str | None) -> None:
    """Buka aplikasi web operator untuk ruang kerja ini di peramban."""
    from iki_xlsx.web.security import Passwords
    from iki_xlsx.web.serve import plan_serving, serve
    from iki_xlsx.web.site import Site

    ws = _workspace()
    if ws is None:
        _fail_usage("ruang kerja tidak ditemukan; jalankan di folder ruang kerja (berisi "
                    "iki.toml) atau dengan iki-xlsx --ruang FOLDER web")
    assert ws is not None
    site = Site(ws.root.resolve())
    if role is not None:
        first = click.prompt(f"Kata sandi baru untuk {role}", hide_input=True)
        if click.prompt("Ulangi kata sandi", hide_input=True) != first:
            _fail_usage("kedua kata sandi tidak sama; tidak ada yang diubah")
        try:
            Passwords(site.root).set(role, first)
        except ValueError as exc:
            _fail_usage(str(exc))
        click.echo(f"Kata sandi {role} disimpan (hanya hash scrypt) di {site.root}.")
        sys.exit(0)
    plan = plan_serving(site, host, extra_hosts, login)
    if plan.refusal:
        _fail_usage(plan.refusal)
    _port_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"iki-xlsx web melayani {ws.config.kantor} di http://{shown}:{port}/ "
               f"({'wajib masuk' if plan.login_required else 'hanya komputer ini'}); "
               "hentikan dengan Ctrl+C.")
    serve(site, host, port, extra_hosts, plan.login_required)


def _port_free(host: str, port: int) -> None:
    """Refuse (exit 2, one line) a port another program holds or an address not this
    computer's, before the server starts (it would say so in English and exit 3)."""
    import socket

    from iki_xlsx.core.findings import os_reason

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind((host, port))
    except OSError as exc:
        _fail_usage(f"aplikasi web tidak dapat mendengarkan di {host} port {port} "
                    f"({os_reason(exc)}); pilih port lain dengan --port")


main.add_command(simpan)
for command in TAHUN:
    main.add_command(command)
apply_vocabulary(main)
