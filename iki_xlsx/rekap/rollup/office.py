"""One kecamatan's figures for the kabupaten's roll-up, computed from a recap's source.

Whether an office's values come from its store on the server or from the Data sheet of the
recap file it sent, they become one `RekapSource`; the recap's own plan is built from it and
evaluated by the same engine, and the kecamatan row of every indicator block gives the
figures. Nothing the office typed on any other sheet is read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from iki_xlsx.blueprint.model import Blueprint, Indikator, Jabatan, Jenis, indicators
from iki_xlsx.core.dates import local_day
from iki_xlsx.core.states import Status
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan
from iki_xlsx.rekap.context import reached
from iki_xlsx.rekap.jabatan import row_key
from iki_xlsx.rekap.layout import plan_rekap
from iki_xlsx.rekap.source import KECAMATAN, Entry, RekapSource, Return
from iki_xlsx.workbook.evaluate import Batch, CellKey, Value

SERVER = "server"  # the office's store on the kabupaten's server
FILE = "berkas"  # a recap file the office sent


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator of a kecamatan to the end of a period: the kecamatan row of its block.

    `pembilang`/`penyebut` are what the kabupaten adds up for a ratio (Σ/Σ): a percentage's
    numerator and denominator totals, an ambang's units meeting and units counted."""

    key: str  # scope/indikator
    jabatan: str
    nama: str
    jenis: Jenis
    satuan: str
    iku_kabupaten: str | None
    target: float | None
    realisasi: float | None
    capaian: float | None
    predikat: str | None
    pembilang: float | None = None
    penyebut: float | None = None
    cell: str = ""  # where the kecamatan's recap shows its capaian: 'Sheet'!I12


@dataclass
class OfficeFigures:
    """A kecamatan's line of the roll-up, and where it came from."""

    kode: str
    nama: str
    asal: str  # SERVER or FILE
    blueprint: Blueprint
    periode: int
    period: int  # the roll-up's last period (1-based)
    reached: int  # the last period the office's values reach
    expected: int
    returned: int
    accepted: int
    on_time: int | None  # None: no deadline known (or a file: arrivals are the office's)
    target_words: str
    indicators: list[IndicatorFigure] = field(default_factory=list)
    source_name: str = ""  # the store, or the file's name
    sha256: str | None = None  # of the file
    received: str | None = None  # when the kabupaten received the file (ISO, UTC)

    @property
    def late(self) -> bool:
        """Its values do not reach the roll-up's last period."""
        return self.reached < self.period


def office_figures(kode: str, nama: str, asal: str, source: RekapSource, period: int,
                   deadline: datetime.date | None = None) -> OfficeFigures:
    """The figures of one kecamatan from its recap source, its values cut at `period`."""
    bp = source.blueprint
    listed = [u for u in source.units if u.on_list]
    kept = [e for e in source.entries if (_period(e) or 0) <= period]
    cut = replace(source, entries=kept)
    plan, values = evaluate(cut)
    on_time = None
    if deadline is not None and asal == SERVER:
        firsts = [_first_ok_day(u.returns, source.zona) for u in listed]
        on_time = sum(1 for day in firsts if day is not None and day <= deadline.isoformat())
    return OfficeFigures(
        kode=kode, nama=nama, asal=asal, blueprint=bp, periode=source.periode, period=period,
        reached=reached(source), expected=len(listed),
        returned=sum(1 for u in listed if u.returns or u.state is not Status.NOT_RETURNED),
        accepted=sum(1 for u in listed if u.state is Status.OK), on_time=on_time,
        target_words=source.target_words(),
        indicators=[_indicator(plan, values, bp, jab, ind, len(listed))
                    for jab, ind in indicators(bp)],
        source_name=source.store)


def evaluate(source: RekapSource) -> tuple[WorkbookPlan, dict[CellKey, Value]]:
    """The recap's plan of `source` and every cell's value (formulas computed)."""
    plan, inputs = plan_rekap(source)
    computed = Batch(plan).evaluate([inputs])[0]
    return plan, {**inputs, **computed}


def _indicator(plan: WorkbookPlan, values: dict[CellKey, Value], bp: Blueprint,
               jab: Jabatan | None, ind: Indikator, units: int) -> IndicatorFigure:
    code, scope = (f"J-{jab.id}", jab.id) if jab else ("IKU", "iku")
    key = row_key(scope, ind.id, KECAMATAN)
    sheet = plan.sheet(code)

    def shown(part: str) -> Value:
        cell = sheet.cell(key(part))
        return cell.value if cell.formula is None else values.get((code, cell.ref))

    realisasi = _number(shown("realisasi"))
    pembilang = penyebut = None
    if ind.jenis is Jenis.PERSENTASE and ind.pembilang and ind.penyebut:
        pembilang, penyebut = _number(shown(ind.pembilang)), _number(shown(ind.penyebut))
    elif ind.jenis is Jenis.AMBANG and realisasi is not None:
        pembilang, penyebut = round(realisasi * units / 100), float(units)
    return IndicatorFigure(
        key=f"{scope}/{ind.id}", jabatan=jab.nama if jab else "IKU", nama=ind.nama,
        jenis=ind.jenis, satuan=ind.satuan, iku_kabupaten=ind.iku_kabupaten,
        target=_number(shown("target")), realisasi=realisasi,
        capaian=_number(shown("capaian")), predikat=_text(shown("predikat")),
        pembilang=pembilang, penyebut=penyebut,
        cell=f"{sheet.name}!{sheet.cell(key('capaian')).ref}")


def _first_ok_day(returns: tuple[Return, ...], zona: str) -> str | None:
    days = [local_day(r.received, zona) for r in returns if r.state is Status.OK]
    return min(days) if days else None


def _period(entry: Entry) -> int | None:
    key = PlanKey.try_parse(entry.key)
    return None if key is None else key.period


def _number(value: Value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(value: Value) -> str | None:
    return value if isinstance(value, str) and value else None
