"""Signing in and out with a role's password (when the server asks for a login)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.web.app import csrf_of, page, refusal, render, web_of
from iki_xlsx.web.security import ROLES, same_token


def sign_in_form(request: Request) -> Response:
    return render(request, "masuk.html", {"roles": ROLES, "lanjut": _next(request)})


async def sign_in(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_sign_in, request, form)  # scrypt takes a while


def _sign_in(request: Request, form: FormData) -> Response:
    web = web_of(request)
    token = form.get("csrf")
    if not same_token(token if isinstance(token, str) else None, request.session.get("csrf")):
        return refusal(request, 403, "Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.")
    client = request.client.host if request.client else "?"
    target = _next(request, form.get("lanjut"))
    if web.limiter.blocked(client):
        return render(request, "masuk.html", {"roles": ROLES, "lanjut": target,
                      "message": "Terlalu banyak percobaan masuk yang gagal; tunggu beberapa "
                                 "menit lalu coba lagi."}, 429)
    role, password = str(form.get("peran", "")), str(form.get("sandi", ""))
    if role not in ROLES or not web.passwords.check(role, password):
        web.limiter.failed(client)
        return render(request, "masuk.html", {"roles": ROLES, "lanjut": target,
                      "message": "Peran atau kata sandi salah."}, 401)
    web.limiter.succeeded(client)
    request.session.clear()
    request.session["role"] = role
    request.session["csrf"] = csrf_of(request)
    return RedirectResponse(target, 303)


@page(form=True)
def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/masuk" if web_of(request).login_required else "/", 303)


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
