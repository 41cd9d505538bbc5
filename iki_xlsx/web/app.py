"""The web application: Starlette routes over the office's service, with the security
defaults on.

`create_app` builds it for one workspace: a single office, or a kabupaten's, whose offices are
served under `/kantor/KODE/` (the office chosen in the URL, and only one kantor.csv lists).
Every view opens its office's `Office` (read afresh, since the office may edit iki.toml or
unit.csv while the server runs) and calls its use cases, exactly as the command line does;
nothing here reads SQL or knows a cell address. Views are plain functions run in the thread
pool (`page`), so SQLite and workbook work never blocks the event loop; only the views that
stream an upload are coroutines (`upload_page`).

Who is asking is `principal_of(request)`: the account signed in (`Principal`: its name, login,
account id and `access`, its roles per office), or, on a single office's own computer without
a login, the operator there. Every view is guarded by what it needs (`page(role)`) at the
office of its URL: an operator of one kecamatan opens nothing of another.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iki_xlsx.accounts.roles import ALL, Access, Action, Grant, Role
from iki_xlsx.accounts.sessions import LoginPolicy, Principal, Sessions
from iki_xlsx.audit.trail import Actor
from iki_xlsx.check.pool import WarmPool
from iki_xlsx.core.codes import Code
from iki_xlsx.core.dates import DEFAULT_ZONE
from iki_xlsx.core.errors import StoreBroken
from iki_xlsx.core.findings import Finding
from iki_xlsx.service.context import Runtime
from iki_xlsx.service.office import Office
from iki_xlsx.service.site import Site as Served
from iki_xlsx.service.workspace import WorkspaceError
from iki_xlsx.web.gate import LoginGate
from iki_xlsx.web.jobs import Jobs
from iki_xlsx.web.security import (
    LOOPBACK_HOSTS,
    SECURITY_HEADERS,
    HostRule,
    new_token,
    parse_host,
    same_token,
)
from iki_xlsx.web.site import Site
from iki_xlsx.web.upload import UploadLimits

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "iki_sesi"
OFFICE_PREFIX = "/kantor"  # a kabupaten's office pages: /kantor/KODE/...
# who works on a single office's own computer when it asks for no login
LOCAL = Principal("Operator di komputer ini",
                  Access(frozenset({Grant(Role.OPERATOR, ALL), Grant(Role.ADMIN, ALL)})))
# what a page needs at the office of its URL (`akun`: only to be signed in)
NEEDS = {"pemeriksa": Action.READ, "operator": Action.CHANGE, "admin": Action.MANAGE,
         "akun": None}
SETUP_PATH = "/siapkan"  # the first-run setup, the only page of a folder with no iki.toml


@dataclass
class Web:
    """Everything the pages share: the workspace, what outlives a request (the runtime: the
    loaded blueprints and the warm checking workers, started by the first upload or IMAP
    fetch and kept until the app stops, so no later one pays their start-up), the jobs, the
    accounts and the limits. In a kabupaten's app each office has a `Web` of its own (its
    folder and jobs: `for_office`); `kode` names it."""

    site: Site
    login_required: bool
    limits: UploadLimits
    templates: Jinja2Templates
    served: Served
    jobs: Jobs = field(default_factory=Jobs)
    runtime: Runtime = field(default_factory=lambda: Runtime(checkers=WarmPool()))
    gate: LoginGate = field(default_factory=LoginGate)
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    kode: str | None = None
    _offices: dict[str, Web] = field(default_factory=dict)

    def office_and_problems(self) -> tuple[Office, list[Finding]]:
        """The workspace's office, read afresh (without settings or units when iki.toml or
        unit.csv cannot be used, and the findings that say why); a view opens it as the
        person asking through `office_of(request)`."""
        return Office.at(self.site.root, runtime=self.runtime)

    @property
    def prefix(self) -> str:
        """What the office's paths start with: "" for a single office, /kantor/KODE else."""
        return "" if self.kode is None else f"{OFFICE_PREFIX}/{self.kode}"

    @property
    def kabupaten(self) -> bool:
        return self.served.kabupaten_kind

    def sessions(self) -> Sessions:
        return self.served.sessions(self.login_policy)

    def for_office(self, kode: str) -> Web | None:
        """The office `kode` of a kabupaten's app, when kantor.csv lists it (its own folder
        and jobs, kept for the life of the app); None for any other text."""
        if not self.kabupaten:
            return None
        try:
            kabupaten = self.served.kabupaten()
        except WorkspaceError:
            return None
        if kode not in kabupaten.kodes:
            return None
        known = self._offices.get(kode)
        if known is None:
            root = kabupaten.kantor(kode).root.resolve()
            # the runtime is shared: its blueprints are cached by their file's path and its
            # warm checkers take each office's own index with every chunk (one pool of
            # workers per server, however many offices it serves)
            known = dataclasses.replace(self, site=Site(root), kode=kode, jobs=Jobs(),
                                        _offices={})
            known = self._offices.setdefault(kode, known)
        return known

    def close(self) -> None:
        self.runtime.close()
        self.gate.close()


