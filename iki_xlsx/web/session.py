"""Signing in with an account (login and password) and out: the session is the server's
(`accounts.sessions`), the cookie only names it, so signing out, a password or role change
and a deactivation end it at once. Failed logins are limited per account and per address
in the store (every worker counts the same), and each failure's answer waits on the event
loop; the password's slow hash runs on the login gate's own threads (`web.gate`)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.sessions import SignInOutcome
from iki_xlsx.web.app import client_of, csrf_of, page, pause, refusal, render, web_of
from iki_xlsx.web.security import new_token, same_token

WRONG = "Nama masuk atau kata sandi salah."
BLOCKED = ("Terlalu banyak percobaan masuk yang gagal untuk akun ini atau dari alamat ini; "
           "tunggu 15 menit lalu coba lagi.")
BUSY = "Sedang banyak yang masuk bersamaan; coba lagi sebentar lagi."


def sign_in_form(request: Request) -> Response:
    return render(request, "masuk.html", {"lanjut": _next(request)})


async def sign_in(request: Request) -> Response:
    web = web_of(request)
    form = await request.form()
    token = form.get("csrf")
    target = _next(request, form.get("lanjut"))
    if not same_token(token if isinstance(token, str) else None, request.session.get("csrf")):
        return refusal(request, 403, "Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.")
    login, password = str(form.get("nama_masuk", "")), str(form.get("sandi", ""))
    client = client_of(request)
    sessions = web.sessions()
    result = await web.gate.run(lambda: sessions.sign_in(login, password, client))
    if result is None:
        return _form_again(request, target, login, BUSY, 503)
    ok = result.outcome is SignInOutcome.OK and result.token is not None
    await run_in_threadpool(web.served.record_sign_in, login,
                            result.principal.nama if ok and result.principal else None, client,
                            ok, "" if ok else ("dibatasi" if result.outcome is
                                               SignInOutcome.BLOCKED else "sandi atau nama salah"))
    if result.outcome is not SignInOutcome.OK or result.token is None:
        await pause(result.delay)
        blocked = result.outcome is SignInOutcome.BLOCKED
        return _form_again(request, target, login, BLOCKED if blocked else WRONG,
                           429 if blocked else 401)
    old = request.session.get("sesi")
    if isinstance(old, str):
        await run_in_threadpool(sessions.end, old, "masuk lagi")
    request.session.clear()
    request.session["sesi"] = result.token
    request.session["csrf"] = new_token()
    return RedirectResponse(target, 303)


def _form_again(request: Request, target: str, login: str, message: str,
                status_code: int) -> Response:
    return render(request, "masuk.html", {"lanjut": target, "message": message,
                                          "nama_masuk": login[:64]}, status_code)


@page("akun", form=True)
def sign_out(request: Request) -> Response:
    web = web_of(request)
    token = request.session.get("sesi")
    if isinstance(token, str):
        web.sessions().end(token)
    request.session.clear()
    csrf_of(request)
    return RedirectResponse("/masuk" if web.login_required else "/", 303)


def _next(request: Request, given: Any = None) -> str:
    """Where to go after signing in: a path of this site only."""
    target = str(given if given is not None else request.query_params.get("lanjut", "/"))
    return target if target.startswith("/") and not target.startswith("//") \
        and "\\" not in target else "/"


ROUTES: list[BaseRoute] = [
    Route("/masuk", sign_in_form, methods=["GET"]),
    Route("/masuk", sign_in, methods=["POST"]),
    Route("/keluar", sign_out, methods=["POST"]),
]
