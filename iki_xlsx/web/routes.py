"""Every route of the web app, grouped by resource (one module each).

A single office's app serves `OFFICE` at the root; a kabupaten's serves its home (the offices
the person may open) at the root and `OFFICE` under `/kantor/{kantor}/` for each office
kantor.csv lists. `SHARED` (signing in and out, the accounts, the API) is both's.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from iki_xlsx.web import (
    accounts,
    api,
    blueprints,
    dokumen,
    files,
    kabupaten,
    mail,
    panduan,
    recap,
    returns,
    rollup,
    session,
    settings,
    signoff,
    status,
    tasks,
    workbooks,
)
from iki_xlsx.web.app import OFFICE_PREFIX

SHARED: list[BaseRoute] = [*session.ROUTES, *accounts.ROUTES, *api.SHARED]
OFFICE: list[BaseRoute] = [*status.ROUTES, *files.ROUTES, *tasks.ROUTES, *returns.ROUTES,
                           *workbooks.ROUTES, *recap.ROUTES, *blueprints.ROUTES,
                           *dokumen.ROUTES, *signoff.ROUTES, *settings.ROUTES, *mail.ROUTES,
                           *panduan.ROUTES]
KABUPATEN: list[BaseRoute] = [*kabupaten.ROUTES, *rollup.ROUTES,
                              Mount(OFFICE_PREFIX + "/{kantor}", routes=OFFICE),
                              Mount(api.PREFIX + OFFICE_PREFIX + "/{kantor}", routes=api.OFFICE)]
SINGLE: list[BaseRoute] = [*OFFICE, Mount(api.PREFIX, routes=api.OFFICE)]
ROUTES = [*SHARED, *SINGLE]  # a single office's
