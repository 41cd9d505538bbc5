"""Dates and times as the office reads them: Indonesian month names, and moments in the office's
time zone (WIB, WITA, WIT).
"""

from __future__ import annotations

import datetime

ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}  # hours ahead of UTC
DEFAULT_ZONE = "WIB"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")


def local_time(moment: str, zona: str) -> datetime.datetime:
    """An ISO moment (UTC) in the office's time zone."""
    parsed = datetime.datetime.fromisoformat(moment)
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
