"""A hostile corpus, built on the fly: every way a returned file has been seen to cost more
than itself, beside the attacks the reader always refused.

`build_workbook_cases(good, folder)` writes each case next to a good generated workbook and
returns the `Case`s with their paths (no binary is committed; big cases are written through
streaming zip writes, so building the whole corpus takes seconds and little memory).
`build_intake_cases(good, folder)` does the same for what reaches `collect`: archives,
e-mails and names. `measured(command)` runs a command and reports its wall time and the peak
memory of its largest process (pool workers included).

Run `python -m tests.hostile DIR` to build the corpus into DIR (the benchmark does).
"""

from __future__ import annotations

import json
import random
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

MIB = 1024 * 1024
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE_TEXT = "Kelurahan \x1b[31mMerah\x1b[0m\r\u202eesrever\u202c\x07"  # ESC, CR, bidi, BEL


@dataclass(frozen=True)
class Case:
    """One hostile input and what the checker must say about it."""

    name: str
    path: Path
    status: str  # ok | needs-correction | rejected
    code: str | None  # the first finding's code (None: no finding)
    what: str


Chunks = Callable[[], Iterable[bytes]]


def rebuild(source: Path, target: Path, *, replace: dict[str, Chunks] | None = None,
            add: Iterable[tuple[str, Chunks]] = (), drop: Iterable[str] = (),
            level: int = 6) -> Path:
    """Copy the workbook `source` to `target` member by member, streaming the replaced and
    added members from their chunk generators (nothing big is ever held in memory)."""
    replace = replace or {}
    dropped = set(drop)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            if info.filename in dropped:
                continue
            if info.filename in replace:
                _stream_member(zout, info.filename, replace[info.filename])
            else:
                zout.writestr(info.filename, zin.read(info))
        for name, chunks in add:
            _stream_member(zout, name, chunks)
    return target


def _stream_member(zout: zipfile.ZipFile, name: str, chunks: Chunks) -> None:
    with zout.open(name, "w", force_zip64=True) as member:
        for chunk in chunks():
            member.write(chunk)


def part_text(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part, from the workbook's own relationships."""
    workbook = part_text(path, "xl/workbook.xml")
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                           part_text(path, "xl/_rels/workbook.xml.rels")))
    rels.update({rid: target for target, rid in re.findall(
        r'Target="([^"]+)"[^>]*Id="(rId\d+)"', part_text(path, "xl/_rels/workbook.xml.rels"))})
    found = {}
    for name, rid in re.findall(r'<sheet name="([^"]*)"[^>]*r:id="(rId\d+)"', workbook):
        found[name] = "xl/" + rels[rid].lstrip("/").removeprefix("xl/")
    return found


def _formula_sheet(path: Path) -> str:
    """The part of the first sheet holding a formula."""
    for part in sheet_parts(path).values():
        if "<f>" in part_text(path, part):
            return part
    raise AssertionError("no formula in " + str(path))


def _with_rows(path: Path, part: str, rows: Chunks) -> Chunks:
    """The sheet `part` with `rows` streamed in before `</sheetData>`."""
    text = part_text(path, part)
    head, tail = text.split("</sheetData>", 1)
    if head.endswith("<sheetData/>"):
        head = head.removesuffix("<sheetData/>") + "<sheetData>"

    def chunks() -> Iterator[bytes]:
        yield head.encode()
        yield from rows()
        yield ("</sheetData>" + tail).encode()
    return chunks


def _batched(items: Iterable[str], size: int = 4096) -> Iterator[bytes]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def _compressible(pattern: bytes, total: int, repeats: int) -> Iterator[bytes]:
    """`total` bytes of `pattern` with a random comment every `repeats` patterns, so that
    deflate compresses it about 150:1 (under the 200:1 zip-bomb rule)."""
    rng = random.Random(13)
    block = pattern * repeats
    written = 0
    while written < total:
        chunk = b"".join(block + b"<!--" + rng.randbytes(4).hex().encode() + b"-->"
                         for _ in range(64))
        written += len(chunk)
        yield chunk


