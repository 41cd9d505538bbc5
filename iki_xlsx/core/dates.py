"""Dates and times as the office reads them: Indonesian month names, and moments in the office's
time zone (WIB, WITA, WIT). The one place that knows either: the recap, the e-mails, the web
pages, the documents and the settings all ask here.
"""

from __future__ import annotations

import datetime
from typing import Literal, get_args

Zona = Literal["WIB", "WITA", "WIT"]  # a time zone as iki.toml names it
ZONES: dict[str, int] = dict(zip(get_args(Zona), (7, 8, 9), strict=True))  # hours ahead of UTC
DEFAULT_ZONE: Zona = "WIB"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def local_time(moment: str, zona: str) -> datetime.datetime:
    """An ISO moment (UTC unless it says otherwise) in the office's time zone."""
    parsed = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.timezone(datetime.timedelta(hours=ZONES[zona])))


def tanggal(moment: datetime.date) -> str:
    """'25 November 2026'."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def local_day(moment: str, zona: str) -> str:
    """The ISO date of an ISO moment (UTC) in the office's time zone (the moment's own date
    when it cannot be read)."""
    try:
        return local_time(moment, zona).date().isoformat()
    except ValueError:
        return moment[:10]


def day_text(day: str) -> str:
    """'25 November 2026' for an ISO date."""
    try:
        return tanggal(datetime.date.fromisoformat(day))
    except ValueError:
        return day


def waktu_dibuat(moment: str, zona: str) -> str:
    """'25 November 2026 pukul 01.40 WIB'."""
    local = local_time(moment, zona)
    return f"{tanggal(local)} pukul {local.hour:02d}.{local.minute:02d} {zona}"


def moment_text(moment: str, zona: str) -> str:
    """'25 November 2026 01.40 WIB': a stored ISO moment (UTC) in the office's time zone, as
    the terminal shows it (the stored text itself when it cannot be read)."""
    try:
        local = local_time(moment, zona)
    except (ValueError, TypeError):
        return moment
    return f"{tanggal(local)} {local.hour:02d}.{local.minute:02d} {zona}"


def waktu_singkat(moment: str | None, zona: str = DEFAULT_ZONE) -> str:
    """'25-11-2026 14.05 WIB', as a table on a page shows it ('-' for none, the text itself
    when it is not a moment; an unknown zone reads as the default)."""
    if not moment:
        return "-"
    shown = zona if zona in ZONES else DEFAULT_ZONE
    try:
        local = local_time(moment, shown)
    except ValueError:
        return moment
    return f"{local:%d-%m-%Y %H.%M} {shown}"