def web_of(request: Request) -> Web:
    """The `Web` of the request's office: a kabupaten's office named in its URL, else the
    app's own."""
    web: Web = request.app.state.web
    kode = request.scope.get("path_params", {}).get("kantor")
    if isinstance(kode, str) and web.kabupaten:
        office = web.for_office(kode)
        if office is not None:
            return office
    return web


def principal_of(request: Request) -> Principal | None:
    """Who is asking (None: nobody signed in): the account of the request's session, with its
    name, login, account id and roles per office (`access`), or the operator at a single
    office's own computer when the app asks for no login. The guard of every view has looked
    it up already (`page`); sign-off's steps and the audit trail name this person."""
    found = getattr(request.state, "principal", None)
    if isinstance(found, Principal):
        return found
    return None


async def _lookup(request: Request) -> Principal | None:
    """The request's principal, looked up in the store once per request."""
    if hasattr(request.state, "principal"):
        return principal_of(request)
    web: Web = request.app.state.web
    if not web.login_required:
        found: Principal | None = LOCAL
    else:
        token = request.session.get("sesi")
        found = await run_in_threadpool(web.sessions().principal, token) \
            if isinstance(token, str) else None
        if found is None and token is not None:
            request.session.pop("sesi", None)  # ended: the cookie reads nothing from now on
    request.state.principal = found
    return found


def actor_of(request: Request) -> Actor | None:
    """Whom the audit trail names for what this request does: the signed-in account, from
    the client's address (None: the operator at a single office's own computer, named as the
    computer's user)."""
    found = principal_of(request)
    if found is None or found.login is None:
        return None
    return Actor(found.login, found.nama, f"web {client_of(request)}", found.account_id)


def client_of(request: Request) -> str:
    """The client's address ('?' when the server does not know it)."""
    return request.client.host if request.client else "?"


def office_and_problems_of(request: Request) -> tuple[Office, list[Finding]]:
    """The request's office (`Web.office_and_problems`) working as the person asking, so each
    step it records in the audit trail names them."""
    office, problems = web_of(request).office_and_problems()
    office.actor = actor_of(request)
    return office, problems


def office_of(request: Request) -> Office:
    return office_and_problems_of(request)[0]


def role_of(request: Request) -> str | None:
    """The page's word for what the principal may do at the request's office: `operator`
    (changes things), `pemeriksa` (reads only), None (signed in nowhere here)."""
    found = principal_of(request)
    if found is None:
        return None
    kode = web_of(request).kode
    if found.access.can(Action.CHANGE, kode):
        return "operator"
    return "pemeriksa" if found.access.can(Action.READ, kode) else None