def _manifest_part(path: Path) -> str:
    return sheet_parts(path)["IKI_Manifest"]


def _manifest_json(path: Path) -> dict[str, object]:
    from iki_xlsx.workbook.read import read_workbook

    manifest = read_workbook(path).manifest
    assert manifest is not None
    return manifest


def _manifest_sheet(cells: list[str], extra: str = "") -> Chunks:
    """A manifest sheet holding `cells` in column A (inline strings) and `extra` XML rows."""
    rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="inlineStr"><is><t>{escape(text)}'
                   f"</t></is></c></row>" for i, text in enumerate(cells))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<sheetData>{rows}{extra}</sheetData></worksheet>")
    return lambda: [xml.encode()]


def _with_manifest(good: Path, target: Path, text: str, extra: str = "") -> Path:
    cells = ["iki-xlsx manifest"] + [text[i:i + 30_000] for i in range(0, len(text), 30_000)]
    return rebuild(good, target, replace={_manifest_part(good): _manifest_sheet(cells, extra)})


def _manifest_with(good: Path, target: Path, change: Callable[[dict[str, object]], str]) -> Path:
    return _with_manifest(good, target, change(_manifest_json(good)))


def _periode(value: str) -> Callable[[dict[str, object]], str]:
    def change(manifest: dict[str, object]) -> str:
        return json.dumps({**manifest, "periode": "@@"}).replace('"@@"', value)
    return change


def _without_own_unit(manifest: dict[str, object]) -> str:
    own = manifest["unit"]["kode"]  # type: ignore[index]
    return json.dumps({**manifest, "units": [u for u in manifest["units"]  # type: ignore[attr-defined]
                                             if u["kode"] != own]})


def _kantor_as_text(manifest: dict[str, object]) -> str:
    return json.dumps({**manifest, "unit": {**manifest["unit"], "kantor": "false"}})  # type: ignore[dict-item]


def _unit_named(name: str) -> Callable[[dict[str, object]], str]:
    def change(manifest: dict[str, object]) -> str:
        unit = dict(manifest["unit"])  # type: ignore[call-overload]
        units = [dict(u, nama=name) if u["kode"] == unit["kode"] else u
                 for u in manifest["units"]]  # type: ignore[attr-defined]
        return json.dumps({**manifest, "unit": {**unit, "nama": name}, "units": units})
    return change


ENTITY_BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
               '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "&lol2;</workbook>")
XXE = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
       "&x;</workbook>")


def _text(text: str) -> Chunks:
    return lambda: [text.encode()]


