"""Siapkan and Pengaturan: the first-run setup that makes the workspace from an empty folder
(the office's settings, its units list and the first operator account), then the office's
settings (iki.toml) and its units list (unit.csv), each checked exactly as the command line
checks them (the same located messages) before anything is written. People's accounts and
passwords are the account pages' (web/accounts.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.passwords import MIN_PASSWORD
from iki_xlsx.core.dates import ZONES
from iki_xlsx.service.setup import (
    SETTING_FIELDS,
    UNITS_COLUMNS,
    create_workspace,
    setting_fields,
)
from iki_xlsx.web.app import (
    Web,
    field_of,
    office_and_problems_of,
    office_of,
    page,
    refusal,
    render,
    web_of,
)

LABELS = {
    "kantor": "Nama kantor (seperti pada dokumen resmi)",
    "wilayah": "Wilayah (kabupaten/kota dan provinsi)",
    "kota": "Kota pada baris tanggal dokumen",
    "zona_waktu": "Zona waktu",
    "batas": "Batas pengembalian workbook (boleh kosong)",
    "penandatangan.nama": "Nama", "penandatangan.nip": "NIP",
    "penandatangan.jabatan": "Jabatan (misalnya Camat)",
    "smtp.host": "Server SMTP (nama atau nama:port)", "smtp.user": "Nama pengguna",
    "smtp.keamanan": "Keamanan", "smtp.pengirim": "Alamat pengirim",
    "imap.host": "Server IMAP (nama atau nama:port)", "imap.user": "Nama pengguna",
    "imap.folder": "Folder kotak surat",
}
GROUPS = {"": "Kantor", "penandatangan": "Penandatangan rekap",
          "smtp": "Mengirim surel (SMTP)", "imap": "Menerima surel (IMAP)"}
CHOICES = {"zona_waktu": list(ZONES), "smtp.keamanan": ["starttls", "ssl", "tanpa"]}
EXAMPLES = {"kantor": "Kecamatan Klojen", "wilayah": "Kota Malang, Provinsi Jawa Timur",
            "kota": "Malang", "penandatangan.nama": "Drs. Nama Camat",
            "penandatangan.nip": "196501011990031001", "smtp.host": "smtp.malangkota.go.id",
            "smtp.user": "kecamatan@malangkota.go.id", "imap.host": "imap.malangkota.go.id"}


def form_groups(fields: dict[str, str]) -> list[dict[str, Any]]:
    """The settings form, one fieldset per section, each field with its label and value."""
    return [{"title": GROUPS[section], "fields": [
        {"name": f"{section}.{n}" if section else n,
         "label": LABELS[f"{section}.{n}" if section else n],
         "value": fields.get(f"{section}.{n}" if section else n, ""),
         "choices": CHOICES.get(f"{section}.{n}" if section else n),
         "example": EXAMPLES.get(f"{section}.{n}" if section else n, ""),
         "date": n == "batas"} for n in names]} for section, names in SETTING_FIELDS.items()]


def posted_fields(request: Request) -> dict[str, str]:
    return {(f"{s}.{n}" if s else n): field_of(request, f"{s}.{n}" if s else n)
            for s, names in SETTING_FIELDS.items() for n in names}


# --- first run -----------------------------------------------------------------------------------


@page("operator")
def setup_form(request: Request) -> Response:
    site = web_of(request).site
    if site.config_path.exists():
        return RedirectResponse("/", 303)
    return render(request, "siapkan.html", {
        "groups": form_groups({"zona_waktu": "WIB", "smtp.keamanan": "starttls",
                               "imap.folder": "INBOX"}),
        "units_text": UNITS_COLUMNS + "\n", "folder": site.root, "findings": [],
        "said": [], "min_password": MIN_PASSWORD})


@page("operator", form=True)
def setup_save(request: Request) -> Response:
    web = web_of(request)
    if web.site.config_path.exists():
        return refusal(request, 409, "Ruang kerja sudah ada; ubah pengaturannya di halaman "
                                     "Pengaturan.")
    fields = posted_fields(request)
    units_text = field_of(request, "unit")
    said = _password_problems(field_of(request, "sandi"), field_of(request, "sandi2"))
    findings = [] if said else create_workspace(web.site.root, fields, units_text).findings
    if said or findings:
        return render(request, "siapkan.html", {
            "groups": form_groups(fields), "units_text": units_text, "folder": web.site.root,
            "findings": findings, "said": said, "min_password": MIN_PASSWORD}, 422)
    failed = _first_operator(web, field_of(request, "sandi"))
    if failed is not None:
        return refusal(request, 500, failed)
    return RedirectResponse("/", 303)


def _first_operator(web: Web, password: str) -> str | None:
    """The account `operator` with `password`, as `iki-xlsx web --atur-sandi operator` makes
    it; what went wrong, or None."""
    from iki_xlsx.accounts.book import AccountError
    from iki_xlsx.accounts.roles import Grant, Role
    from iki_xlsx.core.errors import IkiError

    try:
        book = web.served.accounts()
        if book.find("operator") is None:
            book.add("operator", "Operator", password, [Grant(Role.OPERATOR)])
        else:
            book.change("operator", password=password)
    except (AccountError, IkiError) as exc:
        return f"ruang kerja dibuat, tetapi akun operator belum: {exc}"
    return None


def _password_problems(first: str, second: str, role: str = "operator") -> list[str]:
    """What is wrong with a new password typed twice (nothing is stored then)."""
    if len(first) < MIN_PASSWORD:
        return [f"kata sandi {role} minimal {MIN_PASSWORD} karakter"]
    if first != second:
        return [f"kedua kata sandi {role} tidak sama; ketik ulang"]
    return []


# --- settings ----------------------------------------------------------------------------------


@page("operator")
def settings_page(request: Request) -> Response:
    return _settings(request)


def _settings(request: Request, status_code: int = 200, **shown: Any) -> Response:
    web = web_of(request)
    office, problems = office_and_problems_of(request)
    fields = shown.pop("fields", None) or setting_fields(web.site.root)
    return render(request, "pengaturan.html", {
        "groups": form_groups(fields),
        "units_text": shown.pop("units_text", None) or office.units_text(),
        "units": office.units or [], "problems": problems,
        "saved": request.query_params.get("disimpan"), **shown}, status_code)


@page("operator", form=True)
def settings_save(request: Request) -> Response:
    fields = posted_fields(request)
    saved = office_of(request).save_settings(fields)
    if not saved.ok:
        return _settings(request, 422, fields=fields, settings_findings=saved.findings)
    return RedirectResponse(web_of(request).prefix + "/pengaturan?disimpan=pengaturan",
                            303)


@page("operator", form=True)
def units_save(request: Request) -> Response:
    text = field_of(request, "unit")
    saved = office_of(request).save_units(text)
    if not saved.ok:
        return _settings(request, 422, units_text=text, units_findings=saved.findings)
    return RedirectResponse(web_of(request).prefix + "/pengaturan?disimpan=unit#unit",
                            303)


ROUTES: list[BaseRoute] = [
    Route("/siapkan", setup_form, methods=["GET"]),
    Route("/siapkan", setup_save, methods=["POST"]),
    Route("/pengaturan", settings_page, methods=["GET"]),
    Route("/pengaturan", settings_save, methods=["POST"]),
    Route("/pengaturan/unit", units_save, methods=["POST"]),
]
