"""The kop surat of the office's documents comes from iki.toml: its lines and an optional logo
file in the workspace; a logo that is missing, outside the workspace or not an image is one
located `iki.toml:LINE:` message, and a good one is drawn in the Word document."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import docx
import pytest

from iki_xlsx.documents.model import Document, Letterhead, Section, Text
from iki_xlsx.documents.model import Shown as ShownValues
from iki_xlsx.documents.word import write_docx
from iki_xlsx.service.workspace import (
    WorkspaceError,
    init_workspace,
    load_workspace,
    logo_path,
)

KOP = """
[kop_surat]
baris = ["PEMERINTAH KABUPATEN CONTOH", "KECAMATAN CONTOH", "Jalan Contoh No. 1"]
logo = "{logo}"
"""


def png(path: Path, size: int = 8) -> Path:
    """A small real PNG image (a grey square)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\x00" + b"\x80" * size for _ in range(size))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size,
                                                                        8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def _workspace(tmp_path: Path, logo: str) -> Path:
    root = tmp_path / "kantor"
    assert init_workspace(root).ok
    config = root / "iki.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[kop_surat]")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + KOP.strip().format(logo=logo) + text[end:],
                      encoding="utf-8")
    return root


@pytest.mark.parametrize(("logo", "words"), [
    ("logo.png", "kop_surat.logo: berkas 'logo.png' tidak ada di folder ruang kerja"),
    ("logo.gif", "kop_surat.logo: 'logo.gif' harus berkas gambar PNG atau JPEG"),
    ("../luar.png", "kop_surat.logo: '../luar.png' berada di luar folder ruang kerja"),
])
def test_a_logo_that_cannot_be_used_is_one_located_message(tmp_path: Path, logo: str,
                                                            words: str) -> None:
    root = _workspace(tmp_path, logo)
    png(tmp_path / "luar.png")
    (root / "logo.gif").write_bytes(b"GIF89a")
    line = next(n for n, text in enumerate((root / "iki.toml").read_text().splitlines(),
                                           start=1) if text.startswith("logo ="))
    with pytest.raises(WorkspaceError) as raised:
        load_workspace(root)
    (finding,) = raised.value.findings
    assert finding.location == f"iki.toml:{line}"
    assert finding.message.startswith(words), finding.message


def test_the_letterhead_draws_the_workspaces_logo_above_a_double_rule(tmp_path: Path) -> None:
    root = _workspace(tmp_path, "logo.png")
    png(root / "logo.png")
    workspace = load_workspace(root)
    assert workspace.config.kop_surat is not None
    logo = logo_path(root, workspace.config)
    assert logo == root / "logo.png"
    head = Letterhead(workspace.config.kop_surat.baris, logo)
    document = Document("kop", "Kop", "Kecamatan Contoh", 2026, "",
                        [Section([head, Text("Isi surat.")])])
    path = write_docx(document, ShownValues(), tmp_path / "kop.docx")
    written = docx.Document(str(path))
    assert len(written.inline_shapes) == 1
    cells = [c.text for t in written.tables for row in t.rows for c in row.cells]
    assert "PEMERINTAH KABUPATEN CONTOH\nKECAMATAN CONTOH\nJalan Contoh No. 1" in cells
    rule = written.paragraphs[0]._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr")
    assert rule is not None
