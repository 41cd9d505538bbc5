"""Where an office's outputs go: one layout, the same for the command line and the web app.

    keluaran/
        kirim/<blueprint>-<periode>/      the workbooks to send (IKI_<periode>_<kode>_<Nama>.xlsx)
        kirim/<blueprint>-<periode>.zip   the same workbooks as one download
        catatan/<sha256[:16]>/            the annotated copy of a return that needs correction
        rekap/                            rekap_<blueprint>_<periode>.xlsx and its value tables

Outside a workspace (a store named with `--store`), the store's folder takes the place of
`keluaran/` for annotated copies, as the e-mail answers have always kept them there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEND_DIR = "kirim"
ANNOTATED_DIR = "catatan"
RECAP_DIR = "rekap"


def annotated_folder(annotations: Path, sha256: str) -> Path:
    """The folder of the annotated copy of the stored return `sha256`."""
    return annotations / sha256[:16]


@dataclass(frozen=True)
class Outputs:
    """The folders under one output root (a workspace's `keluaran/`)."""

    root: Path

    def workbooks(self, blueprint: str, periode: int) -> Path:
        """The workbooks of one blueprint and period, ready to send."""
        return self.root / SEND_DIR / f"{blueprint}-{periode}"

    def bundle(self, blueprint: str, periode: int) -> Path:
        """The same workbooks as one zip, beside their folder."""
        return self.root / SEND_DIR / f"{blueprint}-{periode}.zip"

    @property
    def annotations(self) -> Path:
        """The annotated copies, one folder per stored return (`annotated_folder`)."""
        return self.root / ANNOTATED_DIR

    @property
    def recaps(self) -> Path:
        """The recaps and their value tables (`write_rekap` names each file)."""
        return self.root / RECAP_DIR
