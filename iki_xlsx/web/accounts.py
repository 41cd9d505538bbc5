"""The admin's account pages (the same rules as `iki-xlsx akun`): the accounts with their
roles, a new account, an account's name, roles and password changed, deactivated or made
active again, its API tokens made (the secret shown once) and revoked; and every person's own
page, where they change their own password. A password travels only in a form's body and is
kept only as its hash; a deactivation, a password or role change ends that account's sessions
at once."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.book import Account, AccountBook, AccountError
from iki_xlsx.accounts.passwords import verify_password
from iki_xlsx.accounts.roles import ALL, RULES, Grant, GrantError, Role, parse_grant
from iki_xlsx.web.app import (
    actor_of,
    field_of,
    form_of,
    page,
    principal_of,
    refusal,
    render,
    web_of,
)


def _book(request: Request) -> AccountBook:
    """The accounts, each change audited as the signed-in admin (or person, for their own
    password) from the client's address."""
    return web_of(request).served.accounts(actor_of(request))


def _offices(request: Request) -> dict[str, str] | None:
    return web_of(request).served.office_names()


def _context(request: Request, book: AccountBook) -> dict[str, object]:
    offices = _offices(request)
    return {"offices": offices, "roles": [(role.value, RULES[role].label, RULES[role].explained)
                                          for role in Role],
            "accounts": book.all() if book.exists() else [],
            "labels": {a.login: ", ".join(g.label(offices) for g in a.grants)
                       for a in (book.all() if book.exists() else [])}}


@page("admin")
def account_list(request: Request) -> Response:
    book = _book(request)
    return render(request, "akun.html", _context(request, book))


@page("admin", form=True)
def account_add(request: Request) -> Response:
    book = _book(request)
    try:
        grants = _grants_of(request)
        password = _new_password(request) or ""
        made = book.add(field_of(request, "nama_masuk"), field_of(request, "nama"), password,
                        grants)
    except (AccountError, GrantError) as exc:
        return render(request, "akun.html", _context(request, book)
                      | {"message": str(exc), "form": _kept(request)}, 400)
    return RedirectResponse(f"/akun/{made.login}?dibuat=1", 303)


@page("admin")
def account_page(request: Request) -> Response:
    return _account_page(request, None, 200)


def _account_page(request: Request, message: str | None, status_code: int,
                  secret: str | None = None) -> Response:
    book = _book(request)
    account = book.find(str(request.path_params["login"]))
    if account is None:
        return refusal(request, 404, "Akun itu tidak ada.")
    offices = _offices(request)
    return render(request, "akun_ubah.html", _context(request, book) | {
        "account": account, "grants": [(g.text(), g.label(offices)) for g in account.grants],
        "tokens": book.tokens(account.login), "message": message, "secret": secret,
        "made": request.query_params.get("dibuat") == "1", "failed": status_code >= 400},
        status_code)


@page("admin", form=True)
def account_change(request: Request) -> Response:
    book = _book(request)
    login = str(request.path_params["login"])
    form = form_of(request)
    kept = [text for text in form.getlist("peran") if isinstance(text, str)]
    try:
        grants = [parse_grant(text) for text in kept]
        added = _grants_of(request, required=False)
        password = _new_password(request, required=False)
        account = book.get(login)
        me = principal_of(request)
        was_admin = any(g.role is Role.ADMIN for g in account.grants)
        stays_admin = any(g.role is Role.ADMIN for g in [*grants, *added])
        if me is not None and me.account_id == account.id and was_admin and not stays_admin:
            raise AccountError("peran admin Anda sendiri tidak dapat dicabut di sini (minta "
                               "admin lain, atau lewat iki-xlsx akun ubah)")
        book.change(login, nama=field_of(request, "nama") or None, password=password,
                    grants=[*grants, *added])
    except (AccountError, GrantError) as exc:
        return _account_page(request, str(exc), 400)
    return _account_page(request, "Perubahan disimpan.", 200)


