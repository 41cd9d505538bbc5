"""The compiled worksheet scanner (iki_xlsx/workbook/_sheetscan.c) against the Python reader:
for every shape of sheet and shared strings a client or a tamperer may write, a returned file
reads the same either way (the same cells and values, or the same finding), and the scanner
takes the regular shapes itself and leaves every other one to the Python reader.

The suite's other tests read every returned file through the scanner (it is the default);
tests/test_hostile.py compares both readers on the whole hostile corpus."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from iki_xlsx.workbook import read
from iki_xlsx.workbook.read import ReadError, WorkbookData, read_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS = ["nol", "satu", "dua", "tiga"]


def workbook(target: Path, sheet: str, strings: str | None = None, *more: str) -> Path:
    """A workbook around `sheet` (the whole worksheet part of sheet "Lembar"), `strings` (the
    whole shared strings part; by default the four STRINGS) and `more` sheets after it."""
    if strings is None:
        strings = (f'<sst xmlns="{MAIN}">'
                   + "".join(f"<si><t>{s}</t></si>" for s in STRINGS) + "</sst>")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        parts = [sheet, *more]
        names = ["Lembar"] + [f"Lembar {n}" for n in range(2, len(parts) + 1)]
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, name in enumerate(names, 1)) + "</sheets></workbook>"))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">'
            + "".join(f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(parts) + 1)) + "</Relationships>"))
        for n, part in enumerate(parts, 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", part)
        archive.writestr("xl/sharedStrings.xml", strings)
    return target


def sheet(rows: str, *, head: str = "", tail: str = "", root: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"{root}>{head}'
            f"<sheetData>{rows}</sheetData>{tail}</worksheet>")


def outcome(path: Path, compiled: bool) -> WorkbookData | str:
    try:
        return read_workbook(path, compiled=compiled)
    except ReadError as error:
        return str(error.args)


def scanned(text: str) -> Any:
    scanner = read._compiled
    assert scanner is not None
    return scanner.scan(text.encode(), 10**6, 10**6, 10**6, read.MAX_TEXT_CHARS,
                        read.MAX_FORMULA_CHARS, STRINGS, read.NO_VALUE)


def cells(path: Path) -> dict[str, tuple[str | None, Any]]:
    data = read_workbook(path)
    assert isinstance(data, WorkbookData)
    return data.sheets["Lembar"].cells


def test_the_compiled_scanner_is_installed() -> None:
    assert read.compiled_scanner(), (
        "iki_xlsx/workbook/_sheetscan.c is not compiled: install build-essential, "
        "libexpat1-dev and python3-dev, then run scripts/venv.sh test again")


# (name, worksheet part): shapes every client writes, which the scanner reads itself
REGULAR = [
    ("numbers", sheet('<row r="1"><c r="A1"><v>12</v></c><c r="B1" t="n"><v>-0</v></c>'
                      '<c r="C1"><v>.5</v></c><c r="D1"><v>5.</v></c><c r="E1"><v>+3</v></c>'
                      '<c r="F1"><v>1.5E-3</v></c><c r="G1"><v>9.99999999999999E+307</v></c>'
                      "</row>")),
    ("numbers-python-reads", sheet('<row r="1"><c r="A1"><v>1E+400</v></c><c r="B1"><v> 5</v>'
                                   '</c><c r="C1"><v>NaN</v></c><c r="D1"><v>3_1</v></c>'
                                   '<c r="E1"><v>1e</v></c><c r="F1" t="d"><v>2026-01-02</v></c>'
                                   '<c r="G1"><v></v></c><c r="H1" t="x"><v>7</v></c></row>')),
    ("shared-strings", sheet('<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>007'
                             '</v></c><c r="C2" t="s"><v>4</v></c><c r="D2" t="s"><v>-1</v></c>'
                             '<c r="E2" t="s"><v></v></c><c r="F2" t="s"><v>'
                             '0000000000000000000000002</v></c><c r="G2" t="s"><v>'
                             '99999999999999999999</v></c><c r="H2" t="s"><v>\u0661</v></c>'
                             "</row>")),
    ("texts-truths-errors", sheet('<row r="1"><c r="A1" t="str"><v>a &amp; b &lt; c&#10;d</v>'
                                  '</c><c r="B1" t="b"><v>1</v></c><c r="C1" t="b"><v>true</v>'
                                  '</c><c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1" t="str">'
                                  "<v><![CDATA[x<y]]></v></c><c r=\"F1\" t=\"str\"><v>a\r\nb</v>"
                                  "</c></row>")),
    ("formulas", sheet('<row r="3"><c r="A3"><f>SUM(B3:C3)&gt;0</f><v>1</v></c><c r="B3">'
                       '<f aca="false">IF(C3="",0,1)</f></c><c r="C3"><f/><v>4</v></c>'
                       '<c r="D3"><f></f></c><c r="E3" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
                       '<c r="F3" t="inlineStr"><v>diabaikan</v></c><c r="G3" t="inlineStr"/>'
                       "</row>")),
    ("shared-formulas", sheet('<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f>'
                              '<v>2</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/>'
                              '<v>4</v></c></row><row r="3"><c r="A3"><f t="shared" si="0"/>'
                              '</c><c r="B3"><f t="shared" si="9"/><v>1</v></c></row>')),
    ("empty-cells-and-rows", sheet('<row r="1"><c r="A1" s="1"/><c r="B1"><v>1</v></c></row>'
                                   '<row/><row r="7" spans="1:3"><c r="C7" s="2"/></row>')),
    ("pretty-printed", sheet('\n  <row r="1">\n    <c r="A1">\n      <f>1+1</f>\n      '
                             '<v>2</v>\n    </c>\n  </row>\n',
                             head="\n  <dimension ref=\"A1\"/>\n  ",
                             tail="\n  <mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/>"
                                  "</mergeCells>\n")),
    ("other-elements", sheet('<row r="1"><x:ext xmlns:x="urn:x"><x:c r="Z9"><x:v>9</x:v></x:c>'
                             '</x:ext><c r="A1"><v>1</v></c></row>',
                             tail='<extLst><ext uri="u"><x:c xmlns:x="urn:x"/></ext></extLst>')),
    ("prefixed", (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" '
                  't="s"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>')),
]

# shapes the scanner leaves to the Python reader, which decides (cells or a finding)
IRREGULAR = [
    ("cell-without-reference", sheet('<row r="2"><c><v>1</v></c><c r="C2"><v>2</v></c><c>'
                                     "<v>3</v></c></row>")),
    ("cells-out-of-order", sheet('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c>'
                                 "</row>")),
    ("cell-repeated-then-empty", sheet('<row r="1"><c r="A1"><v>1</v></c><c r="A1"/></row>')),
    ("row-number-zero", sheet('<row r="0"><c r="A1"><v>1</v></c></row>')),
    ("row-number-text", sheet('<row r="satu"><c r="A1"><v>1</v></c></row>')),
    ("row-number-other-digits", sheet('<row r="\u0661"><c r="A1"><v>1</v></c></row>')),
    ("cell-reference-bad", sheet('<row r="1"><c r="A0"><v>1</v></c></row>')),
    ("cell-reference-lowercase", sheet('<row r="1"><c r="a1"><v>1</v></c></row>')),
    ("inline-string", sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>satu</t><r><t>dua</t>'
                            "</r></is></c></row>")),
    ("second-sheet-data", sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                tail='<sheetData><row r="1"><c r="A1"><v>2</v></c></row>'
                                     "</sheetData>")),
    ("cell-after-sheet-data", sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                    tail='<row r="1"><c r="A1"><v>5</v></c></row>')),
    ("value-outside-cell", sheet('<row r="1"><v>1</v><c r="A1"><v>2</v></c></row>')),
    ("two-values", sheet('<row r="1"><c r="A1"><v>1</v><v>2</v></c></row>')),
    ("element-in-cell", sheet('<row r="1"><c r="A1"><extLst/><v>1</v></c></row>')),
    ("element-in-value", sheet('<row r="1"><c r="A1"><v>1<b>2</b>3</v></c></row>')),
    ("value-too-long", sheet(f'<row r="1"><c r="A1" t="str"><v>{"x" * 32_768}</v></c></row>')),
    ("formula-too-long", sheet(f'<row r="1"><c r="A1"><f>{"1+" * 4_096}1</f></c></row>')),
    ("doctype", f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet '
                f'xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="str"><v>&a;</v></c></row>'
                "</sheetData></worksheet>"),
    ("unbound-prefix", sheet('<row r="1"><c r="A1"><q:v>1</q:v></c></row>')),
    ("not-xml", "<worksheet><sheetData>"),
    ("empty-part", ""),
]


@pytest.mark.parametrize(("name", "part"), REGULAR + IRREGULAR,
                         ids=[name for name, _ in REGULAR + IRREGULAR])
def test_both_readers_agree(name: str, part: str, tmp_path: Path) -> None:
    path = workbook(tmp_path / f"{name}.xlsx", part)
    assert outcome(path, compiled=True) == outcome(path, compiled=False)
    regular = name in dict(REGULAR)
    assert (scanned(part) is not None) is regular


def test_what_the_regular_shapes_read(tmp_path: Path) -> None:
    """What a checker sees in the cells the scanner read: numbers as numbers (those Excel
    cannot hold stay text), shared strings by index (anything else is an empty text),
    formulas with their "=" and cached value, a formula without value marked as such."""
    found = {name: cells(workbook(tmp_path / f"{name}.xlsx", part)) for name, part in REGULAR}
    assert found["numbers"] == {"A1": (None, 12.0), "B1": (None, -0.0), "C1": (None, 0.5),
                                "D1": (None, 5.0), "E1": (None, 3.0), "F1": (None, 0.0015),
                                "G1": (None, 9.99999999999999e307)}
    assert found["numbers-python-reads"] == {
        "A1": (None, "1E+400"), "B1": (None, 5.0), "C1": (None, "NaN"), "D1": (None, "3_1"),
        "E1": (None, "1e"), "F1": (None, "2026-01-02"), "G1": (None, ""), "H1": (None, 7.0)}
    assert found["shared-strings"] == {
        "A2": (None, "satu"), "B2": (None, ""), "C2": (None, ""), "D2": (None, ""),
        "E2": (None, ""), "F2": (None, "dua"), "G2": (None, ""), "H2": (None, "satu")}
    assert found["texts-truths-errors"] == {
        "A1": (None, "a & b < c\nd"), "B1": (None, True), "C1": (None, False),
        "D1": (None, "#DIV/0!"), "E1": (None, "x<y"), "F1": (None, "a\nb")}
    assert found["formulas"] == {
        "A3": ("=SUM(B3:C3)>0", 1.0), "B3": ('=IF(C3="",0,1)', read.NO_VALUE),
        "C3": (None, 4.0), "D3": (None, None), "E3": ('="x"&"y"', "xy"),
        "F3": (None, ""), "G3": (None, "")}
    assert found["shared-formulas"] == {"A1": ("=B1*2", 2.0), "A2": ("=B2*2", 4.0),
                                        "A3": ("=B3*2", read.NO_VALUE), "B3": (None, 1.0)}
    assert found["empty-cells-and-rows"] == {"B1": (None, 1.0)}
    assert found["pretty-printed"] == {"A1": ("=1+1", 2.0)}
    assert found["other-elements"] == {"A1": (None, 1.0)}
    assert found["prefixed"] == {"A1": (None, "tiga")}
    assert list(found["numbers"]) == ["A1", "B1", "C1", "D1", "E1", "F1", "G1"]


@pytest.mark.parametrize(("name", "strings", "regular"), [
    ("runs", f'<sst xmlns="{MAIN}"><si><r><rPr><b/><sz val="11"/></rPr><t>sa</t></r><r><t>tu'
             "</t></r></si><si><t/></si><si/><si><t xml:space=\"preserve\"> dua </t></si></sst>",
     True),
    ("phonetic", f'<sst xmlns="{MAIN}"><si><t>a</t><rPh sb="0" eb="1"><t>b</t></rPh></si>'
                 "</sst>", False),
    ("element-in-text", f'<sst xmlns="{MAIN}"><si><t>a<b>c</b></t></si></sst>', False),
    ("item-as-root", f'<si xmlns="{MAIN}"><t>a</t></si>', False),
    ("text-too-long", f'<sst xmlns="{MAIN}"><si><t>{"x" * 32_768}</t></si></sst>', False),
    ("doctype", f'<!DOCTYPE sst [<!ENTITY e "x">]><sst xmlns="{MAIN}"><si><t>&e;</t></si>'
                "</sst>", False),
])
def test_both_readers_agree_on_shared_strings(name: str, strings: str, regular: bool,
                                              tmp_path: Path) -> None:
    part = sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
                 '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>')
    path = workbook(tmp_path / f"{name}.xlsx", part, strings)
    assert outcome(path, compiled=True) == outcome(path, compiled=False)
    scanner = read._compiled
    assert scanner is not None
    items = scanner.strings(strings.encode(), read.MAX_SHARED_STRINGS, read.MAX_TEXT_CHARS)
    assert (items is not None) is regular
    if name == "runs":
        assert cells(path) == {"A1": (None, "satu"), "B1": (None, ""), "C1": (None, ""),
                               "D1": (None, " dua ")}


def test_budgets_spent_by_the_scanner_count_across_sheets(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """The workbook's limits are spent by scanned sheets as by read ones: a limit reached in
    the second sheet, after the first was scanned, gives the Python reader's finding, at the
    same place (50 rows of one cell each per sheet: 152 elements)."""
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 51))
    path = workbook(tmp_path / "batas.xlsx", sheet(rows), None, sheet(rows))
    for limit, value in (("MAX_CELLS", 99), ("MAX_ROWS", 99), ("MAX_ELEMENTS", 303)):
        with monkeypatch.context() as patch:
            patch.setattr(read, limit, value)
            patch.setattr(read._Budget, "__init__", _budget_init())
            compiled, python = outcome(path, compiled=True), outcome(path, compiled=False)
            assert isinstance(compiled, str) and compiled == python, limit
    assert [len(s.cells) for s in read_workbook(path).sheets.values()] == [50, 50]


def _budget_init() -> Any:
    def init(self: Any) -> None:
        self.inflated, self.cells = read.MAX_UNPACKED_BYTES, read.MAX_CELLS
        self.rows, self.elements = read.MAX_ROWS, read.MAX_ELEMENTS
        self.shared_formula = read.MAX_SHARED_FORMULA_CHARS
    return init


def test_a_shared_formula_that_cannot_be_moved_is_the_same_finding(tmp_path: Path) -> None:
    """A scanned sheet whose shared formula's master does not parse: the finding the Python
    reader gives (the sheet cannot be read), not a traceback."""
    part = sheet('<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">"belum ditutup</f>'
                 '</c></row><row r="2"><c r="A2"><f t="shared" si="0"/></c></row>')
    assert scanned(part) is not None
    path = workbook(tmp_path / "rumus-bersama.xlsx", part)
    compiled = outcome(path, compiled=True)
    assert compiled == outcome(path, compiled=False)
    assert isinstance(compiled, str) and "Lembar" in compiled