def csrf_of(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = new_token()
        request.session["csrf"] = token
    return token


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> Response:
    web = web_of(request)
    config = web.site.config  # read once per page: the office may edit it while the server runs
    found = principal_of(request)
    base = {"role": role_of(request), "csrf": csrf_of(request), "site": web.site,
            "kantor": config.kantor if config is not None else web.site.root.name,
            "zona": config.zona_waktu if config is not None else DEFAULT_ZONE,
            "login_required": web.login_required, "path": request.url.path,
            "pre": web.prefix, "orang": found, "kabupaten": web.kabupaten,
            "kelola": found is not None and found.access.can(Action.MANAGE),
            "output_id": functools.partial(_output_id, web.site),
            "ready": web.kabupaten or web.site.config_path.exists()}
    if web.kabupaten and web.kode is None:
        base["kantor"] = web.served.title()
    return web.templates.TemplateResponse(request, name, base | (context or {}),
                                          status_code=status_code)


def _output_id(site: Site, path: str | Path) -> str:
    from iki_xlsx.web.files import output_id

    return output_id(site, Path(path))


def refusal(request: Request, status_code: int, message: str) -> Response:
    return render(request, "galat.html", {"message": message}, status_code)


View = Callable[[Request], Response]
AsyncView = Callable[[Request], Awaitable[Response]]


def page(role: str = "pemeriksa", *, form: bool = False
         ) -> Callable[[View | AsyncView], AsyncView]:
    """A view with who may open it (`pemeriksa`: whoever may read the office of its URL,
    `operator`: whoever may change things there, `admin`: who manages accounts, `akun`: anyone
    signed in) and whether it takes a url-encoded form whose CSRF token must match the
    session's (the form is then `form_of(request)`). A view is a plain function, run in the
    thread pool so its store and workbook work never blocks the event loop; a coroutine view
    (one that streams) is awaited and sends its blocking work to the pool itself."""

    def decorate(view: View | AsyncView) -> AsyncView:
        @functools.wraps(view)
        async def guarded(request: Request) -> Response:
            refused = await _refused(request, role, form)
            if refused is not None:
                return refused
            try:
                if inspect.iscoroutinefunction(view):
                    return await cast(AsyncView, view)(request)
                return await run_in_threadpool(cast(View, view), request)
            except StoreBroken as exc:  # the store's own message says what to do
                return refusal(request, 500, str(exc))

        return guarded

    return decorate


def upload_page(role: str = "operator") -> Callable[[AsyncView], AsyncView]:
    """A view that streams an upload (a coroutine: its blocking work goes to the thread pool
    itself); the CSRF token is checked by the upload, before any file part."""

    def decorate(view: AsyncView) -> AsyncView:
        @functools.wraps(view)
        async def guarded(request: Request) -> Response:
            refused = await _refused(request, role, form=False)
            if refused is not None:
                return refused
            try:
                return await view(request)
            except StoreBroken as exc:
                return refusal(request, 500, str(exc))

        return guarded

    return decorate


async def _refused(request: Request, role: str, form: bool) -> Response | None:
    """The response refusing the request (no login, no right at the URL's office, a form
    without the session's token), or None."""
    web = web_of(request)
    if web.kabupaten and "kantor" in request.scope.get("path_params", {}) and web.kode is None:
        return refusal(request, 404, "Kantor itu tidak ada di kabupaten ini.")
    if not web.kabupaten and not web.site.config_path.exists() \
            and request.url.path != SETUP_PATH:
        if request.method == "GET":  # an empty folder: the office is set up first
            return RedirectResponse(SETUP_PATH, 303)
        return refusal(request, 409, "Ruang kerja belum ada; siapkan kantor lebih dulu.")
    found = await _lookup(request)
    if found is None:
        if request.method == "GET":
            target = quote(request.url.path + ("?" + request.url.query
                                               if request.url.query else ""))
            return RedirectResponse(f"/masuk?lanjut={target}", 303)
        return refusal(request, 401, "Silakan masuk lebih dulu.")
    needed = NEEDS[role]
    if needed is not None and not found.access.can(needed, web.kode):
        if role == "operator" and found.access.can(Action.READ, web.kode):
            return refusal(request, 403, "Peran pemeriksa hanya dapat melihat dan mengunduh; "
                                         "perubahan dilakukan oleh operator.")
        return refusal(request, 403, "Akun Anda tidak berhak membuka halaman ini.")
    if form:
        data = await request.form()
        token = data.get("csrf")
        if not same_token(token if isinstance(token, str) else None,
                          request.session.get("csrf")):
            return refusal(request, 403, "Formulir kedaluwarsa atau bukan dari halaman "
                                         "ini; muat ulang halaman lalu kirim lagi.")
        request.state.form = data
    return None


def form_of(request: Request) -> FormData:
    """The url-encoded form a `page(form=True)` view was sent (read before the view runs)."""
    data: FormData = request.state.form
    return data


def field_of(request: Request, name: str) -> str:
    """One field of the view's form, as text ("" when absent)."""
    value = form_of(request).get(name)
    return value if isinstance(value, str) else ""


class SecurityMiddleware:
    """Refuses a foreign Host header (DNS rebinding) and adds the security headers. The header
    is parsed whole, then its host and port compared (`HostRule`): a name that only starts
    like an allowed one (`127.0.0.1:8000@evil.example`) or another port is refused."""

    def __init__(self, app: ASGIApp, allowed_hosts: HostRule) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        server = scope.get("server") or (None, None)
        default_port = 443 if scope.get("scheme") == "https" else 80
        if not self.allowed_hosts.accepts(host, server[1], default_port):
            response = PlainTextResponse(
                "Alamat host tidak dikenal; buka aplikasi melalui alamat yang diizinkan.", 400,
                headers=SECURITY_HEADERS)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_hosts(bind: str, extra: tuple[str, ...] = ()) -> HostRule:
    """Loopback names and the address bound, at the server's port; each `--izinkan-host`
    NAME (or NAME:PORT) as a browser or a reverse proxy sends it."""
    names = set(LOOPBACK_HOSTS)
    if bind not in ("0.0.0.0", "::", ""):
        names.add(f"[{bind.lower()}]" if ":" in bind and not bind.startswith("[")
                  else bind.lower())
    proxied = {parsed for parsed in map(parse_host, extra) if parsed is not None}
    return HostRule(frozenset(names), frozenset(proxied))


# what keeps a workspace from being served at all, whatever its settings say
NEVER_SERVED = frozenset({Code.WORKSPACE_UNSAFE, Code.WORKSPACE_KABUPATEN,
                          Code.WORKSPACE_MISSING})


def served_at(site: Site) -> Served:
    """What `site` serves: a folder still to be set up (no iki.toml) serves its setup page
    alone, as one office; a single office whose iki.toml or unit.csv has only errors the
    Pengaturan page can fix (`fixable_in_browser`) is served so they are fixed there; anything
    else is `Served.at`'s (a refusal stays one)."""
    if not site.config_path.exists():
        return Served(site.root.resolve(), False)
    try:
        return Served.at(site.root)
    except WorkspaceError as exc:
        if not fixable_in_browser(exc.findings) or kabupaten_like(site.root):
            raise
        return Served(site.root.resolve(), False)


def kabupaten_like(root: Path) -> bool:
    """A kabupaten's folder, even when its iki.toml cannot be read."""
    from iki_xlsx.service.kabupaten import OFFICES_NAME
    from iki_xlsx.service.workspace import is_kabupaten

    return is_kabupaten(root) or (root / OFFICES_NAME).exists()


def fixable_in_browser(findings: list[Finding]) -> bool:
    """Whether a workspace that cannot be used has only settings or units-list errors (never
    one another user can change, nor a kabupaten's)."""
    return bool(findings) and not any(f.code in NEVER_SERVED for f in findings)


def create_app(site: Site, *, login_required: bool = False, host: str = "127.0.0.1",
               extra_hosts: tuple[str, ...] = (), limits: UploadLimits | None = None,
               secret: str | None = None, login_policy: LoginPolicy | None = None
               ) -> Starlette:
    """The web app for `site` (a single office's workspace, or a kabupaten's, which always asks
    for a login); `login_required` whenever it listens beyond loopback; `login_policy` the
    limits of failed logins (the library's by default)."""
    from iki_xlsx.web import formats, routes

    served = served_at(site)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    formats.register_filters(templates, site)
    web = Web(site, login_required or served.kabupaten_kind, limits or UploadLimits(),
              templates, served, login_policy=login_policy or LoginPolicy())
    offices = routes.KABUPATEN if served.kabupaten_kind else routes.SINGLE
    mounted = [*routes.SHARED, *offices,
               Mount("/statis", StaticFiles(directory=str(HERE / "static")), name="statis")]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            web.close()

    app = Starlette(routes=mounted, lifespan=lifespan, middleware=[
        Middleware(SecurityMiddleware, allowed_hosts=allowed_hosts(host, extra_hosts)),
        Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                   session_cookie=SESSION_COOKIE, same_site="strict", max_age=12 * 3600,
                   https_only=False)],
        exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.web = web
    return app


async def pause(seconds: float) -> None:
    """Wait on the event loop (a failed login's delay holds no thread)."""
    await asyncio.sleep(seconds)


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!doctype html><title>Tidak ditemukan</title><p>Halaman atau berkas "
                        "tidak ditemukan. <a href=\"/\">Kembali ke beranda</a></p>", 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("Cara permintaan ini tidak diizinkan.", 405)


__all__ = ["Route", "Web", "create_app", "csrf_of", "field_of", "form_of", "page",
           "principal_of", "refusal", "render", "role_of", "upload_page", "web_of"]