def build_workbook_cases(good: Path, folder: Path) -> list[Case]:
    """Every hostile workbook, built from the good workbook `good` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    formula_part = _formula_sheet(good)
    formula_text = part_text(good, formula_part)
    bad = "rejected"
    cases: list[Case] = []

    def case(name: str, status: str, code: str | None, what: str,
             build: Callable[[Path], object], suffix: str = ".xlsx") -> None:
        path = folder / f"{name}{suffix}"
        if not path.exists():
            build(path)
        cases.append(Case(name, path, status, code, what))

    # what the reader always refused
    case("entity-bomb", bad, "unreadable-file", "XML with a DTD (billion laughs)",
         lambda p: rebuild(good, p, replace={"xl/workbook.xml": _text(ENTITY_BOMB)}))
    case("xxe", bad, "unreadable-file", "external entity reading /etc/passwd",
         lambda p: rebuild(good, p, replace={"xl/workbook.xml": _text(XXE)}))
    case("encrypted", bad, "unsupported-format", "password-protected (OLE container)",
         lambda p: p.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096))
    case("macros", bad, "unsupported-format", "a VBA project inside an .xlsx",
         lambda p: rebuild(good, p, add=[("xl/vbaProject.bin", lambda: [b"\0" * 512])]))
    case("path-traversal", "needs-correction", "structure-changed",
         "a sheet whose part is ../../../../etc/passwd, and a member named ../../evil.xml",
         lambda p: rebuild(good, p, replace={"xl/_rels/workbook.xml.rels": _text(
             part_text(good, "xl/_rels/workbook.xml.rels").replace(
                 formula_part.removeprefix("xl/"), "../../../../etc/passwd"))},
             add=[("../../evil.xml", lambda: [b"<x/>"])]))
    case("zip-bomb", bad, "unreadable-file", "one part of 64 MB of spaces compressed 1000:1",
         lambda p: rebuild(good, p, replace={"xl/workbook.xml": lambda: (
             b" " * MIB for _ in range(64))}, level=9))
    # what cost minutes or gigabytes
    case("shared-strings-inflated", bad, "unreadable-file",
         "sharedStrings inflating to 285 MB of empty items (150:1, under the ratio rule)",
         lambda p: rebuild(good, p, replace={"xl/sharedStrings.xml": lambda: [
             b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main">', *_compressible(b"<si><t/></si>", 285 * MIB, 170),
             b"</sst>"]}, level=1))
    master = "+".join(f"A{i}" for i in range(1, 200))
    case("shared-formula-children", bad, "unreadable-file",
         "100,000 shared-formula children of a 199-reference master",
         lambda p: rebuild(good, p, replace={formula_part: _with_rows(good, formula_part, lambda: [
             f'<row r="1000"><c r="Z1000"><f t="shared" ref="Z1000:Z101000" si="77">{master}'
             "</f></c></row>".encode(),
             *_batched(f'<row r="{r}"><c r="Z{r}"><f t="shared" si="77"/></c></row>'
                       for r in range(1001, 101001))])}))
    case("formula-300k-outside-plan", bad, "unreadable-file",
         "a 300,000-character formula in a cell outside the plan",
         lambda p: rebuild(good, p, replace={formula_part: _with_rows(good, formula_part, lambda: [
             b'<row r="5000"><c r="Z5000"><f>' + b"A1+" * 100_000 + b"1</f></c></row>"])}))
    case("formula-100k-planned", bad, "unreadable-file",
         "a planned formula replaced by 100,000 characters",
         lambda p: rebuild(good, p, replace={formula_part: _text(re.sub(
             r"<f>[^<]*</f>", lambda _: "<f>" + "(A1)+" * 20_000 + "1</f>", formula_text,
             count=1))}))
    case("sheets-one-part", bad, "unreadable-file",
         "490 sheet entries pointing at one 280 MB part of a 1.5 MB file",
         lambda p: _sheets_on_one_part(good, p))
    case("rows-1048576", bad, "unreadable-file", "1,048,576 rows in one sheet",
         lambda p: rebuild(good, p, replace={formula_part: _with_rows(
             good, formula_part, lambda: _batched(f'<row r="{r}"/>'
                                                  for r in range(1, 1_048_577)))}, level=1))
    case("cells-2000200", bad, "unreadable-file", "2,000,200 cells",
         lambda p: rebuild(good, p, replace={formula_part: _with_rows(
             good, formula_part, lambda: _batched(
                 f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>'
                                            for c in _COLUMNS) + "</row>"
                 for r in range(2000, 2000 + 20_002)), )}, level=1))
    case("file-over-50mb", bad, "unreadable-file",
         "a 1.5 GB file (sparse on disk), never read whole", _sparse_zip)
    case("manifest-periode-infinity", bad, "manifest-malformed", "manifest periode Infinity",
         lambda p: _manifest_with(good, p, _periode("Infinity")))
    case("manifest-periode-1e30", bad, "manifest-malformed",
         "manifest periode 10^30 (over SQLite's INTEGER)",
         lambda p: _manifest_with(good, p, _periode("1" + "0" * 30)))
    case("manifest-nested-arrays", bad, "manifest-malformed",
         "a manifest of 200,000 nested arrays",
         lambda p: _with_manifest(good, p, "[" * 200_000 + "]" * 200_000))
    case("manifest-without-its-unit", bad, "manifest-malformed",
         "a manifest whose units list lacks its own unit",
         lambda p: _manifest_with(good, p, _without_own_unit))
    case("manifest-kantor-as-text", bad, "manifest-malformed",
         'a manifest saying kantor: "false" (text, not a flag)',
         lambda p: _manifest_with(good, p, _kantor_as_text))
    case("manifest-other-office", bad, "manifest-mismatch",
         "a manifest naming another office than its blueprint's",
         lambda p: _manifest_with(good, p, lambda m: json.dumps({**m, "kantor": "Kecamatan Lain"})))
    case("cell-ref-without-row", bad, "unreadable-file", 'a cell reference r="AB" (no row)',
         lambda p: _with_manifest(good, p, json.dumps(_manifest_json(good)), _NO_ROW))
    case("control-characters", bad, "identity-mismatch",
         "ESC, CR, BEL and bidi overrides in the unit name (manifest) and the file name",
         lambda p: _manifest_with(good, p, _unit_named(HOSTILE_TEXT)),
         suffix="-\x1b[2J\r\u202e.xlsx")
    return cases


_NO_ROW = '<row r="99"><c r="AB" t="inlineStr"><is><t>x</t></is></c></row>'
_COLUMNS = [chr(65 + i // 26) + chr(65 + i % 26) if i >= 26 else chr(65 + i)
            for i in range(100)]


def _sheets_on_one_part(good: Path, target: Path) -> Path:
    workbook = part_text(good, "xl/workbook.xml")
    rels = part_text(good, "xl/_rels/workbook.xml.rels")
    entries = "".join(f'<sheet name="Besar{i}" sheetId="{1000 + i}" r:id="rId999"/>'
                      for i in range(490))
    rel = ('<Relationship Id="rId999" Type="http://schemas.openxmlformats.org/officeDocument/'
           '2006/relationships/worksheet" Target="worksheets/besar.xml"/>')
    return rebuild(good, target, replace={
        "xl/workbook.xml": _text(workbook.replace("</sheets>", entries + "</sheets>")),
        "xl/_rels/workbook.xml.rels": _text(rels.replace("</Relationships>",
                                                         rel + "</Relationships>"))},
        add=[("xl/worksheets/besar.xml", lambda: [
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>", *_compressible(b'<row r="1"/>', 280 * MIB, 150),
            b"</sheetData></worksheet>"])], level=1)


def _sparse_zip(target: Path) -> None:
    """A file of 1.5 GB that costs nothing on disk: a zip header, then a hole."""
    with target.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(1536 * MIB)


def build_intake_cases(good: list[Path], folder: Path) -> dict[str, Path]:
    """What reaches `collect` beside workbooks: archives, e-mails and hostile names.

    `good` are workbooks whose copies the archives carry (they must be collected).
    """
    folder.mkdir(parents=True, exist_ok=True)
    built: dict[str, Path] = {}

    def write(name: str, build: Callable[[Path], object]) -> None:
        path = folder / name
        if not path.exists():
            build(path)
        built[name] = path

    write("zip-40x45mb.zip", _members_of_zeros)
    write("zip-100000-members.zip", _many_members)
    write("zip-in-zip.zip", lambda p: _zip_in_zip(good[0], p))
    write("attachment-dot-xlsx.eml", lambda p: p.write_bytes(bytes(message(
        "desa@example.id", "IKI", [(".xlsx", good[1].read_bytes())]))))
    write("subject-control.eml", lambda p: p.write_bytes(bytes(message(
        "desa@example.id", "IKI " + HOSTILE_TEXT.replace("\r", ""),
        [(f"IKI-\x1b[2J{good[2].name}", good[2].read_bytes())]))))
    return built


def message(sender: str, subject: str, attachments: list[tuple[str, bytes]]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "kecamatan@example.id", subject
    msg["Date"] = "Mon, 5 Oct 2026 09:00:00 +0700"
    msg.set_content("Terlampir IKI kami.")
    maintype, subtype = MIME.split("/")
    for name, data in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _members_of_zeros(target: Path) -> None:
    """40 members of 45 MB of zeros each (deflated 1000:1): the 45 MB are compressed once
    and the same deflate stream is written for every member."""
    zeros = bytes(45 * MIB)
    deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
    data = deflate.compress(zeros) + deflate.flush()
    crc = zlib.crc32(zeros)
    _write_zip(target, ((f"kiriman-{i}.xlsx", 8, crc, data, len(zeros)) for i in range(40)))


def repeated_part(target: Path, name: str, head: bytes, block: bytes, times: int,
                  tail: bytes) -> None:
    """An archive of one deflated member, `head`, then `block` `times` over, then `tail`:
    `block` is compressed once, after a full flush (so that its deflate blocks refer to nothing
    before them), and its compressed bytes written `times` over; the CRC-32 runs over every
    byte the member inflates to."""
    deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    middle = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * times + len(tail)
    _write_zip(target, [(name, 8, crc, start + middle * times + end, size)])


def _many_members(target: Path) -> None:
    crc = zlib.crc32(b"PK")
    _write_zip(target, ((f"x{i}.xlsx", 0, crc, b"PK", 2) for i in range(100_000)))


# a zip written member by member from data already compressed (PKWARE APPNOTE 4.3): what
# zipfile writes, without compressing the same bytes again for each member nor its per-member
# bookkeeping (100,000 members in a tenth of the time)
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (2026 - 1980) << 9 | 10 << 5 | 5  # 5 October 2026, 00:00


def _write_zip(target: Path, members: Iterable[tuple[str, int, int, bytes, int]]) -> None:
    """`members` as (name, method 0 stored or 8 deflated, CRC-32, stored bytes, size)."""
    central: list[bytes] = []
    offset = 0
    with target.open("wb") as out:
        for name, method, crc, data, size in members:
            raw = name.encode("ascii")
            header = _LOCAL.pack(b"PK\x03\x04", 20, 0, method, 0, _DOS_DATE, crc, len(data),
                                 size, len(raw), 0)
            out.write(header + raw)
            out.write(data)
            central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, method, 0, _DOS_DATE, crc,
                                         len(data), size, len(raw), 0, 0, 0, 0, 0o600 << 16,
                                         offset) + raw)
            offset += len(header) + len(raw) + len(data)
        directory = b"".join(central)
        count = len(central)
        if count > 0xFFFF:  # the zip64 end record carries the count
            out.write(directory)
            out.write(_END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory),
                                  offset))
            out.write(_LOCATOR64.pack(b"PK\x06\x07", 0, offset + len(directory), 1))
            out.write(_END.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), offset, 0))
        else:
            out.write(directory)
            out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))


def _zip_in_zip(good: Path, target: Path) -> None:
    inner = target.with_name("dalam.zip.tmp")
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zin:
        zin.write(good, f"dalam/{good.name}")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.write(inner, "kiriman.zip")
    inner.unlink()


@dataclass(frozen=True)
class Measured:
    done: subprocess.CompletedProcess[str]
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the command's processes (robust under load)
    peak_mb: float  # the largest process of the command's tree


def measured(command: list[str], timeout: float = 600,
             env: dict[str, str] | None = None) -> Measured:
    """Run `command` in a fresh process that reports its children's peak memory."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "d = subprocess.run(sys.argv[1:]); "
             "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss, "
             "file=sys.stderr); "
             "sys.exit(d.returncode)")
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                          text=True, timeout=timeout, env=env)
    last = done.stderr.rstrip().rsplit("\n", 1)
    seconds, cpu, peak_kb = last[-1].split()
    done.stderr = last[0] if len(last) > 1 else ""
    return Measured(done, float(seconds), float(cpu), int(peak_kb) / 1024)


