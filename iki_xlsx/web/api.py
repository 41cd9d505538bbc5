"""The read-only API for the kabupaten's e-SAKIP and the Inspektorat's own tools: JSON, or CSV
with `?format=csv`, of the offices, and of each office's units, status, values and documents
per period. A request carries an account's API token (`Authorization: Bearer iki_...`, made
and revoked by the admin: `iki-xlsx akun token`, or the account's page); it reads what that
account may read, with the same office boundaries as the pages (an office of a kabupaten is
`/api/v1/kantor/KODE/...`, a single office's is `/api/v1/...`). Nothing here changes anything.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.book import Account
from iki_xlsx.accounts.roles import Action
from iki_xlsx.core.periode import parse_year, refusal
from iki_xlsx.web.app import office_of, web_of
from iki_xlsx.web.files import find_output, media_type, output_id

PREFIX = "/api/v1"
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run it as a formula


@dataclass(frozen=True)
class Table:
    """An answer: its rows, and the columns a CSV has (in order)."""

    columns: list[str]
    rows: list[dict[str, Any]]


ApiView = Callable[[Request, Account], Table | Response]


def api(view: ApiView) -> Callable[[Request], Any]:
    """A read-only view for an API token's account, at the office of its URL."""

    @functools.wraps(view)
    async def guarded(request: Request) -> Response:
        web = web_of(request)
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        account = None
        if scheme.lower() == "bearer" and secret:
            account = await run_in_threadpool(web.served.accounts().token_account,
                                              secret.strip())
        if account is None:
            return _error(401, "Token API tidak ada, salah, dicabut, atau akunnya nonaktif; "
                               "kirim Authorization: Bearer TOKEN")
        if web.kabupaten and "kantor" in request.path_params and web.kode is None:
            return _error(404, "Kantor itu tidak ada di kabupaten ini.")
        if ("kantor" in request.path_params or not web.kabupaten) \
                and not account.access.can(Action.READ, web.kode):
            return _error(403, "Akun token ini tidak berhak membaca kantor ini.")
        try:
            answer = await run_in_threadpool(view, request, account)
        except ValueError as exc:
            return _error(400, str(exc))
        if isinstance(answer, Response):
            return answer
        if request.query_params.get("format") == "csv":
            return Response(_csv(answer), media_type="text/csv; charset=utf-8")
        return JSONResponse(answer.rows)

    return guarded


def _error(status_code: int, message: str) -> Response:
    return JSONResponse({"galat": message}, status_code)


def _csv(table: Table) -> str:
    """The table as CSV with a BOM (Excel reads it as UTF-8), a cell a spreadsheet would take
    for a formula made inert."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(row.get(column)) for column in table.columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) \
        if isinstance(value, list | dict) else str(value)
    return "'" + text if text.startswith(DANGEROUS_START) else text


def _period(request: Request) -> tuple[str | None, int | None]:
    blueprint = request.query_params.get("blueprint") or None
    text = request.query_params.get("periode")
    periode = parse_year(text) if text else None
    if text and periode is None:
        raise ValueError(refusal(text))
    return blueprint, periode


@api
def offices(request: Request, account: Account) -> Table:
    """The offices the account may read."""
    web = web_of(request)
    if not web.kabupaten:
        return Table(["kode", "nama"], [{"kode": None, "nama": web.served.title()}])
    listed = web.served.kabupaten().offices
    return Table(["kode", "nama"], [{"kode": o.kode, "nama": o.nama} for o in listed
                                    if account.access.can(Action.READ, o.kode)])


@api
def units(request: Request, account: Account) -> Table:
    office = office_of(request)
    return Table(["kode", "nama"], [{"kode": u.kode, "nama": u.nama}
                                    for u in office.units or []])


@api
def status(request: Request, account: Account) -> Table:
    office = office_of(request)
    blueprint, periode = _period(request)
    periods = office.status().periods if office.has_records else []
    rows = [{"blueprint": p.blueprint, "periode": p.periode, "unit_kode": u.kode,
             "unit_nama": u.nama, "keadaan": u.state.value, "keadaan_label": u.state.label,
             "di_daftar": u.on_list, "kiriman": u.submissions, "temuan": u.findings,
             "berkas_terakhir": u.last_file, "sha256_diterima": u.accepted_sha256}
            for p in periods if (blueprint is None or p.blueprint == blueprint)
            and (periode is None or p.periode == periode) for u in p.units]
    return Table(["blueprint", "periode", "unit_kode", "unit_nama", "keadaan", "keadaan_label",
                  "di_daftar", "kiriman", "temuan", "berkas_terakhir", "sha256_diterima"], rows)


@api
def values(request: Request, account: Account) -> Table:
    blueprint, periode = _period(request)
    rows = office_of(request).values(blueprint=blueprint, periode=periode)
    return Table(["blueprint", "periode", "unit_kode", "unit_nama", "jabatan", "indikator",
                  "variabel", "unit_baris", "periode_ke", "nilai", "lembar", "sel", "kunci",
                  "sha256"], rows)


@api
def documents(request: Request, account: Account) -> Table:
    """The office's outputs (recaps, documents, workbooks made), each with its download id."""
    site = web_of(request).site
    found = sorted(p for p in site.output_dir.rglob("*") if p.is_file() and not p.is_symlink()
                   and not any(part.startswith(".") for part in
                               p.relative_to(site.output_dir).parts)) \
        if site.output_dir.is_dir() else []
    rows = [{"id": output_id(site, p), "nama": p.name,
             "folder": p.parent.relative_to(site.output_dir).as_posix(),
             "ukuran": p.stat().st_size} for p in found]
    return Table(["id", "nama", "folder", "ukuran"], rows)


@api
def document(request: Request, account: Account) -> Response:
    site = web_of(request).site
    path = find_output(site, str(request.path_params["ident"]))
    if path is None:
        return _error(404, "Dokumen tidak ditemukan.")
    return FileResponse(path, filename=path.name, media_type=media_type(path.name))


SHARED: list[BaseRoute] = [Route(PREFIX + "/kantor", offices)]
OFFICE: list[BaseRoute] = [
    Route("/unit", units),
    Route("/status", status),
    Route("/nilai", values),
    Route("/dokumen", documents),
    Route("/dokumen/{ident}", document),
]
