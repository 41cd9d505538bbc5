"""A kabupaten's home page: the offices the person signed in may open (every office for the
admin and a pemeriksa of all, their own for an operator), each linking to /kantor/KODE/."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.accounts.roles import Action
from iki_xlsx.web.app import OFFICE_PREFIX, page, principal_of, render, web_of


@page("akun")
def kabupaten_home(request: Request) -> Response:
    web = web_of(request)
    me = principal_of(request)
    assert me is not None  # the guard let nobody else in
    offices = web.served.kabupaten().offices
    mine = [o for o in offices if me.access.can(Action.READ, o.kode)]
    if len(mine) == 1 and not me.access.can(Action.MANAGE):
        return RedirectResponse(f"{OFFICE_PREFIX}/{mine[0].kode}/", 303)
    return render(request, "kabupaten.html", {"offices": mine, "every": len(offices),
                                              "rekap": me.access.can(Action.READ)})


ROUTES: list[BaseRoute] = [Route("/", kabupaten_home)]
