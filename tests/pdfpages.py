"""Printed pages as poppler's `pdftohtml -xml` reads them: each page's text lines, where they
are and how large (pt on paper). Poppler reads a PDF in a fraction of a second where pdfminer
takes a second or more per page; its sizes come in thirds of a point (test_layout checks them
against pdfminer's). Read once per PDF content in a run (tests/shared.py `by_content`): the
tests that read one PDF share the reading."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from tests.shared import by_content

ZOOM = 3  # pdftohtml's largest: positions and sizes in thirds of a point
FOOTER_BAND_PT = 0.75 * 72  # the bottom 3/4 inch of a page: its footer
NO_TEXT = 99.0  # the smallest size of a page (or band) without text


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[tuple[float, float, float, float, float, str], ...]  # left, top, width,
    # height, size (pt), text

    @property
    def text(self) -> str:
        return "\n".join(line[-1] for line in self.lines)

    def in_footer(self, top: float) -> bool:
        return top > self.height - FOOTER_BAND_PT

    @property
    def footer(self) -> str:
        return " ".join(t for _, top, _, _, _, t in self.lines if self.in_footer(top))

    @property
    def smallest(self) -> tuple[float, float]:
        """The smallest body character and the smallest footer character (NO_TEXT: none)."""
        body = [size for _, top, _, _, size, _ in self.lines if not self.in_footer(top)]
        footer = [size for _, top, _, _, size, _ in self.lines if self.in_footer(top)]
        return min(body, default=NO_TEXT), min(footer, default=NO_TEXT)


def pages(pdf: Path) -> tuple[Page, ...]:
    """Every page of `pdf` with its text lines (those with more than blanks)."""
    return by_content("poppler", pdf, lambda path: tuple(_read_pages(path)))


def _read_pages(pdf: Path) -> Iterator[Page]:
    done = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-zoom", str(ZOOM), "-stdout",
                           str(pdf)], capture_output=True, check=True)
    fonts: dict[str, float] = {}
    for page in ElementTree.fromstring(done.stdout).iter("page"):
        fonts |= {str(spec.get("id")): int(spec.get("size", "0")) / ZOOM
                  for spec in page.iter("fontspec")}
        texts = [(t, "".join(t.itertext())) for t in page.iter("text")]
        lines = tuple((int(t.get("left", "0")) / ZOOM, int(t.get("top", "0")) / ZOOM,
                       int(t.get("width", "0")) / ZOOM, int(t.get("height", "0")) / ZOOM,
                       fonts[str(t.get("font"))], text)
                      for t, text in texts if text.strip())
        yield Page(int(page.get("number", "0")), int(page.get("width", "0")) / ZOOM,
                   int(page.get("height", "0")) / ZOOM, lines)