def good_workbooks(folder: Path, count: int = 3) -> list[Path]:
    """Sample-filled returns of the smallest bundled blueprint (kelurahan + office)."""
    from iki_xlsx.blueprint.load import find_blueprints, load_blueprint
    from iki_xlsx.core.units import Unit
    from iki_xlsx.workbook.generate import generate

    existing = sorted(folder.glob("*.xlsx"))
    if len(existing) >= count:
        return existing[:count]
    path = next(p for p in find_blueprints(Path(__file__).parent.parent / "blueprints")
                if p.stem == "iki-kecamatan-jabung")
    bp = load_blueprint(path).blueprint
    assert bp is not None
    units = [Unit(f"{i:02d}", f"Desa Nomor {i}") for i in range(1, count)]
    result = generate(bp, units, 2026, folder, sample=True)
    return sorted(result.files)[:count]


def main(argv: list[str]) -> None:
    folder = Path(argv[0])
    good = good_workbooks(folder / "baik")
    started = time.perf_counter()
    for item in build_workbook_cases(good[0], folder / "berkas"):
        print(f"{item.name}: {item.path.stat().st_size:,} bytes")
    build_intake_cases(good, folder / "kiriman")
    print(f"built in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])


# --- the office's own files: blueprints, iki.toml, unit.csv -----------------------------------

BUNDLED = Path(__file__).resolve().parent.parent / "blueprints"
CONFIG = 'kantor = "Kecamatan Uji"\nwilayah = "Kota Uji"\nkota = "Uji"\nzona_waktu = "WIB"\n'
UNITS_HEAD = "kode,nama,email\n3507010001,Desa Satu,satu@desa.example.id\n"


@dataclass(frozen=True)
class OfficeCase:
    """One hostile file the office keeps: a blueprint (`path` is the file) or a workspace
    whose iki.toml or unit.csv is hostile (`path` is the workspace folder)."""

    name: str
    kind: str  # blueprint | config | units
    path: Path
    code: str  # the first finding's code
    what: str


def laughs(levels: int) -> str:
    """A 'billion laughs' YAML blueprint: each alias holds nine of the one before."""
    lines = ['a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _long_rumus(terms: int) -> str:
    text = (BUNDLED / "iki-kecamatan-jabung.yaml").read_text(encoding="utf-8")
    found = re.search(r'rumus: "[^"]+"', text)
    assert found is not None
    return text.replace(found.group(0), 'rumus: "' + " + ".join(["pegawai"] * terms) + '"', 1)


def _workspace(folder: Path, config: str = CONFIG, units: str = UNITS_HEAD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "iki.toml").write_text(config, encoding="utf-8")
    (folder / "unit.csv").write_text(units, encoding="utf-8")
    return folder


def build_office_cases(folder: Path) -> list[OfficeCase]:
    """Every hostile blueprint, iki.toml and unit.csv, built into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[OfficeCase] = []

    def blueprint(name: str, code: str, what: str, text: str) -> None:
        path = folder / f"{name}.yaml"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        cases.append(OfficeCase(name, "blueprint", path, code, what))

    def workspace(name: str, kind: str, code: str, what: str, **files: str) -> None:
        cases.append(OfficeCase(name, kind, _workspace(folder / name, **files), code, what))

    blueprint("yaml-laughs-9", "blueprint-too-large",
              "nested aliases, 9 levels (380 bytes; 387 million values expanded)", laughs(9))
    blueprint("yaml-laughs-12", "blueprint-too-large",
              "nested aliases, 12 levels (520 bytes; 2.8 * 10^11 values)", laughs(12))
    blueprint("yaml-alias-in-itself", "blueprint-too-large", "an alias inside itself (&x [*x])",
              "id: x\njabatan: &x [*x]\n")
    blueprint("yaml-alias-as-key", "blueprint-syntax", "an expanded alias used as a key",
              laughs(3) + "? *a3\n: x\n")
    blueprint("yaml-nested-100000", "blueprint-too-large", "100,000 nested lists",
              "id: " + "[" * 100_000 + "]" * 100_000 + "\n")
    blueprint("yaml-5mb", "blueprint-too-large", "a 5 MB blueprint (a comment)",
              "# " + "x" * 5 * MIB + "\nid: x\n")
    blueprint("yaml-number-10000-digits", "blueprint-syntax", "a number of 10,000 digits",
              "id: " + "7" * 10_000 + "\n")
    blueprint("rumus-5000-terms", "blueprint-bad-expression", "a rumus of 5,000 terms",
              _long_rumus(5000))
    blueprint("rumus-nested-parentheses", "blueprint-bad-expression",
              "a rumus of 500 nested parentheses",
              _long_rumus(1).replace('rumus: "pegawai"',
                                     'rumus: "' + "(" * 500 + "pegawai" + ")" * 500 + '"'))
    blueprint("target-1e308", "blueprint-invalid-value",
              "a target of 1.0e+308, beyond the largest number Excel holds",
              (BUNDLED / "iki-kecamatan-jabung.yaml").read_text(encoding="utf-8").replace(
                  "target: 100", "target: 1.0e+308", 1))
    workspace("toml-nested-arrays", "config", "config-too-large",
              "iki.toml with 30,000 nested arrays",
              config=CONFIG + "x = " + "[" * 30_000 + "]" * 30_000 + "\n")
    workspace("toml-unknown-key-long-line", "config", "config-unknown-key",
              "an unknown key, then a 60,000-character line",
              config=CONFIG + 'asing = [\n"a' + " " * 60_000 + 'b"]\n')
    workspace("toml-1mb", "config", "config-too-large", "a 1 MB iki.toml",
              config=CONFIG + "# " + "x" * MIB + "\n")
    workspace("csv-field-200kb", "units", "units-invalid-value", "a unit.csv field of 200 KB",
              units=UNITS_HEAD + '3507010002,"' + "x" * 200_000 + '",dua@desa.example.id\n')
    workspace("csv-office-kode", "units", "units-invalid-value",
              "a unit taking the office's own kode", units=UNITS_HEAD + "kecamatan,Desa Palsu,"
                                                                        "palsu@desa.example.id\n")
    workspace("csv-nul-in-name", "units", "units-invalid-value", "a NUL byte in a unit's name",
              units=UNITS_HEAD + "3507010002,Desa\x00Dua,dua@desa.example.id\n")
    workspace("csv-bidi-in-kode", "units", "units-invalid-value",
              "a bidi override in a kode", units=UNITS_HEAD + "35070\u202e10002,Desa Dua,\n")
    workspace("csv-20000-rows", "units", "units-too-large", "20,000 units",
              units=UNITS_HEAD + "".join(f"{i:010d},Desa {i},\n" for i in range(2, 20_002)))
    workspace("csv-5mb", "units", "units-too-large", "a 5 MB unit.csv",
              units=UNITS_HEAD + "#" + "x" * 5 * MIB + "\n")
    return cases


# --- what reaches intake beside workbooks: links, pipes, big mail ------------------------------

LINK_TARGETS = ("iki.toml", "web-sandi.json", "/etc/passwd")


def build_drop_folder(workspace: Path, good: Path, folder: Path) -> Path:
    """A drop folder holding one good return and links out of it: to the workspace's
    iki.toml and web-sandi.json and to /etc/passwd (each named like a return), a linked
    folder, and a named pipe named like a return."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / good.name).exists():
        os.link(good, folder / good.name)
    for i, target in enumerate(LINK_TARGETS):
        link = folder / f"IKI_2026_0{i}_Desa.xlsx"
        if not link.is_symlink():
            link.symlink_to(target if target.startswith("/") else workspace / target)
    outside = folder.parent / f"{folder.name}-luar"
    outside.mkdir(exist_ok=True)
    if not (outside / f"salinan-{good.name}").exists():
        os.link(good, outside / f"salinan-{good.name}")
    if not (folder / "sub").is_symlink():
        (folder / "sub").symlink_to(outside)
    if not (folder / "pipa.xlsx").exists():
        os.mkfifo(folder / "pipa.xlsx")
    return folder


def _mime_message(target: Path, attachments: list[tuple[str, Iterable[bytes]]],
                  sender: str = "desa@example.id", headers: str = "") -> None:
    """A multipart e-mail written line by line: each attachment streamed as base64."""
    import base64

    boundary = "=_batas_iki_7f3a"
    with target.open("wb") as out:
        out.write((f"From: {sender}\r\nTo: kecamatan@example.id\r\nSubject: IKI\r\n"
                   "Date: Mon, 5 Oct 2026 09:00:00 +0700\r\n"
                   f"Message-ID: <{target.stem}@example.id>\r\n{headers}MIME-Version: 1.0\r\n"
                   f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
                   f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nTerlampir.\r\n").encode())
        for name, chunks in attachments:
            out.write((f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                       f'Content-Disposition: attachment; filename="{name}"\r\n'
                       "Content-Transfer-Encoding: base64\r\n\r\n").encode())
            rest = b""
            for chunk in chunks:
                data = rest + chunk
                cut = len(data) - len(data) % 57
                out.write(base64.encodebytes(data[:cut]).replace(b"\n", b"\r\n"))
                rest = data[cut:]
            out.write(base64.encodebytes(rest).replace(b"\n", b"\r\n"))
        out.write(f"--{boundary}--\r\n".encode())


def _noise(total: int) -> Iterator[bytes]:
    rng = random.Random(29)
    for _ in range(total // MIB):
        yield rng.randbytes(MIB)


def build_mail_cases(good: list[Path], folder: Path) -> dict[str, Path]:
    """Big e-mails: a 95 MB .eml (under the 100 MB limit) carrying a good return and 70 MB of
    photographs, and an .mbox whose first message is 300 MB (over the limit of one e-mail;
    a hole on disk) followed by a message with a good return."""
    folder.mkdir(parents=True, exist_ok=True)
    built: dict[str, Path] = {}
    eml = folder / "surel-95mb.eml"
    if not eml.exists():
        _mime_message(eml, [("foto-kegiatan.jpg", _noise(70 * MIB)),
                            (good[0].name, [good[0].read_bytes()])])
    built["eml-95mb"] = eml
    mbox = folder / "kotak-300mb.mbox"
    if not mbox.exists():
        second = folder / "kedua.eml.tmp"
        _mime_message(second, [(good[1].name, [good[1].read_bytes()])], "dua@example.id")
        with mbox.open("wb") as out:
            out.write(b"From desa@example.id Mon Oct  5 09:00:00 2026\n"
                      b"From: desa@example.id\nSubject: besar\n\n")
            out.seek(300 * MIB)
            out.write(b"\n\nFrom dua@example.id Mon Oct  5 09:05:00 2026\n")
            out.write(second.read_bytes().replace(b"\r\n", b"\n"))
        second.unlink()
    built["mbox-300mb"] = mbox
    return built


def build_junk_drop(folder: Path, count: int = 2000) -> Path:
    """`count` files named like returns that are none (random bytes): a junk drop."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2000)
    for i in range(count):
        path = folder / f"IKI_sampah_{i:04d}.xlsx"
        if not path.exists():
            path.write_bytes(rng.randbytes(200))
    return folder