@page("admin", form=True)
def account_active(request: Request) -> Response:
    book = _book(request)
    login = str(request.path_params["login"])
    aktif = field_of(request, "aktif") == "1"
    me = principal_of(request)
    try:
        account = book.get(login)
        if not aktif and me is not None and me.account_id == account.id:
            raise AccountError("akun yang sedang Anda pakai tidak dapat dinonaktifkan di sini")
        book.change(login, aktif=aktif)
    except AccountError as exc:
        return _account_page(request, str(exc), 400)
    return _account_page(request, "Akun diaktifkan lagi." if aktif else
                         "Akun dinonaktifkan; sesinya dan token API-nya berhenti seketika.", 200)


@page("admin", form=True)
def token_issue(request: Request) -> Response:
    book = _book(request)
    try:
        issued = book.issue_token(str(request.path_params["login"]), field_of(request, "label"))
    except AccountError as exc:
        return _account_page(request, str(exc), 400)
    return _account_page(request, f"Token API {issued.id} ({issued.label}) dibuat. Salin "
                                  "sekarang: token ini tidak dapat ditampilkan lagi.", 200,
                         secret=issued.secret)


@page("admin", form=True)
def token_revoke(request: Request) -> Response:
    book = _book(request)
    try:
        ident = int(str(request.path_params["ident"]))
        book.revoke_token(ident, str(request.path_params["login"]))
    except (AccountError, ValueError):
        return _account_page(request, "Token itu tidak ada atau sudah dicabut.", 404)
    return _account_page(request, f"Token API {ident} dicabut.", 200)


@page("akun")
def own_page(request: Request) -> Response:
    return render(request, "akun_saya.html", {"me": _me(request)})


@page("akun", form=True)
def own_password(request: Request) -> Response:
    me = _me(request)
    if me is None:
        return refusal(request, 403, "Halaman ini untuk orang yang masuk dengan akun.")
    book = _book(request)
    row = book.store.accounts.by_login(me.login)
    if row is None or not verify_password(field_of(request, "sandi_lama"), row.password_hash):
        return render(request, "akun_saya.html", {"me": me, "message": "Kata sandi lama "
                                                  "salah."}, 400)
    try:
        book.change(me.login, password=_new_password(request))
    except AccountError as exc:
        return render(request, "akun_saya.html", {"me": me, "message": str(exc)}, 400)
    request.session.clear()
    return RedirectResponse("/masuk", 303)  # every session ended, this one too


def _me(request: Request) -> Account | None:
    found = principal_of(request)
    if found is None or found.login is None:
        return None
    return _book(request).find(found.login)


def _grants_of(request: Request, required: bool = True) -> list[Grant]:
    """The role chosen in the form (`peran_baru`) at the office chosen (`kantor_baru`)."""
    role = field_of(request, "peran_baru").strip()
    if not role:
        if required:
            raise AccountError("pilih peran akun ini")
        return []
    kantor = field_of(request, "kantor_baru").strip() or ALL
    return [parse_grant(f"{role}:{kantor}")]


def _new_password(request: Request, required: bool = True) -> str | None:
    first, again = field_of(request, "sandi_baru"), field_of(request, "sandi_ulang")
    if not first and not again:
        if required:
            raise AccountError("isi kata sandi akun ini (dua kali)")
        return None
    if first != again:
        raise AccountError("kedua kata sandi tidak sama")
    return first


def _kept(request: Request) -> dict[str, str]:
    """What the form had (never a password), to fill it again after a refusal."""
    return {name: field_of(request, name)[:200]
            for name in ("nama_masuk", "nama", "peran_baru", "kantor_baru")}


ROUTES: list[BaseRoute] = [
    Route("/akun", account_list, methods=["GET"]),
    Route("/akun", account_add, methods=["POST"]),
    Route("/akun-saya", own_page, methods=["GET"]),
    Route("/akun-saya", own_password, methods=["POST"]),
    Route("/akun/{login}", account_page, methods=["GET"]),
    Route("/akun/{login}", account_change, methods=["POST"]),
    Route("/akun/{login}/aktif", account_active, methods=["POST"]),
    Route("/akun/{login}/token", token_issue, methods=["POST"]),
    Route("/akun/{login}/token/{ident}/cabut", token_revoke, methods=["POST"]),
]
