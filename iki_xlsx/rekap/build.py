"""Consolidation: the accepted values of a store as one tidy table and a recap workbook.

The tidy table has one row per accepted input value: unit, jabatan, indicator,
variable, period, value, and the SHA-256 of the file it came from, so every figure
can be traced back to a kelurahan's file. The recap workbook (`write_rekap`) lays
those values out per jabatan with live formulas; `rekap_plan` says where each cell is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iki_xlsx import __version__
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.atomic import atomic_write
from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import DEFAULT_ZONE, local_day, waktu_singkat
from iki_xlsx.core.findings import Finding, os_reason
from iki_xlsx.core.progress import Progress, no_progress
from iki_xlsx.core.states import Status
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.status import PeriodStatus, status
from iki_xlsx.plan.build import OFFICE_KODE
from iki_xlsx.plan.index import BlueprintIndex
from iki_xlsx.plan.keys import PlanKey
from iki_xlsx.plan.model import WorkbookPlan, set_page
from iki_xlsx.rekap.context import reached
from iki_xlsx.rekap.data_sheet import unit_sheet_names
from iki_xlsx.rekap.layout import plan_rekap
from iki_xlsx.rekap.rollup.kiriman import Tujuan, identity_sheet
from iki_xlsx.rekap.source import Entry, Pengesahan, RekapSource, Return, UnitReturn, UsedFile
from iki_xlsx.rekap.summary import summary_table
from iki_xlsx.signoff.ledger import Ledger
from iki_xlsx.store.db import Store, from_store
from iki_xlsx.targets.model import TargetVersion, choose
from iki_xlsx.workbook.evaluate import Batch, Value
from iki_xlsx.workbook.write import write_workbook

COLUMNS = ["blueprint", "periode", "unit_kode", "unit_nama", "jabatan", "indikator", "variabel",
           "unit_baris", "periode_ke", "nilai", "lembar", "sel", "kunci", "sha256"]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def accepted_submissions(store: Store, periode: int | None = None) -> pd.DataFrame:
    """The latest accepted submission of each unit, per blueprint and period."""
    frame = store.accepted_frame()
    if periode is not None:
        frame = frame[frame["periode"] == periode]
    frame = frame.sort_values("urutan")  # the store's receipt order, never a sender's date
    return frame.groupby(["blueprint", "periode", "unit_kode"], as_index=False).last()


def tidy_values(store: Store, periode: int | None = None) -> pd.DataFrame:
    """Every input value of the accepted submissions, one row each."""
    return _values_of(store, accepted_submissions(store, periode))


def _values_of(store: Store, chosen: pd.DataFrame) -> pd.DataFrame:
    """Every input value of the `chosen` submissions, one row each."""
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    values = store.values_frame([int(i) for i in chosen["id"]])
    rows = values.merge(chosen, on="id")
    keys = [PlanKey.try_parse(str(key)) for key in rows["key"]]
    rows["jabatan"] = [k.scope if k else None for k in keys]
    rows["indikator"] = [k.indikator if k else None for k in keys]
    rows["variabel"] = [k.name if k else None for k in keys]
    rows["unit_baris"] = [k.unit if k else None for k in keys]
    rows["periode_ke"] = pd.array([k.period if k else None for k in keys], dtype="Int64")
    rows["nilai"] = rows["value"].map(lambda raw: from_store(raw, encoded=True))
    rows["kunci"] = rows["key"]
    return rows[COLUMNS].sort_values(["blueprint", "periode", "unit_kode", "lembar", "sel"],
                                     ignore_index=True)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is made inert (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised; numbers stay numbers."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(neutralise)
    return result


def export_csv(frame: pd.DataFrame, folder: Path, name: str = "rekap-nilai.csv") -> Path:
    """Write the tidy table as UTF-8 CSV (with BOM, so Excel reads it right), atomically."""
    target = folder / name
    return atomic_write(target, lambda path: safe_frame(frame).to_csv(path, index=False,
                                                                       encoding="utf-8-sig"))


def export_parquet(frame: pd.DataFrame, folder: Path, name: str = "rekap-nilai.parquet") -> Path:
    """Write the tidy table as Parquet, atomically; `nilai` keeps numbers and text apart."""
    target = folder / name
    table = safe_frame(frame)
    table["nilai_angka"] = pd.to_numeric(table["nilai"].where(
        table["nilai"].map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))),
        errors="coerce")
    table["nilai_teks"] = table["nilai"].map(lambda v: v if isinstance(v, str) else None)
    table = table.drop(columns=["nilai"])
    return atomic_write(target, lambda path: table.to_parquet(path, index=False))



# --- the recap workbook ----------------------------------------------------------------------


@dataclass
class RekapResult:
    """What `write_rekap` did: the files written, or why it could not."""

    path: Path | None = None
    blueprint: str | None = None
    periode: int | None = None
    units_listed: int = 0
    units_accepted: int = 0
    values: int = 0
    exports: list[Path] = field(default_factory=list)
    choices: list[tuple[str, int]] = field(default_factory=list)  # when the choice is unclear
    findings: list[Finding] = field(default_factory=list)
    plan: WorkbookPlan | None = None
    cakupan: str = ""  # how far the year reaches, as in file names: sd-TW-II, setahun
    # the Ringkasan table as data (rekap.summary.RINGKASAN_HEADERS), one row per indicator
    summary: list[list[Value]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.findings


def write_rekap(store: Store, index: BlueprintIndex, out: Path, *, periode: int | None = None,
                blueprint: str | None = None, csv_dir: Path | None = None,
                parquet_dir: Path | None = None,
                now: datetime.datetime | None = None,
                pengesahan: Pengesahan | None = None,
                targets: Sequence[TargetVersion] = (),
                progress: Progress = no_progress,
                tujuan: Tujuan | None = None) -> RekapResult:
    """Consolidate the accepted values of one blueprint and period into a recap workbook.

    `out` is the .xlsx file to write, or a folder to write it in, named by what it covers:
    `rekap_<blueprint>_<periode>_<cakupan>.xlsx` (`sd-TW-I`, `sd-Semester-I`, `setahun`,
    `belum-terisi`), so that the TW I recap and the full-year recap are different files.

    With several blueprints or periods in the store, `blueprint`/`periode` must choose one;
    otherwise `choices` lists them and nothing is written. With `pengesahan` (the office's
    city, time zone and signatory), the summary ends with place, date and a signature block.
    `targets` are the office's recorded target versions: the figures are measured against the
    one in force at the end of the last period filled (its targets to date), and every sheet
    names it; without one, against the blueprint's targets.
    `progress(1)` is called after each of its `rekap_steps(csv_dir, parquet_dir)` steps.
    With `tujuan` (the kabupaten and the office's kode there), the recap is the file for the
    kabupaten: one more sheet names it and the plan key of every Data row
    (`rekap.rollup.kiriman`), and its name ends in `_untuk-kabupaten`.
    """
    result = RekapResult()
    periods = status(store).periods
    every = sorted((p.blueprint, p.periode) for p in periods)
    pairs = [pair for pair in every if (blueprint is None or pair[0] == blueprint)
             and (periode is None or pair[1] == periode)]
    if len(pairs) != 1:
        result.choices = pairs if pairs else every
        said = Code.REKAP_AMBIGUOUS.message() if pairs else Code.REKAP_NO_DATA.message()
        result.findings.append(Finding.of(said, file=str(store.folder)))
        return result
    result.blueprint, result.periode = pairs[0]
    bp = index.by_id.get(result.blueprint)
    if bp is None:
        result.findings.append(Finding.of(Code.BLUEPRINT_NOT_FOUND.message(
            "rekap", blueprint=result.blueprint), file=str(store.folder)))
        return result
    period = next(p for p in periods if (p.blueprint, p.periode) == pairs[0])
    source, table = gather(store, bp, period, now, pengesahan, targets)
    result.cakupan = coverage(bp, reached(source))
    if out.suffix.lower() != ".xlsx":  # a folder: the recap is named after what it recaps
        suffix = "_untuk-kabupaten" if tujuan is not None else ""
        out = out / f"rekap_{result.blueprint}_{result.periode}_{result.cakupan}{suffix}.xlsx"
    progress(1)
    plan, inputs = plan_rekap(source)
    if tujuan is not None:
        sent = identity_sheet(tujuan, source, plan)
        set_page(sent, first_row=sent.repeat_rows[1] + 1 if sent.repeat_rows else 0)
        plan.sheets.append(sent)
    progress(1)
    values = Batch(plan).evaluate([inputs])[0]  # cells of one shape and level at once
    progress(1)
    result.plan = plan
    result.summary = summary_table(plan, values)
    result.units_listed = sum(1 for u in source.units if u.on_list)
    result.units_accepted = len(source.files)
    result.values = len(source.entries)
    writes: list[tuple[Path, Callable[[], Path]]] = [
        (out, lambda: write_workbook(plan, values, {}, out))]
    if csv_dir is not None:
        writes.append((csv_dir, lambda: export_csv(table, csv_dir, _export_name(result, "csv"))))
    if parquet_dir is not None:
        writes.append((parquet_dir, lambda: export_parquet(table, parquet_dir,
                                                           _export_name(result, "parquet"))))
    for target, write in writes:
        try:
            written = write()
        except OSError as exc:
            result.findings.append(Finding.of(Code.OUTPUT_NOT_WRITABLE.message(
                alasan=os_reason(exc)), file=str(target)))
            break
        if target == out:
            result.path = written
        else:
            result.exports.append(written)
        progress(1)
    return result


def rekap_steps(csv_dir: Path | None, parquet_dir: Path | None) -> int:
    """How many steps `write_rekap` reports: gather, plan, evaluate, and one per file written."""
    return 4 + (csv_dir is not None) + (parquet_dir is not None)


def _export_name(result: RekapResult, suffix: str) -> str:
    return f"rekap-nilai_{result.blueprint}_{result.periode}_{result.cakupan}.{suffix}"


def coverage(bp: Blueprint, periods: int) -> str:
    """How far a recap reaches, for its file name: `sd-TW-II` (to date), `setahun`, or
    `belum-terisi` (no period filled yet)."""
    if periods == 0:
        return "belum-terisi"
    if periods >= len(bp.periods):
        return "setahun"
    return "sd-" + bp.periods[periods - 1].replace(" ", "-")


def gather(store: Store, bp: Blueprint, period: PeriodStatus,
           now: datetime.datetime | None = None, pengesahan: Pengesahan | None = None,
           targets: Sequence[TargetVersion] = (), named: bool = True
           ) -> tuple[RekapSource, pd.DataFrame]:
    """What the recap of one blueprint and period (`period`, its status) shows, read from
    the store.

    Only units on the list enter the figures; units off the list appear on the status sheet.
    Returns the source and the tidy table it was built from, its `lembar` naming each
    sheet as the unit's workbook shows it (what the CSV and Parquet exports hold; without
    `named`, the sheet's code, as the store keeps it, which is quicker when no one reads it).
    """
    blueprint, periode = bp.id, period.periode
    expected = {u.kode: u for u in store.expected_units(blueprint, periode)}
    history = store.arrivals_frame(blueprint, periode)
    returns: dict[str | None, list[Return]] = {}
    for row in store.submissions_of(blueprint, periode):  # in the order they were received
        returns.setdefault(row.unit_kode, []).append(Return(
            row.collected_at, row.filename, row.status,
            row.errors, row.sender))
    units = [UnitReturn(expected.get(u.kode, Unit(u.kode, u.nama, kantor=u.kode == OFFICE_KODE)),
                        u.state, u.on_list, tuple(returns.get(u.kode, ())))
             for u in period.units]
    listed = [u.kode for u in period.units if u.on_list]
    chosen = accepted_submissions(store, periode)
    chosen = chosen[(chosen["blueprint"] == blueprint) & chosen["unit_kode"].isin(list(listed))]
    ledger = Ledger.of(store, blueprint, periode)
    if ledger.closed_through:
        chosen, table = _closed_values(store, ledger, chosen)
    else:
        table = _values_of(store, chosen)
    entries = [Entry(str(kode), str(kunci), str(lembar), str(sel), _value(nilai), str(sha))
               for kode, kunci, lembar, sel, nilai, sha in zip(
                   *(table[column].tolist() for column in ("unit_kode", "kunci", "lembar",
                                                           "sel", "nilai", "sha256")),
                   strict=True)]
    if named:
        table = _sheets_named(table, unit_sheet_names(
            bp, periode, [u.unit for u in units if u.on_list]))
    zona = pengesahan.zona_waktu if pengesahan else DEFAULT_ZONE
    files = [UsedFile(str(r.unit_kode), str(r.unit_nama), str(r.filename), str(r.sha256),
                      str(r.diterima), _text(r.sender), _text(r.subject), _text(r.versi),
                      signed_text(ledger, int(str(r.id)), zona))
             for r in chosen.sort_values(["unit_kode", "urutan"]).itertuples(index=False)]
    stamp = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    source = RekapSource(blueprint=bp, periode=periode, units=units,
                         entries=entries, files=files,
                         timeline=_timeline(history, pengesahan.zona_waktu if pengesahan
                                            else DEFAULT_ZONE),
                         store=(str(store.folder.resolve()) if store.location is None
                                else f"PostgreSQL {store.describe()}"),
                         created=stamp.isoformat(),
                         generator=f"iki-xlsx {__version__}", pengesahan=pengesahan,
                         closing=closing_text(bp, ledger, zona))
    if any(v.blueprint == blueprint and v.tahun == periode for v in targets):
        source.targets = choose(targets, bp, periode, reached(source))
    return source, table


def _closed_values(store: Store, ledger: Ledger, latest: pd.DataFrame
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submissions and values that count while part of the year is closed: a closed
    period's values from the return its closing approved for the unit (none, when it approved
    none), an open period's from the unit's latest accepted return (`latest`)."""
    latest_of = {str(r.unit_kode): int(str(r.id)) for r in latest.itertuples(index=False)}
    every = store.accepted_frame()
    needed = set(latest_of.values()) | ledger.approved_ids()
    chosen = every[every["id"].isin(list(needed))
                   & every["unit_kode"].isin(list(latest_of))].sort_values("urutan")
    sha_of = {int(str(r.id)): str(r.sha256) for r in chosen.itertuples(index=False)}
    table = _values_of(store, chosen)
    keep = []
    for unit, period, sha in zip(table["unit_kode"], table["periode_ke"], table["sha256"],
                                 strict=True):
        source = ledger.source(str(unit), None if pd.isna(period) else int(period),
                               latest_of.get(str(unit)))
        keep.append(source is not None and sha_of.get(source) == sha)
    table = table[keep].reset_index(drop=True)
    used = set(table["sha256"])
    return chosen[chosen["sha256"].isin(list(used))], table


def closing_text(bp: Blueprint, ledger: Ledger, zona: str) -> str:
    """Whether the year is closed, by whom and when, as the recap and documents say it."""
    closing = ledger.closed_by
    if closing is None:
        reopened = ledger.reopened
        if reopened is None:
            return "Belum disetujui (periode terbuka)"
        return (f"Belum disetujui: dibuka kembali oleh {reopened.signer.nama} "
                f"({reopened.signer.login}), {waktu_singkat(reopened.at, zona)}, alasan: "
                f"{reopened.alasan}")
    through = ("setahun" if ledger.closed_through >= len(bp.periods)
               else f"sampai {bp.periods[ledger.closed_through - 1]}")
    return (f"Disetujui dan ditutup {through} oleh {closing.signer.nama} "
            f"({closing.signer.login}), {waktu_singkat(closing.at, zona)}")


def signed_text(ledger: Ledger, submission_id: int, zona: str) -> str | None:
    """Who verified and who approved a return, for Asal Data (None: nobody yet)."""
    parts = []
    review = ledger.verified(submission_id)
    if review is not None:
        parts.append(f"diverifikasi {review.signer.nama} ({review.signer.login}), "
                     f"{waktu_singkat(review.at, zona)}")
    closing = ledger.approving(submission_id)
    if closing is not None:
        parts.append(f"disetujui {closing.signer.nama} ({closing.signer.login}), "
                     f"{waktu_singkat(closing.at, zona)}")
    return "; ".join(parts) or None


def _sheets_named(table: pd.DataFrame, names: Mapping[str, Mapping[str, str]]
                  ) -> pd.DataFrame:
    """The table with `lembar` naming each sheet as the unit's workbook shows it (the store
    keeps the sheet's code)."""
    shown = [names.get(str(kode), {}).get(str(code), str(code))
             for kode, code in zip(table["unit_kode"], table["lembar"], strict=True)]
    return table.assign(lembar=shown)


def _value(value: Any) -> Value:
    return from_store(value)


def _text(value: Any) -> str | None:
    text = from_store(value)
    return None if text is None else str(text)


def _timeline(history: pd.DataFrame, zona: str) -> list[tuple[str, int, int]]:
    """Per day of the office's time zone (ISO date): files received, and units with an
    accepted file by the end of that day."""
    if history.empty:
        return []
    history = history.assign(hari=history["waktu"].map(lambda w: local_day(str(w), zona)))
    history = history.sort_values(["waktu", "id"])
    first_ok = history[history["status"] == str(Status.OK)].groupby("unit_kode")["hari"].min()
    received = history.groupby("hari").size()
    accepted = first_ok.value_counts().reindex(received.index, fill_value=0).cumsum()
    return [(str(day), int(received[day]), int(accepted[day])) for day in received.index]


